"""Real task workers to kill: a scratch PostgreSQL database copied from the test database (as a template, reference
data included, so that what the workers commit never reaches the other tests), `manage.py db_worker` processes
started on it, and what the tests look at from outside (sessions, locks, runs, files, processes).
Used by `test_worker_killed.py` (imports) and `test_worker_killed_export.py` (exports); the module-scoped `copy`
fixture (`conftest.py`) gives each test module a database of its own."""

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

postgresql_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="kills a worker holding PostgreSQL sessions (DATABASE_URL=postgres://…)",
)
linux_only = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")


def wait_for(what: str, check: Callable[[], Any], timeout: float) -> Any:
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

    def queue_export(self, username: str, total: int) -> str:
        """A background IATI export of every aid item, asked by `username` (a central officer, made if missing)."""
        script = (
            "from amity.accounts.models import User\n"
            "from amity.interop.choices import ExportKind\n"
            "from amity.interop.exports import export_run_create\n"
            f"user, _ = User.objects.get_or_create(username={username!r}, defaults={{'role': 'central_officer'}})\n"
            f"run = export_run_create(user=user, kind=ExportKind.IATI_ACTIVITIES, params={{}}, total={total})\n"
            "print(run.public_id)\n"
        )
        return self.manage("shell", "--no-imports", "-c", script).strip().splitlines()[-1]

    def export_of(self, public_id: str) -> tuple[Any, ...]:
        """An export run's status, error, file and worker, and its task's status."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT status, error, file, worker FROM interop_exportrun WHERE public_id = %s", [public_id]
            ).fetchone()
            task = conn.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE args_kwargs -> 'args' ->> 0 = %s",
                [public_id],
            ).fetchone()
        assert row is not None
        return (*row, task[0] if task else None)

    def files(self) -> list[Path]:
        """The files kept under the copy's media folder (uploads, exports)."""
        media = self.var / "media"
        return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []

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
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if self.monitor is not None:
            self.monitor.close()
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.close()


def children(pid: int) -> list[int]:
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


def scratch_bytes(pid: int) -> int:
    """How much process `pid` has written to the largest deleted file it holds open (a `tempfile.TemporaryFile`:
    where an export is written before it is kept), 0 if none."""
    largest = 0
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            if os.readlink(fd).endswith(" (deleted)"):
                largest = max(largest, fd.stat().st_size)
        except OSError:
            continue
    return largest


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def scratch_copy(django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copy]:
    """A copy of the test database and its processes, dropped at the end (the `copy` fixture)."""
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
