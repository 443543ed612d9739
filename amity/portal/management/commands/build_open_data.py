"""`manage.py build_open_data`: (re)build the open data files (CSV, XLSX, IATI; national and per province; in each
language) for cron — every file, or those named by the options. Each file is written whole and swapped in
atomically; the downloads keep serving the previous one until then. `--schedule` instead queues the nightly task
(`tasks.open_data_nightly`), which queues itself again each night, for the task worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from amity.portal.opendata import DATASETS, province_names
from amity.portal.opendata_files import FORMATS, all_targets, languages, open_data_files_build
from amity.portal.tasks import open_data_nightly


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(BaseCommand):
    help = "Build the open data files (every dataset, format, province and language, or those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", default="", help=f"Comma-separated: {', '.join(DATASETS)} (default: all).")
        parser.add_argument("--format", default="", help=f"Comma-separated: {', '.join(FORMATS)} (default: all).")
        parser.add_argument(
            "--province",
            default="",
            help="Comma-separated province codes, `national` for the national files (default: national and all).",
        )
        parser.add_argument("--language", default="", help="Comma-separated language codes (default: all).")
        parser.add_argument("--schedule", action="store_true", help="Queue the nightly task for the worker instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            open_data_nightly.enqueue(reschedule=True)
            self.stdout.write("The nightly open data build is queued; it queues itself again each night.")
            return
        datasets, formats = _list(options["dataset"]), _list(options["format"])
        langs = _list(options["language"])
        scopes = ["" if code == "national" else code for code in _list(options["province"])]
        unknown = (
            [d for d in datasets if d not in DATASETS]
            + [f for f in formats if f not in FORMATS]
            + [code for code in scopes if code and code not in province_names()]
            + [code for code in langs if code not in languages()]
        )
        if unknown:
            raise CommandError(f"Unknown: {', '.join(unknown)}.")
        targets = all_targets(
            datasets=datasets or None, formats=formats or None, provinces=scopes or None, langs=langs or None
        )
        result = open_data_files_build(targets=targets)
        if result.busy:
            raise CommandError("Another build of the open data files is running; nothing was done.")
        for built in [*result.built, *result.too_large]:
            shown = "too many rows for a workbook" if built.status == built.TOO_LARGE else filesizeformat(built.size)
            self.stdout.write(f"{built}: {built.rows} rows, {shown}, {built.build_seconds:.1f} s")
        for target, error in result.failed:
            self.stderr.write(f"FAILED {target}: {error}")
        self.stdout.write(
            f"{len(result.built)} files built, {len(result.too_large)} too large for a workbook, "
            f"{len(result.failed)} failed."
        )
        if result.failed:
            raise CommandError("Some files were not built (see above); the previous versions are still served.")
