"""Which process runs an import, and whether it still lives.

A run records, when it starts, the process that runs it: host, process id and the process's start time (so that
a reused process id is not mistaken for it), and on PostgreSQL its database session (server process id and
start). A run is *interrupted* when that process is known to have ended without finishing it (`kill -9`, the
out-of-memory killer, a machine that stopped): on PostgreSQL its session is gone — its transaction with it, so
nothing of the import was written —, or, on the run's own host, its process is gone. A run on another host
whose session still lives is never taken for interrupted.
"""

from __future__ import annotations

import datetime
import os
import socket
from pathlib import Path
from typing import Any

from django.db import connection


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (Linux), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_started(pid: int) -> str:
    """When process `pid` started (clock ticks since boot, Linux), "" where that cannot be read."""
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else ""


def process_alive(pid: int, started: str = "") -> bool:
    """Whether process `pid` of this host still runs (a zombie does not) and is the one started at `started`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    fields = _proc_stat(pid)
    if fields is None:
        return not Path("/proc/self/stat").exists()  # no /proc (not Linux): os.kill said it exists
    return fields[0] != "Z" and (not started or fields[19] == started)


def current_worker() -> dict[str, Any]:
    """This process, as a run records it (JSON)."""
    pid = os.getpid()
    worker: dict[str, Any] = {"host": socket.gethostname(), "pid": pid, "started": process_started(pid)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            row = cursor.fetchone()
        if row is not None:
            worker["session"] = {"pid": row[0], "started": row[1].isoformat()}
    return worker


def _session_alive(session: dict[str, Any]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT backend_start FROM pg_stat_activity WHERE pid = %s", [session.get("pid")])
        row = cursor.fetchone()
    return row is not None and row[0] == datetime.datetime.fromisoformat(str(session.get("started")))


def worker_gone(worker: dict[str, Any]) -> bool:
    """Whether the process recorded as `worker` is known to have ended. Unknown (nothing recorded, another
    host without a database session to ask about) is not gone."""
    session = worker.get("session")
    if isinstance(session, dict) and connection.vendor == "postgresql" and not _session_alive(session):
        return True
    if worker.get("host") == socket.gethostname() and isinstance(worker.get("pid"), int):
        return not process_alive(worker["pid"], str(worker.get("started") or ""))
    return False


def end_orphaned_session(worker: dict[str, Any]) -> bool:
    """End the database session of a worker whose process is gone, if something else still holds it open (a
    process that inherited the connection): its transaction is rolled back and its locks are released. True if
    a session was ended."""
    session = worker.get("session")
    if not isinstance(session, dict) or connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = %s AND backend_start = %s",
            [session.get("pid"), datetime.datetime.fromisoformat(str(session.get("started")))],
        )
        row = cursor.fetchone()
    return bool(row and row[0])
