"""Reads shared by every app: the change history of a record, or of several records at once, ready to show."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import models
from django.db.models import F, Window
from django.db.models.functions import Lag
from django.utils.text import capfirst
from django.utils.translation import gettext

# Bookkeeping that every save changes: listing it would only repeat the entry's date.
UNSHOWN_FIELDS = frozenset({"id", "updated_at", "version", "public_id", "created_at"})

Change = tuple[models.Field[Any, Any], Any, Any]  # field, value before, value after
Related = dict[tuple[Any, Any], Any]  # (model, primary key) -> object


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Subject:
    """The record an entry is about, on a page that shows the history of several records."""

    kind: str  # the model's name: "Sector share"
    description: str  # the record as it was at that row: "11220 Primary education 60 %"

    def __str__(self) -> str:
        return f"{self.kind}: {self.description}"


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: Any
    kind: str  # "+" created, "~" changed, "-" deleted (a soft delete too)
    reason: str
    changes: list[FieldChange]
    subject: Subject | None = None  # None: the page's own record


@dataclass(frozen=True)
class HistorySource:
    """History rows of some records of one model (`Model.history.filter(...)`) and, for records other than the
    page's own, how to describe the record a row is about: `describe` gets a historical row whose foreign keys
    named in `subject_fields` are loaded (with the other related objects, one query per model)."""

    rows: models.QuerySet[Any]
    describe: Callable[[Any], str] | None = None
    subject_fields: tuple[str, ...] = ()


@dataclass(eq=False)
class _Page:
    """One source's newest rows, and the rows its changes are compared with."""

    source: HistorySource
    model: type[models.Model]  # the model whose history it is
    rows: list[Any]
    by_history_id: dict[int, Any] = field(init=False)

    @classmethod
    def newest(cls, source: HistorySource, limit: int) -> _Page:
        """The source's newest `limit` rows, each naming the previous row of its record (`previous_history_id`)."""
        model = source.rows.model.instance_type
        order = [F("history_date").asc(), F("history_id").asc()]
        previous = Window(Lag("history_id"), partition_by=[F(model._meta.pk.attname)], order_by=order)
        rows = source.rows.select_related("history_user").annotate(previous_history_id=previous)
        return cls(source, model, list(rows.order_by("-history_date", "-history_id")[:limit]))

    def __post_init__(self) -> None:
        self.by_history_id = {row.history_id: row for row in self.rows}

    def load_previous(self, kept: list[Any]) -> None:
        """Fetch the previous rows of kept changes that are older than this page's rows, in one query."""
        wanted = {row.previous_history_id for row in kept if row.history_type == "~"} - {None}
        missing = wanted - self.by_history_id.keys()
        if missing:
            older = self.source.rows.model._default_manager.filter(history_id__in=missing)
            self.by_history_id.update((row.history_id, row) for row in older)

    def changes(self, row: Any) -> list[Change]:
        previous = self.by_history_id.get(row.previous_history_id) if row.history_type == "~" else None
        if previous is None:
            return []
        compared = (f for f in self.model._meta.concrete_fields if f.name not in UNSHOWN_FIELDS)
        return [
            (f, old, new) for f in compared if (old := getattr(previous, f.attname)) != (new := getattr(row, f.attname))
        ]


def record_history(instance: models.Model, *, limit: int = 50) -> list[HistoryEntry]:
    """The newest `limit` changes of a record, each with the fields that changed: who, when, before, after."""
    # `history`: the manager HistoricalRecords adds to a tracked model, which the model's type does not show.
    return history_entries([HistorySource(instance.history.all())], limit=limit)  # type: ignore[attr-defined]


def history_entries(sources: Sequence[HistorySource], *, limit: int) -> list[HistoryEntry]:
    """The newest `limit` history rows of all `sources` together, newest first, each compared with the previous
    row of the same record (`id`), which a window function names.

    Compared here rather than with simple-history's diff_against, which skips non-editable fields such as
    `deleted_at`. At most two queries per source (its newest rows, then previous rows older than those) and one
    per related model, however many records and changes there are.
    """
    pages = [_Page.newest(source, limit) for source in sources]
    kept = list(islice(heapq.merge(*map(_pairs, pages), key=_newest_first, reverse=True), limit))
    for page in pages:
        page.load_previous([row for owner, row in kept if owner is page])
    changes = [page.changes(row) for page, row in kept]
    related = _related_objects(kept, changes)
    return [_entry(page, row, row_changes, related) for (page, row), row_changes in zip(kept, changes, strict=True)]


def _pairs(page: _Page) -> Iterator[tuple[_Page, Any]]:
    return ((page, row) for row in page.rows)


def _newest_first(pair: tuple[_Page, Any]) -> tuple[datetime, int]:
    return pair[1].history_date, pair[1].history_id


def _related_objects(kept: list[tuple[_Page, Any]], changes: list[list[Change]]) -> Related:
    """The objects that changed foreign keys and subjects name, one query per related model."""
    wanted: dict[Any, set[Any]] = {}
    for (page, row), row_changes in zip(kept, changes, strict=True):
        for f, old, new in row_changes:
            if f.is_relation:
                wanted.setdefault(f.related_model, set()).update(v for v in (old, new) if v is not None)
        for name in page.source.subject_fields:
            f = row._meta.get_field(name)
            wanted.setdefault(f.related_model, set()).add(getattr(row, f.attname))
    return {(model, pk): obj for model, ids in wanted.items() for pk, obj in model._base_manager.in_bulk(ids).items()}


def _entry(page: _Page, row: Any, changes: list[Change], related: Related) -> HistoryEntry:
    kind = row.history_type
    if any(f.name == "deleted_at" and old is None and new is not None for f, old, new in changes):
        kind, changes = "-", []  # a soft delete reads as the deletion it is; the date is the entry's
    return HistoryEntry(
        when=row.history_date,
        who=row.history_user,
        kind=kind,
        reason=gettext(row.history_change_reason) if row.history_change_reason else "",
        changes=[
            FieldChange(str(f.verbose_name), _display(f, old, related), _display(f, new, related))
            for f, old, new in changes
        ],
        subject=_subject(page, row, related),
    )


def _subject(page: _Page, row: Any, related: Related) -> Subject | None:
    describe = page.source.describe
    if describe is None:
        return None
    for name in page.source.subject_fields:
        f = row._meta.get_field(name)
        f.set_cached_value(row, related.get((f.related_model, getattr(row, f.attname))))
    return Subject(kind=str(capfirst(page.model._meta.verbose_name)), description=describe(row))


def _display(field: models.Field[Any, Any], value: Any, related: Related) -> Any:
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return related.get((field.related_model, value), value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value
