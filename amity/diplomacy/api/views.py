"""API viewsets of the diplomacy register: reads through `restrict` and the FilterSets of the pages, writes
through the batch services (a one-row batch; send `version` or `If-Match` on update)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from amity.core.api import RestrictedViewSetMixin, expected_version
from amity.core.files import file_response
from amity.core.models import BaseModel, restricted
from amity.core.scoping import Action

from .. import selectors, services
from ..filtersets import (
    AgreementRenewalFilterSet,
    DelegationFilterSet,
    EventFilterSet,
    MemberFilterSet,
    PartnershipFilterSet,
    RenewalFilterSet,
    UnionFilterSet,
    UnitFilterSet,
    VisitorFilterSet,
)
from ..models import (
    AgreementRenewal,
    AssociationMember,
    Delegation,
    Event,
    EventAttachment,
    Partnership,
    Union,
    UnionUnit,
    Visitor,
)
from .serializers import (
    AgreementRenewalSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DelegationSerializer,
    EventSerializer,
    MemberSerializer,
    PartnershipSerializer,
    RenewalSerializer,
    UnionSerializer,
    UnitSerializer,
    VisitorSerializer,
)


class RegisterViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet[Any]):
    queryset: QuerySet[Any]
    lookup_field = "public_id"
    parts_field: ClassVar[str] = ""  # the nested list written as the record's parts
    model: ClassVar[type[BaseModel]]

    def _split(self, serializer: BaseSerializer[Any]) -> tuple[dict[str, Any], Any, int | None]:
        data: dict[str, Any] = dict(serializer.validated_data)
        version = data.pop("version", None)
        parts = data.pop(self.parts_field, None) if self.parts_field else None
        return data, parts, version

    def saved(self, record: Any) -> Any:
        """The record saved, as the answer shows it."""
        return record

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data, parts, _version = self._split(serializer)
        saved = services.record_save(model=self.model, user=self.request.user, data=data, parts=parts)
        serializer.instance = self.saved(saved)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        data, parts, version = self._split(serializer)
        instance = serializer.instance
        assert instance is not None  # an update's serializer holds the record
        saved = services.record_save(
            model=self.model,
            user=self.request.user,
            data=data,
            instance=instance,
            expected_version=expected_version(self.request, version, instance),
            parts=parts,
        )
        saved.refresh_from_db()
        serializer.instance = self.saved(saved)

    def perform_destroy(self, instance: Any) -> None:
        services.record_delete(instance=instance, user=self.request.user)


class UnionViewSet(RegisterViewSet):
    """Unions of friendship organizations (a province's, of either era)."""

    model = Union
    queryset = Union.objects.select_related("province", "owning_province", "old_province", "merged_into")
    serializer_class = UnionSerializer
    filterset_class = UnionFilterSet
    ordering = ["name"]


class UnitViewSet(RegisterViewSet):
    """The units a union leads (office, centre, member associations) with their members per year."""

    model = UnionUnit
    parts_field = "member_counts"
    queryset = UnionUnit.objects.select_related("union", "owning_province", "old_province", "partner_country")
    queryset = queryset.prefetch_related("member_counts")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    ordering = ["kind", "name"]


class PartnershipViewSet(RegisterViewSet):
    """Partnerships with foreign localities and their agreements: the term as signed (`term_ends_on`), its renewals
    (read here, written at `/agreement-renewals/`) and the term in force (`current_term_ends_on`)."""

    model = Partnership
    queryset = selectors.with_agreement_term(
        Partnership.objects.select_related("union", "owning_province", "old_province", "country", "vietnamese_locality")
    ).prefetch_related(
        "organisations",
        "aid_items",
        Prefetch(
            "renewals", queryset=AgreementRenewal.objects.select_related("document").order_by("-renewed_on", "-pk")
        ),
    )
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilterSet
    ordering = ["signed_on"]

    def saved(self, record: Any) -> Any:
        return self.get_queryset().get(pk=record.pk)  # with its term in force and renewals, as listed


class RenewalViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[Any]):
    """Partnerships whose agreement ends, the first to end first (the renewals page's list): filter with `due`
    (`expired`, or `90`, `180`, `365` days from today, expired included) and the partnerships' filters; `renewal`
    says whether it is expired, due soon or later."""

    queryset = selectors.renewals()
    lookup_field = "public_id"
    serializer_class = RenewalSerializer
    filterset_class = RenewalFilterSet
    ordering = ["current_term_ends_on", "pk"]


class EventViewSet(RegisterViewSet):
    """Events and activities. Their photos and documents: `attachments/` lists them and takes a new one (multipart:
    `file`, `kind`, `caption`), `attachments/<id>/` downloads or deletes one — whoever reads the event reads its
    files, whoever may change it adds and deletes them."""

    model = Event
    queryset = Event.objects.select_related("union", "owning_province", "old_province").prefetch_related(
        "organising_units", "partnerships", "countries", "organisations", "aid_items", "attachments"
    )
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    ordering = ["-start_date", "pk"]

    def get_queryset(self) -> QuerySet[Any]:
        if self.action in ("attachments", "attachment"):
            # The event is looked up among those the user reads (another province's is a 404); the service asks
            # whether they may change it (a 403), as on the event's page.
            return restricted(self.queryset, self.request.user, Action.VIEW)
        return super().get_queryset()

    @extend_schema(
        methods=["GET"], responses=AttachmentSerializer(many=True), summary="The event's files", filters=False
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
        summary="Add a file to the event",
        filters=False,
        description="One file a request, checked by its content and size: an executable, a file whose name does "
        "not match its content or a file over the limit is a 400 on `file`, and nothing is stored.",
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser], pagination_class=None)
    def attachments(self, request: Request, public_id: str | None = None) -> Response:
        event = self.get_object()
        if request.method == "POST":
            upload = AttachmentUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            given = upload.validated_data
            [added] = services.event_attachments_add(
                user=request.user,
                event=event,
                uploads=[services.Upload(given["file"], given["kind"], given["caption"])],
            )
            return Response(AttachmentSerializer(added).data, status=status.HTTP_201_CREATED)
        return Response(AttachmentSerializer(event.attachments.all(), many=True).data)

    @extend_schema(
        methods=["GET"], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, summary="Download a file"
    )
    @extend_schema(methods=["DELETE"], responses={204: None}, summary="Delete a file of the event")
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment",
    )
    def attachment(
        self, request: Request, public_id: str | None = None, attachment_id: str | None = None
    ) -> HttpResponseBase:
        event = self.get_object()
        found = get_object_or_404(EventAttachment.objects.filter(event=event), pk=attachment_id)
        if request.method == "DELETE":
            services.event_attachment_remove(user=request.user, attachment=found)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return file_response(found.file, filename=found.original_name)


class DelegationViewSet(RegisterViewSet):
    """Delegations in and out, with their programme days."""

    model = Delegation
    parts_field = "days"
    queryset = Delegation.objects.select_related(
        "union", "owning_province", "old_province", "country", "organisation", "partnership"
    ).prefetch_related("events", "aid_items", "days")
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilterSet
    ordering = ["-start_date", "pk"]


class VisitorViewSet(RegisterViewSet):
    """International visitors and volunteers (names only for the owning province's staff)."""

    model = Visitor
    queryset = Visitor.objects.select_related("union", "owning_province", "old_province", "nationality")
    serializer_class = VisitorSerializer
    filterset_class = VisitorFilterSet
    ordering = ["-start_date", "pk"]


class MemberViewSet(RegisterViewSet):
    """Individual members of member friendship associations (`association` by its id). Name, gender, year of
    birth, occupation, contacts and notes are personal data: null for anyone but the owning province's staff, and
    `q` searches them only where the reader may read them. A member who leaves: `PATCH` its `left_on`."""

    model = AssociationMember
    queryset = AssociationMember.objects.select_related(
        "association", "association__union", "owning_province", "old_province"
    )
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    ordering = ["joined_on", "pk"]


class AgreementRenewalViewSet(RegisterViewSet):
    """Renewals of partnerships' agreements (`partnership` by its id), owned by the partnership's province; the term
    in force of a partnership is its latest renewal's. Removing one (`DELETE`) is a soft delete, kept in its
    history."""

    model = AgreementRenewal
    queryset = AgreementRenewal.objects.select_related(
        "partnership", "partnership__union", "document", "owning_province", "old_province"
    )
    serializer_class = AgreementRenewalSerializer
    filterset_class = AgreementRenewalFilterSet
    ordering = ["renewed_on", "pk"]
