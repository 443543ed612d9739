"""The read-only public API, `/api/public/v1/`: published reports, aid items and transactions at the published
level, and the directory of licensed foreign NGOs — for anyone, without sign-in, throttled per address
(`PublicAddressRate`), paginated, filtered by year, province, sector and donor (a bad filter is a 400 naming it).
The rows are the open datasets' (`portal.opendata`), so the API, the CSV and the XLSX agree column for column."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from amity.core.net import client_address

from ..figures import published_reports
from ..opendata import (
    AID_ITEM_FIELDS,
    AID_ITEMS,
    NGO_FIELDS,
    NGOS,
    TRANSACTIONS,
    aid_item_rows,
    licensed_ngos,
    ngo_rows,
    published_aid_items,
    read_filters,
    transaction_groups,
    transaction_rows,
)
from ..public import activate_public_language, public_page
from .serializers import PublicPublishedReportDetailSerializer, PublicPublishedReportSerializer, dataset_serializer

AidItemRowSerializer = dataset_serializer(AID_ITEMS, "PublicAidItem")
TransactionRowSerializer = dataset_serializer(TRANSACTIONS, "PublicTransaction")
NgoRowSerializer = dataset_serializer(NGOS, "PublicNgo")


class PublicAddressRate(SimpleRateThrottle):
    """Every client of the public API by its address (as the lockout and the audit log read it), signed in or
    not: `AMITY_API_THROTTLE_RATES["public"]`, else the anonymous rate. Past it: 429 with `Retry-After`."""

    scope = "public"

    def get_rate(self) -> str | None:
        rates: dict[str, str] = settings.AMITY_API_THROTTLE_RATES
        return rates.get("public") or rates.get("anon")

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request._request) or "unknown"}


class PublicPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PublicViewSet(viewsets.GenericViewSet):
    """Anonymous (no session, no token, so no CSRF), read-only, throttled per address, paginated."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (PublicAddressRate,)
    pagination_class = PublicPagination
    filter_backends = ()


def _query(name: str, description: str, kind: Any = OpenApiTypes.STR) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False, description=description)


DATA_FILTERS = [
    _query("year", "Year of the value date (e.g. 2024).", OpenApiTypes.INT),
    _query("province", "A current province's GSO code (e.g. 31), or `nationwide` for aid not located in a province."),
    _query("sector", "A DAC sector (5 digits) or sector category (3 digits)."),
    _query("donor", "The donor's identifier (UUID)."),
    _query("page_size", "Rows per page (at most 500; default 50).", OpenApiTypes.INT),
]
NGO_FILTERS = [
    _query("province", "A current province's GSO code (e.g. 31): NGOs whose valid licences cover it."),
    _query("sector", "A sector category (3 digits) that their valid licences cover."),
    DATA_FILTERS[-1],
]


def filters_of(request: Request, dataset: Any = None) -> dict[str, Any]:
    filters, errors = read_filters(request.query_params, dataset)
    if errors:
        raise ValidationError(errors)
    return filters


@extend_schema(tags=["public"])
class PublishedReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Published reports: frozen figures with their basis, publisher office, date and SHA-256."""

    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> QuerySet[Any]:
        province = self.request.query_params.get("province", "").strip() if self.action == "list" else ""
        if province:
            filters = filters_of(self.request)  # checks the code
            province = filters.get("province", "")
        return published_reports(province)

    def get_serializer_class(self) -> Any:
        return PublicPublishedReportDetailSerializer if self.action == "retrieve" else PublicPublishedReportSerializer

    @extend_schema(parameters=[DATA_FILTERS[1]])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class _DatasetViewSet(PublicViewSet):
    def paginated(self, page_source: Any, rows: Any) -> Response:
        page = self.paginate_queryset(page_source)
        assert page is not None
        return self.get_paginated_response(self.get_serializer(list(rows(page)), many=True).data)


@extend_schema(tags=["public"])
class AidItemViewSet(_DatasetViewSet):
    """Approved aid items (approved, in progress, completed, closed) with provinces, sectors, donor and sums in
    USD and VND (Viet Nam's share); with filters, the sums are the part that matches them."""

    serializer_class = AidItemRowSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> QuerySet[Any]:
        return published_aid_items().only(*AID_ITEM_FIELDS)

    @extend_schema(parameters=DATA_FILTERS)
    def list(self, request: Request) -> Response:
        filters = filters_of(request, AID_ITEMS)
        items = published_aid_items(filters).only(*AID_ITEM_FIELDS)
        return self.paginated(items, lambda page: aid_item_rows(page, filters))

    def retrieve(self, request: Request, public_id: str) -> Response:
        item = get_object_or_404(self.get_queryset(), public_id=public_id)  # a malformed id: 404 too
        return Response(self.get_serializer(next(aid_item_rows([item]))).data)


@extend_schema(tags=["public"])
class TransactionViewSet(_DatasetViewSet):
    """Transactions of approved aid, one row per transaction and recipient province, Viet Nam's share in the
    original currency, USD and VND, with the rate used."""

    serializer_class = TransactionRowSerializer

    @extend_schema(parameters=DATA_FILTERS)
    def list(self, request: Request) -> Response:
        groups = transaction_groups(filters_of(request, TRANSACTIONS))
        return self.paginated(groups, transaction_rows)


@extend_schema(tags=["public"])
class NgoViewSet(_DatasetViewSet):
    """Foreign NGOs with a registration certificate valid today: public fields only; `province` and `sector` narrow
    them as the directory page does (a licence covering that province and sector category)."""

    serializer_class = NgoRowSerializer

    @extend_schema(parameters=NGO_FILTERS)
    def list(self, request: Request) -> Response:
        return self.paginated(licensed_ngos(filters_of(request, NGOS)).only(*NGO_FIELDS), ngo_rows)


class PublicSchemaView(SpectacularAPIView):
    """The public API's own OpenAPI schema, for anyone."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (PublicAddressRate,)
    urlconf = "amity.portal.api.schema_urls"
    custom_settings = {
        "TITLE": "Amity public API",
        "DESCRIPTION": (
            "Published figures and open data on foreign non-governmental aid in Viet Nam: read-only, no sign-in, "
            "throttled per address. Licence: CC BY 4.0."
        ),
    }


class PublicConsoleView(SpectacularSwaggerSplitView):
    """`/api/public/v1/docs/console/`: Swagger UI on the public schema, a page of its own for developers who ask for
    it (its script is about 430 KB compressed, which the documentation page does not make every visitor load).
    The page's header is in the reader's language (`?lang=` as on every public page); Swagger UI's interface and the
    schema are in English, and marked so."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (PublicAddressRate,)
    template_name = "portal/api_console.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activate_public_language(request._request)
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            # Without deep links an operation's summary holds no link inside its button (axe: nested-interactive).
            response.data["settings"] = self._dump({**spectacular_settings.SWAGGER_UI_SETTINGS, "deepLinking": False})
        return response


@dataclass(frozen=True)
class Operation:
    """One operation of the public API as its OpenAPI schema describes it."""

    method: str
    path: str
    description: str
    parameters: tuple[tuple[str, str, str], ...]  # name, type, description


@functools.cache
def public_operations() -> tuple[Operation, ...]:
    """The public API's operations, from the same schema as `/api/public/v1/schema/` (generated once per process):
    the documentation page lists them without JavaScript."""
    schema = SchemaGenerator(urlconf="amity.portal.api.schema_urls").get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = tuple(
                (
                    parameter["name"],
                    str(parameter.get("schema", {}).get("type", "string")),
                    " ".join(str(parameter.get("description", "")).split()),
                )
                for parameter in operation.get("parameters", [])
            )
            description = " ".join(str(operation.get("description", "")).split())
            operations.append(Operation(method.upper(), path, description, parameters))
    return tuple(operations)


@require_safe
@public_page
def public_api_docs(request: HttpRequest) -> HttpResponse:
    """`/api/public/v1/docs/`: what the public API serves, each operation with its parameters (server-rendered, in
    the schema's English), the schema, the data dictionary, and the interactive console for those who want it."""
    context = {"public_section": "data", "operations": public_operations()}
    return render(request, "portal/api_docs.html", context)
