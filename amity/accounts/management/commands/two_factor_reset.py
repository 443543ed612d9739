"""The recovery path for a user who lost their phone and their backup codes: remove their two-factor devices (they
set it up again at their next sign-in). Recorded in the audit log, with the reason."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amity.accounts.models import User
from amity.accounts.two_factor import two_factor_reset


class Command(BaseCommand):
    help = "Reset a user's two-factor sign-in (lost phone): they set it up again at their next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why (kept in the audit log), e.g. a ticket number.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        removed = two_factor_reset(user=user, actor=None, reason=options["reason"])
        self.stdout.write(f"Removed {removed} two-factor devices of {user.get_username()}.")
