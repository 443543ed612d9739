"""The confirmed write of a checked workbook: every row or none, in one transaction, through the services.

The file is checked again first (the records may have changed since the preview). Organisations and
registrations go through their per-record services (`organisation_create`…), each in a savepoint so that all
the rows' problems are collected before the whole write rolls back; aid items and transactions, the files of
thousands of rows, go through the aid register's batch services (`aid_items_save`, `transactions_save`: the
writers the pages and the API use too, a fixed number of queries per chunk) — the same call the check made as
a dry run (`saving.save_planned`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation

from amity.core.breaches import BatchRefused
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.organisations import services as organisation_services
from amity.reports.facts import facts_deferred

from . import problems as P
from .check import ExcelCheck, check_workbook
from .problems import Problem, problem
from .reader import FileInput
from .saving import CREATE, UNCHANGED, Planned, refused_problems, save_planned
from .templates import spec_for

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class WrittenRecord:
    """One record the write created, updated or left unchanged, and where it was in the file (for the
    import run's record sources)."""

    sheet: str
    row: int
    model: str  # app_label.ModelName
    pk: int
    public_id: UUID
    identifier: str
    action: str


@dataclass
class ExcelWriteResult:
    kind: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    created_count: int = 0
    updated_count: int = 0
    unchanged_count: int = 0
    skipped_count: int = 0
    records: list[WrittenRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.written and not self.problems

    def counts(self) -> dict[str, int]:
        return {
            "created_count": self.created_count,
            "updated_count": self.updated_count,
            "unchanged_count": self.unchanged_count,
            "skipped_count": self.skipped_count,
        }


class _RollBack(Exception):
    """Raised inside the write's transaction when a row failed: nothing of the file is kept."""


def write_workbook(kind: str, source: FileInput, user: Any, *, progress: Progress | None = None) -> ExcelWriteResult:
    """Check the workbook again and, if it has no problem, write all of it or nothing."""
    return write_checked(check_workbook(kind, source, user), user, progress=progress)


def write_checked(check: ExcelCheck, user: Any, *, progress: Progress | None = None) -> ExcelWriteResult:
    result = ExcelWriteResult(kind=check.kind, rows=check.rows, problems=list(check.problems))
    if check.problems:
        return result
    writer = _WRITERS[check.kind]
    try:
        # Texts of service errors are stored in English (their source) and translated when shown.
        with translation.override(None), transaction.atomic():
            with facts_deferred():  # one refresh of the report facts for the whole file, not one per row
                records = writer(check, user, result.problems, progress)
            if result.problems:
                raise _RollBack
    except _RollBack:
        return result
    except BatchRefused as refused:  # a rule broken since the check (someone changed a record meanwhile)
        result.problems += refused_problems(check.planned, refused)
        return result
    except (ConflictError, PermissionDenied, ValidationError, DatabaseError) as exc:  # the batch write failed whole
        result.problems.append(problem(P.WRITE_FAILED, error=_error_text(exc)))
        return result
    result.written = True
    result.records = records
    result.created_count = check.created_count
    result.updated_count = check.updated_count
    result.unchanged_count = check.unchanged_count
    return result


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)[:300]


def _record(item: Planned, instance: Any) -> WrittenRecord:
    return WrittenRecord(
        sheet=item.sheet,
        row=item.row,
        model=instance._meta.label,
        pk=instance.pk,
        public_id=instance.public_id,
        identifier=item.identifier or str(instance.public_id),
        action=item.action,
    )


def _row_problems(check: ExcelCheck, item: Planned, exc: Exception, found: list[Problem]) -> None:
    """A service's refusal as problems of the row, by column where the error names a field of the sheet."""
    spec = spec_for(check.kind)
    sheet = next((s for s in spec.sheets if s.key == check.kind), spec.main)
    keys = {column.key for column in sheet.columns}
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for name, messages in errors.items():
            for message in messages:
                found.append(
                    problem(
                        P.INVALID,
                        sheet=item.sheet,
                        row=item.row,
                        field=name if name in keys else "",
                        error=message,
                    )
                )
    elif isinstance(exc, ConflictError):
        found.append(problem(P.CONFLICT, sheet=item.sheet, row=item.row, field="version"))
    elif isinstance(exc, PermissionDenied):
        found.append(problem(P.INVALID, sheet=item.sheet, row=item.row, error=str(exc)))
    else:
        found.append(problem(P.WRITE_FAILED, sheet=item.sheet, row=item.row, error=str(exc)[:300]))


def _per_row(
    write_one: Callable[[Planned, Any], Any],
) -> Callable[[ExcelCheck, Any, list[Problem], Progress | None], list[WrittenRecord]]:
    """Write each planned row through its service, in a savepoint, collecting every row's problem."""

    def write(check: ExcelCheck, user: Any, found: list[Problem], progress: Progress | None) -> list[WrittenRecord]:
        records = []
        total = len(check.planned)
        for done, item in enumerate(check.planned, start=1):
            if item.action == UNCHANGED:
                records.append(_record(item, item.instance))
            else:
                try:
                    with transaction.atomic():
                        records.append(_record(item, write_one(item, user)))
                except (ValidationError, PermissionDenied, ConflictError, DatabaseError) as exc:
                    _row_problems(check, item, exc, found)
            if progress is not None and (done % 100 == 0 or done == total):
                progress(done, total)
        return records

    return write


def _original(item: Planned) -> Any:
    """The stored record, read again: the plan's instance already carries the new values."""
    return type(item.instance).all_objects.get(pk=item.instance.pk)


def _write_organisation(item: Planned, user: Any) -> Any:
    if item.action == CREATE:
        return organisation_services.organisation_create(user=user, data=item.data)
    return organisation_services.organisation_update(
        organisation=_original(item), user=user, data=item.data, expected_version=item.expected_version
    )


def _write_registration(item: Planned, user: Any) -> Any:
    if item.action == CREATE:
        return organisation_services.registration_create(user=user, data=item.data)
    return organisation_services.registration_update(
        registration=_original(item), user=user, data=item.data, expected_version=item.expected_version
    )


def _batch(check: ExcelCheck, user: Any, found: list[Problem], progress: Progress | None) -> list[WrittenRecord]:
    """The file's created and changed rows in one call of their batch service (`saving.save_planned`)."""
    # Written once the user confirmed the checked file, which listed what needed their confirmation.
    written = iter(save_planned(check.kind, check.planned, user, dry_run=False, confirmed=True))
    records = [_record(item, item.instance if item.action == UNCHANGED else next(written)) for item in check.planned]
    if progress is not None:
        progress(len(check.planned), len(check.planned))
    return records


_WRITERS: dict[str, Callable[[ExcelCheck, Any, list[Problem], Progress | None], list[WrittenRecord]]] = {
    "organisations": _per_row(_write_organisation),
    "registrations": _per_row(_write_registration),
    "aid_items": _batch,
    "transactions": _batch,
}

__all__ = ["ExcelWriteResult", "WrittenRecord", "write_checked", "write_workbook"]
