"""Reads shared by every app: a record's change history, ready to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: Any
    kind: str  # "+" created, "~" changed, "-" removed
    reason: str
    changes: list[FieldChange]


def _display(field: models.Field, value: Any, related: dict[tuple[type, Any], Any]) -> Any:
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return related.get((field.related_model, value), value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def record_history(instance: models.Model, *, limit: int = 50) -> list[HistoryEntry]:
    """The newest `limit` changes of a record, each with the fields that changed: who, when, before, after.

    Compared here rather than with simple-history's diff_against, which skips non-editable fields such as
    `deleted_at`. Related objects are fetched in one query per related model, not one per change.
    """
    history = instance.history.select_related("history_user").order_by("-history_date", "-history_id")  # type: ignore[attr-defined]
    records = list(history[: limit + 1])
    fields = [
        f
        for f in instance._meta.concrete_fields
        if f.name not in {"id", "updated_at", "version", "public_id", "created_at"}
    ]
    raw_changes: list[list[tuple[models.Field, Any, Any]]] = []
    wanted: dict[type, set[Any]] = {}
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append((field, old, new))
                    if field.is_relation:
                        wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v is not None)
        raw_changes.append(changes)
    related = {
        (model, pk): obj for model, ids in wanted.items() for pk, obj in model._base_manager.in_bulk(ids).items()
    }
    return [
        HistoryEntry(
            when=record.history_date,
            who=record.history_user,
            kind=record.history_type,
            reason=gettext(record.history_change_reason) if record.history_change_reason else "",
            changes=[
                FieldChange(str(field.verbose_name), _display(field, old, related), _display(field, new, related))
                for field, old, new in changes
            ],
        )
        for record, changes in zip(records[:limit], raw_changes, strict=True)
    ]
