"""Reports API: live figures for any report parameters (the same spec and selector as the pages and exports,
so the same scoping), and published reports — read by anyone the policy lets see them, published through the
same service as the page (403 / 400 naming the parameters / 201)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from amity.aid.choices import AidStatus, BeneficiaryGroup, Modality
from amity.core.api import RestrictedViewSetMixin
from amity.core.scoping import Action
from amity.reference.choices import Era

from ..models import PublishedReport
from ..selectors import report
from ..services import report_publish, result_to_figures
from ..spec import BasisKind, Dimension, Measure, SpecError, StatusBasis, spec_from_params
from .serializers import (
    PublishedReportDetailSerializer,
    PublishedReportSerializer,
    PublishInputSerializer,
    export_links,
)


def _query(name: str, description: str, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, description=description, **extra
    )


REPORT_PARAMETERS = [
    _query("measures", f"Comma-separated, of: {', '.join(Measure)}. Default: committed,disbursed."),
    _query("group_by", f"Up to three, comma-separated, of: {', '.join(Dimension)}. Default: not grouped."),
    _query("year", "A calendar year (sets date_from and date_to)."),
    _query("date_from", "Start of the period (YYYY-MM-DD), by value date."),
    _query("date_to", "End of the period (YYYY-MM-DD), by value date."),
    _query("era", "Administrative units of this era.", enum=list(Era.values)),
    _query("currency", "Currency of the figures.", enum=["USD", "VND"]),
    _query("basis", "Conversion basis (default: value_date).", enum=list(BasisKind)),
    _query("rate", "VND per USD, for basis=fixed_rate (e.g. 25274)."),
    _query("rate_date", "The date whose rates to use, for basis=rates_on (YYYY-MM-DD)."),
    _query(
        "statuses",
        "Status basis: official (default) counts aid from its approval on (approved, in progress, completed, "
        "closed); all counts every status, proposed, rejected, cancelled and revoked aid included.",
        enum=list(StatusBasis),
    ),
    _query("province", "Province code in the chosen era."),
    _query("sector", "OECD-DAC sector (5 digits) or sector category (3 digits)."),
    _query("donor", "Donor organisation's identifier."),
    _query("donor_country", "Donor's country (ISO 3166-1 alpha-2)."),
    _query("modality", "Modality.", enum=list(Modality.values)),
    _query("status", "Aid item status (one outside the status basis is a 400).", enum=list(AidStatus.values)),
    _query("beneficiary", "Beneficiary group.", enum=list(BeneficiaryGroup.values)),
    _query("is_relief", "Relief aid only (true) or none of it (false).", enum=["true", "false"]),
]


class ReportFiguresSerializer(serializers.Serializer[dict[str, Any]]):
    """The shape of a report (for the schema only)."""

    parameters = serializers.DictField(child=serializers.CharField())
    currency = serializers.CharField()
    basis = serializers.CharField()
    status_basis = serializers.CharField()
    measures = serializers.ListField(child=serializers.CharField())
    dimensions = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField()
    notes = serializers.ListField(child=serializers.CharField())
    links = serializers.DictField()


def _spec_errors(exc: SpecError) -> dict[str, list[str]]:
    return {name: [message] for name, message in exc.errors.items()}


class ReportView(APIView):
    """Figures of a report as the user sees them: grouped rows and totals in USD or VND on the stated conversion
    and status bases (by default, aid from its approval on). Amounts are decimal strings; counts are distinct
    counts per row and for the total (not additive)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=REPORT_PARAMETERS,
        responses={200: ReportFiguresSerializer, 400: OpenApiResponse(description="Errors per parameter.")},
    )
    def get(self, request: Request) -> Response:
        try:
            spec = spec_from_params(request.query_params)
            result = report(request.user, spec)  # may still refuse a parameter (no rate on the chosen date)
        except SpecError as exc:
            raise ValidationError(_spec_errors(exc)) from exc
        figures = result_to_figures(result)
        for row_figures, row in zip(figures["rows"], result.rows, strict=True):
            row_figures["records"] = request.build_absolute_uri(row.link)
        params = spec.to_params()
        body = {
            "parameters": params,
            **figures,
            "links": {
                "records": request.build_absolute_uri(result.total_link),
                "exports": export_links(request, params),
            },
        }
        return Response(body)


class PublishedReportViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[PublishedReport],
):
    """Published reports: frozen parameters, figures and content hash. Anyone may read what the policy shows
    them (published figures are public); publishing is for provincial approvers (their province) and central
    officers, through the same service as the page."""

    queryset = PublishedReport.objects.select_related("province", "published_by")
    serializer_class = PublishedReportSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    lookup_field = "public_id"
    ordering_fields = ["published_at", "title"]
    ordering = ["-published_at"]

    def get_queryset(self) -> QuerySet[PublishedReport]:
        return self.queryset.restrict(self.request.user, Action.VIEW)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "retrieve":
            return PublishedReportDetailSerializer
        if self.action == "create":
            return PublishInputSerializer
        return PublishedReportSerializer

    @extend_schema(
        request=PublishInputSerializer,
        responses={201: PublishedReportDetailSerializer, 400: OpenApiResponse(description="Errors per field.")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A role that may publish no report at all is refused before its input is read.
        if not PublishedReport.scope_policy.allows(request.user, Action.PUBLISH):
            raise PermissionDenied()
        inputs = PublishInputSerializer(data=request.data)
        inputs.is_valid(raise_exception=True)
        try:
            spec = spec_from_params(inputs.validated_data["parameters"])
        except SpecError as exc:
            raise ValidationError({"parameters": _spec_errors(exc)}) from exc
        published = report_publish(user=request.user, spec=spec, title=inputs.validated_data["title"])
        body = PublishedReportDetailSerializer(published, context=self.get_serializer_context()).data
        headers = {"Location": request.build_absolute_uri(f"{request.path}{published.public_id}/")}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)
