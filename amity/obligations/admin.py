"""Administration of the reporting rules (saved through `duty_rules_save`: its checks and the duties' regeneration)
and, for corrections, the duties, submissions and the record of reminders sent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import DutyRule, Obligation, Reminder, Submission
from .services import RuleChange, duty_rules_save


@admin.register(DutyRule)
class DutyRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_en", "reporter", "period_kind", "reviewer", "effective_from", "effective_until"]
    list_filter = ["reporter", "period_kind", "reviewer"]
    search_fields = ["code", "name_vi", "name_en", "legal_basis"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DutyRule]:
        return DutyRule.all_objects.all()

    def save_model(self, request: HttpRequest, obj: DutyRule, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if not change:
            data = dict(form.cleaned_data)
        stored = DutyRule.all_objects.get(pk=obj.pk) if change else None
        [saved] = duty_rules_save(
            user=request.user,
            rows=[RuleChange(data, stored.pk if stored else None, stored.version if stored else None)],
        )
        obj.pk, obj.version = saved.pk, saved.version


@admin.register(Obligation)
class ObligationAdmin(SimpleHistoryAdmin):
    list_display = ["rule", "subject_key", "period_start", "due_date", "state", "deleted_at"]
    list_filter = ["state", "rule"]
    raw_id_fields = ["aid_item", "organisation", "province", "reviewing_province"]
    readonly_fields = ["rule", "subject_key", "period_start", "period_end", "due_date", "state"]


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["obligation", "submitted_by", "created_at"]
    raw_id_fields = ["obligation", "submitted_by"]
    readonly_fields = ["file", "prefilled", "figures"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    list_display = ["kind", "key", "recipient", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["key", "recipient"]
