"""The register of official documents (directives, plans, decisions…), their files, their links to any record, and
consultations on drafts with each recipient's reply."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import Role
from amity.core.models import BaseModel
from amity.core.scoping import (
    EVERYTHING,
    Action,
    AnyOf,
    Inherits,
    InJurisdiction,
    Matches,
    OwnedBy,
    OwnedByTheCentre,
    Rule,
    ScopePolicy,
    Through,
)

from . import numbers
from .choices import DocumentKind, DocumentStatus, ReplyState, TextState

_PUBLIC = Matches(Q(public=True) & ~Q(status=DocumentStatus.DRAFT))
_LOCAL = InJurisdiction("owning_province")
_CENTRE = OwnedByTheCentre("owning_province")
# Documents of the centre (a directive of the Party's Secretariat, a decree) that are no longer drafts reach every
# province: they are the texts the provinces work from.
_CENTRAL_ISSUED = Matches(Q(owning_province__isnull=True) & ~Q(status=DocumentStatus.DRAFT))
# Whoever is asked for comments on a draft reads it.
_CONSULTED = Through("consultations__recipients", OwnedBy("respondent"))


def _kept_by_province_or_centre(*, read_also: tuple[Rule, ...], others_read: Rule) -> dict[str, dict[str, Rule]]:
    """The table of records a province keeps (or the centre, with no province): its staff read and write its own,
    central officers read all and keep the centre's; `read_also` are the other records a province reads, and
    `others_read` what an NGO representative reads."""
    provincial_read = AnyOf((_LOCAL, *read_also))
    provincial_write: dict[str, Rule] = {
        Action.VIEW: provincial_read,
        Action.ADD: _LOCAL,
        Action.CHANGE: _LOCAL,
        Action.DELETE: _LOCAL,
    }
    return {
        Role.CENTRAL_OFFICER: {
            Action.VIEW: EVERYTHING,
            Action.ADD: _CENTRE,
            Action.CHANGE: _CENTRE,
            Action.DELETE: _CENTRE,
        },
        Role.PROVINCIAL_APPROVER: provincial_write,
        Role.PROVINCIAL_EDITOR: provincial_write,
        Role.PROVINCIAL_VIEWER: {Action.VIEW: provincial_read},
        Role.NGO_REPRESENTATIVE: {Action.VIEW: others_read},
    }


class Document(BaseModel):
    """An official document. A province's documents are read and kept by its staff; the centre's (no owning
    province) by central officers, and read by every province once issued; central officers read all. A public
    document in force is read by everyone (the public portal), and whoever is consulted on a draft reads it."""

    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    number_symbol = models.CharField(
        _("number and symbol"),
        max_length=100,
        blank=True,
        help_text=_("As printed on the document, e.g. 308/QĐ-UBND or 38-CT/TW; empty for a draft."),
    )
    # What the number says (numbers.parse), kept by the service for filters and sorting.
    number = models.CharField(_("number"), max_length=20, blank=True, editable=False)
    number_year = models.PositiveSmallIntegerField(_("year in the number"), null=True, blank=True, editable=False)
    kind_abbreviation = models.CharField(_("kind abbreviation"), max_length=10, blank=True, editable=False)
    issuer_code = models.CharField(_("issuing body abbreviation"), max_length=40, blank=True, editable=False)
    number_parsed = models.BooleanField(_("number read"), default=False, editable=False)
    title = models.CharField(_("title"), max_length=500, help_text=_("The document's subject line (trích yếu)."))
    issuing_body = models.CharField(_("issuing body"), max_length=300, blank=True)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.IN_FORCE
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    implements = models.ManyToManyField(
        "self",
        verbose_name=_("implements"),
        symmetrical=False,
        blank=True,
        related_name="implemented_by",
        help_text=_("The documents this one carries out or is based on (a plan implementing a directive)."),
    )
    owning_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("The province whose document this is; empty for documents of the centre."),
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown to everyone, the public portal included, once not a draft.")
    )
    # Number, title, summary, body, signer and the files' text, normalised (search.normalise): kept by the service.
    search_text = models.TextField(editable=False, blank=True, default="")

    history = HistoricalRecords(m2m_fields=[implements], excluded_fields=["search_text"])
    scope_policy = ScopePolicy(
        rules=_kept_by_province_or_centre(read_also=(_CENTRAL_ISSUED, _CONSULTED), others_read=_CONSULTED),
        public={Action.VIEW: _PUBLIC},
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["owning_province", "issued_on"], name="documents_province_issued")]

    def __str__(self) -> str:
        if self.number_symbol:
            return f"{self.get_kind_display()} {self.number_symbol}"
        return f"{self.get_kind_display()}: {self.title}"[:120]

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", kwargs={"public_id": self.public_id})

    @property
    def parsed_number(self) -> numbers.DocumentNumber:
        return numbers.parse(self.number_symbol)


def document_file_path(instance: DocumentFile, filename: str) -> str:
    """Where a file is stored: by month, under a random name (the original is kept in `name`), so that no
    stored name says anything and two uploads never collide."""
    extension = PurePosixPath(filename).suffix.lower()
    return f"documents/{timezone.now():%Y/%m}/{instance.public_id}{extension}"


def _inherited_rules(field: str) -> tuple[dict[str, dict[str, Rule]], dict[str, Rule]]:
    read = Inherits(field, Action.VIEW)
    write = Inherits(field, Action.CHANGE)
    table: dict[str, Rule] = {Action.VIEW: read, Action.ADD: write, Action.CHANGE: write, Action.DELETE: write}
    return {role: table for role in Role.values if role != Role.ADMINISTRATOR}, {Action.VIEW: read}


_FILE_RULES, _FILE_PUBLIC = _inherited_rules("document")


class DocumentFile(BaseModel):
    """A file of a document (the signed PDF, the DOCX, a scan), checked by its content on upload and served only
    to whoever may read the document. Its text, once read, is part of the document's search."""

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=document_file_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    file_kind = models.CharField(_("kind of file"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    text = models.TextField(_("text"), blank=True, editable=False)
    text_state = models.CharField(
        _("text"), max_length=10, choices=TextState.choices, default=TextState.PENDING, editable=False
    )

    history = HistoricalRecords(excluded_fields=["text"])
    scope_policy = ScopePolicy(rules=_FILE_RULES, public=_FILE_PUBLIC)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("documents:file", kwargs={"public_id": self.document.public_id, "file_id": self.public_id})


_LINK_RULES, _LINK_PUBLIC = _inherited_rules("document")


class DocumentLink(BaseModel):
    """A document linked to a record of any app that registered its kind (`amity.documents.links`): an aid item
    and its approval decision, an organisation and the directive it works from, a partnership and its agreement.
    Who may link: see `services.document_links_save`. Removing a link deletes it; its history keeps who and when."""

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()
    scope_policy = ScopePolicy(rules=_LINK_RULES, public=_LINK_PUBLIC)

    class Meta:
        verbose_name = _("document link")
        verbose_name_plural = _("document links")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "content_type", "object_id"], name="documents_link_once")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="documents_link_record")]

    def __str__(self) -> str:
        return f"{self.document} → {self.content_type.model} {self.object_id}"


# --- consultations on drafts ----------------------------------------------------------------------------------

_RESPONDENT = Through("recipients", OwnedBy("respondent"))


class Consultation(BaseModel):
    """A draft sent for comments to chosen people, each answering for their unit or association, by a deadline.
    Kept by the sending province (or the centre); every recipient reads it and the draft."""

    document = models.ForeignKey(
        Document, verbose_name=_("draft"), on_delete=models.PROTECT, related_name="consultations"
    )
    subject = models.CharField(_("subject"), max_length=300)
    message = models.TextField(_("message"), blank=True)
    deadline = models.DateField(_("deadline"))
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    owning_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("The draft's province; empty for the centre's."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    scope_policy = ScopePolicy(rules=_kept_by_province_or_centre(read_also=(_RESPONDENT,), others_read=_RESPONDENT))

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-sent_on", "-pk"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("documents:consultation", kwargs={"public_id": self.public_id})


def reply_file_path(instance: ConsultationRecipient, filename: str) -> str:
    extension = PurePosixPath(filename).suffix.lower()
    return f"consultations/{timezone.now():%Y/%m}/{instance.public_id}{extension}"


_REPLY_READ = Inherits("consultation", Action.VIEW)
_REPLY_WRITE = AnyOf((OwnedBy("respondent"), Inherits("consultation", Action.CHANGE)))


class ConsultationRecipient(BaseModel):
    """One person asked for comments, answering for a unit or association of the directory (or for themself),
    and their reply: comments with an optional attachment, or "no comment". The sender may record a reply
    received on paper."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="recipients"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("respondent"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("answering for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("reply"), max_length=16, choices=ReplyState.choices, default=ReplyState.PENDING)
    comments = models.TextField(_("comments"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=reply_file_path, max_length=200, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=255, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()
    scope_policy = ScopePolicy(
        rules={
            role: {Action.VIEW: _REPLY_READ, Action.CHANGE: _REPLY_WRITE}
            for role in Role.values
            if role != Role.ADMINISTRATOR
        }
    )

    class Meta:
        verbose_name = _("consultation recipient")
        verbose_name_plural = _("consultation recipients")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["consultation", "respondent"], name="documents_recipient_once")]

    def __str__(self) -> str:
        return str(self.organisation or self.respondent)

    def is_late(self, today: Any) -> bool:
        return self.state == ReplyState.PENDING and self.consultation.deadline < today
