"""API representations of organisations and registrations; writes go through the services (see views)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from amity.core.api import CodeRelatedField
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem, Country

from ..choices import ChangeDecision, RegistrationEventKind, RegistrationStatus
from ..models import Organisation, OrganisationChange, Registration, RegistrationEvent


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    country = CodeRelatedField(slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True)
    iati_type = CodeRelatedField(
        slug_field="code", queryset=CodelistItem.objects.of("OrganisationType"), required=False, allow_null=True
    )
    owning_province = CodeRelatedField(
        slug_field="code",
        queryset=AdministrativeUnit.objects.filter(level="province", era="2025"),
        required=False,
        allow_null=True,
    )
    # Names in the request's language (null when the code is empty).
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    iati_type_name = serializers.CharField(source="iati_type.name", read_only=True, allow_null=True)
    country_name = serializers.CharField(source="country.name", read_only=True, allow_null=True)
    owning_province_name = serializers.CharField(source="owning_province.name", read_only=True, allow_null=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "name_vi",
            "acronym",
            "kind",
            "kind_name",
            "iati_type",
            "iati_type_name",
            "iati_identifier",
            "country",
            "country_name",
            "website",
            "email",
            "phone",
            "address",
            "description",
            "status",
            "status_name",
            "owning_province",
            "owning_province_name",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}


class ScopedOrganisationField(CodeRelatedField):
    """An organisation by its public identifier, among those the requesting user may see."""

    def get_queryset(self) -> QuerySet[Organisation]:
        request = self.context.get("request")
        return Organisation.objects.restrict(getattr(request, "user", None), "view")


class RegistrationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegistrationEvent
        fields = ["kind", "date", "decision_number", "previous_expiry", "new_expiry", "note"]
        read_only_fields = fields


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration (licence). `expiry_date` and `state` change only through the `decision` endpoint;
    `status` is computed from the state and the dates on today's date."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = ScopedOrganisationField(slug_field="public_id")
    provinces = CodeRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT),
    )
    sectors = CodeRelatedField(
        slug_field="code", many=True, required=False, queryset=CodelistItem.objects.of("SectorCategory")
    )
    # The names of the codes above, in the same order, in the request's language.
    province_names: CodeRelatedField[Any] = CodeRelatedField(
        source="provinces", slug_field="name", many=True, read_only=True
    )
    sector_names: CodeRelatedField[Any] = CodeRelatedField(
        source="sectors", slug_field="name", many=True, read_only=True
    )
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.SerializerMethodField()
    events = RegistrationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "organisation",
            "kind",
            "kind_name",
            "number",
            "issuing_body",
            "issue_date",
            "expiry_date",
            "state",
            "status",
            "provinces",
            "province_names",
            "sectors",
            "sector_names",
            "note",
            "events",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "created_at", "updated_at"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}
        # Uniqueness and the validity limits are checked by the service, which answers with field names.
        validators: list[Any] = []

    @extend_schema_field(serializers.ChoiceField(choices=RegistrationStatus.choices))
    def get_status(self, registration: Registration) -> str:
        computed = getattr(registration, "computed_status", None)
        return computed or registration.status_on(timezone.localdate())


class RegistrationDecisionSerializer(serializers.Serializer):
    """A decision on a registration: extension (with `new_expiry`), amendment, suspension, reinstatement,
    revocation or termination. Send the registration's `version` to guard against concurrent decisions."""

    kind = serializers.ChoiceField(
        choices=[
            (value, label) for value, label in RegistrationEventKind.choices if value != RegistrationEventKind.ISSUED
        ]
    )
    date = serializers.DateField()
    decision_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    new_expiry = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)


class OrganisationChangeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    state_name = serializers.CharField(source="get_state_display", read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = OrganisationChange
        fields = [
            "id",
            "organisation",
            "changes",
            "state",
            "state_name",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class ChangeDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ChangeDecision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)
