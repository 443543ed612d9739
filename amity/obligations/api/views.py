"""API of the reporting duties: duties (read; `submit` and `review` actions), their submissions, the rules.
Reads go through `restrict`; writes through the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from amity.core.api import RestrictedViewSetMixin, expected_version
from amity.core.scoping import Action
from amity.core.services import ensure_may_add

from .. import selectors, services
from ..filtersets import ObligationFilterSet
from ..models import DutyRule, Obligation, Submission
from .serializers import (
    DutyRuleSerializer,
    ObligationSerializer,
    ReviewSerializer,
    SubmissionSerializer,
    SubmitSerializer,
)


class ObligationViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[Obligation]):
    """Reporting duties the user may see. `submit` sends a report (multipart: `file`, `note`, `figures` as JSON,
    `version`); `review` returns (with a note) or accepts a submitted one."""

    queryset = Obligation.objects.all()
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilterSet
    lookup_field = "public_id"
    ordering_fields = ["due_date", "period_start", "created_at"]
    ordering = ["due_date"]

    def get_queryset(self) -> QuerySet[Obligation]:
        queryset = Obligation.objects.restrict(self.request.user, Action.VIEW)
        return selectors.listed(selectors.with_status(queryset, today=timezone.localdate())).order_by("due_date", "pk")

    @extend_schema(request={"multipart/form-data": SubmitSerializer}, responses={201: SubmissionSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def submit(self, request: Request, public_id: str | None = None) -> Response:
        obligation = self.get_object()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = services.submission_create(
            user=request.user,
            obligation=obligation,
            file=data.get("file"),
            note=data["note"],
            figures=data["figures"],
            expected_version=data["version"],
        )
        return Response(SubmissionSerializer(submission).data, status=201)

    @extend_schema(request=ReviewSerializer, responses=ObligationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, public_id: str | None = None) -> Response:
        obligation = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.obligations_review(
            user=request.user,
            rows=[services.ReviewRow(obligation, data["decision"], data["note"], data["version"])],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=obligation.pk)).data)

    @extend_schema(responses=SubmissionSerializer(many=True), operation_id="v1_obligations_submissions_of_duty")
    @action(detail=True, methods=["get"])
    def submissions(self, request: Request, public_id: str | None = None) -> Response:
        obligation = self.get_object()
        rows = selectors.submissions_of(user=request.user, obligation=obligation).select_related("obligation")
        return Response(SubmissionSerializer(rows, many=True).data)


class SubmissionViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[Submission]):
    queryset = Submission.objects.select_related("obligation", "submitted_by")
    serializer_class = SubmissionSerializer
    lookup_field = "public_id"
    ordering = ["-created_at"]


class DutyRuleViewSet(
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[DutyRule],
):
    """The reporting rules, read by everyone signed in; central officers and administrators create and change them
    (`POST`, `PUT`, `PATCH` with the `version` read) through the same service as the page, and the duties of the
    rule are generated again once the change is saved. A rule is never deleted: end it (`effective_until`)."""

    queryset = DutyRule.objects.all()
    serializer_class = DutyRuleSerializer
    lookup_field = "public_id"
    ordering = ["reporter", "effective_from", "code"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ensure_may_add(user=request.user, model=DutyRule)
        return super().create(request, *args, **kwargs)

    def _data(self, serializer: BaseSerializer[DutyRule]) -> dict[str, Any]:
        data: dict[str, Any] = dict(serializer.validated_data)
        data.pop("version", None)
        return data

    def perform_create(self, serializer: BaseSerializer[DutyRule]) -> None:
        [serializer.instance] = services.duty_rules_save(
            user=self.request.user, rows=[services.RuleChange(self._data(serializer))]
        )

    def perform_update(self, serializer: BaseSerializer[DutyRule]) -> None:
        assert serializer.instance is not None  # an update's serializer holds the record (UpdateModelMixin)
        rule = serializer.instance
        expected = expected_version(self.request, serializer.validated_data.get("version"), rule)
        [serializer.instance] = services.duty_rules_save(
            user=self.request.user,
            rows=[services.RuleChange(self._data(serializer), pk=rule.pk, expected_version=expected)],
        )
