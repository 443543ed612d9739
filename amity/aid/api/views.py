"""Aid register API: aid items with their parts and lifecycle actions, and transactions. Scoped by the
chokepoint; writes through the same services as the pages (400 with field names, 403, 404, 409)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from amity.core.api import RestrictedViewSetMixin, expected_version
from amity.core.models import restricted
from amity.core.scoping import Action
from amity.core.services import ensure_may_add

from .. import selectors, services
from ..filtersets import AidItemFilterSet, TransactionFilterSet
from ..lifecycle import STEPS
from ..models import AidItem, Transaction
from .serializers import (
    AidItemSerializer,
    ApproveInputSerializer,
    CompleteInputSerializer,
    LifecycleInputSerializer,
    ReasonInputSerializer,
    StartInputSerializer,
    SubmitInputSerializer,
    TransactionSerializer,
)


class AidItemViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet[AidItem]):
    """Aid items with their sector, location and participant shares, beneficiary groups and totals (USD and VND
    at each transaction's value-date rate). Status changes only through the lifecycle actions."""

    queryset = selectors.with_detail_data(AidItem.objects.all())
    serializer_class = AidItemSerializer
    filterset_class = AidItemFilterSet
    lookup_field = "public_id"
    ordering_fields = ["created_at", "updated_at", "title_vi", "planned_start", "committed_usd", "disbursed_usd"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[AidItem]:
        if self.action in STEPS:
            # Found among the items the user may see (else 404); the service checks the step's permission (403).
            return restricted(self.queryset, self.request.user, Action.VIEW)
        return super().get_queryset()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ensure_may_add(user=request.user, model=AidItem)  # a role that never adds gets 403, not a 400 on input
        return super().create(request, *args, **kwargs)

    def _fresh(self, aid_item: AidItem) -> AidItem:
        """The item again, with its totals and parts, for the response."""
        return selectors.with_detail_data(AidItem.all_objects.filter(pk=aid_item.pk)).get()

    def perform_create(self, serializer: BaseSerializer[AidItem]) -> None:
        data, parts, _version, confirmed = cast(AidItemSerializer, serializer).split()  # DRF names the base class
        aid_item = services.aid_item_create(user=self.request.user, data=data, parts=parts, confirmed=confirmed)
        serializer.instance = self._fresh(aid_item)

    def perform_update(self, serializer: BaseSerializer[AidItem]) -> None:
        data, parts, version, confirmed = cast(AidItemSerializer, serializer).split()
        assert serializer.instance is not None
        aid_item = services.aid_item_update(
            aid_item=serializer.instance,
            user=self.request.user,
            data=data,
            parts=parts,
            expected_version=expected_version(self.request, version, serializer.instance),
            confirmed=confirmed,
        )
        serializer.instance = self._fresh(aid_item)

    def perform_destroy(self, instance: AidItem) -> None:
        services.aid_item_delete(aid_item=instance, user=self.request.user)

    def _step(self, request: Request, name: str, inputs_class: type[LifecycleInputSerializer]) -> Response:
        aid_item = self.get_object()
        inputs = inputs_class(data=request.data)
        inputs.is_valid(raise_exception=True)
        data = dict(inputs.validated_data)
        # A step changes only the status, which the step itself checks (an item is approved once): the version is
        # claimed when given, as a page's form gives it.
        STEPS[name].run(aid_item=aid_item, user=request.user, inputs=data, expected_version=data.get("version"))
        return Response(self.get_serializer(self._fresh(aid_item)).data)

    @extend_schema(request=SubmitInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, public_id: Any = None) -> Response:
        """Proposed → under appraisal: the dossier is complete and the 20-day appraisal starts."""
        return self._step(request, "submit", SubmitInputSerializer)

    @extend_schema(request=ApproveInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, public_id: Any = None) -> Response:
        """Under appraisal → approved, with the decision's number, date and authority (approvers)."""
        return self._step(request, "approve", ApproveInputSerializer)

    @extend_schema(request=ApproveInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def reapprove(self, request: Request, public_id: Any = None) -> Response:
        """An approved item whose approved substance changed since its approval approved again, with the
        new decision's number, date and authority (approvers); the status stays. Nothing changed: a 400."""
        return self._step(request, "reapprove", ApproveInputSerializer)

    @extend_schema(request=ReasonInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, public_id: Any = None) -> Response:
        """Under appraisal → rejected, with the reason (approvers)."""
        return self._step(request, "reject", ReasonInputSerializer)

    @extend_schema(request=StartInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, public_id: Any = None) -> Response:
        """Approved → in progress, from the actual start date."""
        return self._step(request, "start", StartInputSerializer)

    @extend_schema(request=CompleteInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, public_id: Any = None) -> Response:
        """In progress → completed, on the actual end date."""
        return self._step(request, "complete", CompleteInputSerializer)

    @extend_schema(request=LifecycleInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, public_id: Any = None) -> Response:
        """Completed → closed."""
        return self._step(request, "close", LifecycleInputSerializer)

    @extend_schema(request=ReasonInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, public_id: Any = None) -> Response:
        """Cancelled, with the reason."""
        return self._step(request, "cancel", ReasonInputSerializer)

    @extend_schema(request=ReasonInputSerializer, responses=AidItemSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, public_id: Any = None) -> Response:
        """Approved → approval revoked, once the aid has not started within 6 months (approvers)."""
        return self._step(request, "revoke", ReasonInputSerializer)


class TransactionViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet[Transaction]):
    """Transactions of the aid items the user may see. Adding one needs the right to change its aid item."""

    queryset = selectors.live_transactions().select_related("aid_item", "currency", "provider", "receiver")
    serializer_class = TransactionSerializer
    filterset_class = TransactionFilterSet
    lookup_field = "public_id"
    ordering_fields = ["date", "value_date", "amount_usd", "created_at"]
    ordering = ["date"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ensure_may_add(user=request.user, model=Transaction)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[Transaction]) -> None:
        data: dict[str, Any] = dict(serializer.validated_data)
        data.pop("version", None)
        aid_item = data.pop("aid_item")
        serializer.instance = services.transaction_create(user=self.request.user, aid_item=aid_item, data=data)

    def perform_update(self, serializer: BaseSerializer[Transaction]) -> None:
        data: dict[str, Any] = dict(serializer.validated_data)
        expected = data.pop("version", None)
        assert serializer.instance is not None
        serializer.instance = services.transaction_update(
            tx=serializer.instance,
            user=self.request.user,
            data=data,
            expected_version=expected_version(self.request, expected, serializer.instance),
        )

    def perform_destroy(self, instance: Transaction) -> None:
        services.transaction_delete(tx=instance, user=self.request.user)
