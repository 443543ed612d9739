"""A task worker killed in the middle of an IATI import (`kill -9`, the machine's OOM killer, a lost host) leaves
nothing behind: no database session idle in a transaction, no locks, no orphaned reader process; a worker that
starts again marks the run failed ("interrupted, nothing written"), and the same file imports afterwards.

These tests start real `manage.py db_worker` processes against a copy of the PostgreSQL test database (copied
from it as a template, reference data included, so that what the workers commit never reaches the other tests),
and kill them with SIGKILL. PostgreSQL only: on SQLite a dead process holds no lock that outlives it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from .killing import ROOT, Copy, alive, children, linux_only, postgresql_only, wait_for

ACTIVITIES = 1500  # about 10 MB: a few seconds of import, long enough to be killed half-way

pytestmark = postgresql_only


@pytest.mark.django_db  # the test database is set up (and copied); the test itself uses the copy only
@linux_only
def test_a_worker_killed_during_an_import_leaves_nothing_locked_and_the_run_failed(copy: Copy, tmp_path: Path) -> None:
    started = time.monotonic()
    data = tmp_path / "activities.xml"
    subprocess.run(
        [sys.executable, "benchmarks/iati_generate.py", "--activities", str(ACTIVITIES), "--out", str(data)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    worker = copy.start_worker()
    run = copy.queue_import(data)

    # Half-way: the worker's session writes (it holds row locks on the register's tables).
    wait_for(
        "the import to write",
        lambda: copy.query(
            "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = %s"
            " AND l.mode = 'RowExclusiveLock' AND l.relation = 'aid_aiditem'::regclass",
            copy.name,
        ),
        timeout=30,
    )
    readers = children(worker.pid)
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    copy.orphans += readers  # killed at the end if they outlive the test

    # Nothing stays behind: no session of the copy idle in a transaction or holding locks, no reader process.
    wait_for("the worker's sessions to end", lambda: not copy.sessions(), timeout=5)
    wait_for("the reader process to end", lambda: not any(alive(pid) for pid in readers), timeout=5)
    status, _error, _count, task = copy.run_of(run)
    assert (status, task) == ("running", "RUNNING"), "the import ended before the worker was killed"

    # A worker that starts again marks the run and its task failed: interrupted, nothing written.
    copy.start_worker()
    status, error, created, task = wait_for(
        "the run to be marked failed", lambda: (r := copy.run_of(run))[0] == "failed" and r, timeout=20
    )
    assert (created, task) == (0, "FAILED")
    assert error.startswith("The import was interrupted") and "Nothing was written" in error
    assert _count_items(copy) == 0

    # The same file imports, and nothing waits on a lock.
    again = copy.queue_import(data)
    status, error, created, task = wait_for(
        # The run ends inside its task; django-tasks records the task's own end in a later commit.
        "the import and its task to finish",
        lambda: (r := copy.run_of(again))[0] in ("done", "failed") and r[3] in ("SUCCESSFUL", "FAILED") and r,
        timeout=40,
    )
    assert (status, error, task) == ("done", "", "SUCCESSFUL")
    assert created > 0 and _count_items(copy) == created
    assert time.monotonic() - started < 90


def _count_items(copy: Copy) -> int:
    import psycopg

    with psycopg.connect(copy.url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM aid_aiditem").fetchone()
    return int(row[0]) if row else 0


@pytest.mark.django_db
def test_the_import_session_is_bounded_by_timeouts_from_the_settings(settings: Any) -> None:
    """Whatever else fails, PostgreSQL ends an import session left idle in its transaction, and any statement
    of an import that runs (or waits on a lock) longer than allowed."""
    from django.db import transaction

    from amity.interop.services import import_session_limits

    settings.AMITY_IMPORT_IDLE_TIMEOUT = 90
    settings.AMITY_IMPORT_STATEMENT_TIMEOUT = 600

    def show(name: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return str(cursor.fetchone()[0])

    with transaction.atomic(), import_session_limits():
        assert (show("statement_timeout"), show("idle_in_transaction_session_timeout")) == ("10min", "90s")
