"""API representations of reporting duties, their rules and submissions; writes go through the services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import ReviewDecision
from ..models import DutyRule, Obligation, Submission
from ..selectors import status_on


class DutyRuleSerializer(serializers.ModelSerializer[DutyRule]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    recipient = serializers.CharField(read_only=True)
    reporter_name = serializers.CharField(source="get_reporter_display", read_only=True)
    period_kind_name = serializers.CharField(source="get_period_kind_display", read_only=True)

    class Meta:
        model = DutyRule
        fields = [
            "id",
            "code",
            "name",
            "name_vi",
            "name_en",
            "name_ar",
            "form_number",
            "legal_basis",
            "reporter",
            "reporter_name",
            "period_kind",
            "period_kind_name",
            "due_months_after",
            "due_day",
            "reviewer",
            "recipient",
            "recipient_vi",
            "recipient_en",
            "recipient_ar",
            "prefill",
            "effective_from",
            "effective_until",
            "note",
            "version",
        ]
        # Written through `duty_rules_save` (central officers, administrators), which checks the rule's rules;
        # `version` is the one the client read (or If-Match), for a change.
        extra_kwargs = {"version": {"read_only": False, "required": False}}


class SubmissionSerializer(serializers.ModelSerializer[Submission]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    obligation = serializers.UUIDField(source="obligation.public_id", read_only=True)
    file_url = serializers.SerializerMethodField()
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    differences = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "obligation",
            "file_url",
            "note",
            "prefilled",
            "figures",
            "differences",
            "submitted_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_file_url(self, submission: Submission) -> str:
        from django.urls import reverse

        return reverse("obligations:submission_file", kwargs={"public_id": submission.public_id})


class ObligationSerializer(serializers.ModelSerializer[Obligation]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    rule = serializers.CharField(source="rule.code", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    subject = serializers.CharField(source="subject_label", read_only=True)
    aid_item = serializers.UUIDField(source="aid_item.public_id", read_only=True, allow_null=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True, allow_null=True)
    province = serializers.CharField(source="province.code", read_only=True, allow_null=True)
    reviewing_province = serializers.CharField(source="reviewing_province.code", read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "rule",
            "rule_name",
            "subject",
            "aid_item",
            "organisation",
            "province",
            "reviewing_province",
            "period_start",
            "period_end",
            "due_date",
            "state",
            "status",
            "review_note",
            "submitted_at",
            "reviewed_at",
            "version",
        ]
        read_only_fields = fields

    def get_status(self, obligation: Obligation) -> str:
        return getattr(obligation, "computed_status", None) or status_on(obligation, timezone.localdate())


class SubmitSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    figures = serializers.JSONField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)

    def validate_figures(self, value: Any) -> Any:
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError(_('An object of figures: {"name": "number"}.'))
        return value


class ReviewSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)
