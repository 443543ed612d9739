"""`manage.py import_iati FILE…`: import IATI activity files from the command line, with progress."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.utils.translation import gettext as _

from amity.accounts.models import User
from amity.interop.choices import ImportKind
from amity.interop.services import import_run_create, import_run_execute, problem_text
from amity.reference.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Import IATI activity files (versions 2.01–2.03) into the aid register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--province", help="code of the (current-era) province that owns the imported aid")
        parser.add_argument("--vn-only", action="store_true", help="keep only activities for Viet Nam")
        parser.add_argument(
            "--locations-outside-confirmed",
            action="store_true",
            help="with --user: also import activities located outside the user's provinces (else each is skipped)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check everything and write nothing")
        parser.add_argument("--user", help="act as this user (their permissions and scope apply); default: the system")

    @no_translations  # operators read English, as from every command (see load_reference)
    def handle(self, *args: Any, **options: Any) -> None:
        province = None
        if options["province"]:
            try:
                province = AdministrativeUnit.objects.get(era="2025", level="province", code=options["province"])
            except AdministrativeUnit.DoesNotExist:
                raise CommandError(
                    _("No province of the current era has the code %(code)s.") % {"code": options["province"]}
                ) from None
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user is called %(name)s.") % {"name": options["user"]})
        failed = False
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(_("%(path)s is not a file.") % {"path": path})
            with path.open("rb") as stream:
                run = import_run_create(
                    user=user,
                    kind=ImportKind.IATI,
                    stream=stream,
                    file_name=path.name,
                    owning_province=province,
                    options={
                        "vn_only": options["vn_only"],
                        "locations_outside_confirmed": options["locations_outside_confirmed"],
                    },
                    dry_run=options["dry_run"],
                )
            started = time.monotonic()
            total = run.file_size or 1

            def progress(done: int, *, _total: int = total, _name: str = path.name) -> None:
                if sys.stderr.isatty():
                    sys.stderr.write(f"\r{_name}: {min(100, done * 100 // _total)} %")
                    sys.stderr.flush()

            run = import_run_execute(run=run, progress=progress)
            if sys.stderr.isatty():
                sys.stderr.write("\n")
            seconds = time.monotonic() - started
            self.stdout.write(self._summary(run, seconds))
            for problem in run.problems:
                self.stdout.write("  " + problem_text(problem))
            failed = failed or bool(run.error)
        if failed:
            raise CommandError(_("Some files were refused; nothing of them was imported."))

    def _summary(self, run: Any, seconds: float) -> str:
        if run.error:
            return _("%(file)s: refused — %(error)s") % {
                "file": run.file_name,
                "error": problem_text({"message": run.error, "params": run.error_params}),
            }
        text = _(
            "%(file)s: %(created)s imported, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s skipped"
            " (%(seconds).1f s)."
        ) % {
            "file": run.file_name,
            "created": run.created_count,
            "updated": run.updated_count,
            "unchanged": run.unchanged_count,
            "skipped": run.skipped_count,
            "seconds": seconds,
        }
        if run.dry_run:
            text += " " + _("Dry run: nothing was written.")
        return text
