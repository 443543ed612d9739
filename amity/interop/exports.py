"""Large exports in the background: the records a user's list filters select, written to a file by a task, so
that no request has to stay open for minutes. Small exports stream at once (`views_export`).

An export whose worker died while writing it (`kill -9`, the out-of-memory killer, a host that stopped) is marked
failed — "interrupted, nothing kept" — as interrupted imports are (`workers`): by every task worker at start and
periodically, and by its page; its user asks for it again. Nothing of it was kept: the file is written to a
temporary file first and kept only when whole, in a folder of its own run (`exports/<year>/<month>/<run>/`), which
the recovery empties — a worker killed while copying the finished file into storage leaves no file behind."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Mapping
from typing import Any

import django_filters
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amity.aid.filtersets import AidItemFilterSet
from amity.aid.models import AidItem
from amity.core.exceptions import PermissionDenied
from amity.core.scoping import Action
from amity.organisations.filtersets import OrganisationFilterSet
from amity.organisations.models import Organisation

from .choices import ExportKind, ImportStatus
from .excel.export import InvalidFilter, TooManyRows, export_workbook
from .models import ExportRun
from .workers import current_worker, worker_gone

# kind → (model, the FilterSet of its list, the file name's stem)
EXPORTS: dict[ExportKind, tuple[type[AidItem] | type[Organisation], type[django_filters.FilterSet], str]] = {
    ExportKind.IATI_ACTIVITIES: (AidItem, AidItemFilterSet, "iati-activities"),
    ExportKind.IATI_ORGANISATIONS: (Organisation, OrganisationFilterSet, "iati-organisations"),
}


def _progress_key(run: ExportRun) -> str:
    return f"amity:export-progress:{run.public_id}"


def _query(params: Mapping[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query


def export_queryset(kind: str, user: Any, params: Mapping[str, Any]) -> QuerySet[Any]:
    """The records of an export: the user's scope, then the list's filters (a ValueError if they are invalid)."""
    model, filterset_class, _stem = EXPORTS[ExportKind(kind)]
    query = _query(params)
    filterset = filterset_class(query or None, queryset=model.objects.restrict(user, Action.VIEW))
    if filterset.is_bound and not filterset.is_valid():
        raise ValueError(filterset.errors.as_text())
    filtered: QuerySet[Any] = filterset.qs  # django-filter is untyped
    return filtered


def export_run_create(*, user: Any, kind: str, params: QueryDict | Mapping[str, Any], total: int) -> ExportRun:
    """Record a background export of what `params` select and queue it."""
    if not ExportRun.scope_policy.allows(user, Action.ADD):
        raise PermissionDenied(_("You may not export these records."))
    plain = {name: params.getlist(name) for name in params} if isinstance(params, QueryDict) else dict(params)
    run = ExportRun.objects.create(kind=kind, params=plain, created_by=user, progress_total=total)
    from .tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(str(run.public_id)))
    return run


def export_run_execute(*, run: ExportRun) -> ExportRun:
    """Write the file (the task's body): streamed to a temporary file, then kept with the run."""
    from .iati.export import iter_activities, iter_organisations

    run.status = ImportStatus.RUNNING
    run.worker = current_worker()  # committed at once: what tells, if this process dies, that the run is over
    run.save(update_fields=["status", "worker"])

    def progress(done: int) -> None:
        cache.set(_progress_key(run), done, timeout=24 * 3600)

    try:
        with tempfile.TemporaryFile() as scratch:
            if run.kind.startswith("excel_"):
                kind = run.kind.removeprefix("excel_")
                export_workbook(kind, run.created_by, _query(run.params)).save(scratch)
                name = f"amity-{kind.replace('_', '-')}-{timezone.localdate():%Y%m%d}.xlsx"
            else:
                records = export_queryset(run.kind, run.created_by, run.params)
                pieces = (
                    iter_activities(records, progress=progress)
                    if run.kind == ExportKind.IATI_ACTIVITIES
                    else iter_organisations(records)
                )
                for piece in pieces:
                    scratch.write(piece)
                name = f"{EXPORTS[ExportKind(run.kind)][2]}-{timezone.localdate():%Y%m%d}.xml"
            scratch.seek(0)
            run.file.save(f"{run.public_id}/{name}", File(scratch), save=False)
        run.status = ImportStatus.DONE
    except (ValueError, InvalidFilter, TooManyRows) as exc:
        run.status, run.error = ImportStatus.FAILED, str(exc)
    run.finished_at = timezone.now()
    run.progress_done = run.progress_total
    run.save()
    cache.delete(_progress_key(run))
    return run


EXPORT_INTERRUPTED = gettext_noop(
    "The export was interrupted: the process writing it stopped (%(host)s, process %(pid)s). Nothing of it was"
    " kept; you can ask for it again."
)


def export_runs_recover(runs: QuerySet[ExportRun] | None = None) -> list[ExportRun]:
    """Mark failed, "interrupted", every running export (of `runs`, default all) whose worker has died, with its
    background task (`services.runs_recover`, as interrupted imports); run beside `import_runs_recover` by the task
    workers, and by the export's page."""
    from .services import runs_recover
    from .tasks import run_export

    recovered = runs_recover(
        ExportRun.objects.all() if runs is None else runs,
        message=EXPORT_INTERRUPTED,
        task_path=run_export.module_path,
        progress_key=_progress_key,
    )
    for run in recovered:
        _remove_stored_files(run)
    return recovered


def _remove_stored_files(run: ExportRun) -> None:
    """Delete what a dead worker had stored of `run`'s file: the run's folder in every month's folder from the
    run's creation to now (`upload_to` names the month on the server's clock when the file is saved; a day's
    margin covers the server's time zone)."""
    field = ExportRun._meta.get_field("file")
    assert isinstance(field.upload_to, str)  # a pattern of the month ("exports/%Y/%m/")
    created = ExportRun.objects.values_list("created_at", flat=True).get(pk=run.pk)
    month = (created - datetime.timedelta(days=1)).date().replace(day=1)
    while month <= datetime.datetime.now().date():
        folder = f"{month.strftime(field.upload_to)}{run.public_id}"
        try:
            names = field.storage.listdir(folder)[1]
        except FileNotFoundError:
            names = []
        for name in names:
            field.storage.delete(f"{folder}/{name}")
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def export_run_progress(run: ExportRun) -> dict[str, Any]:
    """How far an export is, for its page; one whose worker has died is marked failed here, and `run` refreshed."""
    if run.status == ImportStatus.RUNNING and run.worker and worker_gone(run.worker):
        export_runs_recover(ExportRun.objects.filter(pk=run.pk))
        run.refresh_from_db()
    done = run.progress_done if run.is_finished else cache.get(_progress_key(run), run.progress_done)
    total = run.progress_total or 1
    percent = 100 if run.is_finished else min(99, int(done * 100 / total))
    return {"status": run.status, "percent": percent, "done": done, "total": run.progress_total, "unit": "records"}
