"""Import runs: every IATI or Excel import, who ran it, on which file, how far it got and what it found."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.accounts.choices import Role
from amity.core.models import AllRecordsManager
from amity.core.scoping import EVERYTHING, Action, InJurisdiction, OwnedBy, ScopePolicy

from .choices import FINISHED_STATUSES, SETTLED_STATUSES, ExportKind, ImportKind, ImportStatus

_OWN_PROVINCE = InJurisdiction("owning_province")


class ImportRun(models.Model):
    """One import of one file. Kept as the import history (never deleted by users); the uploaded file stays
    beside it so that a run can be checked again or audited.

    `problems` holds what the import found, one entry per activity, row or field: `{"line" | "sheet", "row",
    "column", "record", "message", "params", "skipped"}`, the message as its English source text, translated
    when shown, so each reader sees it in their own language.
    """

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    file_name = models.CharField(_("file name"), max_length=300)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False, help_text=_("Check everything, write nothing."))
    owning_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("The province the imported records belong to; empty for a national import."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True, help_text=_("Why the whole file was refused, if it was."))
    error_params = models.JSONField(default=dict, blank=True)
    worker = models.JSONField(
        _("worker"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The process running the import (host, process, database session), to tell when it has died."),
    )

    objects = AllRecordsManager()
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING, Action.ADD: EVERYTHING, Action.CHANGE: EVERYTHING},
            Role.PROVINCIAL_APPROVER: {
                Action.VIEW: _OWN_PROVINCE,
                Action.ADD: _OWN_PROVINCE,
                Action.CHANGE: _OWN_PROVINCE,
            },
            Role.PROVINCIAL_EDITOR: {
                Action.VIEW: _OWN_PROVINCE,
                Action.ADD: _OWN_PROVINCE,
                Action.CHANGE: _OWN_PROVINCE,
            },
            Role.PROVINCIAL_VIEWER: {Action.VIEW: _OWN_PROVINCE},
        }
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owning_province", "created_at"], name="interop_run_province_created")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("interop:run", kwargs={"public_id": self.public_id})

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_settled(self) -> bool:
        """Nothing runs for it: finished, or an Excel file checked and waiting for the user's confirmation —
        its page stops polling and shows the outcome (the confirm button)."""
        return self.status in SETTLED_STATUSES

    @property
    def percent(self) -> int:
        if self.is_settled:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(self.progress_done * 100 / self.progress_total))


class RecordSource(models.Model):
    """Where an imported record last came from: the run (and so the file), the identifier the file gives it
    (IATI activity or organisation identifier, Excel stable identifier) and the line or sheet and row."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    run = models.ForeignKey(ImportRun, verbose_name=_("import"), on_delete=models.CASCADE, related_name="sources")
    identifier = models.CharField(_("identifier in the file"), max_length=250, blank=True)
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("record source")
        verbose_name_plural = _("record sources")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="interop_source_one_per_record"),
        ]

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else f"{self.sheet} row {self.row}"
        return f"{self.run.file_name}: {self.identifier} ({where})"


_OWN = OwnedBy("created_by")


class ExportRun(models.Model):
    """A large export prepared in the background: the records a user's filters select, written to a file the
    user downloads when it is ready. Each user sees their own."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=ExportKind.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    worker = models.JSONField(
        _("worker"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The process writing the export (host, process, database session), to tell when it has died."),
    )

    objects = AllRecordsManager()
    scope_policy = ScopePolicy(
        rules={
            role: {Action.VIEW: _OWN, Action.ADD: _OWN}
            for role in (
                Role.CENTRAL_OFFICER,
                Role.PROVINCIAL_APPROVER,
                Role.PROVINCIAL_EDITOR,
                Role.PROVINCIAL_VIEWER,
                Role.NGO_REPRESENTATIVE,
            )
        }
    )

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("interop:export", kwargs={"public_id": self.public_id})

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_settled(self) -> bool:
        return self.is_finished  # an export waits for no one
