"""Base model for every domain record (stable public identifier, timestamps, soft delete, version) and for the
files people attach to records (`AttachedFile`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath
from typing import Any, ClassVar, Self, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.db import models
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import files
from .breaches import Breach, breaches_of
from .scoping import ScopePolicy
from .text import check_text

_M = TypeVar("_M", bound=models.Model)


class RecordQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> Self:
        """The scoping chokepoint: only the rows `user` may `action`. Fails closed."""
        policy: ScopePolicy | None = getattr(self.model, "scope_policy", None)
        if policy is None:
            raise ImproperlyConfigured(f"{self.model.__name__} declares no scope_policy.")
        return policy.restrict(self, user, action)

    def unscoped(self) -> Self:
        """Every row, ignoring users: for system code (loaders, tasks acting for the system, tests)."""
        return self.all()

    def alive(self) -> Self:
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> Self:
        return self.filter(deleted_at__isnull=False)


_AliveManagerBase = models.Manager.from_queryset(RecordQuerySet)


class AliveManager(_AliveManagerBase[_M]):
    """The default manager hides soft-deleted records."""

    def get_queryset(self) -> RecordQuerySet[_M]:
        # The stubs type Manager.get_queryset as a plain QuerySet; from_queryset makes it a RecordQuerySet.
        return cast("RecordQuerySet[_M]", super().get_queryset()).filter(deleted_at__isnull=True)


AllRecordsManager = models.Manager.from_queryset(RecordQuerySet)


def restricted(queryset: models.QuerySet[_M], user: Any, action: str) -> RecordQuerySet[_M]:
    """`queryset.restrict(user, action)` for a queryset of records that is typed as a plain QuerySet.

    Every manager of a record makes RecordQuerySets, but an annotated queryset (`annotate`, `WithAnnotations`)
    and a DRF viewset's `queryset` are typed as plain QuerySets: Python's types cannot say "the same class,
    other rows". At run time it is the RecordQuerySet it always was."""
    return cast("RecordQuerySet[_M]", queryset).restrict(user, action)


class CleanTextModel(models.Model):
    """A model whose text fields refuse the characters no export can hold (`amity.core.text.check_text`), in
    `clean_fields`, so in every `full_clean`: a 400 naming the field for pages, the API and uploads."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or (exclude and field.name in exclude):
                continue
            value = getattr(self, field.attname)
            if isinstance(value, str) and field.name not in errors:
                try:
                    check_text(value)
                except ValidationError as exc:
                    errors.setdefault(field.name, []).extend(exc.error_list)
        if errors:
            raise ValidationError(errors)


class BaseModel(CleanTextModel):
    """Abstract base of every domain record (DESIGN.md invariants 6 and 7)."""

    public_id = models.UUIDField(
        _("public identifier"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Stable identifier used in links, Excel round trips and exchanges between systems."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(
        _("demo record"),
        default=False,
        editable=False,
        help_text=_("Created by `load_demo`; removed by `load_demo --remove`."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised on every save; a save based on an older version is refused."),
    )

    objects = AliveManager()
    all_objects = AllRecordsManager()

    scope_policy: ClassVar[ScopePolicy]

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


_ORIGINAL_NAME_LENGTH = 255


def attached_file(folder: str) -> models.FileField:
    """The `file` of an `AttachedFile` model, stored under `folder` (an `upload_to` such as `"news/%Y/%m/"`): a
    model names its folder by declaring `file = attached_file(...)`, everything else about the field is shared."""
    return models.FileField(_("file"), upload_to=folder, max_length=300)


class AttachedFile(CleanTextModel):
    """A file a person attached to a record (an article's attachment, an event's photo), with the name it was sent
    under and its history. Its file is checked by its content before it is stored (`breaches`, through
    `core.files.check_upload`) and delivered only by a view that found its record through the scope policy first
    (`response`, through `core.files.file_response`): never by a media address.

    A model adds the record it belongs to, its own text (a title, a caption), and its storage folder
    (`file = attached_file(folder)`); it narrows the kinds of file it takes with `accepted_kinds`."""

    file = attached_file("attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=_ORIGINAL_NAME_LENGTH)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def from_upload(cls, upload: File[Any], **fields: Any) -> Self:
        """An unsaved attachment of `upload` (with the model's other `fields`), named as the person's file was:
        without any folder, cut to the field's length."""
        name = PurePosixPath(upload.name or "file").name[:_ORIGINAL_NAME_LENGTH]
        return cls(file=upload, original_name=name, **fields)

    def accepted_kinds(self) -> Sequence[str]:
        """The kinds of file (names in `core.files.KINDS`) this attachment may be: documents, sheets and images."""
        return files.ATTACHMENTS

    @property
    def shown_inline(self) -> bool:
        """Whether a browser shows the file in its page (a photo) rather than saving it."""
        return False

    def breaches(self, *, part: str = "") -> list[Breach]:
        """What keeps this unsaved attachment from being stored: its file (empty, too large, not of an accepted kind,
        named as another kind) and its own fields (lengths, choices, control characters). With `part`, each is named
        `part.field`, for a record whose form or API takes its attachments under that name. The record it belongs
        to is not checked: the service gives it."""
        # No file at all is the field's own "cannot be blank"; a file is checked by its content instead.
        found = files.check_upload(self.file, kinds=self.accepted_kinds(), field="file") if self.file else []
        exclude = [field.name for field in self._meta.concrete_fields if field.is_relation]
        try:
            self.full_clean(exclude=exclude + (["file"] if self.file else []), validate_unique=False)
        except ValidationError as error:
            found.extend(breaches_of(error))
        if part:
            found = [Breach(".".join(filter(None, (part, b.field))), b.message, b.params) for b in found]
        return found

    def response(self) -> HttpResponseBase:
        """The file, delivered under its original name, to a user the caller has found may see its record."""
        return files.file_response(self.file, filename=self.original_name, inline=self.shown_inline)
