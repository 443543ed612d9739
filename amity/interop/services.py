"""Writes of the data exchange: import runs are created from an upload (or a file on the command line), run
now or as a background task, and keep their counts and report. The records themselves are written by the
importers (`iati/importer.py`, `excel/`), which apply the domain services' rules."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amity.core import audit
from amity.core.ahead import may_plan_ahead
from amity.core.audit import AuditKind
from amity.core.exceptions import PermissionDenied
from amity.core.scoping import Action, jurisdiction
from amity.reference.models import AdministrativeUnit

from .choices import ImportKind, ImportStatus
from .excel.problems import problem_text as message_text
from .models import ExportRun, ImportRun, RecordSource
from .workers import current_worker, end_orphaned_session, worker_gone

logger = logging.getLogger(__name__)

MAX_STORED_PROBLEMS = 10_000  # a report longer than this keeps its first lines and says how many more
PREVIEW_ROWS = 500  # rows a checked Excel file lists before confirmation (the counts say how many in all)
PROGRESS_EVERY = 0.5  # seconds between progress writes


def _progress_key(run: ImportRun) -> str:
    return f"amity:import-progress:{run.public_id}"


def import_run_create(
    *,
    user: Any,
    kind: str,
    stream: IO[bytes],
    file_name: str,
    owning_province: AdministrativeUnit | None = None,
    options: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> ImportRun:
    """Keep the uploaded file and record the run (queued). `user` None is the system (command line)."""
    if user is not None:
        if not ImportRun.scope_policy.allows(user, Action.ADD):
            raise PermissionDenied(_("You are not allowed to import data."))
        limited = jurisdiction(user)
        if limited is not None and (owning_province is None or owning_province.pk not in limited):
            raise PermissionDenied(_("Choose one of your provinces for the import."))
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    run = ImportRun(
        kind=kind,
        file_name=file_name[:300],
        file_size=size,
        file_sha256=digest.hexdigest(),
        options=options or {},
        dry_run=dry_run,
        owning_province=owning_province,
        created_by=user,
        progress_total=size,
    )
    run.file.save(file_name[-100:], File(stream), save=False)
    run.save()
    details = {"import": kind, "file_name": run.file_name, "dry_run": dry_run, "run": str(run.public_id)}
    audit.record(AuditKind.IMPORT_STARTED, actor=user, details=details)
    return run


def import_run_start(*, run: ImportRun) -> ImportRun:
    """Queue the run as a background task (run at once by the immediate backend in tests)."""
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(str(run.public_id)))
    return run


def import_run_execute(*, run: ImportRun, progress: Callable[[int], None] | None = None) -> ImportRun:
    """Run the import now (the task's body, and the command line's), recording progress, counts and report.

    The records and the run's outcome are written in one transaction: a run is done with everything it wrote,
    or nothing of it is written (so a run whose worker died half-way is "interrupted, nothing written",
    `import_runs_recover`). The process running it is recorded first, committed at once."""
    run.status = ImportStatus.RUNNING
    run.started_at = timezone.now()
    run.worker = current_worker()
    run.save(update_fields=["status", "started_at", "worker"])
    last_write = [0.0]

    def on_progress(done: int) -> None:
        now = time.monotonic()
        if now - last_write[0] >= PROGRESS_EVERY:
            last_write[0] = now
            cache.set(_progress_key(run), done, timeout=24 * 3600)
        if progress is not None:
            progress(done)

    # Decided before the run's own transaction: a planner thread sees what was committed before it (core.ahead).
    runner = partial(_run_iati, plan_ahead=may_plan_ahead()) if run.kind == ImportKind.IATI else _run_excel
    try:
        with transaction.atomic(), import_session_limits():
            result = runner(run, on_progress)
            _store_result(run, result)
            _finish(run)
    except PermissionDenied as exc:
        _refresh_outcome(run)
        run.status = ImportStatus.FAILED
        run.error, run.error_params = str(exc.args[0] if exc.args else exc), {}
        _finish(run)
    except Exception as exc:  # a fault of Amity or of the machine: the run says so instead of staying "running"
        logger.exception("Import run %s stopped on an unexpected error", run.public_id)
        _refresh_outcome(run)
        run.status = ImportStatus.FAILED
        if isinstance(exc, OperationalError) and _was_cancelled_for_time(exc):
            run.error = gettext_noop(
                "The import took longer than the database allows for one step (%(seconds)s s) and was stopped;"
                " nothing was written."
            )
            run.error_params = {"seconds": f"{settings.AMITY_IMPORT_STATEMENT_TIMEOUT:g}"}
        else:
            run.error = gettext_noop("The import stopped on an unexpected error; nothing was written. %(error)s")
            run.error_params = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        _finish(run)
    cache.delete(_progress_key(run))
    return run


def _finish(run: ImportRun) -> None:
    run.progress_done = run.progress_total
    run.finished_at = timezone.now()
    run.save()


def _refresh_outcome(run: ImportRun) -> None:
    """After a rollback: the counts and report set on the run in memory were not written, and are not kept."""
    for name in ("created_count", "updated_count", "unchanged_count", "skipped_count"):
        setattr(run, name, 0)
    run.problems = []


def _was_cancelled_for_time(error: OperationalError) -> bool:
    cause = error.__cause__
    return type(cause).__name__ in {"QueryCanceled", "IdleInTransactionSessionTimeout"}


@contextmanager
def import_session_limits() -> Iterator[None]:
    """Bound what an import's transaction may hold on PostgreSQL: the session is ended if it stays idle in its
    transaction (`AMITY_IMPORT_IDLE_TIMEOUT` seconds), and a statement that runs or waits on a lock longer than
    `AMITY_IMPORT_STATEMENT_TIMEOUT` seconds is cancelled (0: no limit). Set for the transaction only
    (`SET LOCAL`): they end with it, and the worker's other tasks keep the server's defaults."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('idle_in_transaction_session_timeout', %s, true),"
                " set_config('statement_timeout', %s, true)",
                [
                    str(int(settings.AMITY_IMPORT_IDLE_TIMEOUT * 1000)),
                    str(int(settings.AMITY_IMPORT_STATEMENT_TIMEOUT * 1000)),
                ],
            )
    yield


INTERRUPTED = gettext_noop(
    "The import was interrupted: the process running it stopped (%(host)s, process %(pid)s). Nothing was written;"
    " you can run it again."
)


def import_runs_recover(runs: QuerySet[ImportRun] | None = None) -> list[ImportRun]:
    """Mark failed, "interrupted, nothing written", every running import (of `runs`, default all) whose worker
    has died (`workers`), and its background task; a database session the dead worker left open is ended. Run
    by every task worker when it starts and then periodically (`manage.py db_worker`), and when a run's page
    asks how far it is."""
    from .tasks import run_import

    return runs_recover(
        ImportRun.objects.all() if runs is None else runs,
        message=INTERRUPTED,
        task_path=run_import.module_path,
        progress_key=_progress_key,
    )


class WorkerDied(Exception):
    """The task's worker died while running it (recorded as the failure of its task)."""


_Run = TypeVar("_Run", ImportRun, ExportRun)


def runs_recover(
    runs: QuerySet[_Run], *, message: str, task_path: str, progress_key: Callable[[_Run], str]
) -> list[_Run]:
    """Mark failed, with `message` (a source text naming the worker's host and pid), every running run of `runs` —
    import or export runs — whose worker has died, and its background task (django-tasks' database backend keeps it
    "running" otherwise, for ever); a database session the dead worker left open is ended."""
    recovered = []
    for run in runs.filter(status=ImportStatus.RUNNING).only("pk", "public_id", "worker"):
        if not run.worker or not worker_gone(run.worker):
            continue
        if end_orphaned_session(run.worker):
            logger.warning("Ended the database session left open by the dead worker of run %s", run.public_id)
        params = {"host": str(run.worker.get("host", "?")), "pid": str(run.worker.get("pid", "?"))}
        with transaction.atomic():
            marked = runs.model.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).update(
                status=ImportStatus.FAILED, error=message, error_params=params, finished_at=timezone.now()
            )
            if marked:
                _fail_task(task_path, run.public_id, WorkerDied(message % params))
        if marked:
            logger.warning("Run %s was interrupted (its worker %s died)", run.public_id, params)
            cache.delete(progress_key(run))
            recovered.append(run)
    return recovered


def _fail_task(task_path: str, run_public_id: Any, error: Exception) -> None:
    from django_tasks_db.models import DBTaskResult

    for task in DBTaskResult.objects.filter(status="RUNNING", task_path=task_path):
        if (task.args_kwargs or {}).get("args") == [str(run_public_id)]:
            task.set_failed(error)


def _run_iati(run: ImportRun, on_progress: Callable[[int], None], *, plan_ahead: bool = False) -> Any:
    from .iati.importer import IatiImporter

    importer = IatiImporter(
        user=run.created_by,
        owning_province=run.owning_province,
        vn_only=bool(run.options.get("vn_only")),
        locations_outside_confirmed=bool(run.options.get("locations_outside_confirmed")),
        dry_run=run.dry_run,
        run=run,
        progress=on_progress,
        plan_ahead=plan_ahead,
    )
    with run.file.open("rb") as stream:
        return importer.import_stream(stream)


@dataclass
class _ExcelOutcome:
    """What an Excel check or write gives the run: counts, problems, nothing refused at file level (a bad file
    is one problem of the check)."""

    created: int
    updated: int
    unchanged: int
    skipped: int
    problems: list[Mapping[str, Any]]  # Excel `Problem`s
    ok: bool
    records: list[Any]
    preview: list[dict[str, Any]] = field(default_factory=list)  # what confirming will write, row by row
    confirmations: list[Mapping[str, Any]] = field(default_factory=list)  # what confirming also confirms
    refused: None = None

    def summary(self) -> dict[str, Any]:
        return {"rows_ok": self.ok}


def _run_excel(run: ImportRun, on_progress: Callable[[int], None]) -> Any:
    """An Excel upload runs twice: first the complete check (nothing written; the run waits for the user's
    confirmation), then, once confirmed, the write (checked again, all rows or none)."""
    from .excel.check import check_workbook
    from .excel.write import write_workbook

    size = run.file_size or 1

    def rows_done(done: int, total: int) -> None:
        on_progress(int(size * done / max(total, 1)))

    with run.file.open("rb") as stream:
        if run.options.get("confirmed"):
            written = write_workbook(run.kind, stream, run.created_by, progress=rows_done)
            return _ExcelOutcome(
                written.created_count,
                written.updated_count,
                written.unchanged_count,
                written.skipped_count,
                list(written.problems),
                written.written,
                list(written.records),
            )
        checked = check_workbook(run.kind, stream, run.created_by)
        return _ExcelOutcome(
            checked.created_count,
            checked.updated_count,
            checked.unchanged_count,
            checked.skipped_count,
            list(checked.problems),
            checked.ok,
            [],
            checked.preview(PREVIEW_ROWS),
            list(checked.confirmations),
        )


def import_run_confirm(*, run: ImportRun, user: Any) -> ImportRun:
    """The user confirms a checked Excel upload: it is queued again to be written."""
    _ensure_may_change(run, user)
    if run.kind == ImportKind.IATI or run.status != ImportStatus.CHECKED:
        raise ValidationError(_("Only a checked Excel file waiting for confirmation can be written."))
    run.status = ImportStatus.QUEUED
    run.options = {**run.options, "confirmed": True}
    run.progress_done = 0
    run.save(update_fields=["status", "options", "progress_done"])
    return import_run_start(run=run)


def import_run_discard(*, run: ImportRun, user: Any) -> ImportRun:
    """The user drops a checked Excel upload: nothing of it is written."""
    _ensure_may_change(run, user)
    if run.status != ImportStatus.CHECKED:
        raise ValidationError(_("Only a checked file waiting for confirmation can be discarded."))
    run.status = ImportStatus.DISCARDED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


def _ensure_may_change(run: ImportRun, user: Any) -> None:
    allowed = ImportRun.objects.restrict(user, Action.CHANGE).filter(pk=run.pk).exists()
    if not allowed or (run.created_by_id is not None and run.created_by_id != getattr(user, "pk", None)):
        raise PermissionDenied(_("Only who uploaded this file can confirm or discard it."))


def _store_result(run: ImportRun, result: Any) -> None:
    if isinstance(result, _ExcelOutcome):
        _store_excel(run, result)
        return
    if result.refused is not None:
        run.status = ImportStatus.FAILED
        run.error = result.refused.message
        run.error_params = {k: str(v) for k, v in result.refused.params.items()}
        if result.refused.line and "line" not in run.error_params:
            run.error_params["line"] = str(result.refused.line)
    else:
        run.status = ImportStatus.DONE
    run.created_count = result.created
    run.updated_count = result.updated
    run.unchanged_count = result.unchanged
    run.skipped_count = result.skipped
    problems = [problem.as_json() for problem in result.problems[:MAX_STORED_PROBLEMS]]
    if len(result.problems) > MAX_STORED_PROBLEMS:
        problems.append(
            {
                "message": gettext_noop("… and %(count)s more."),
                "params": {"count": str(len(result.problems) - MAX_STORED_PROBLEMS)},
            }
        )
    run.problems = problems
    run.options = {**run.options, "summary": result.summary()}


def _store_excel(run: ImportRun, result: _ExcelOutcome) -> None:
    confirmed = bool(run.options.get("confirmed"))
    if not result.ok:
        run.status = ImportStatus.FAILED
    else:
        run.status = ImportStatus.DONE if confirmed else ImportStatus.CHECKED
    run.created_count, run.updated_count = result.created, result.updated
    run.unchanged_count, run.skipped_count = result.unchanged, result.skipped
    problems = result.problems[:MAX_STORED_PROBLEMS]
    if len(result.problems) > MAX_STORED_PROBLEMS:
        problems.append(
            {
                "message": gettext_noop("… and %(count)s more."),
                "params": {"count": len(result.problems) - MAX_STORED_PROBLEMS},
            }
        )
    run.problems = problems
    if not confirmed:
        run.options = {**run.options, "preview": result.preview, "confirmations": result.confirmations}
    if result.records:
        _record_excel_sources(run, result.records)


def _record_excel_sources(run: ImportRun, records: list[Any]) -> None:
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    now = timezone.now()
    types = {label: ContentType.objects.get_for_model(apps.get_model(label)) for label in {r.model for r in records}}
    RecordSource.objects.bulk_create(
        [
            RecordSource(
                content_type=types[record.model],
                object_id=record.pk,
                run=run,
                identifier=str(record.identifier)[:250],
                sheet=record.sheet[:100],
                row=record.row,
                imported_at=now,
            )
            for record in records
        ],
        update_conflicts=True,
        unique_fields=["content_type", "object_id"],
        update_fields=["run", "identifier", "line", "sheet", "row", "imported_at"],
    )


def import_run_progress(run: ImportRun) -> dict[str, Any]:
    """How far a run is, for its page: from the cache while it runs (its transaction is not committed yet). A
    run whose worker has died is marked failed here (`import_runs_recover`), and `run` refreshed."""
    if run.status == ImportStatus.RUNNING and run.worker and worker_gone(run.worker):
        import_runs_recover(ImportRun.objects.filter(pk=run.pk))
        run.refresh_from_db()
    done = run.progress_done
    if not run.is_settled:
        done = cache.get(_progress_key(run), done)
    total = run.progress_total or 1
    percent = 100 if run.is_settled else min(99, int(done * 100 / total))
    return {"status": run.status, "percent": percent, "done": done, "total": run.progress_total, "unit": "bytes"}


def problem_text(problem: dict[str, Any]) -> str:
    """One line of a report in the reader's language: where, which record, what."""
    raw = problem.get("message", "")
    message = message_text({"message": raw, "params": problem.get("params") or {}}) if raw else ""
    where = []
    if problem.get("line"):
        where.append(_("line %(line)s") % {"line": problem["line"]})
    if problem.get("sheet"):
        where.append(_("sheet %(sheet)s") % {"sheet": problem["sheet"]})
    if problem.get("row"):
        where.append(_("row %(row)s") % {"row": problem["row"]})
    if problem.get("column"):
        where.append(_("field %(column)s") % {"column": problem["column"]})
    if problem.get("record"):
        where.append(str(problem["record"]))
    return f"{', '.join(where)}: {message}" if where else message
