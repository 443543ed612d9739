"""The open data files (`opendata_files`): built whole and swapped in atomically, recorded with their rows, size
and SHA-256; a failure leaves the previous file served and no temporary file; the downloads send the ready file
with validators (304), or a page saying it is being prepared (and queue its build); publishing queues one build,
however many reports are published; the NGO directory dataset and API filter by province and sector as the
directory page does."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from amity.portal import opendata_files
from amity.portal.models import OpenDataFile
from amity.portal.opendata_files import (
    FOLDER,
    SCRATCH_PREFIX,
    Target,
    all_targets,
    open_data_build_soon,
    open_data_files_build,
    open_data_sweep,
)
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params

from .opendata_world import World, build_world

pytestmark = pytest.mark.django_db

CSV = Target("transactions", "csv", "", "vi")


@pytest.fixture
def world(users: dict[str, Any], hai_phong: Any, son_la: Any) -> World:
    cache.clear()
    return build_world(users, hai_phong, son_la)


@pytest.fixture
def queued(settings: Any, monkeypatch: Any) -> list[Any]:
    """Automatic builds on, and the task as `open_data_build_soon` finds it replaced: what is queued is recorded,
    not run."""
    from amity.portal import tasks

    settings.AMITY_OPEN_DATA_AUTO_BUILD = True
    real, recorded = tasks.build_open_data, []

    class Queue:
        def get_backend(self) -> Any:
            return real.get_backend()

        def enqueue(self, **kwargs: Any) -> None:
            recorded.append(kwargs)

    monkeypatch.setattr(tasks, "build_open_data", Queue())
    return recorded


def _folder() -> Path:
    return Path(default_storage.path(FOLDER))


def _scratch_files() -> list[Path]:
    return list(_folder().glob(f"{SCRATCH_PREFIX}*")) if _folder().exists() else []


def test_a_built_file_is_recorded_with_its_rows_size_and_checksum(world: World) -> None:
    result = open_data_files_build(targets=[CSV])
    record = result.built[0]
    content = Path(default_storage.path(record.file.name)).read_bytes()
    assert record.size == len(content) and record.sha256 == hashlib.sha256(content).hexdigest()
    assert record.rows == content.decode("utf-8-sig").count("\n") - 1
    assert not _scratch_files()


def test_a_workbook_is_built_beside_the_files_and_leaves_nothing_but_itself(world: World, monkeypatch: Any) -> None:
    tmpdirs: list[str | None] = []
    real = opendata_files.open_workbook

    def spied(target: Any, *, tmpdir: str | None = None) -> Any:
        tmpdirs.append(tmpdir)
        return real(target, tmpdir=tmpdir)

    monkeypatch.setattr(opendata_files, "open_workbook", spied)
    before = set(_folder().iterdir()) if _folder().exists() else set()
    record = open_data_files_build(targets=[Target("transactions", "xlsx", "", "vi")]).built[0]
    assert tmpdirs == [str(_folder())]
    assert set(_folder().iterdir()) - before == {Path(default_storage.path(record.file.name))}


def test_a_new_version_replaces_the_old_file_which_is_removed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = open_data_files_build(targets=[CSV]).built[0].file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = open_data_files_build(targets=[CSV]).built[0].file.name
    assert OpenDataFile.objects.get(dataset="transactions", file_format="csv", language="vi").file.name == second
    assert default_storage.exists(second) and (first == second or not default_storage.exists(first))


def test_a_failed_build_keeps_the_previous_file_and_leaves_no_temporary_file(world: World, monkeypatch: Any) -> None:
    before = open_data_files_build(targets=[CSV]).built[0]

    def broken(target: Target, stream: Any, **options: Any) -> int:
        stream.write(b"half a file")
        raise RuntimeError("the database went away")

    monkeypatch.setattr(opendata_files, "write_target", broken)
    result = open_data_files_build(targets=[CSV, Target("ngos", "csv", "", "vi")])
    assert [target for target, _error in result.failed] == [CSV, Target("ngos", "csv", "", "vi")]
    assert not _scratch_files()
    after = OpenDataFile.objects.get(pk=before.pk)
    assert (after.file.name, after.sha256) == (before.file.name, before.sha256)
    response = Client().get("/data/transactions.csv")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == before.sha256


def test_only_one_build_runs_at_a_time(world: World) -> None:
    cache.add(opendata_files.LOCK_KEY, "another", timeout=60)
    assert open_data_files_build(targets=[CSV]).busy
    assert not OpenDataFile.objects.exists()


def test_the_sweep_removes_what_a_killed_build_left(world: World) -> None:
    _folder().mkdir(parents=True, exist_ok=True)
    left = _folder() / f"{SCRATCH_PREFIX}killed{opendata_files.SCRATCH_SUFFIX}"
    left.write_bytes(b"half")
    kept = open_data_files_build(targets=[CSV]).built[0].file.name
    assert left.exists()  # too recent: a build may be writing it
    assert f"{FOLDER}/{left.name}" in open_data_sweep(older_than=timedelta(0))
    assert not left.exists() and default_storage.exists(kept)


def test_the_download_is_the_ready_file_with_validators_and_a_304(world: World) -> None:
    record = open_data_files_build(targets=[CSV]).built[0]
    client = Client()
    response = client.get("/data/transactions.csv")
    assert response.status_code == 200
    assert response["ETag"] == f'"{record.sha256}"' and response["Last-Modified"]
    assert int(response["Content-Length"]) == record.size
    assert (
        response["Content-Disposition"].startswith("attachment")
        and "amity-transactions-vi-" in (response["Content-Disposition"])
    )
    assert 'rel="license"' in response["Link"]
    assert client.get("/data/transactions.csv", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/data/transactions.csv", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert client.head("/data/transactions.csv").status_code == 200


def test_a_missing_file_is_a_page_saying_it_is_prepared_and_queues_its_build(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.AMITY_OPEN_DATA_AUTO_BUILD = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().get("/data/ngos.xlsx", {"province": "31", "lang": "en"})
    assert response.status_code == 503 and response["Retry-After"]
    assert "being prepared" in response.content.decode()
    assert not OpenDataFile.objects.exists()  # not built in the request
    for callback in callbacks:
        callback()  # the commit: the (immediate, in tests) task builds it
    assert OpenDataFile.objects.filter(dataset="ngos", file_format="xlsx", province_code="31", language="en").exists()
    assert Client().get("/data/ngos.xlsx", {"province": "31", "lang": "en"}).status_code == 200


def test_publishing_reports_queues_one_build_after_the_commit(
    world: World, users: dict[str, Any], queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    cache.delete(opendata_files.QUEUED_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        for year in ("2023", "2022"):
            report_publish(user=users["central"], spec=spec_from_params({"year": year}), title=f"Năm {year}")
        open_data_build_soon()
    assert queued == [{"targets": None, "queued_key": opendata_files.QUEUED_KEY}]


def test_the_data_page_lists_each_file_with_size_date_and_checksum(world: World) -> None:
    built = open_data_files_build(targets=all_targets(provinces=[""], langs=["en"])).built
    page = Client().get("/data/", {"lang": "en"}).content.decode()
    for record in built:
        assert record.sha256 in page
    assert "being prepared" not in page
    assert "being prepared" in Client().get("/data/", {"lang": "en", "province": "31"}).content.decode()


def test_a_narrower_download_points_to_the_api(world: World) -> None:
    response = Client().get("/data/transactions.csv", {"year": "2024", "province": "31"})
    assert response.status_code == 400
    assert "/api/public/v1/transactions/?year=2024&province=31" in response.content.decode()


def test_the_command_builds_the_files_named(world: World) -> None:
    out = StringIO()
    call_command("build_open_data", dataset="ngos", format="csv", province="national,31", language="vi", stdout=out)
    assert set(OpenDataFile.objects.values_list("dataset", "province_code")) == {("ngos", ""), ("ngos", "31")}
    assert "2 files built" in out.getvalue()


def test_ngos_filter_by_province_and_sector_as_the_directory_does(world: World, hai_phong: Any) -> None:
    from django.utils import timezone

    from amity.portal import selectors

    def directory(**filters: str) -> list[str]:
        return [entry.organisation.name for entry in selectors.directory(today=timezone.localdate(), **filters)]

    def api(**filters: str) -> list[str]:
        answer = Client().get("/api/public/v1/ngos/", filters)
        assert answer.status_code == 200, answer.content
        return [row["name"] for row in answer.json()["results"]]

    assert api(province="31") == directory(province_code="31") == ["Stichting Open Hands"]
    assert api(province="14") == directory(province_code="14") == []
    assert api(sector="112") == directory(sector="112") == ["Stichting Open Hands"]  # its licence's category
    assert api(sector="998") == directory(sector="998") == []
    assert api(sector="112", province="14") == directory(sector="112", province_code="14") == []
    open_data_files_build(targets=[Target("ngos", "csv", "14", "vi"), Target("ngos", "csv", "31", "vi")])
    son_la = b"".join(Client().get("/data/ngos.csv", {"province": "14"}).streaming_content).decode("utf-8-sig")
    hai_phong_csv = b"".join(Client().get("/data/ngos.csv", {"province": "31"}).streaming_content).decode("utf-8-sig")
    assert "Stichting Open Hands" not in son_la and "Stichting Open Hands" in hai_phong_csv


@pytest.mark.parametrize("query", [{"year": "2024"}, {"donor": "0b7a4f36-5c55-4c1c-9d5d-6c1b4a1f0e11"}])
def test_a_filter_the_ngo_directory_does_not_take_is_a_400(db: Any, query: dict[str, str]) -> None:
    response = Client().get("/api/public/v1/ngos/", query)
    assert response.status_code == 400 and next(iter(query)) in response.json()


def test_a_registration_saved_queues_the_directory_files_only(
    world: World, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    cache.clear()
    registration = world.licensed.registrations.first()
    assert registration is not None
    with django_capture_on_commit_callbacks(execute=True):
        registration.save()
        registration.save()
    assert len(queued) == 1 and {target["dataset"] for target in queued[0]["targets"]} == {"ngos"}


def test_the_data_page_gives_the_api_for_a_year_and_nationwide_aid(world: World) -> None:
    page = Client().get("/data/", {"year": "2024", "province": "nationwide", "lang": "en"}).content.decode()
    assert "/api/public/v1/transactions/?year=2024&amp;province=nationwide" in page
    assert 'href="/api/public/v1/ngos/"' in page  # the directory takes no year, and no "nationwide"
