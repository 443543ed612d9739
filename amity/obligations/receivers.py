"""Keeps the obligations in step with the register: the aid services tell `amity.core.derived` which aid items
changed (inside their transaction); once that commits, their obligations are generated again by the task
worker. What time alone changes (a new period begins) and the registrations of NGOs are followed by the daily
run (`tasks.obligations_daily`, or `manage.py send_reminders` from cron)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction


class ObligationsKeeper:
    def aid_items_changed(self, aid_item_ids: Iterable[int]) -> None:
        ids = sorted(set(aid_item_ids))
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))

    def organisations_changed(self, organisation_ids: Iterable[int]) -> None:
        """An organisation's country: nothing a duty depends on."""


def _enqueue(ids: list[int]) -> None:
    from .tasks import generate_obligations

    generate_obligations.enqueue(aid_item_ids=ids)
