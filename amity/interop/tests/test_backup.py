"""A backup restores identically: every row of every table, every uploaded file and every published report's
SHA-256, into an empty database — SQLite, and PostgreSQL through pg_dump and pg_restore —; a damaged archive or a
database that is not empty is refused."""

from __future__ import annotations

import io
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.utils import load_backend
from django.utils import translation

from amity.aid.tests.factories import make_aid_item
from amity.conftest import flush_keeping_reference_data
from amity.interop.backup import DATABASE_FILES, BackupError, backup_restore, backup_write, sha256_of
from amity.interop.choices import ImportKind
from amity.interop.services import import_run_create
from amity.interop.tests import hostile
from amity.reports.models import PublishedReport
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def restored(tmp_path: Path) -> Iterator[Any]:
    """A second, empty database (SQLite) to restore into."""
    if connection.vendor != "sqlite":
        pytest.skip("restores into a new SQLite database")
    target = load_backend(connection.settings_dict["ENGINE"]).DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}, DEFAULT_DB_ALIAS
    )
    try:
        yield target
    finally:
        target.close()


@pytest.fixture(scope="module")
def _keep_reference_data() -> Iterator[None]:
    """The PostgreSQL test commits (pg_dump reads from another session); its flush keeps the reference data."""
    with flush_keeping_reference_data():
        yield


@pytest.fixture
def restored_postgresql() -> Iterator[Any]:
    """A second, empty PostgreSQL database beside the test database, to restore into; dropped after."""
    if connection.vendor != "postgresql":
        pytest.skip("restores into a new PostgreSQL database (DATABASE_URL=postgres://…)")
    import psycopg

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"[:63]
    admin = psycopg.connect(
        dbname="postgres",
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    target = load_backend(settings_dict["ENGINE"]).DatabaseWrapper({**settings_dict, "NAME": name}, DEFAULT_DB_ALIAS)
    try:
        yield target
    finally:
        target.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _rows(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    cursor.execute(f'SELECT * FROM "{table}"')
    return sorted(cursor.fetchall(), key=repr)


def _instance(users: dict[str, Any], hai_phong: Any) -> PublishedReport:
    make_aid_item(users["admin"], owning_province=hai_phong, title="Nước sạch cho trường học")
    import_run_create(
        user=None, kind=ImportKind.IATI, stream=io.BytesIO(hostile.valid_activities(2)), file_name="donor.xml"
    )
    return report_publish(user=users["approver"], spec=spec_from_params({"province": "31"}), title="Hải Phòng")


def test_a_backup_restores_every_row_file_and_published_report_identically(
    users: dict[str, Any], hai_phong: Any, restored: Any, tmp_path: Path, settings: Any
) -> None:
    published = _instance(users, hai_phong)
    media = Path(settings.MEDIA_ROOT)

    backup = backup_write(tmp_path / "backups")

    assert backup.archive.name.startswith("amity-backup-") and backup.archive.name.endswith(".tar.gz")
    assert backup.checksum.read_text() == f"{sha256_of(backup.archive)}  {backup.archive.name}\n"
    assert backup.manifest["published_reports"] == {str(published.pk): published.content_hash}
    files = backup.manifest["files"]
    assert any(name.startswith("imports/") for name in files)

    backup_restore(backup.archive, conn=restored, media_root=tmp_path / "media")

    original, copy = connection.connection, sqlite3.connect(restored.settings_dict["NAME"])
    tables = [t for (t,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "aid_aiditem" in tables and "reports_publishedreport" in tables
    for table in tables:
        assert _rows(original.cursor(), table) == _rows(restored.cursor(), table), table
    for name, digest in files.items():
        assert sha256_of(tmp_path / "media" / name) == sha256_of(media / name) == digest
    [(stored,)] = copy.execute("SELECT content_hash FROM reports_publishedreport WHERE id = ?", [published.pk])
    assert stored == published.content_hash
    copy.close()


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_restores_every_row_sequence_file_and_published_report_identically(
    _keep_reference_data: None,
    users: dict[str, Any],
    hai_phong: Any,
    restored_postgresql: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    published = _instance(users, hai_phong)
    media = Path(settings.MEDIA_ROOT)

    backup = backup_write(tmp_path / "backups")
    with tarfile.open(backup.archive) as tar:
        assert "database.pgdump" in tar.getnames()

    backup_restore(backup.archive, conn=restored_postgresql, media_root=tmp_path / "media")

    with connection.cursor() as original, restored_postgresql.cursor() as copy:
        tables = sorted(restored_postgresql.introspection.table_names(copy))
        assert tables == sorted(connection.introspection.table_names(original))
        assert {"aid_aiditem", "reports_publishedreport", "reference_administrativeunit"} <= set(tables)
        for table in tables:
            assert _rows(original, table) == _rows(copy, table), table
        sequences = "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename"
        original.execute(sequences)
        copy.execute(sequences)
        assert original.fetchall() == copy.fetchall()  # the next records get the ids they would have had
        copy.execute("SELECT content_hash FROM reports_publishedreport WHERE id = %s", [published.pk])
        assert copy.fetchone() == (published.content_hash,)
    files = backup.manifest["files"]
    assert any(name.startswith("imports/") for name in files)
    for name, digest in files.items():
        assert sha256_of(tmp_path / "media" / name) == sha256_of(media / name) == digest


def test_a_damaged_archive_or_a_database_in_use_is_refused(
    users: dict[str, Any], hai_phong: Any, restored: Any, tmp_path: Path
) -> None:
    _instance(users, hai_phong)
    backup = backup_write(tmp_path)

    with pytest.raises(BackupError, match="not empty"):
        backup_restore(backup.archive, media_root=tmp_path / "media")  # this instance's own database

    damaged = backup.archive.read_bytes()
    backup.archive.write_bytes(damaged[:-10] + b"0123456789")
    with pytest.raises(BackupError, match="checksum"):
        backup_restore(backup.archive, conn=restored, media_root=tmp_path / "media")
    backup.checksum.unlink()
    with pytest.raises(BackupError, match="checksum file"):
        backup_restore(backup.archive, conn=restored, media_root=tmp_path / "media")


def test_the_commands_write_and_read_an_archive(tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()

    call_command("backup", stdout=out)

    [archive] = (tmp_path / "backups").glob("amity-backup-*.tar.gz")
    assert str(archive) in out.getvalue()
    with tarfile.open(archive) as tar:
        assert {"manifest.json", DATABASE_FILES[connection.vendor]} <= set(tar.getnames())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
