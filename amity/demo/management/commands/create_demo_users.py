"""Create one demo user per role and print their logins."""

from typing import Any

from django.core.management.base import BaseCommand

from amity.demo.users import DEMO_PASSWORD, demo_users_ensure


class Command(BaseCommand):
    help = "Create one demo user per role (idempotent) and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_users_ensure()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.role:<22} {account.note}")
