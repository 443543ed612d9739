"""The exchange side of the API: the aid list as an IATI 2.03 activity file. It lives with the IATI writer
(`interop`, the top layer) and answers at the aid list's address (`/api/v1/aid-items/iati/`)."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from amity.aid import selectors
from amity.aid.filtersets import AidItemFilterSet
from amity.aid.models import AidItem
from amity.core.api import RestrictedViewSetMixin

from ..views_export import IatiXmlRenderer, ensure_may_view, iati_activities_response


class AidItemsIatiView(RestrictedViewSetMixin, generics.GenericAPIView[AidItem]):
    queryset = selectors.with_detail_data(AidItem.objects.all())
    filterset_class = AidItemFilterSet
    # The list's filters; no `ordering` (the file's order is the exporter's; with no ordering fields DRF's
    # OrderingFilter answered any `?ordering=` with a server error).
    filter_backends = [DjangoFilterBackend]
    renderer_classes = [JSONRenderer, IatiXmlRenderer]

    @extend_schema(filters=True, responses={(200, "application/xml"): OpenApiTypes.BINARY})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """The aid items the user may see, with the list's filters, as an IATI 2.03 activity file (streamed)."""
        ensure_may_view(user=request.user, model=AidItem)
        return iati_activities_response(self.filter_queryset(self.get_queryset()))
