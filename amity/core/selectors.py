"""Reads shared by every app: a record's change history, ready to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models


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


def _display(record: Any, field: models.Field, value: Any) -> Any:
    if value is None or value == "":
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def record_history(instance: models.Model, *, limit: int = 50) -> list[HistoryEntry]:
    """The newest `limit` changes of a record, each with the fields that changed (two queries)."""
    history = instance.history.select_related("history_user").order_by("-history_date", "-history_id")  # type: ignore[attr-defined]
    records = list(history[: limit + 1])
    excluded = {"updated_at", "version"}
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=excluded)
            for change in delta.changes:
                field = instance._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        label=str(getattr(field, "verbose_name", change.field)),
                        old=_display(previous, field, change.old),
                        new=_display(record, field, change.new),
                    )
                )
        entries.append(
            HistoryEntry(
                when=record.history_date, who=record.history_user, kind=record.history_type,
                reason=record.history_change_reason or "", changes=changes,
            )
        )
    return entries
