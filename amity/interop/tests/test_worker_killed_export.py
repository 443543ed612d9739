"""A task worker killed in the middle of a large export (`kill -9`, the out-of-memory killer, a lost host): the
export is never offered half-written. A worker that starts again marks the run and its task failed ("The export
was interrupted … Nothing of it was kept; you can ask for it again." — the documented design: an export is not run
again by itself, its user asks again), no file of it is kept, and the same export asked again is written whole.

A real `manage.py db_worker` on a copy of the PostgreSQL test database (`killing.py`), with 600 aid items from
`benchmarks/generate.py`: the worker is killed when it has written a third of the export (its scratch file, seen
in /proc).
PostgreSQL only (CI runs it there); under a minute (55 s measured on two cores with a load of 14).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from .killing import ROOT, Copy, alive, children, linux_only, postgresql_only, scratch_bytes, wait_for

ITEMS = 600  # about 4.5 MB of IATI XML: a few seconds of writing
HALF_WAY = 1_500_000  # bytes of it written when the worker is killed

pytestmark = [postgresql_only, linux_only]


def _generate(copy: Copy, items: int) -> None:
    """The register of a small country: `items` aid items with ten transactions each, no report facts."""
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/generate.py",
            *("--items", str(items), "--transactions", str(items * 10), "--organisations", "50"),
            *("--facts", "none"),
        ],
        cwd=ROOT,
        env=copy.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db  # the test database is set up (and copied); the test itself uses the copy only
def test_a_worker_killed_during_an_export_keeps_no_part_of_it_and_the_run_failed(copy: Copy) -> None:
    started = time.monotonic()
    worker = copy.start_worker()  # starts while the data is made
    _generate(copy, ITEMS)
    run = copy.queue_export("t-exporter", ITEMS)

    # Half-way: the worker has taken the export and written part of it to its scratch file.
    wait_for("the export to be written", lambda: scratch_bytes(worker.pid) > HALF_WAY, timeout=30)
    helpers = children(worker.pid)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    copy.orphans += helpers
    status, _error, file, recorded, task = copy.export_of(run)
    assert (status, task) == ("running", "RUNNING"), "the export ended before the worker was killed"
    assert recorded["pid"] == worker.pid
    assert file == "" and copy.files() == []  # nothing written where a download could find it
    wait_for("the worker's sessions to end", lambda: not copy.sessions(), timeout=5)

    # A worker that starts again marks the run and its task failed, with a message its user can act on.
    copy.start_worker()
    status, error, file, _worker, task = wait_for(
        "the export to be marked failed", lambda: (r := copy.export_of(run))[0] == "failed" and r, timeout=20
    )
    assert task == "FAILED"
    assert error.startswith("The export was interrupted") and "you can ask for it again" in error
    assert file == "" and copy.files() == []  # no partial file, now or later: the page offers no download

    # Asked again, the same export is written whole by the new worker.
    again = copy.queue_export("t-exporter", ITEMS)
    status, error, file, _worker, task = wait_for(
        # The run ends inside its task; django-tasks records the task's own end in a later commit.
        "the export and its task to finish",
        lambda: (r := copy.export_of(again))[0] in ("done", "failed") and r[4] in ("SUCCESSFUL", "FAILED") and r,
        timeout=60,
    )
    assert (status, error, task) == ("done", "", "SUCCESSFUL")
    kept = copy.files()
    assert [path.relative_to(copy.var / "media").as_posix() for path in kept] == [file]
    content = kept[0].read_bytes()
    alive_items = copy.query("SELECT count(*) FROM aid_aiditem WHERE deleted_at IS NULL")[0][0]
    assert content.rstrip().endswith(b"</iati-activities>") and content.count(b"<iati-activity ") == alive_items
    assert not any(alive(pid) for pid in helpers)
    assert time.monotonic() - started < 90  # about 55 s on two cores at load 14 (other suites running)
