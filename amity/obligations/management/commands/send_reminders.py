"""`manage.py send_reminders`: the daily run of the reporting duties for cron — the obligations of the day, then
the reminders owed, and old previews of rule changes removed. Idempotent: run it as often as you like, nothing is
sent twice. `--schedule` instead queues the self-renewing daily task (`tasks.obligations_daily`) for the task
worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amity.obligations.reminders import reminders_send
from amity.obligations.services import obligations_generate, rule_previews_purge
from amity.obligations.tasks import obligations_daily


class Command(BaseCommand):
    help = "Generate today's reporting duties and send the reminders owed (nothing is sent twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="Queue the daily task for the worker instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            obligations_daily.enqueue(reschedule=True)
            self.stdout.write("The daily reporting-duties task is queued; it queues itself again each day.")
            return
        result = obligations_generate()
        sent = reminders_send()
        rule_previews_purge()
        self.stdout.write(
            f"Duties: {result.created} new, {result.updated} updated, {result.withdrawn} withdrawn, "
            f"{result.restored} owed again. Reminders sent: {sent}."
        )
