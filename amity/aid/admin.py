"""Admin for administrators. Saves and deletes go through the services, like every other write; the shares
and participants are shown read-only here because only the services keep their rules (percentages adding
up to 100, the current-era province of each location)."""

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import CONVERSION_FIELDS, AidBeneficiary, AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction

_Part = TypeVar("_Part", bound=Model)


class ReadOnlyInline(admin.TabularInline[_Part, AidItem]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return flatten(self.fields or [])  # a line of several fields is a tuple in `fields`


class SoftDeleteAdmin(SimpleHistoryAdmin):
    """Deleting in the admin is the users' soft delete: nothing else is removed, so nothing is protected."""

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        return [str(obj) for obj in objs], {}, set(), []


class SectorSplitInline(ReadOnlyInline[SectorSplit]):
    model = SectorSplit
    fields = ["sector", "percentage"]


class LocationSplitInline(ReadOnlyInline[LocationSplit]):
    model = LocationSplit
    fields = ["unit", "current_province", "percentage"]


class AidParticipantInline(ReadOnlyInline[AidParticipant]):
    model = AidParticipant
    fields = ["organisation", "role"]


class AidBeneficiaryInline(ReadOnlyInline[AidBeneficiary]):
    model = AidBeneficiary
    fields = ["group"]


@admin.register(AidItem)
class AidItemAdmin(SoftDeleteAdmin):
    list_display = ["title_vi", "modality", "status", "owning_province", "reference", "updated_at", "deleted_at"]
    list_filter = ["modality", "status", "is_relief"]
    search_fields = ["title_vi", "title_en", "reference", "iati_identifier"]
    raw_id_fields = ["owning_province", "managing_agency", "aid_owner", "counterpart_currency"]
    readonly_fields = [
        "status",
        "appraisal_started_on",
        "decision_number",
        "decision_date",
        "decision_authority",
        "status_note",
        "actual_start",
        "actual_end",
    ]
    inlines = [SectorSplitInline, LocationSplitInline, AidParticipantInline, AidBeneficiaryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AidItem]:
        return AidItem.all_objects.select_related("owning_province")

    def save_model(self, request: HttpRequest, obj: AidItem, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            services.aid_item_update(aid_item=obj, user=request.user, data=data, expected_version=obj.version)
        else:
            created = services.aid_item_create(user=request.user, data=form.cleaned_data)
            obj.pk, obj.public_id, obj.version = created.pk, created.public_id, created.version

    def delete_model(self, request: HttpRequest, obj: AidItem) -> None:
        services.aid_item_delete(aid_item=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AidItem]) -> None:
        for aid_item in queryset:
            services.aid_item_delete(aid_item=aid_item, user=request.user)


@admin.register(Transaction)
class TransactionAdmin(SoftDeleteAdmin):
    list_display = ["aid_item", "transaction_type", "date", "amount", "currency", "amount_usd", "deleted_at"]
    list_filter = ["transaction_type"]
    search_fields = ["aid_item__title_vi", "description"]
    raw_id_fields = ["aid_item", "currency", "provider", "receiver"]
    readonly_fields = CONVERSION_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transaction]:
        return Transaction.all_objects.select_related("aid_item", "currency")

    def save_model(self, request: HttpRequest, obj: Transaction, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            data.pop("aid_item", None)
            services.transaction_update(tx=obj, user=request.user, data=data, expected_version=obj.version)
        else:
            fields = {name: value for name, value in form.cleaned_data.items() if name != "aid_item"}
            created = services.transaction_create(user=request.user, aid_item=obj.aid_item, data=fields)
            obj.pk, obj.public_id, obj.version = created.pk, created.public_id, created.version

    def delete_model(self, request: HttpRequest, obj: Transaction) -> None:
        services.transaction_delete(tx=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Transaction]) -> None:
        for tx in queryset:
            services.transaction_delete(tx=tx, user=request.user)
