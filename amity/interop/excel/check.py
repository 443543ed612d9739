"""Checking an uploaded workbook completely, without writing: every cell, every row against the records it
would change, every rule of every record. The result is the list of problems (by sheet, row and column) and,
when there are none, the plan the confirmed write carries out.

The check goes along the seams of an upload: reading the cells as typed values (`cells`), matching each row to
the record it names and planning what it does (`matching`), mapping each kind of sheet to what its services take
(`register` for organisations and registrations, `aid` for aid items and transactions), then the rules of the
records — for aid data, the aid services' own, in a dry run of the very call the write makes (`saving`).

Queries are per file, not per row: the codes, the records named by identifier or natural key and the user's
scope are each read once (in chunks), so a 10,000-row file is checked in a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from amity.core.breaches import BatchRefused

from .aid import AidItemChecker, TransactionChecker
from .matching import Matcher
from .problems import Problem
from .reader import FileInput, read_workbook
from .register import OrganisationChecker, RegistrationChecker
from .saving import CREATE, SAVERS, UNCHANGED, UPDATE, Planned, refused_problems, save_planned
from .templates import spec_for


@dataclass
class ExcelCheck:
    """What `check_workbook` found: the problems, or else the plan of the write and its counts."""

    kind: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    # What the rules ask the user to confirm (locations outside their provinces): listed with the preview, and
    # confirming the upload confirms them.
    confirmations: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def _count(self, action: str) -> int:
        return sum(1 for item in self.planned if item.action == action)

    @property
    def created_count(self) -> int:
        return self._count(CREATE)

    @property
    def updated_count(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged_count(self) -> int:
        return self._count(UNCHANGED)

    @property
    def skipped_count(self) -> int:
        return 0  # a file is written whole or not at all; no row is skipped

    def preview(self, limit: int) -> list[dict[str, Any]]:
        """The first `limit` rows that create or update a record, as the confirmation page lists them."""
        return [item.preview() for item in self.planned if item.action != UNCHANGED][:limit]

    def counts(self) -> dict[str, int]:
        return {
            "created_count": self.created_count,
            "updated_count": self.updated_count,
            "unchanged_count": self.unchanged_count,
            "skipped_count": self.skipped_count,
        }


def check_workbook(kind: str, source: FileInput, user: Any) -> ExcelCheck:
    """Read and check a workbook of `kind` for `user`, writing nothing."""
    spec = spec_for(kind)
    read = read_workbook(spec, source)
    result = ExcelCheck(kind=kind, rows=read.row_count, problems=list(read.problems))
    if result.problems:
        return result
    checker = CHECKERS[kind](spec, read, user)
    with translation.override(None):  # texts from models and services are stored in English, as sources
        result.planned = checker.run()
        if kind in SAVERS:  # the rules of the records: the service's own, in a dry run of the write
            try:
                save_planned(kind, result.planned, user, dry_run=True)
            except BatchRefused as refused:
                if refused.asks_confirmation:
                    result.confirmations = refused_problems(result.planned, refused)
                else:
                    checker.problems += refused_problems(result.planned, refused)
    result.problems = sorted(checker.problems, key=checker.sort_key)
    if result.problems:
        result.planned = []
    return result


CHECKERS: dict[str, type[Matcher]] = {
    "organisations": OrganisationChecker,
    "registrations": RegistrationChecker,
    "aid_items": AidItemChecker,
    "transactions": TransactionChecker,
}

__all__ = ["CREATE", "UNCHANGED", "UPDATE", "ExcelCheck", "Planned", "check_workbook"]
