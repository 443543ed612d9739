"""Deprecated name of `purge_personal_data` (which removes association members' personal data too, not only
visitors'): it says so on standard error, then runs that command with the same options. Kept so that schedules
written for the old name go on working; move them to the new name."""

from typing import Any

from .purge_personal_data import Command as PurgePersonalData

DEPRECATION = (
    "purge_visitor_personal_data is deprecated and will be removed: use purge_personal_data (the same options). "
    "Running purge_personal_data now."
)


class Command(PurgePersonalData):
    help = f"Deprecated: use purge_personal_data. {PurgePersonalData.help}"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.write(self.style.WARNING(DEPRECATION))
        super().handle(*args, **options)
