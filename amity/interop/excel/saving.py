"""The rows of a checked workbook handed to the aid register's batch services: the same call checks an upload
(`dry_run=True`) and writes it, so the preview and the write apply the same rules, written once in the services.

A service refuses a batch with every breach of every row (`BatchRefused`); each is placed here on its sheet, row
and column: a breach of an aid item's part (`sectors.percentage`) on the first row of that item in the part's
sheet, any other on the item's own row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from amity.aid import services as aid_services
from amity.core.breaches import BatchRefused

from .problems import Problem, problem

EXCEL_IMPORT = gettext_lazy("Excel import")  # the reason in the history of every record an upload writes
CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Place:
    """Where a record (or one of its parts) is in the file: its sheet, row and the sheet's column letters."""

    sheet: str
    row: int
    letters: Mapping[str, str]  # column key → the column's letter in this file


@dataclass
class Planned:
    """One record the write will create or update (or leave, when nothing changed)."""

    sheet: str
    row: int
    action: str
    instance: Any  # the existing record (with the new values applied, for updates) or an unsaved one
    data: dict[str, Any]  # model field → value, as the services take them
    expected_version: int | None = None
    parts: aid_services.AidItemParts | None = None
    identifier: str = ""  # how the file names the record (its id, IATI identifier, number…)
    letters: Mapping[str, str] = field(default_factory=dict)  # the sheet's column letters
    part_places: dict[str, Place] = field(default_factory=dict)  # sectors / locations → the item's first row there
    changes: list[str] = field(default_factory=list)  # an update's changed fields (and kinds of parts)
    amount: tuple[Decimal, str] | None = None  # a transaction's amount and currency, shown beside it

    def preview(self) -> dict[str, Any]:
        """What the row will do, for the page that asks for confirmation (JSON: stored with the run)."""
        line = {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "record": self.identifier,
            "model": self.instance._meta.label,
            "changes": self.changes,
        }
        if self.amount is not None:
            line["amount"], line["currency"] = f"{self.amount[0]:f}", self.amount[1]
        return line


# A breach's field → the column that holds it, where the sheet names it otherwise.
COLUMN_OF = {"participants": "donor", "sectors": "sector", "locations": "unit"}


def save_planned(
    kind: str, planned: Sequence[Planned], user: Any, *, dry_run: bool, confirmed: bool = False
) -> list[Any]:
    """Check (`dry_run`) or write the created and updated rows of a plan through the batch service of their
    kind; the records written, in the order of those rows. Raises `BatchRefused`. `confirmed`: the user confirmed
    what the rules ask to confirm (an upload confirmed after its check listed it)."""
    rows = [item for item in planned if item.action != UNCHANGED]
    return SAVERS[kind](rows, user, dry_run, confirmed) if rows else []


def _save_aid_items(rows: Sequence[Planned], user: Any, dry_run: bool, confirmed: bool) -> list[Any]:
    changes = [
        aid_services.ItemChange(
            item.data,
            item.parts,
            item.instance.pk if item.action == UPDATE else None,
            item.expected_version,
        )
        for item in rows
    ]
    return aid_services.aid_items_save(
        user=user, rows=changes, reason=EXCEL_IMPORT, dry_run=dry_run, confirmed=confirmed
    )


def _save_transactions(rows: Sequence[Planned], user: Any, dry_run: bool, confirmed: bool) -> list[Any]:
    changes = [(item.instance, item.expected_version) for item in rows]
    return aid_services.transactions_save(user=user, changes=changes, reason=EXCEL_IMPORT, dry_run=dry_run)


SAVERS: dict[str, Callable[[Sequence[Planned], Any, bool, bool], list[Any]]] = {
    "aid_items": _save_aid_items,
    "transactions": _save_transactions,
}


def refused_problems(planned: Sequence[Planned], refused: BatchRefused) -> list[Problem]:
    """The service's breaches as problems of the file: `refused.breaches` index the rows `save_planned` gave."""
    rows = [item for item in planned if item.action != UNCHANGED]
    found = []
    for breach_of_row in refused.breaches:
        item, breach = rows[breach_of_row.index], breach_of_row.breach
        part, _dot, name = breach.field.partition(".")
        place = item.part_places.get(part) if name else None
        if place is None:
            place, name = Place(item.sheet, item.row, item.letters), COLUMN_OF.get(breach.field, breach.field)
        found.append(
            problem(
                breach.message,
                sheet=place.sheet,
                row=place.row,
                column=place.letters.get(name, ""),
                field=name if name in place.letters else "",
                **breach.params,
            )
        )
    return found


__all__ = ["CREATE", "EXCEL_IMPORT", "UNCHANGED", "UPDATE", "Place", "Planned", "refused_problems", "save_planned"]
