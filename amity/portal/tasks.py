"""Background work of the public page: building the open data files (`opendata_files`). Tasks receive plain
values (targets as dicts), never model instances."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from .opendata_files import LOCK_SECONDS, Target, all_targets, open_data_files_build

NIGHTLY_AT = time(2, 30)  # local time of the nightly build: after the day's work, before the offices open
BUSY_RETRY = timedelta(minutes=15)


def _summary(result: Any) -> dict[str, int]:
    return {"built": len(result.built), "too_large": len(result.too_large), "failed": len(result.failed)}


@task()
def build_open_data(targets: list[dict[str, str]] | None = None, queued_key: str = "") -> dict[str, int]:
    """Build the open data files (every one, or `targets`). Queued by `open_data_build_soon` (after a report is
    published, or for a download whose file is missing), whose key is freed as the build starts, so a publication
    during the build queues the next one. If another build is running, this one is queued again for later."""
    if queued_key:
        cache.delete(queued_key)
    wanted = [Target(**target) for target in targets] if targets is not None else all_targets()
    result = open_data_files_build(targets=wanted)
    if result.busy and build_open_data.get_backend().supports_defer:
        later = build_open_data.using(run_after=timezone.now() + BUSY_RETRY)
        if not queued_key or cache.add(queued_key, 1, timeout=LOCK_SECONDS):
            later.enqueue(targets=targets, queued_key=queued_key)
    return _summary(result)


@task()
def open_data_nightly(reschedule: bool = True) -> dict[str, int]:
    """Every file, built again each night (the directory's "valid today" changes with the date, and aid approved
    during the day joins the published level); then the next run is queued for tomorrow night. Start the chain
    once with `manage.py build_open_data --schedule`, or run `manage.py build_open_data` from cron instead."""
    result = open_data_files_build(targets=all_targets())
    if result.busy and open_data_nightly.get_backend().supports_defer:  # a build after a publication is running
        open_data_nightly.using(run_after=timezone.now() + BUSY_RETRY).enqueue(reschedule=False)
    if reschedule:
        tomorrow = timezone.localdate() + timedelta(days=1)
        run_after = timezone.make_aware(datetime.combine(tomorrow, NIGHTLY_AT))
        open_data_nightly.using(run_after=run_after).enqueue(reschedule=True)
    return _summary(result)
