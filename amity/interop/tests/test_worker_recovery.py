"""What keeps a dying worker from blocking later imports, on every database: the reader process holds nothing of
its parent and dies with it; a run is done with everything it wrote or nothing is written; runs whose worker is
gone are marked failed ("interrupted, nothing written") with their task, by the workers and by the run's page;
exports too.
(`test_worker_killed.py` kills real workers on PostgreSQL.)"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import get_commands
from django.urls import reverse
from django.utils import translation

from amity.aid.models import AidItem
from amity.conftest import client_for
from amity.interop import services
from amity.interop.choices import ExportKind, ImportKind, ImportStatus
from amity.interop.exports import export_runs_recover
from amity.interop.iati.parser import ActivityReader
from amity.interop.models import ExportRun, ImportRun
from amity.interop.services import import_run_create, import_run_execute, import_runs_recover
from amity.interop.tests import hostile
from amity.interop.workers import current_worker, process_alive, process_started, worker_gone

ROOT = Path(__file__).resolve().parents[3]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc (Linux)")


def _dead_pid() -> int:
    """The process id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_reader_process_keeps_no_socket_of_its_parent() -> None:
    """A socket open in the importer (its database session, a Redis connection) is closed in the reader child:
    when the importer's end closes, the other end reads EOF although the child still runs. The file it reads
    stays open (here a socket too, written after the child has started)."""
    ours, theirs = socket.socketpair()
    feed, source = socket.socketpair()
    with feed.makefile("rb") as stream, ActivityReader(stream, ahead=True) as reader:
        time.sleep(0.5)  # the child has started, and waits for the file to be written
        assert reader.child.is_alive()
        ours.close()
        theirs.settimeout(5)
        assert theirs.recv(1) == b""  # no other process holds `ours` open
        source.sendall(hostile.valid_activities(3))
        source.close()  # the child holds no copy of `source`: it reads the end of the file
        assert len(list(reader)) == 3
    theirs.close()
    feed.close()


@linux_only
def test_the_reader_process_dies_with_its_parent(tmp_path: Path) -> None:
    script = (
        "import os, sys, django\n"
        "django.setup()\n"
        "from amity.interop.iati.parser import ActivityReader\n"
        "read, write = os.pipe()\n"  # a file that never ends: the child waits on it for ever
        "reader = ActivityReader(os.fdopen(read, 'rb'), ahead=True)\n"
        "print(reader.child.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    child = 0
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert process_alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while process_alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not process_alive(child)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if child and process_alive(child):
            os.kill(child, signal.SIGKILL)


def _running_task(task_path: str, run: Any) -> Any:
    """The django-tasks row of `run`'s task, as a worker leaves it while running it."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [str(run.public_id)], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=run.created_at,
    )


def test_processes_are_told_apart_by_id_and_start() -> None:
    started = process_started(os.getpid())
    assert process_alive(os.getpid(), started)
    assert not process_alive(_dead_pid())
    if started:  # Linux: a reused process id is another process
        assert not process_alive(os.getpid(), str(int(started) + 1))


def test_the_command_db_worker_is_amitys() -> None:
    assert get_commands()["db_worker"] == "amity.interop"


@pytest.mark.django_db
class TestRecovery:
    def _run(self, worker: dict[str, Any], status: str = ImportStatus.RUNNING) -> ImportRun:
        run = import_run_create(
            user=None, kind=ImportKind.IATI, stream=io.BytesIO(hostile.valid_activities(2)), file_name="a.xml"
        )
        run.status, run.worker = status, worker
        run.save()
        return run

    def test_a_run_whose_worker_died_is_marked_failed_with_its_task(self) -> None:
        from amity.interop.tasks import run_import

        dead = {"host": socket.gethostname(), "pid": _dead_pid(), "started": ""}
        run = self._run(dead)
        task = _running_task(run_import.module_path, run)
        alive = self._run(current_worker())
        elsewhere = self._run({"host": "another-host", "pid": 1, "started": ""})
        unknown = self._run({})
        queued = self._run(dead, status=ImportStatus.QUEUED)

        assert [r.pk for r in import_runs_recover()] == [run.pk]

        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED and run.finished_at is not None
        assert run.error_params == {"host": socket.gethostname(), "pid": str(dead["pid"])}
        with translation.override("vi"):
            text = services.problem_text({"message": run.error, "params": run.error_params})
        assert "gián đoạn" in text and str(dead["pid"]) in text
        task.refresh_from_db()
        assert task.status == "FAILED" and "WorkerDied" in task.exception_class_path
        for other in (alive, elsewhere, unknown, queued):
            other.refresh_from_db()
            assert other.status != ImportStatus.FAILED
        assert import_runs_recover() == []  # once

    def test_the_runs_page_says_at_once_that_its_worker_died(self, users: dict[str, Any]) -> None:
        run = self._run({"host": socket.gethostname(), "pid": _dead_pid(), "started": ""})
        run.created_by = users["admin"]
        run.save()
        client = client_for(users["admin"])
        client.cookies["amity_language"] = "en"

        progress = client.get(reverse("interop:run_progress", args=[run.public_id]))

        assert progress["HX-Refresh"] == "true"
        page = client.get(run.get_absolute_url()).content.decode()
        assert "The import was interrupted" in page and "you can run it again" in page

    def test_a_run_records_its_worker_and_writes_its_records_and_outcome_together(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        run = self._run({}, status=ImportStatus.QUEUED)
        monkeypatch.setattr(services, "_finish", _fail_after_writing)

        run = import_run_execute(run=run)

        assert run.status == ImportStatus.FAILED and "nothing was written" in run.error
        assert run.worker["pid"] == os.getpid() and not worker_gone(run.worker)
        assert AidItem.all_objects.count() == 0 and run.created_count == 0  # the outcome failed: nothing kept
        monkeypatch.undo()
        run = import_run_execute(run=run)
        assert (run.status, run.created_count, AidItem.all_objects.count()) == (ImportStatus.DONE, 2, 2)


_finish = services._finish


def _fail_after_writing(run: ImportRun) -> None:
    if run.status == ImportStatus.DONE:
        raise OSError("disk full")
    _finish(run)


@pytest.mark.django_db
class TestExportRecovery:
    """An export whose worker died is marked failed, with its task, as interrupted imports are (issue 13)."""

    def _export(self, user: Any, worker: dict[str, Any], status: str = ImportStatus.RUNNING) -> ExportRun:
        return ExportRun.objects.create(
            kind=ExportKind.IATI_ACTIVITIES, created_by=user, status=status, worker=worker, progress_total=5000
        )

    def test_an_export_whose_worker_died_is_marked_failed_with_its_task(self, users: dict[str, Any]) -> None:
        from amity.interop.tasks import run_export

        dead = {"host": socket.gethostname(), "pid": _dead_pid(), "started": ""}
        run = self._export(users["editor"], dead)
        task = _running_task(run_export.module_path, run)
        alive = self._export(users["editor"], current_worker())
        elsewhere = self._export(users["editor"], {"host": "another-host", "pid": 1, "started": ""})
        queued = self._export(users["editor"], dead, status=ImportStatus.QUEUED)

        assert [r.pk for r in export_runs_recover()] == [run.pk]

        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED and run.finished_at is not None and not run.file
        assert run.error_params == {"host": socket.gethostname(), "pid": str(dead["pid"])}
        with translation.override("vi"):
            text = services.problem_text({"message": run.error, "params": run.error_params})
        assert text != run.error % run.error_params and str(dead["pid"]) in text  # in Vietnamese
        task.refresh_from_db()
        assert task.status == "FAILED" and "WorkerDied" in task.exception_class_path
        for other in (alive, elsewhere, queued):
            other.refresh_from_db()
            assert other.status != ImportStatus.FAILED
        assert export_runs_recover() == []  # once

    def test_a_file_stored_by_a_worker_that_died_before_recording_it_is_removed(
        self, users: dict[str, Any], settings: Any, tmp_path: Any
    ) -> None:
        """Killed between copying the finished file into storage and saving the run: the file is in the run's
        folder but no run names it. The recovery removes it, and nothing of other runs."""
        from django.core.files.base import ContentFile

        settings.MEDIA_ROOT = str(tmp_path)
        storage = ExportRun._meta.get_field("file").storage
        run = self._export(users["editor"], {"host": socket.gethostname(), "pid": _dead_pid(), "started": ""})
        finished = self._export(users["editor"], current_worker(), status=ImportStatus.DONE)
        folder = time.strftime(ExportRun._meta.get_field("file").upload_to)  # the month on the server's clock
        stray = storage.save(f"{folder}{run.public_id}/amity.xml", ContentFile(b"<iati/>"))
        finished.file.save(f"{finished.public_id}/amity.xml", ContentFile(b"<iati/>"))

        assert [r.pk for r in export_runs_recover()] == [run.pk]
        assert not storage.exists(stray)
        assert storage.exists(finished.file.name)

    def test_the_export_page_says_at_once_that_its_worker_died(self, users: dict[str, Any]) -> None:
        run = self._export(users["editor"], {"host": socket.gethostname(), "pid": _dead_pid(), "started": ""})
        client = client_for(users["editor"])
        client.cookies["amity_language"] = "en"

        progress = client.get(reverse("interop:export_progress", args=[run.public_id]))

        assert progress["HX-Refresh"] == "true"
        page = client.get(reverse("interop:export", args=[run.public_id])).content.decode()
        assert "The export was interrupted" in page and "you can ask for it again" in page

    def test_the_workers_recovery_looks_at_exports_too(
        self, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from amity.interop.management.commands import db_worker

        run = self._export(users["editor"], {"host": socket.gethostname(), "pid": _dead_pid(), "started": ""})
        # The look runs in the worker's own thread and closes its connections after; here it runs in the test's.
        monkeypatch.setattr(db_worker.connections, "close_all", lambda: None)
        db_worker.recover()
        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED

    def test_an_export_records_its_worker_while_it_runs(
        self, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from amity.interop import exports

        run = self._export(users["editor"], {}, status=ImportStatus.QUEUED)
        seen: dict[str, Any] = {}

        def watch(records: Any, progress: Any = None) -> Any:
            stored = ExportRun.objects.get(pk=run.pk)  # what another process reads while it runs
            seen.update(status=stored.status, worker=stored.worker)
            yield b"<iati-activities/>"

        monkeypatch.setattr("amity.interop.iati.export.iter_activities", watch)
        run = exports.export_run_execute(run=run)

        assert seen["status"] == ImportStatus.RUNNING and seen["worker"]["pid"] == os.getpid()
        assert not worker_gone(seen["worker"]) and run.status == ImportStatus.DONE
