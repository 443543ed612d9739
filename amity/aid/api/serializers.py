"""API representation of aid items (with their sector, location and participant shares) and transactions.
Serializers parse and present; the services write."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from amity.core.api import CodeRelatedField, WholeRowMixin
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reference.fx import RateBook, RateNote, shared_rate_book
from amity.reference.models import AdministrativeUnit, CodelistItem, Currency

from .. import selectors
from ..choices import BeneficiaryGroup, ParticipantRole
from ..models import AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from ..services import AidItemParts, LocationShare, Participation, SectorShare


def money_total() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=24, decimal_places=2, read_only=True)


def name_field(source: str) -> serializers.CharField:
    """A read-only `*_name` field: the name of a code or a record in the request's language (empty: null)."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


def percentage_field() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100))


def _user(field: serializers.Field[Any, Any, Any, Any]) -> Any:
    request = field.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.UUID)
class ScopedOrganisationField(CodeRelatedField[Organisation]):
    """An organisation by its public identifier, among those the user may see."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.restrict(_user(self), "view")


@extend_schema_field(OpenApiTypes.UUID)
class ScopedAidItemField(CodeRelatedField[AidItem]):
    """An aid item by its public identifier, among those the user may see."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", **kwargs)

    def get_queryset(self) -> QuerySet[AidItem]:
        return AidItem.objects.restrict(_user(self), "view")


class SectorShareSerializer(WholeRowMixin, serializers.Serializer[SectorSplit]):
    sector = CodeRelatedField(slug_field="code", queryset=CodelistItem.objects.of("Sector"))
    sector_name = name_field("sector.name")
    percentage = percentage_field()


class LocationShareSerializer(WholeRowMixin, serializers.Serializer[LocationSplit]):
    """A province or commune named by its code and era (codes are reused across the 2025 reorganisation)."""

    unit = serializers.CharField(max_length=5)
    era = serializers.ChoiceField(choices=Era.choices, default=Era.CURRENT)
    percentage = percentage_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unit = selectors.location_unit(era=attrs["era"], code=attrs["unit"])
        if unit is None:
            raise serializers.ValidationError(
                {"unit": _("No administrative unit has the code %(code)s in this era.") % {"code": attrs["unit"]}}
            )
        return {**attrs, "unit": unit}

    def to_representation(self, instance: LocationSplit) -> dict[str, Any]:
        return {
            "unit": instance.unit.code,
            "era": instance.unit.era,
            "level": instance.unit.level,
            "name": instance.unit.full_name,
            "current_province": instance.current_province.code,
            "percentage": percentage_field().to_representation(instance.percentage),
        }


class ParticipantSerializer(WholeRowMixin, serializers.Serializer[AidParticipant]):
    organisation = ScopedOrganisationField()
    organisation_name = name_field("organisation.name")
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    role_name = name_field("get_role_display")


class BeneficiariesField(serializers.ListField):
    child = serializers.ChoiceField(choices=BeneficiaryGroup.choices)

    def to_representation(self, data: Any) -> list[str]:
        return [row.group for row in data.all()]


class AidItemSerializer(serializers.ModelSerializer[AidItem]):
    """An aid item. On write, `sectors`, `locations`, `participants` and `beneficiaries` replace the stored
    rows when given and are left unchanged when left out; send `version` on update."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    owning_province = CodeRelatedField(
        slug_field="code", queryset=AdministrativeUnit.objects.filter(level="province", era=Era.CURRENT)
    )
    owning_province_name = name_field("owning_province.name")
    modality_name = name_field("get_modality_display")
    status_name = name_field("get_status_display")
    # Read-only and empty unless an IATI file said it: the schema's enum must include "".
    reported_status = serializers.ChoiceField(
        choices=AidItem._meta.get_field("reported_status").choices or [], read_only=True, allow_blank=True
    )
    reported_status_name = name_field("get_reported_status_display")
    managing_agency = ScopedOrganisationField(required=False, allow_null=True)
    aid_owner = ScopedOrganisationField(required=False, allow_null=True)
    counterpart_currency = CodeRelatedField(
        slug_field="code", queryset=Currency.objects.all(), required=False, allow_null=True
    )
    sectors = SectorShareSerializer(many=True, required=False)
    locations = LocationShareSerializer(many=True, required=False)
    participants = ParticipantSerializer(many=True, required=False)
    beneficiaries = BeneficiariesField(required=False)
    locations_outside_confirmed = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_(
            "True to confirm locations added outside your provinces (the aid item is then also shown to those "
            "provinces and counted in their figures); without it such locations are a 400 naming `locations`."
        ),
    )
    committed_usd = money_total()
    disbursed_usd = money_total()
    spent_usd = money_total()
    committed_vnd = money_total()
    disbursed_vnd = money_total()

    class Meta:
        model = AidItem
        fields = [
            "id",
            "modality",
            "modality_name",
            "is_relief",
            "reference",
            "iati_identifier",
            "title_vi",
            "title_en",
            "description",
            "owning_province",
            "owning_province_name",
            "managing_agency",
            "aid_owner",
            "status",
            "status_name",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "appraisal_started_on",
            "decision_number",
            "decision_date",
            "decision_authority",
            "status_note",
            "reported_status",
            "reported_status_name",
            "viet_nam_share",
            "counterpart_amount",
            "counterpart_currency",
            "sectors",
            "locations",
            "participants",
            "beneficiaries",
            "locations_outside_confirmed",
            "committed_usd",
            "disbursed_usd",
            "spent_usd",
            "committed_vnd",
            "disbursed_vnd",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "actual_start",
            "actual_end",
            "appraisal_started_on",
            "decision_number",
            "decision_date",
            "decision_authority",
            "status_note",
            "reported_status",
            "viet_nam_share",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"version": {"read_only": False, "required": False}}

    def split(self) -> tuple[dict[str, Any], AidItemParts, int | None, bool]:
        """The validated input as (aid item fields, parts, expected version, confirmed) for the services."""
        data = dict(self.validated_data)
        version = data.pop("version", None)
        confirmed = bool(data.pop("locations_outside_confirmed", False))
        sectors = data.pop("sectors", None)
        locations = data.pop("locations", None)
        participants = data.pop("participants", None)
        beneficiaries = data.pop("beneficiaries", None)
        parts = AidItemParts(
            sectors=None if sectors is None else [SectorShare(row["sector"], row["percentage"]) for row in sectors],
            locations=None
            if locations is None
            else [LocationShare(row["unit"], row["percentage"]) for row in locations],
            participants=None
            if participants is None
            else [Participation(row["organisation"], row["role"]) for row in participants],
            beneficiaries=beneficiaries,
        )
        return data, parts, version, confirmed


class TransactionSerializer(serializers.ModelSerializer[Transaction]):
    """A transaction in its own currency, with its USD and VND values at the value date's rates and the
    rates' source (`rate_source`, stored in English; `rate_note` says it in the request's language).
    `value_date` defaults to `date`; send `version` on update."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    aid_item = ScopedAidItemField()
    transaction_type_name = name_field("get_transaction_type_display")
    currency = CodeRelatedField(slug_field="code", queryset=Currency.objects.all())
    currency_name = name_field("currency.name")
    provider = ScopedOrganisationField(required=False, allow_null=True)
    provider_name = name_field("provider.name")
    receiver = ScopedOrganisationField(required=False, allow_null=True)
    receiver_name = name_field("receiver.name")
    rate_note = serializers.SerializerMethodField(
        help_text=_(
            "How the USD and VND values were made, in the language of the request: the kind and period of the "
            "rates and their source; null while the values are being updated after a change of rates."
        )
    )
    rate_latest_available = serializers.SerializerMethodField(
        help_text=_(
            "True when no loaded rate covers the value date and the latest earlier rate is used; null while the "
            "values are being updated."
        )
    )

    @cached_property
    def _rate_book(self) -> RateBook:
        return shared_rate_book()  # once per serializer: a list's rows share it

    def _note(self, tx: Transaction) -> RateNote | None:
        return self._rate_book.note(tx.currency.code, tx.value_date, tx.rate_date)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rate_note(self, tx: Transaction) -> str | None:
        note = self._note(tx)
        return None if note is None else str(note)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_rate_latest_available(self, tx: Transaction) -> bool | None:
        note = self._note(tx)
        return None if note is None else note.latest_available

    class Meta:
        model = Transaction
        fields = [
            "id",
            "aid_item",
            "transaction_type",
            "transaction_type_name",
            "date",
            "value_date",
            "amount",
            "currency",
            "currency_name",
            "provider",
            "provider_name",
            "receiver",
            "receiver_name",
            "description",
            "viet_nam_share",
            "amount_usd",
            "amount_vnd",
            "usd_per_unit",
            "vnd_per_unit",
            "rate_date",
            "rate_source",
            "rate_note",
            "rate_latest_available",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "amount_usd",
            "amount_vnd",
            "usd_per_unit",
            "vnd_per_unit",
            "rate_date",
            "rate_source",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "version": {"read_only": False, "required": False},
            "value_date": {"required": False},
        }


# --- inputs of the lifecycle actions (names as in amity.aid.lifecycle.STEPS) ---------------------------------


class LifecycleInputSerializer(serializers.Serializer[None]):  # input only: no instance
    version = serializers.IntegerField(required=False, min_value=1)


class SubmitInputSerializer(LifecycleInputSerializer):
    received_on = serializers.DateField(required=False, allow_null=True, help_text=_("Empty: today."))


class ApproveInputSerializer(LifecycleInputSerializer):
    decision_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    decision_date = serializers.DateField(required=False, allow_null=True)
    decision_authority = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ReasonInputSerializer(LifecycleInputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class StartInputSerializer(LifecycleInputSerializer):
    started_on = serializers.DateField(required=False, allow_null=True)


class CompleteInputSerializer(LifecycleInputSerializer):
    ended_on = serializers.DateField(required=False, allow_null=True)
