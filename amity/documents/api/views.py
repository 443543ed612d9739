"""API viewsets of the document register. Reads go through `restrict`; writes through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from amity.accounts.models import User
from amity.core.api import RestrictedViewSetMixin, expected_version
from amity.core.files import file_response
from amity.core.models import restricted
from amity.core.scoping import Action
from amity.core.services import ensure_allowed, ensure_may_add
from amity.organisations.models import Organisation
from amity.reports.exports.docx import CONTENT_TYPE

from .. import selectors, services
from ..filtersets import ConsultationFilterSet, DocumentFilterSet
from ..models import Consultation, ConsultationRecipient, Document, DocumentFile
from ..summary import summary_response
from .serializers import (
    ConsultationSerializer,
    DocumentSerializer,
    LinkedRecordSerializer,
    LinkRowSerializer,
    ReplySerializer,
)

_WRITE_ACTION = {"PUT": Action.CHANGE, "PATCH": Action.CHANGE, "DELETE": Action.DELETE}


def _linked_rows(user: Any, document: Document) -> list[dict[str, Any]]:
    return [
        {
            "kind": found.key,
            "kind_name": found.label,
            "record": found.record.public_id,
            "name": str(found.record),
            "url": found.record.get_absolute_url(),  # type: ignore[attr-defined]
        }
        for found in selectors.records_linked_to(user=user, document=document)
    ]


class DocumentViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet[Document]):
    """Official documents. `q` searches the number, title, summary and the files' text, with or without diacritics.
    Writes go through the same service as the pages; send `version` on update."""

    queryset = Document.objects.select_related("owning_province", "replaced_by").prefetch_related(
        "files__document", "implements"
    )
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "public_id"
    ordering_fields = ["issued_on", "number_symbol", "title", "created_at", "updated_at"]
    ordering = ["-issued_on"]

    def get_queryset(self) -> QuerySet[Document]:
        if self.action in ("links", "file"):
            # Linking looks the document up among those the user reads; the service asks who may link.
            return restricted(self.queryset, self.request.user, Action.VIEW)
        return super().get_queryset()

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)
        if request.method in _WRITE_ACTION and self.action not in ("links",):
            ensure_allowed(user=request.user, action=_WRITE_ACTION[request.method], instance=obj)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ensure_may_add(user=request.user, model=Document)
        return super().create(request, *args, **kwargs)

    def _row(self, serializer: BaseSerializer[Document]) -> tuple[dict[str, Any], list[Any]]:
        data: dict[str, Any] = dict(serializer.validated_data)
        data.pop("version", None)
        files = data.pop("upload", [])
        if "kind" in data:
            data["kind"] = data["kind"] or ""
        return data, files

    def perform_create(self, serializer: BaseSerializer[Document]) -> None:
        data, files = self._row(serializer)
        [serializer.instance] = services.documents_save(
            user=self.request.user, rows=[services.DocumentChange(data, files=files)]
        )

    def perform_update(self, serializer: BaseSerializer[Document]) -> None:
        assert serializer.instance is not None  # an update's serializer holds the record (UpdateModelMixin)
        expected = expected_version(self.request, serializer.validated_data.get("version"), serializer.instance)
        data, files = self._row(serializer)
        services.documents_save(
            user=self.request.user,
            rows=[services.DocumentChange(data, files=files, pk=serializer.instance.pk, expected_version=expected)],
        )
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance: Document) -> None:
        services.document_delete(document=instance, user=self.request.user)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>[0-9a-fA-F-]{36})", url_name="file")
    def file(self, request: Request, public_id: str | None = None, file_id: str | None = None) -> HttpResponseBase:
        """A file of the document (to whoever may read the document)."""
        document = self.get_object()
        stored = get_object_or_404(DocumentFile.objects.filter(document=document), public_id=file_id)
        return file_response(stored.file, filename=stored.name)

    @extend_schema(
        methods=["GET"], responses=LinkedRecordSerializer(many=True), description="The records linked to the document."
    )
    @extend_schema(methods=["POST"], request=LinkRowSerializer(many=True), responses=LinkedRecordSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def links(self, request: Request, public_id: str | None = None) -> Response:
        """The records linked to the document; POST a list of rows to link (or, with `remove`, unlink) records.
        Whoever links must read both and may change at least one of them; the whole list is written or none."""
        document = self.get_object()
        if request.method == "POST":
            rows = LinkRowSerializer(data=request.data, many=True)
            rows.is_valid(raise_exception=True)
            changes = []
            for index, row in enumerate(rows.validated_data):
                record = selectors.find_linkable(user=request.user, key=row["kind"], public_id=row["record"])
                if record is None:
                    raise serializers.ValidationError(
                        {str(index): {"record": ["No such record among those you may read."]}}
                    )
                changes.append(services.LinkChange(document, record, remove=row["remove"], note=row["note"]))
            services.document_links_save(user=request.user, rows=changes)
        return Response(LinkedRecordSerializer(_linked_rows(request.user, document), many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", str, required=True, description="The kind of record: aid_item, organisation, registration…"
            ),
            OpenApiParameter("record", str, required=True, description="The record's public identifier."),
        ],
        responses=DocumentSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def linked(self, request: Request) -> Response:
        """The documents linked to a record that the user may read."""
        params = LinkRowSerializer(
            data={"kind": request.query_params.get("kind", ""), "record": request.query_params.get("record", "")}
        )
        params.is_valid(raise_exception=True)
        record = selectors.find_linkable(
            user=request.user, key=params.validated_data["kind"], public_id=params.validated_data["record"]
        )
        if record is None:
            raise Http404
        queryset = selectors.documents_linked_to(user=request.user, record=record).prefetch_related(
            "files__document", "implements"
        )
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page if page is not None else queryset, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)


class ConsultationViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Consultation],
):
    """Consultations on drafts: who was asked, who answered, who is late. `reply` records a recipient's answer
    (multipart for an attachment); `summary` is the DOCX summary of comments."""

    queryset = Consultation.objects.select_related("document", "sent_by").prefetch_related(
        "recipients__respondent", "recipients__organisation", "recipients__consultation"
    )
    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "public_id"
    ordering = ["-sent_on"]

    def get_queryset(self) -> QuerySet[Consultation]:
        if self.action in ("reply",):
            return restricted(self.queryset, self.request.user, Action.VIEW)
        if self.action in ("summary", "close"):
            return restricted(self.queryset, self.request.user, Action.CHANGE)
        return super().get_queryset()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def perform_create(self, serializer: BaseSerializer[Consultation]) -> None:
        data = serializer.validated_data
        recipients = []
        errors: list[str] = []
        for row in data["send_to"]:
            user = User.objects.filter(username=row.get("username", "")).first()
            organisation = None
            if row.get("organisation"):
                organisation = (
                    Organisation.objects.restrict(self.request.user, "view")
                    .filter(public_id__in=[row["organisation"]] if _is_uuid(row["organisation"]) else [])
                    .first()
                )
                if organisation is None:
                    errors.append(f"{row['organisation']}: no such organisation.")
            if user is None:
                errors.append(f"{row.get('username', '')}: no such user.")
            else:
                recipients.append(services.Recipient(user, organisation or user.organisation))
        if errors:
            raise serializers.ValidationError({"send_to": errors})
        [serializer.instance] = services.consultations_send(
            user=self.request.user,
            rows=[
                services.ConsultationChange(
                    document=data["document"],
                    subject=data["subject"],
                    message=data.get("message", ""),
                    deadline=data["deadline"],
                    recipients=recipients,
                )
            ],
        )

    @extend_schema(request=ReplySerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, public_id: str | None = None) -> Response:
        """A recipient's reply (or the sender's record of one received on paper)."""
        consultation = self.get_object()
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recipient = get_object_or_404(
            ConsultationRecipient.objects.restrict(request.user, Action.VIEW).filter(consultation=consultation),
            public_id=data["recipient"],
        )
        services.consultation_replies_save(
            user=request.user,
            rows=[
                services.Reply(
                    recipient,
                    no_comment=data["no_comment"],
                    comments=data["comments"],
                    attachment=data["attachment"],
                    expected_version=data["version"],
                )
            ],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=consultation.pk)).data)

    @extend_schema(request=None, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, public_id: str | None = None) -> Response:
        consultation = self.get_object()
        services.consultation_close(consultation=consultation, user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=consultation.pk)).data)

    @extend_schema(responses={(200, CONTENT_TYPE): bytes})
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, public_id: str | None = None) -> HttpResponseBase:
        """The summary of comments (DOCX), for the sender's office."""
        return summary_response(self.get_object(), today=timezone.localdate())


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
