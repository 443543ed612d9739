"""Helpers of the tests that run two writers at the same moment on PostgreSQL: each writer in a thread with its own
database connection and transaction, held at a chosen point of its work (after its reads, before it takes a lock)
so that the writers overlap where a race would hurt. On SQLite a writer holds the whole database from the start of
its transaction, so the second would read after the first committed: these tests are skipped there."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

POSTGRESQL_ONLY = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="two transactions at once on PostgreSQL (DATABASE_URL=postgres://…)",
)
TIMEOUT = 20  # seconds a thread waits for the others; a test never waits longer


def hold(
    monkeypatch: pytest.MonkeyPatch,
    owner: Any,
    name: str,
    reached: Callable[[], object],
    when: Callable[..., bool] = lambda *args, **kwargs: True,
) -> None:
    """Make each thread call `reached()` (wait at a barrier, signal and wait) right after its first call of
    `owner.name` whose arguments `when` accepts — once per thread; later calls run unheld."""
    original = getattr(owner, name)
    held = threading.local()

    def then_wait(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not getattr(held, "once", False) and when(*args, **kwargs):
            held.once = True
            reached()
        return result

    monkeypatch.setattr(owner, name, then_wait)


def start(call: Callable[[], Any], results: list[Any], index: int, name: str = "") -> threading.Thread:
    """Run `call` in a thread of its own (its own connection, closed at the end); its result, or the exception it
    raised, goes to `results[index]`."""

    def run() -> None:
        try:
            results[index] = call()
        except Exception as exc:  # reported by the test, as a server error would be
            results[index] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name or f"writer-{index}")
    thread.start()
    return thread


def at_once(
    monkeypatch: pytest.MonkeyPatch, holds: Sequence[tuple[Any, str]], calls: list[Callable[[], Any]]
) -> list[Any]:
    """Run `calls` in threads, each held after the first of `holds` it passes (owner, attribute name) until all
    have passed one: every writer has read what it read before any of them writes."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    waited = threading.local()

    def reached() -> None:  # once per thread, at whichever hold it passes first
        if not getattr(waited, "once", False):
            waited.once = True
            barrier.wait()

    for owner, name in holds:
        hold(monkeypatch, owner, name, reached)
    results: list[Any] = [None] * len(calls)
    threads = [start(call, results, index) for index, call in enumerate(calls)]
    for thread in threads:
        thread.join(timeout=3 * TIMEOUT)
    return results


def finished_or_waiting_on_a_lock(thread: threading.Thread) -> bool:
    """Wait until `thread` has finished or its transaction waits on a row lock another one holds (PostgreSQL's
    `pg_stat_activity`); False after the timeout."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if not thread.is_alive():
            return True
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False
