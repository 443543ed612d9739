"""Bring one union's register under another's (the 2025 merger of provinces), keeping history and old provinces."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amity.accounts.models import User
from amity.diplomacy.models import Union
from amity.diplomacy.services import union_merge


def _union(value: str) -> Union:
    """A union by its public identifier, or by its province as `era:code` (`pre2025:30`, `2025:31`)."""
    if ":" in value:
        era, code = value.split(":", 1)
        found = Union.objects.filter(province__era=era, province__code=code).first()
    else:
        found = Union.objects.filter(public_id=value).first()
    if found is None:
        raise CommandError(f"No union {value!r}.")
    return found


class Command(BaseCommand):
    help = (
        "Merge a union's register into another union's: every unit, partnership, event, delegation and visitor "
        "moves to the target union and its province, keeping its history and its old-era province. "
        "Example: merge_unions pre2025:30 2025:31 --user admin (Hải Dương's union into Hải Phòng's)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the union merged: public id, or era:province code (pre2025:30)")
        parser.add_argument("target", help="the union it joins: public id, or era:province code (2025:31)")
        parser.add_argument("--user", required=True, help="username of the administrator or editor acting")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        try:
            counts = union_merge(user=user, source=_union(options["source"]), target=_union(options["target"]))
        except ValidationError as refused:  # already merged, into itself, into a merged union
            raise CommandError(" ".join(refused.messages)) from refused
        except PermissionDenied as refused:
            raise CommandError(f"{user.username} may not change both unions.") from refused
        self.stdout.write("Merged: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
