"""Write IATI 2.03 files: the aid items as an activity file, the organisations as an organisation file.

With --user, only what that user may see (the same chokepoint as pages and API); without it, every record, as
a system export. --province keeps the aid items located in a province (code of the current era).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from amity.accounts.models import User
from amity.aid.filtersets import AidItemFilterSet
from amity.aid.models import AidItem
from amity.core.scoping import Action
from amity.interop.iati.export import write_activities, write_organisations
from amity.organisations.models import Organisation


class Command(BaseCommand):
    help = "Export aid items and organisations as IATI 2.03 XML files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activities", metavar="FILE", help="Write the activity file here.")
        parser.add_argument("--organisations", metavar="FILE", help="Write the organisation file here.")
        parser.add_argument("--province", metavar="CODE", help="Only aid items located in this province (2025 code).")
        parser.add_argument("--user", metavar="USERNAME", help="Export only what this user may see.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["activities"] and not options["organisations"]:
            raise CommandError("Give --activities FILE, --organisations FILE or both.")
        user = self._user(options["user"])
        if options["activities"]:
            items = self._scoped(AidItem, user)
            if options["province"]:
                filterset = AidItemFilterSet({"province": options["province"]}, queryset=items)
                if not filterset.is_valid():
                    raise CommandError(filterset.errors.as_text())
                items = filterset.qs
            count = items.count()
            self._write(Path(options["activities"]), lambda stream: write_activities(items, stream))
            self.stdout.write(f"{count} activities written to {options['activities']}")
        if options["organisations"]:
            organisations = self._scoped(Organisation, user)
            count = organisations.count()
            self._write(Path(options["organisations"]), lambda stream: write_organisations(organisations, stream))
            self.stdout.write(f"{count} organisations written to {options['organisations']}")

    def _user(self, username: str | None) -> User | None:
        if username is None:
            return None
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user is named {username!r}.") from None

    def _scoped(self, model: type[AidItem] | type[Organisation], user: User | None) -> QuerySet[Any]:
        if user is None:
            return model.objects.unscoped()  # a system export, run by whoever runs manage.py
        if not model.scope_policy.allows(user, Action.VIEW):
            raise CommandError(f"{user.username} may not see any {model._meta.verbose_name_plural}.")
        return model.objects.restrict(user, Action.VIEW)

    def _write(self, path: Path, write: Callable[[Any], None]) -> None:
        """Write beside the target, then rename: a failed export never leaves half a file in its place."""
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as stream:
                write(stream)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
