"""Remove audit events (and the lockout's failure records) older than AMITY_AUDIT_RETENTION_DAYS; run daily."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from amity.audit.services import audit_purge


class Command(BaseCommand):
    help = "Remove audit events older than the retention (AMITY_AUDIT_RETENTION_DAYS, or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Keep this many days instead of the setting.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.AMITY_AUDIT_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 1:
            self.stderr.write("--days must be at least 1.")
            raise SystemExit(2)
        removed = audit_purge(days=days)
        self.stdout.write(f"Removed {removed} audit events older than {days} days.")
