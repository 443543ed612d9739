"""Load (or remove) the deterministic demo data that reproduces the published figures."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amity.demo.register import demo_load, demo_remove
from amity.demo.users import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo data and demo users (idempotent), or remove them with --remove."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--remove", action="store_true", help="Delete every demo record and demo user.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["remove"]:
            for name, count in demo_remove().items():
                self.stdout.write(f"removed {count} demo {name}")
            self.stdout.write("Demo users removed.")
            return
        counts = demo_load()
        if counts:
            self.stdout.write("Demo data loaded: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        else:
            self.stdout.write("Demo data already loaded (remove it with `manage.py load_demo --remove`).")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<10} {account.role:<22} {account.note}")
