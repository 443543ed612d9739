"""A task worker killed in the middle of an IATI import (`kill -9`, the machine's OOM killer, a lost host) leaves
nothing behind: no database session idle in a transaction, no locks, no orphaned reader process; a worker that
starts again marks the run failed ("interrupted, nothing written"), and the same file imports afterwards.

These tests start real `manage.py db_worker` processes against a copy of the PostgreSQL test database (copied
from it as a template, reference data included, so that what the workers commit never reaches the other tests),
and kill them with SIGKILL. PostgreSQL only: on SQLite a dead process holds no lock that outlives it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[3]
ACTIVITIES = 1500  # about 10 MB: a few seconds of import, long enough to be killed half-way

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="kills a worker holding PostgreSQL sessions (DATABASE_URL=postgres://…)",
)


def _wait_for(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.1)


class Copy:
    """A scratch database made from the test database, and the processes that use it."""

    def __init__(self, name: str, url: str, var: Path) -> None:
        import psycopg

        self.name, self.url, self.var = name, url, var
        self.admin = psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
        self.monitor: Any = None  # a session of the copy, once made
        self.workers: list[subprocess.Popen[bytes]] = []
        self.orphans: list[int] = []

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings.office",
            "DJANGO_SECRET_KEY": "test-only-key",
            "AMITY_VAR_DIR": str(self.var),
            # The damage bounds are not what the test relies on: they are set far beyond its deadlines.
            "AMITY_IMPORT_IDLE_TIMEOUT": "600",
            "AMITY_IMPORT_STATEMENT_TIMEOUT": "600",
        }

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.var / f"worker-{len(self.workers)}.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-reload", "--no-startup-delay"],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def queue_import(self, path: Path) -> str:
        script = (
            "from amity.interop.choices import ImportKind\n"
            "from amity.interop.services import import_run_create, import_run_start\n"
            f"with open({str(path)!r}, 'rb') as stream:\n"
            "    run = import_run_create(user=None, kind=ImportKind.IATI, stream=stream, file_name='kill.xml')\n"
            "import_run_start(run=run)\n"
            "print(run.public_id)\n"
        )
        return self.manage("shell", "--no-imports", "-c", script).strip().splitlines()[-1]

    def create(self, template: str) -> None:
        import psycopg

        self.admin.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"')
        self.monitor = psycopg.connect(self.url, autocommit=True)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.monitor.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def run_of(self, public_id: str) -> tuple[Any, ...]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT status, error, created_count FROM interop_importrun WHERE public_id = %s", [public_id]
            ).fetchone()
            task = conn.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE args_kwargs -> 'args' ->> 0 = %s",
                [public_id],
            ).fetchone()
        assert row is not None
        return (*row, task[0] if task else None)

    def sessions(self) -> list[tuple[Any, ...]]:
        """The other sessions of the copy: pid, state, how many locks they hold."""
        return self.query(
            "SELECT a.pid, a.state, (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid) FROM pg_stat_activity a"
            " WHERE a.datname = %s AND a.pid <> pg_backend_pid()",
            self.name,
        )

    def close(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        for pid in self.orphans:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if self.monitor is not None:
            self.monitor.close()
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="module")
def copy(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copy]:
    """Module-scoped, so that it is made before a test opens its transaction on the test database (a template
    must have no other session)."""
    database = connection.settings_dict
    template = database["NAME"]
    name = f"amity_killed_{uuid.uuid4().hex[:12]}"
    host, port, user = database["HOST"] or "127.0.0.1", database["PORT"] or "5432", database["USER"] or "postgres"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    with django_db_blocker.unblock():
        connections.close_all()
    scratch = Copy(name, f"postgres://{user}{password}@{host}:{port}/{name}", tmp_path_factory.mktemp("killed"))
    try:
        scratch.create(template)
        yield scratch
    finally:
        scratch.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.django_db  # the test database is set up (and copied); the test itself uses the copy only
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")
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
    _wait_for(
        "the import to write",
        lambda: copy.query(
            "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = %s"
            " AND l.mode = 'RowExclusiveLock' AND l.relation = 'aid_aiditem'::regclass",
            copy.name,
        ),
        timeout=30,
    )
    readers = _children(worker.pid)
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    copy.orphans += readers  # killed at the end if they outlive the test

    # Nothing stays behind: no session of the copy idle in a transaction or holding locks, no reader process.
    _wait_for("the worker's sessions to end", lambda: not copy.sessions(), timeout=5)
    _wait_for("the reader process to end", lambda: not any(_alive(pid) for pid in readers), timeout=5)
    status, _error, _count, task = copy.run_of(run)
    assert (status, task) == ("running", "RUNNING"), "the import ended before the worker was killed"

    # A worker that starts again marks the run and its task failed: interrupted, nothing written.
    copy.start_worker()
    status, error, created, task = _wait_for(
        "the run to be marked failed", lambda: (r := copy.run_of(run))[0] == "failed" and r, timeout=20
    )
    assert (created, task) == (0, "FAILED")
    assert error.startswith("The import was interrupted") and "Nothing was written" in error
    assert _count_items(copy) == 0

    # The same file imports, and nothing waits on a lock.
    again = copy.queue_import(data)
    status, error, created, task = _wait_for(
        "the import to finish", lambda: (r := copy.run_of(again))[0] in ("done", "failed") and r, timeout=40
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
