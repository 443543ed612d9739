"""Rebuild the yearly diplomacy rollups from the register, compacting the differences that writes append (run it
after a bulk load and periodically, e.g. nightly; readers are never blocked, writers wait for the commit)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from amity.diplomacy.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the yearly diplomacy rollups (the dashboard's counts) from the register (compacts them)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = rollups_rebuild()
        self.stdout.write(f"{rows} rollup rows in {time.perf_counter() - started:.1f} s")
