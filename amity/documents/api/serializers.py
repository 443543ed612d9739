"""API representations of documents, their files and links, consultations and replies; writes go through the
services (see views)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from rest_framework import serializers

from amity.core.api import CodeRelatedField
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit

from .. import links
from ..choices import DocumentKind
from ..models import Consultation, ConsultationRecipient, Document, DocumentFile
from ..services import number_warnings


class VisibleDocumentField(CodeRelatedField[Document]):
    """A document by its public identifier, among those the requesting user may read."""

    def get_queryset(self) -> QuerySet[Document]:
        request = self.context.get("request")
        return Document.objects.restrict(getattr(request, "user", None), "view")


class DocumentFileSerializer(serializers.ModelSerializer[DocumentFile]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    download = serializers.SerializerMethodField()
    text_state_name = serializers.CharField(source="get_text_state_display", read_only=True)

    class Meta:
        model = DocumentFile
        fields = ["id", "name", "file_kind", "size", "text_state", "text_state_name", "download", "created_at"]
        read_only_fields = fields

    def get_download(self, document_file: DocumentFile) -> str:
        return reverse(
            "document-file",
            kwargs={"public_id": document_file.document.public_id, "file_id": document_file.public_id},
        )


class DocumentSerializer(serializers.ModelSerializer[Document]):
    """A document. `kind` may be left out when the number says it ("308/QĐ-UBND": decision); `number`,
    `number_year`, `kind_abbreviation` and `issuer_code` are read from `number_symbol`, and `warnings` says when it
    could not be (kept as typed). Upload files as multipart `files` (several allowed) on create or update."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False, allow_blank=True)
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    owning_province = CodeRelatedField(
        slug_field="code",
        queryset=AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT),
        required=False,
        allow_null=True,
    )
    replaced_by = VisibleDocumentField(slug_field="public_id", required=False, allow_null=True)
    implements = VisibleDocumentField(slug_field="public_id", many=True, required=False)
    warnings = serializers.SerializerMethodField()
    files = DocumentFileSerializer(many=True, read_only=True)
    upload = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, help_text="Files to add (multipart)."
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "kind_name",
            "number_symbol",
            "number",
            "number_year",
            "kind_abbreviation",
            "issuer_code",
            "number_parsed",
            "warnings",
            "title",
            "issuing_body",
            "signer",
            "issued_on",
            "effective_from",
            "expires_on",
            "summary",
            "status",
            "status_name",
            "replaced_by",
            "implements",
            "owning_province",
            "public",
            "files",
            "upload",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "number_year", "kind_abbreviation", "issuer_code", "number_parsed"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}
        validators: list[Any] = []

    def get_warnings(self, document: Document) -> list[str]:
        return [breach.text() for breach in number_warnings(document)]


class LinkRowSerializer(serializers.Serializer[Any]):
    """A record to link the document to (or to unlink, with `remove`), by its kind and public identifier."""

    kind = serializers.ChoiceField(choices=())
    record = serializers.UUIDField()
    remove = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(links.kinds())  # type: ignore[attr-defined]


class LinkedRecordSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_name = serializers.CharField()
    record = serializers.UUIDField()
    name = serializers.CharField()
    url = serializers.CharField()


class RecipientSerializer(serializers.ModelSerializer[ConsultationRecipient]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    respondent = serializers.CharField(source="respondent.username", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True, allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)
    state_name = serializers.CharField(source="get_state_display", read_only=True)
    late = serializers.SerializerMethodField()
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationRecipient
        fields = [
            "id",
            "respondent",
            "organisation",
            "organisation_name",
            "state",
            "state_name",
            "comments",
            "has_attachment",
            "answered_at",
            "late",
            "version",
        ]
        read_only_fields = fields

    def get_late(self, recipient: ConsultationRecipient) -> bool:
        today = self.context.get("today")
        return bool(today and recipient.is_late(today))

    def get_has_attachment(self, recipient: ConsultationRecipient) -> bool:
        return bool(recipient.attachment)


class ConsultationSerializer(serializers.ModelSerializer[Consultation]):
    """A consultation on a draft. On create, `recipients` lists the usernames of the people asked, each with the
    organisation (public identifier) they answer for, if any."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    document = VisibleDocumentField(slug_field="public_id")
    recipients = RecipientSerializer(many=True, read_only=True)
    send_to = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)), write_only=True, min_length=1
    )
    sent_by = serializers.CharField(source="sent_by.username", read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "document",
            "subject",
            "message",
            "deadline",
            "sent_on",
            "sent_by",
            "closed_on",
            "recipients",
            "send_to",
            "version",
            "created_at",
        ]
        read_only_fields = ["sent_on", "sent_by", "closed_on", "version", "created_at"]


class ReplySerializer(serializers.Serializer[Any]):
    recipient = serializers.UUIDField()
    no_comment = serializers.BooleanField(default=False)
    comments = serializers.CharField(required=False, allow_blank=True, default="")
    attachment = serializers.FileField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)
