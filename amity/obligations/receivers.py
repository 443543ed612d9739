"""Keeps the obligations in step with the register: the aid services tell `amity.core.derived` which aid items
changed, the registrations' services which organisations' registrations changed (inside their transaction); once
that commits, the obligations concerned are generated again by the task worker — the items' own, or the NGOs'
rules' (every registered NGO: a few seconds nationally, once per transaction however many registrations it
wrote). What time alone changes (a new period begins) is followed by the daily run (`tasks.obligations_daily`, or
`manage.py send_reminders` from cron)."""

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

    def registrations_changed(self, organisation_ids: Iterable[int]) -> None:
        if not list(organisation_ids):
            return
        connection = transaction.get_connection()
        # Once per transaction: an upload of hundreds of registrations queues one generation, not hundreds. (The
        # callback of a savepoint rolled back has left this list already; the list is emptied at the commit.)
        pending = (func for _sids, func, _robust in connection.run_on_commit if isinstance(func, NgoDutiesGeneration))
        if not any(not func.ran for func in pending):
            transaction.on_commit(NgoDutiesGeneration())


def _enqueue(ids: list[int]) -> None:
    from .tasks import generate_obligations

    generate_obligations.enqueue(aid_item_ids=ids)


class NgoDutiesGeneration:
    """Queued on commit: the duties of the NGOs' rules generated again (every registered NGO's)."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        from .choices import Reporter
        from .models import DutyRule
        from .tasks import generate_obligations

        self.ran = True
        rule_ids = list(DutyRule.objects.filter(reporter=Reporter.NGO).values_list("pk", flat=True))
        if rule_ids:
            generate_obligations.enqueue(rule_ids=rule_ids)
