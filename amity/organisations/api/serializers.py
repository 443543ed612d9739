from __future__ import annotations

from rest_framework import serializers

from amity.reference.models import AdministrativeUnit, CodelistItem, Country

from ..models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    country = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True
    )
    iati_type = serializers.SlugRelatedField(
        slug_field="code", queryset=CodelistItem.objects.of("OrganisationType"), required=False, allow_null=True
    )
    owning_province = serializers.SlugRelatedField(
        slug_field="code", queryset=AdministrativeUnit.objects.filter(level="province", era="2025"),
        required=False, allow_null=True,
    )

    class Meta:
        model = Organisation
        fields = [
            "id", "name", "name_vi", "acronym", "kind", "iati_type", "iati_identifier", "country", "website",
            "email", "phone", "address", "description", "status", "owning_province", "version",
            "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}
