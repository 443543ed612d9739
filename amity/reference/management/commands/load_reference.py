"""`manage.py load_reference`: load or refresh the reference data shipped in amity/reference/data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.utils.translation import gettext as _

from amity.reference.services import ReferenceDataError, reference_load


class Command(BaseCommand):
    help = (
        "Load IATI codelists, countries, currencies, administrative units of both eras, the 2025 unit "
        "mapping and IMF exchange rates. Safe to re-run: unchanged rows are left alone; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Folder holding the reference files (default: settings.AMITY_REFERENCE_DATA_DIR).",
        )

    # Commands speak English, like the logs: their readers are operators, whose scripts, searches and support
    # requests need one wording whatever LANGUAGE_CODE (Vietnamese) says; the notes of the services are their
    # English source texts here too. Pages and exports stay in the user's language.
    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"] or settings.AMITY_REFERENCE_DATA_DIR)
        verbosity = options["verbosity"]
        log = self.stdout.write if verbosity >= 2 else None
        try:
            report = reference_load(data_dir=data_dir, log=log)
        except ReferenceDataError as exc:
            raise CommandError(_("Nothing was loaded. %(error)s") % {"error": exc}) from exc
        if verbosity < 1:
            return
        for model, counts in report.tables.items():
            summary = _("%(table)s: %(total)s rows, %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            self.stdout.write(
                summary
                % {
                    "table": model._meta.verbose_name_plural,
                    "total": counts.total,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(
            self.style.SUCCESS(
                _("Reference data loaded in %(seconds).1f s: %(created)s created, %(updated)s updated.")
                % {"seconds": report.seconds, "created": report.created, "updated": report.updated}
            )
        )
