"""The one writer of an aid item's parts — sector and location shares, participants, budgets, beneficiary
groups — for any number of items at once. The per-record services, the Excel write and the IATI importer all
call `parts_write`, each from its own input shape turned into rows.

It compares the rows wanted with those stored, and only what differs is written: removed rows are deleted,
new rows inserted, changed values (a share's percentage) updated, each with its history row carrying the acting
user, the reason and the time, so the item's page shows every change to its parts. Checks (shares adding up to
100, eras, duplicates) are the callers' (`services.check_sectors`, `check_locations`) and happen before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from amity.core.bulk import create_rows, delete_rows, insert_history, insert_rows, update_rows

from .models import AidBeneficiary, AidParticipant, Budget, LocationSplit, SectorSplit

CHUNK = 900  # item ids per query (SQLite's parameter limit)
Row = tuple[Any, ...]


@dataclass(frozen=True)
class PartKind:
    """A kind of part: its model, the columns that say which part a row is, and the columns of its value."""

    model: type[models.Model]
    keys: tuple[str, ...]
    values: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.keys, *self.values)

    @property
    def has_history(self) -> bool:
        return hasattr(self.model, "history")


BUDGET_COLUMNS = ("kind", "status", "period_start", "period_end", "amount", "currency_id", "value_date")
# Rows are tuples of each kind's `columns`, in this order.
KINDS: dict[str, PartKind] = {
    "sectors": PartKind(SectorSplit, ("sector_id",), ("percentage",)),
    "locations": PartKind(LocationSplit, ("unit_id",), ("percentage", "current_province_id")),
    "participants": PartKind(AidParticipant, ("organisation_id", "role")),
    "budgets": PartKind(Budget, BUDGET_COLUMNS),  # a budget has no natural key: a changed one is replaced
    "beneficiaries": PartKind(AidBeneficiary, ("group",)),
}


def parts_write(
    wanted: Mapping[int, Mapping[str, Sequence[Row]]],
    *,
    user: Any,
    reason: str = "",
    when: datetime | None = None,
    new_items: bool = False,
) -> None:
    """Make the stored parts of each item (id → kind → rows) what `wanted` says; a kind an item does not name
    is left as it is. `new_items`: the items were just created, so nothing is stored to compare with."""
    when = when or timezone.now()
    for name, kind in KINDS.items():
        items = [item_id for item_id, kinds in wanted.items() if name in kinds]
        if not items:
            continue
        stored = {} if new_items else _stored(kind, items)
        added: list[Row] = []
        changed: list[models.Model] = []
        removed: list[models.Model] = []
        for item_id in items:
            by_key = {_key(kind, part): part for part in stored.get(item_id, [])}
            for row in dict.fromkeys(wanted[item_id][name]):  # a row given twice is one part
                part = by_key.pop(row[: len(kind.keys)], None)
                if part is None:
                    added.append((item_id, *row))
                elif _values(kind, part) != row[len(kind.keys) :]:
                    for column, value in zip(kind.values, row[len(kind.keys) :], strict=True):
                        setattr(part, column, value)
                    changed.append(part)
            removed.extend(by_key.values())
        _write(kind, added, changed, removed, user=user, reason=reason, when=when)


def _stored(kind: PartKind, items: Sequence[int]) -> dict[int, list[models.Model]]:
    stored: dict[int, list[models.Model]] = defaultdict(list)
    for start in range(0, len(items), CHUNK):
        for part in kind.model._default_manager.filter(aid_item_id__in=items[start : start + CHUNK]).order_by("pk"):
            stored[part.aid_item_id].append(part)  # type: ignore[attr-defined]  # every part model has aid_item
    return stored


def _key(kind: PartKind, part: models.Model) -> Row:
    return tuple(getattr(part, column) for column in kind.keys)


def _values(kind: PartKind, part: models.Model) -> Row:
    return tuple(getattr(part, column) for column in kind.values)


def _write(
    kind: PartKind,
    added: list[Row],
    changed: list[models.Model],
    removed: list[models.Model],
    *,
    user: Any,
    reason: str,
    when: datetime,
) -> None:
    columns = ["aid_item_id", *kind.columns]
    if removed:
        if kind.has_history:  # written first: the rows are still there to be recorded as they were
            insert_history(kind.model, removed, history_type="-", user=user, reason=reason, when=when)
        delete_rows(kind.model, [part.pk for part in removed])
    if changed:
        update_rows(kind.model, kind.values, [(part.pk, *_values(kind, part)) for part in changed])
        if kind.has_history:
            insert_history(kind.model, changed, history_type="~", user=user, reason=reason, when=when)
    if added:
        if kind.has_history:
            create_rows(kind.model, columns, added, user=user, reason=reason, when=when)
        else:
            insert_rows(kind.model, columns, added)


__all__ = ["BUDGET_COLUMNS", "KINDS", "parts_write"]
