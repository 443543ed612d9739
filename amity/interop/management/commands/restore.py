"""`manage.py restore ARCHIVE`: restore a backup into an empty database and media folder, then check every row
count, file and published report against the archive's manifest (docs/OPERATIONS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from amity.interop.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and media folder, and check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": archive})
        try:
            manifest = backup_restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Restored %(archive)s (made %(created)s): %(rows)s rows, %(files)s files, all identical.")
            % {
                "archive": archive.name,
                "created": manifest["created"],
                "rows": sum(manifest["rows"].values()),
                "files": len(manifest["files"]),
            }
        )
