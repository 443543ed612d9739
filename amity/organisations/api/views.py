"""API viewsets for organisations and registrations. Reads go through `restrict`; writes through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from amity.core.api import RestrictedViewSetMixin, expected_version
from amity.core.scoping import Action
from amity.core.services import ensure_allowed, ensure_may_add

from .. import selectors, services
from ..filtersets import OrganisationFilterSet, RegistrationFilterSet
from ..models import Organisation, OrganisationChange, Registration
from .serializers import (
    ChangeDecisionSerializer,
    OrganisationChangeSerializer,
    OrganisationSerializer,
    RegistrationDecisionSerializer,
    RegistrationSerializer,
)


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

    @extend_schema(responses={200: OrganisationSerializer, 202: OrganisationChangeSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """An NGO representative's change is proposed, not written: 202 with the proposal, which a central officer
        accepts (`/api/v1/organisation-changes/{id}/decide/`) before the entry shows it."""
        if not services.changes_need_acceptance(request.user):
            return super().update(request, *args, **kwargs)
        organisation = self.get_object()
        serializer = self.get_serializer(organisation, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        expected = expected_version(request, data.pop("version", None), organisation)
        [proposal] = services.organisation_changes_propose(
            user=request.user, rows=[services.ProposedChange(organisation, data, expected)]
        )
        return Response(OrganisationChangeSerializer(proposal).data, status=202)

    @extend_schema(responses={200: OrganisationSerializer, 202: OrganisationChangeSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_update(self, serializer: BaseSerializer[Organisation]) -> None:
        data: dict[str, Any] = dict(serializer.validated_data)
        expected = data.pop("version", None)
        assert serializer.instance is not None  # an update's serializer holds the record (UpdateModelMixin)
        serializer.instance = services.organisation_update(
            organisation=serializer.instance,
            user=self.request.user,
            data=data,
            expected_version=expected_version(self.request, expected, serializer.instance),
        )

    def perform_destroy(self, instance: Organisation) -> None:
        services.organisation_delete(organisation=instance, user=self.request.user)


_WRITE_ACTION = {"PUT": Action.CHANGE, "PATCH": Action.CHANGE, "DELETE": Action.DELETE, "POST": Action.CHANGE}


class RegistrationViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    """Registrations (licences) of foreign NGOs under Decree 58/2022, kept by central officers; every other role
    reads them (an NGO representative only its own). `expiry_date` and `state` change through `decision`."""

    queryset = Registration.objects.select_related("organisation").prefetch_related("provinces", "sectors", "events")
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet
    lookup_field = "public_id"
    ordering_fields = ["expiry_date", "issue_date", "number", "kind", "created_at", "updated_at"]
    ordering = ["expiry_date"]

    def get_queryset(self) -> QuerySet[Registration]:
        if self.action == "decision":
            # A decision is a change of an existing record: found among those the user may view, then the
            # permission to change it is checked (403), as for PATCH.
            queryset: QuerySet[Registration] = self.queryset.restrict(self.request.user, Action.VIEW)
        else:
            queryset = super().get_queryset()
        return selectors.registrations_with_status(queryset, today=timezone.localdate())

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)
        # Refuse a write before validating its input, so a reader gets 403 whatever they send.
        if request.method in _WRITE_ACTION:
            ensure_allowed(user=request.user, action=_WRITE_ACTION[request.method], instance=obj)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ensure_may_add(user=request.user, model=Registration)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[Registration]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        serializer.instance = services.registration_create(user=self.request.user, data=data)

    def perform_update(self, serializer: BaseSerializer[Registration]) -> None:
        data: dict[str, Any] = dict(serializer.validated_data)
        expected = data.pop("version", None)
        assert serializer.instance is not None  # an update's serializer holds the record (UpdateModelMixin)
        serializer.instance = services.registration_update(
            registration=serializer.instance,
            user=self.request.user,
            data=data,
            expected_version=expected_version(self.request, expected, serializer.instance),
        )

    def perform_destroy(self, instance: Registration) -> None:
        services.registration_delete(registration=instance, user=self.request.user)

    @extend_schema(request=RegistrationDecisionSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, public_id: str | None = None) -> Response:
        """Record an extension, amendment, suspension, reinstatement, revocation or termination."""
        registration = self.get_object()
        serializer = RegistrationDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.registration_record_decision(
            registration=registration,
            user=request.user,
            kind=data["kind"],
            on=data["date"],
            decision_number=data["decision_number"],
            new_expiry=data["new_expiry"],
            note=data["note"],
            expected_version=data["version"],
        )
        updated = self.get_queryset().get(pk=registration.pk)
        return Response(self.get_serializer(updated).data)

    @extend_schema(responses=RegistrationSerializer(many=True))
    @action(detail=False, methods=["get"])
    def expiring(self, request: Request) -> Response:
        """Registrations in force that expire within the next 90 days, soonest first."""
        today = timezone.localdate()
        queryset = selectors.registrations_expiring(user=request.user, today=today).prefetch_related(
            "provinces", "sectors", "events"
        )
        queryset = self.filter_queryset(selectors.registrations_with_status(queryset, today=today))
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page if page is not None else queryset, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)


class OrganisationChangeViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Changes NGO representatives proposed to their entries (an NGO's `PUT`/`PATCH` of its organisation makes
    one); `decide` accepts (the entry takes the values) or rejects (with a note) — central officers."""

    queryset = OrganisationChange.objects.select_related("organisation", "proposed_by", "decided_by")
    serializer_class = OrganisationChangeSerializer
    lookup_field = "public_id"
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[OrganisationChange]:
        # A decision is found among the proposals the user may view; the service checks `approve` (403).
        return self.queryset.restrict(self.request.user, Action.VIEW)

    @extend_schema(request=ChangeDecisionSerializer, responses=OrganisationChangeSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, public_id: str | None = None) -> Response:
        change = self.get_object()
        serializer = ChangeDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.organisation_changes_decide(
            user=request.user,
            rows=[services.ChangeDecisionRow(change, data["decision"], data["note"], data["version"])],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)
