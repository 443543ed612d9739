"""`manage.py backup [--output DIR]`: one dated archive of the database, the media files and the published
reports' hashes, with its SHA-256 checksum file (docs/OPERATIONS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from amity.interop.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write a backup archive (database, uploaded and prepared files, published reports) and its checksum."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="the folder of the archives (default: var/backups)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["output"] or Path(settings.VAR_DIR) / "backups"
        try:
            backup = backup_write(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("%(archive)s: %(tables)s tables, %(rows)s rows, %(files)s files, %(reports)s published reports.")
            % {
                "archive": backup.archive,
                "tables": len(backup.manifest["rows"]),
                "rows": sum(backup.manifest["rows"].values()),
                "files": len(backup.manifest["files"]),
                "reports": len(backup.manifest["published_reports"]),
            }
        )
