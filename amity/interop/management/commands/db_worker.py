"""`manage.py db_worker`: django-tasks' database worker, which also recovers the imports and exports of workers
that died.

When it starts, and then every `AMITY_WORKER_RECOVERY_INTERVAL` seconds (in a thread, so also while it runs a
long import), it marks failed — "interrupted, nothing written" — the running imports and exports whose worker has
died (`amity.interop.services.import_runs_recover`, `amity.interop.exports.export_runs_recover`), so their users can
run them again. Amity lists its apps before django_tasks_db, so that this command is the one `manage.py db_worker`
runs.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connections
from django_tasks_db.management.commands import db_worker

from amity.interop.exports import export_runs_recover
from amity.interop.services import import_runs_recover

logger = logging.getLogger("amity.interop.worker")


def recover() -> None:
    """One look for interrupted imports and exports; never stops the worker (the next look tries again)."""
    try:
        for run in import_runs_recover():
            logger.warning("Marked the interrupted import %s failed", run.public_id)
        for export in export_runs_recover():
            logger.warning("Marked the interrupted export %s failed", export.public_id)
    except Exception:
        logger.exception("Could not look for interrupted imports or exports")
    finally:
        connections.close_all()  # this thread's connections: none is kept open between looks


def _recover_every(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        recover()


class Command(db_worker.Command):
    help = "Run a database background worker (and mark failed the imports and exports of workers that died)"

    def handle(self, *args: Any, **options: Any) -> None:
        recover()
        interval = float(settings.AMITY_WORKER_RECOVERY_INTERVAL)
        stop = threading.Event()
        if interval > 0:
            threading.Thread(
                target=_recover_every, args=(interval, stop), name="amity-recover-imports", daemon=True
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
