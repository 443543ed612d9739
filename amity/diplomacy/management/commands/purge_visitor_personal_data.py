"""Remove the personal data of international visitors and volunteers gone for longer than the retention period."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amity.diplomacy.services import visitors_purge_personal_data

DEFAULT_YEARS = 5


class Command(BaseCommand):
    help = (
        "Blank the names, dates of birth, passport numbers and contacts of visitors and volunteers who left more "
        f"than --years years ago (default {DEFAULT_YEARS}), in their records and in their history; the counts the "
        "figures use (nationality, kind, period, size) stay. Run it daily or monthly (cron or a task)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=DEFAULT_YEARS)
        parser.add_argument("--dry-run", action="store_true", help="only say how many people it would concern")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1:
            self.stderr.write("--years must be at least 1.")
            return
        count = visitors_purge_personal_data(years=options["years"], dry_run=options["dry_run"])
        verb = "would remove" if options["dry_run"] else "removed"
        self.stdout.write(f"{verb} the personal data of {count} visitors and volunteers")
