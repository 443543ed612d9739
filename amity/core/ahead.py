"""The next batch's work done while the database writes this one.

A large import alternates two kinds of waiting: the importer plans a batch in Python while PostgreSQL idles,
then PostgreSQL writes it while the importer idles. `PlannedAhead` runs the planning (any iterator) in a thread,
one or a few batches ahead of the writer, so the two overlap: the writer's thread spends most of a batch waiting
on the server with the interpreter lock released, and the planner's thread runs then.

The planner thread has **its own database connection** (Django's connections are per thread), outside the
writer's transaction: it sees what was committed before the import began, never the import's own rows. So it
may only be used where planning needs nothing that the import itself writes (the IATI importer: an identifier is
read once per file, organisations created by the import are tracked in memory), and only where a second
connection sees the same database — not inside an enclosing transaction (a test's), and not on SQLite (an
in-memory database is another database per connection; a file database would lock). `may_plan_ahead()` says
when. Everything else stays one thread: the writer's transaction, savepoints and commit are never touched from
the planner.

An error in the planner (a malformed file) is raised in the writer at the batch where it happened; an error in
the writer stops the planner at its next batch, and its connection is closed either way.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

from django.db import connection, connections
from django.utils import translation

T = TypeVar("T")

_POLL_SECONDS = 0.1  # how soon a planner waiting for room notices that the writer stopped


def may_plan_ahead() -> bool:
    """Whether a planner thread's own connection would see the same committed database as the writer."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _End:
    pass


class PlannedAhead(Generic[T]):
    """Iterate `produce()` with its items made in a thread, up to `depth` items ahead of the caller."""

    def __init__(self, produce: Callable[[], Iterator[T]], *, depth: int = 1) -> None:
        self._produce = produce
        self._queue: queue.Queue[T | _Failed | _End] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._language = translation.get_language()
        self._thread = threading.Thread(target=self._run, name="amity-plan-ahead", daemon=True)

    def __enter__(self) -> PlannedAhead[T]:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        while self._thread.is_alive():  # make room, so a planner blocked on a full queue sees the stop
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=_POLL_SECONDS)
        self._thread.join()

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def _put(self, item: T | _Failed | _End) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            with translation.override(self._language):
                for item in self._produce():
                    if not self._put(item):
                        return
            self._put(_End())
        except BaseException as error:  # handed to the writer, which raises it
            self._put(_Failed(error))
        finally:
            connections.close_all()  # this thread's own connections only


__all__ = ["PlannedAhead", "may_plan_ahead"]
