"""The retention rule of the register's personal data (`amity.diplomacy.personal`): remove the personal data of
international visitors and volunteers, and of members of friendship associations, gone for longer than the retention
period. Formerly `purge_visitor_personal_data`, a name kept as a deprecated alias."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amity.diplomacy.services import members_purge_personal_data, visitors_purge_personal_data

DEFAULT_YEARS = 5


class Command(BaseCommand):
    help = (
        "Blank the personal data of people gone for more than --years years (default "
        f"{DEFAULT_YEARS}), in their records and in their history: the names, dates of birth, passport numbers and "
        "contacts of visitors and volunteers who left; the names, gender, years of birth, occupations, contacts and "
        "notes of association members who left their association. What the figures count stays (a visitor's "
        "nationality, kind, period and size; a member's joining, leaving and role). Run it daily or monthly (cron or "
        "a task)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=DEFAULT_YEARS)
        parser.add_argument("--dry-run", action="store_true", help="only say how many people it would concern")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1:
            self.stderr.write("--years must be at least 1.")
            return
        years, dry_run = options["years"], options["dry_run"]
        visitors = visitors_purge_personal_data(years=years, dry_run=dry_run)
        members = members_purge_personal_data(years=years, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(f"{verb} the personal data of {visitors} visitors and volunteers")
        self.stdout.write(f"{verb} the personal data of {members} members of associations")
