"""Base model for every domain record: stable public identifier, timestamps, soft delete, version."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any, ClassVar, Self, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
