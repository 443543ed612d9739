"""Backups of a whole instance, and their restore (`manage.py backup`, `manage.py restore`; docs/OPERATIONS.md).

One dated archive (`amity-backup-YYYYMMDD-HHMMSS.tar.gz`) holds the database — SQLite copied with its online
backup API (consistent while the instance runs), PostgreSQL dumped by `pg_dump` in its custom format —, every
uploaded and prepared file under the media folder (`media/…`), and `manifest.json`: when and from what it was
made, the rows of every table, the SHA-256 of every file and the content hash of every published report. Beside
it, `<archive>.sha256` (the `sha256sum` format). A restore checks that checksum, refuses a database that is not
empty, and checks the rows, files and published reports against the manifest once restored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.reports.models import PublishedReport
from amity.reports.services import content_hash

FORMAT = 1
PREFIX = "amity-backup-"
SUFFIX = ".tar.gz"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done (the message says why, in the reader's language)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def table_rows(conn: BaseDatabaseWrapper) -> dict[str, int]:
    """How many rows each table of the database has."""
    with conn.cursor() as cursor:
        names = sorted(conn.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT count(*) FROM {conn.ops.quote_name(name)}")
            counts[name] = int(cursor.fetchone()[0])
    return counts


def _pg_environment(conn: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment of pg_dump / pg_restore for `conn`'s database."""
    db = conn.settings_dict
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGAPPNAME": "amity-backup"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            _("%(program)s is not installed (Debian, Ubuntu: apt-get install postgresql-client).")
            % {"program": command[0]}
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": command[0], "error": result.stderr.strip()[-2000:]}
        )


def _dump_database(conn: BaseDatabaseWrapper, target: Path) -> None:
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        with sqlite3.connect(target) as copy:
            if conn.in_atomic_block:
                # Inside a transaction (a test's, a caller's) the backup API waits for it for ever: the
                # connection's own view is copied as SQL instead.
                copy.executescript("\n".join(conn.connection.iterdump()))
            else:
                conn.connection.backup(copy)  # the online backup API: a consistent copy while others write
        copy.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_environment(conn)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)
    else:
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))


@dataclass
class Backup:
    archive: Path
    checksum: Path
    manifest: dict[str, Any]


def backup_write(directory: Path, *, using: str = DEFAULT_DB_ALIAS) -> Backup:
    """Write one dated archive of the database, the media files and the manifest into `directory`, and its
    checksum file beside it."""
    conn = connections[using]
    media = Path(settings.MEDIA_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    name = f"{PREFIX}{created:%Y%m%d-%H%M%S}{SUFFIX}"
    archive = directory / name
    if archive.exists():
        raise BackupError(_("%(path)s exists already.") % {"path": archive})
    with tempfile.TemporaryDirectory(prefix="amity-backup-") as scratch:
        database = Path(scratch) / DATABASE_FILES.get(conn.vendor, "database")
        _dump_database(conn, database)
        files = {str(path.relative_to(media)): sha256_of(path) for path in _media_files(media)}
        manifest = {
            "format": FORMAT,
            "created": created.isoformat(),
            "database": {"vendor": conn.vendor, "file": database.name, "sha256": sha256_of(database)},
            "rows": table_rows(conn),
            "files": files,
            "published_reports": {
                str(pk): content
                for pk, content in PublishedReport.objects.using(using).values_list("pk", "content_hash")
            },
        }
        (Path(scratch) / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = directory / f".{name}.partial"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(scratch) / "manifest.json", arcname="manifest.json")
            tar.add(database, arcname=database.name)
            for relative in files:
                tar.add(media / relative, arcname=f"media/{relative}")
        partial.rename(archive)
    checksum = archive.with_name(archive.name + ".sha256")
    checksum.write_text(f"{sha256_of(archive)}  {archive.name}\n")
    return Backup(archive, checksum, manifest)


def _check_checksum(archive: Path) -> None:
    checksum = archive.with_name(archive.name + ".sha256")
    if not checksum.is_file():
        raise BackupError(_("The checksum file %(path)s is missing.") % {"path": checksum})
    expected = checksum.read_text().split()[0] if checksum.read_text().split() else ""
    if expected != sha256_of(archive):
        raise BackupError(_("The archive does not match its checksum: it is damaged or incomplete."))


def backup_restore(
    archive: Path, *, conn: BaseDatabaseWrapper | None = None, media_root: Path | None = None
) -> dict[str, Any]:
    """Restore `archive` into the (empty) database (`conn`, default this instance's) and the media folder, and
    check what was restored against its manifest. Returns the manifest."""
    conn = conn or connections[DEFAULT_DB_ALIAS]
    media = Path(media_root or settings.MEDIA_ROOT)
    _check_checksum(archive)
    with conn.cursor() as cursor:
        if conn.introspection.table_names(cursor):
            raise BackupError(
                _("The database is not empty: restore into a new, empty database (and an empty media folder).")
            )
    if any(_media_files(media)):
        raise BackupError(_("The media folder %(path)s is not empty.") % {"path": media})
    with tempfile.TemporaryDirectory(prefix="amity-restore-") as scratch, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(scratch, filter="data")  # no absolute paths, no links out, no devices
        root = Path(scratch)
        manifest = json.loads((root / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(_("This archive is not an Amity backup this version can read."))
        database = manifest["database"]
        if database["vendor"] != conn.vendor:
            raise BackupError(
                _("This archive holds a %(archive)s database; this instance uses %(here)s.")
                % {"archive": database["vendor"], "here": conn.vendor}
            )
        if sha256_of(root / database["file"]) != database["sha256"]:
            raise BackupError(_("The archive does not match its checksum: it is damaged or incomplete."))
        _restore_database(conn, root / database["file"])
        for relative in manifest["files"]:
            target = media / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / "media" / relative, target)
    _verify(conn, media, manifest)
    return dict(manifest)


def _restore_database(conn: BaseDatabaseWrapper, dump: Path) -> None:
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(conn.connection)
        source.close()
    else:
        args, env = _pg_environment(conn)
        conn.close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)], env)


def _published_reports(conn: BaseDatabaseWrapper) -> dict[str, tuple[str, bool]]:
    """Each published report of the database: its stored content hash, and whether its frozen parameters and
    figures still give that hash (read without the ORM, from any connection)."""
    table = conn.ops.quote_name(PublishedReport._meta.db_table)
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT id, parameters, figures, content_hash FROM {table}")
        rows = cursor.fetchall()
    found = {}
    for pk, parameters, figures, stored in rows:
        parameters = json.loads(parameters) if isinstance(parameters, str) else parameters
        figures = json.loads(figures) if isinstance(figures, str) else figures
        found[str(pk)] = (stored, content_hash(parameters, figures) == stored)
    return found


def _verify(conn: BaseDatabaseWrapper, media: Path, manifest: dict[str, Any]) -> None:
    problems = []
    if table_rows(conn) != manifest["rows"]:
        problems.append(_("the rows of the tables differ"))
    for relative, digest in manifest["files"].items():
        path = media / relative
        if not path.is_file() or sha256_of(path) != digest:
            problems.append(_("file %(path)s differs") % {"path": relative})
    restored = _published_reports(conn)
    for pk, content in manifest["published_reports"].items():
        if restored.get(pk) != (content, True):
            problems.append(_("published report %(id)s differs") % {"id": pk})
    if problems:
        raise BackupError(_("The restore differs from the backup: %(problems)s.") % {"problems": "; ".join(problems)})
