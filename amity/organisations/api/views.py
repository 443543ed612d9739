from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.serializers import BaseSerializer

from amity.core.api import RestrictedViewSetMixin

from .. import services
from ..filtersets import OrganisationFilterSet
from ..models import Organisation
from .serializers import OrganisationSerializer


class OrganisationViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    """Organisations. Writes go through the same services as the pages; send `version` on update."""

    queryset = Organisation.objects.select_related("country", "iati_type", "owning_province")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    lookup_field = "public_id"
    ordering_fields = ["name", "acronym", "created_at", "updated_at"]
    ordering = ["name"]

    def perform_create(self, serializer: BaseSerializer[Organisation]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        serializer.instance = services.organisation_create(user=self.request.user, data=data)

    def perform_update(self, serializer: BaseSerializer[Organisation]) -> None:
        data: dict[str, Any] = dict(serializer.validated_data)
        expected = data.pop("version", None)
        serializer.instance = services.organisation_update(
            organisation=serializer.instance, user=self.request.user, data=data, expected_version=expected
        )

    def perform_destroy(self, instance: Organisation) -> None:
        services.organisation_delete(organisation=instance, user=self.request.user)
