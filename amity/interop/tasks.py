"""Background work of the data exchange (Django Tasks API): imports run here, so that a page can show their
progress while they run. Tasks receive ids, never model instances."""

from __future__ import annotations

from django_tasks import task

from .models import ImportRun
from .services import import_run_execute


@task()
def run_import(run_public_id: str) -> str:
    run = ImportRun.objects.get(public_id=run_public_id)
    run = import_run_execute(run=run)
    return run.status


@task()
def run_export(run_public_id: str) -> str:
    from .exports import export_run_execute
    from .models import ExportRun

    return export_run_execute(run=ExportRun.objects.get(public_id=run_public_id)).status
