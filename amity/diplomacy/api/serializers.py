"""API representations of the diplomacy register; writes go through the batch services (see views). Related
records by code (provinces, countries) or public identifier; personal data of visitors and of association members
only to the owning province's staff (`personal`)."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import safe_ref
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from amity.aid.models import AidItem
from amity.core.api import CodeRelatedField
from amity.documents.models import Document
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit, Country

from ..choices import AttachmentKind
from ..models import (
    MEMBER_PERSONAL_FIELDS,
    PERSONAL_FIELDS,
    AgreementRenewal,
    AssociationMember,
    Delegation,
    DelegationDay,
    Event,
    EventAttachment,
    MemberCount,
    Partnership,
    Union,
    UnionUnit,
    Visitor,
)
from ..personal import personal_fields, without_personal_data
from ..selectors import PartnershipWithTerm, renewal_state


class ScopedField(CodeRelatedField[Any]):
    """A related record by its public identifier, among those the requesting user may see."""

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("slug_field", "public_id")
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        queryset: QuerySet[Any] = self.model.objects.restrict(getattr(request, "user", None), "view")
        return queryset


class UnionField(CodeRelatedField[Union]):
    """The union of a record, by its public identifier. Any union is found, so that one outside the user's
    jurisdiction is refused by the service with a message naming the field (not "does not exist")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", queryset=Union.objects.all(), **kwargs)


def _province_field(**kwargs: Any) -> CodeRelatedField[Any]:
    return CodeRelatedField(slug_field="code", read_only=True, **kwargs)


def country_field(**kwargs: Any) -> CodeRelatedField[Country]:
    return CodeRelatedField(slug_field="code", queryset=Country.objects.all(), **kwargs)


BOOKKEEPING = ["id", "version", "created_at", "updated_at"]
OWNERSHIP = ["owning_province", "old_province"]


class RegisterSerializer(serializers.ModelSerializer[Any]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    owning_province = _province_field()
    old_province = _province_field()

    class Meta:
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}


class UnionSerializer(RegisterSerializer):
    province = serializers.PrimaryKeyRelatedField(queryset=AdministrativeUnit.objects.filter(level="province"))
    province_code = serializers.CharField(source="province.code", read_only=True)
    province_era = serializers.CharField(source="province.era", read_only=True)
    merged_into = serializers.UUIDField(source="merged_into.public_id", read_only=True, allow_null=True)

    class Meta(RegisterSerializer.Meta):
        model = Union
        fields = [
            *BOOKKEEPING,
            "name",
            "name_en",
            "province",
            "province_code",
            "province_era",
            "founded_on",
            "website",
            "website_opened_on",
            "address",
            "email",
            "phone",
            "status",
            "merged_into",
            "merged_on",
            *OWNERSHIP,
        ]
        read_only_fields = ["created_at", "updated_at", "status", "merged_on"]  # the merger sets the status


class MemberCountSerializer(serializers.ModelSerializer[MemberCount]):
    class Meta:
        model = MemberCount
        fields = ["year", "members"]
        validators: list[Any] = []


class UnitSerializer(RegisterSerializer):
    union = UnionField()
    partner_country = country_field(required=False, allow_null=True)
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    member_counts = MemberCountSerializer(many=True, required=False)

    class Meta(RegisterSerializer.Meta):
        model = UnionUnit
        fields = [
            *BOOKKEEPING,
            "union",
            "kind",
            "kind_name",
            "name",
            "name_en",
            "partner_country",
            "partner_region",
            "founded_on",
            "founding_decision",
            "leader_name",
            "leader_title",
            "term",
            "email",
            "phone",
            "status",
            "member_counts",
            *OWNERSHIP,
        ]


class RenewalOfAgreementSerializer(serializers.ModelSerializer[AgreementRenewal]):
    """A renewal as listed in its partnership (read only; written at `/agreement-renewals/`)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    document: CodeRelatedField[Document] = CodeRelatedField(slug_field="public_id", read_only=True, allow_null=True)

    class Meta:
        model = AgreementRenewal
        fields = ["id", "renewed_on", "term_ends_on", "term_years", "signatories", "document", "notes"]
        read_only_fields = fields


class PartnershipSerializer(RegisterSerializer):
    union = UnionField()
    vietnamese_locality = serializers.PrimaryKeyRelatedField(
        queryset=AdministrativeUnit.objects.filter(level="province"),
        help_text="The province's id (reference API), of the era in force when the agreement was signed.",
    )
    vietnamese_locality_code = serializers.CharField(source="vietnamese_locality.code", read_only=True)
    vietnamese_locality_era = serializers.CharField(source="vietnamese_locality.era", read_only=True)
    country = country_field()
    organisations = ScopedField(Organisation, many=True, required=False)
    aid_items = ScopedField(AidItem, many=True, required=False)
    renewed_on = serializers.DateField(
        source="last_renewed_on",
        read_only=True,
        allow_null=True,
        help_text="The latest renewal's date (see `renewals`).",
    )
    current_term_ends_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The end of the term in force: the latest renewal's, else the term as signed.",
    )
    renewals = RenewalOfAgreementSerializer(
        many=True,
        read_only=True,
        help_text="Renewals of the agreement, the latest first (written at /agreement-renewals/).",
    )

    class Meta(RegisterSerializer.Meta):
        model = Partnership
        fields = [
            *BOOKKEEPING,
            "union",
            "vietnamese_locality",
            "vietnamese_locality_code",
            "vietnamese_locality_era",
            "foreign_locality",
            "foreign_locality_vi",
            "country",
            "level",
            "signed_on",
            "signatories",
            "agreement_reference",
            "term_ends_on",
            "renewed_on",
            "current_term_ends_on",
            "renewals",
            "areas",
            "status",
            "organisations",
            "aid_items",
            "notes",
            *OWNERSHIP,
        ]


class AttachmentSerializer(serializers.ModelSerializer[EventAttachment]):
    """A photo or document of an event; `download` is its address in the API (served to whoever reads the event)."""

    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = EventAttachment
        fields = ["id", "kind", "kind_name", "original_name", "caption", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, attachment: EventAttachment) -> str:
        # The event is the one the attachments were read through (a prefetch sets it): no query.
        return reverse(
            "diplomacy-event-attachment",
            kwargs={"public_id": attachment.event.public_id, "attachment_id": attachment.pk},
        )


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    """A file to add to an event (multipart): checked by its content and size by the events' service, as on the
    event's page — a photo must be a JPEG, PNG or WebP image; a document a PDF, Word, Excel, OpenDocument file or
    an image."""

    file = serializers.FileField(help_text="The file (multipart). Executables and files over the limit are refused.")
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    caption = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RenewalSerializer(RegisterSerializer):
    """A partnership on the renewals list: its agreement's dates and whether its renewal is due (read only)."""

    union: CodeRelatedField[Union] = CodeRelatedField(slug_field="public_id", read_only=True)
    vietnamese_locality_code = serializers.CharField(source="vietnamese_locality.code", read_only=True)
    vietnamese_locality_era = serializers.CharField(source="vietnamese_locality.era", read_only=True)
    country: CodeRelatedField[Country] = CodeRelatedField(slug_field="code", read_only=True)
    # A plain code here, so that the partnerships' status keeps its one enum in the schema.
    status = serializers.CharField(
        read_only=True, help_text="The partnership's status (active: the list has no other)."
    )
    renewed_on = serializers.DateField(
        source="last_renewed_on", read_only=True, allow_null=True, help_text="The latest renewal's date."
    )
    term_ends_on = serializers.DateField(
        source="current_term_ends_on",
        read_only=True,
        help_text="The end of the term in force: the latest renewal's, else the term as signed.",
    )
    renewal = serializers.SerializerMethodField(help_text="expired, soon (within 90 days) or later")
    days_left = serializers.SerializerMethodField(help_text="Days from today to the end of the term (negative: ended)")

    class Meta(RegisterSerializer.Meta):
        model = Partnership
        fields = [
            "id",
            "version",
            "union",
            "vietnamese_locality_code",
            "vietnamese_locality_era",
            "foreign_locality",
            "foreign_locality_vi",
            "country",
            "level",
            "signed_on",
            "agreement_reference",
            "renewed_on",
            "term_ends_on",
            "status",
            "renewal",
            "days_left",
            *OWNERSHIP,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["expired", "soon", "later"]))
    def get_renewal(self, partnership: PartnershipWithTerm) -> str:
        return renewal_state(partnership, timezone.localdate())

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_left(self, partnership: PartnershipWithTerm) -> int:
        assert partnership.current_term_ends_on is not None  # the list has only agreements with a term in force
        return (partnership.current_term_ends_on - timezone.localdate()).days


class EventSerializer(RegisterSerializer):
    union = UnionField()
    event_type_name = serializers.CharField(source="get_event_type_display", read_only=True)
    organising_units = ScopedField(UnionUnit, many=True, required=False)
    partnerships = ScopedField(Partnership, many=True, required=False)
    countries = country_field(many=True, required=False)
    organisations = ScopedField(Organisation, many=True, required=False)
    aid_items = ScopedField(AidItem, many=True, required=False)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(RegisterSerializer.Meta):
        model = Event
        fields = [
            *BOOKKEEPING,
            "union",
            "event_type",
            "event_type_name",
            "title",
            "title_en",
            "start_date",
            "end_date",
            "place",
            "organising_units",
            "partnerships",
            "countries",
            "organisations",
            "vietnamese_participants",
            "foreign_participants",
            "aid_items",
            "description",
            "outcome",
            "public",
            "attachments",
            *OWNERSHIP,
        ]


class DaySerializer(serializers.ModelSerializer[DelegationDay]):
    class Meta:
        model = DelegationDay
        fields = ["day", "place", "programme"]


class DelegationSerializer(RegisterSerializer):
    union = UnionField()
    country = country_field()
    organisation = ScopedField(Organisation, required=False, allow_null=True)
    partnership = ScopedField(Partnership, required=False, allow_null=True)
    events = ScopedField(Event, many=True, required=False)
    aid_items = ScopedField(AidItem, many=True, required=False)
    days = DaySerializer(many=True, required=False)

    class Meta(RegisterSerializer.Meta):
        model = Delegation
        fields = [
            *BOOKKEEPING,
            "union",
            "direction",
            "country",
            "counterpart",
            "organisation",
            "partnership",
            "head_name",
            "head_title",
            "size",
            "start_date",
            "end_date",
            "purpose",
            "hosts",
            "outcome",
            "permit_number",
            "permit_date",
            "permit_authority",
            "events",
            "aid_items",
            "days",
            *OWNERSHIP,
        ]


PERSONAL_DATA_NOTE = (
    "Personal data: given only to the staff of the province that keeps the record (its owning province); null for "
    "everyone else — central officers, administrators, NGO representatives. Emptied once removed after the retention "
    "period (`personal_data_removed_on`)."
)


class PersonalDataSerializer(RegisterSerializer):
    """A record about a person: its personal fields (the model's `personal_fields`) are null for anyone but the
    owning province's staff (`personal.without_personal_data`), and the schema says so (`PersonalDataSchema`)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        request = self.context.get("request")
        return without_personal_data(super().to_representation(instance), getattr(request, "user", None), instance)


class PersonalDataSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]  # registers, untyped
    """The OpenAPI schema of a `PersonalDataSerializer`: each personal field described as such, and nullable in the
    answers (a request still sends a value, or leaves the field out)."""

    target_class = PersonalDataSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        serializer: PersonalDataSerializer = (
            self.target if isinstance(self.target, PersonalDataSerializer) else self.target()
        )
        for name in personal_fields(serializer.Meta.model):
            field = copy.deepcopy(serializer.fields[name])
            field.allow_null = field.allow_null or direction == "response"
            mapped = auto_schema._map_serializer_field(field, direction)
            auto_schema._insert_field_validators(field, mapped)
            mapped["description"] = "\n\n".join(filter(None, [PERSONAL_DATA_NOTE, mapped.get("description")]))
            schema["properties"][name] = safe_ref(mapped)
        return schema


class VisitorSerializer(PersonalDataSerializer):
    """Names and contacts (`PERSONAL_FIELDS`) are null for anyone but the owning province's staff."""

    union = UnionField()
    nationality = country_field()

    class Meta(RegisterSerializer.Meta):
        model = Visitor
        fields = [
            *BOOKKEEPING,
            "union",
            "kind",
            "group_name",
            "group_size",
            *PERSONAL_FIELDS,
            "nationality",
            "sending_organisation",
            "host_placement",
            "field",
            "start_date",
            "end_date",
            "status",
            "personal_data_removed_on",
            *OWNERSHIP,
        ]


class AssociationField(CodeRelatedField[UnionUnit]):
    """A member's association, by its public identifier. Any unit is found, so that one outside the user's
    jurisdiction, or a unit that is not an association, is refused by the service with a message naming the field
    (not "does not exist")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", queryset=UnionUnit.objects.all(), **kwargs)


class MemberSerializer(PersonalDataSerializer):
    """An individual member of an association. Name, gender, year of birth, occupation, contacts and notes
    (personal data) are null for anyone but the owning province's staff."""

    association = AssociationField()
    union: CodeRelatedField[Union] = CodeRelatedField(
        source="association.union", slug_field="public_id", read_only=True, help_text="The association's union."
    )
    role_name = serializers.CharField(source="get_role_display", read_only=True)

    class Meta(RegisterSerializer.Meta):
        model = AssociationMember
        fields = [
            *BOOKKEEPING,
            "association",
            "union",
            *MEMBER_PERSONAL_FIELDS,
            "role",
            "role_name",
            "joined_on",
            "left_on",
            "personal_data_removed_on",
            *OWNERSHIP,
        ]


class PartnershipField(CodeRelatedField[Partnership]):
    """A renewal's partnership, by its public identifier. Any partnership is found, so that one outside the user's
    jurisdiction is refused by the service with a message naming the field (not "does not exist")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", queryset=Partnership.objects.all(), **kwargs)


class AgreementRenewalSerializer(RegisterSerializer):
    """A renewal of a partnership's agreement: the day, the new term (`term_ends_on`, or `term_years` counted from
    the day: it ends the day before the anniversary), who signed, the document (its id in the documents register,
    one the user may read; it is linked to the partnership too) and notes."""

    partnership = PartnershipField()
    union: CodeRelatedField[Union] = CodeRelatedField(
        source="partnership.union", slug_field="public_id", read_only=True, help_text="The partnership's union."
    )
    document: CodeRelatedField[Document] = CodeRelatedField(
        slug_field="public_id", queryset=Document.objects.all(), required=False, allow_null=True
    )

    class Meta(RegisterSerializer.Meta):
        model = AgreementRenewal
        fields = [
            *BOOKKEEPING,
            "partnership",
            "union",
            "renewed_on",
            "term_ends_on",
            "term_years",
            "signatories",
            "document",
            "notes",
            *OWNERSHIP,
        ]
