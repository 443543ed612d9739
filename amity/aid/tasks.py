"""Background work of the aid register (Django Tasks API; immediate in tests, the database queue otherwise)."""

from __future__ import annotations

from django_tasks import task

from .services import transactions_revalue


@task()
def revalue_transactions(currencies: list[str] | None = None) -> int:
    """Re-value stored USD/VND amounts after exchange rates changed; returns how many transactions changed."""
    return transactions_revalue(currencies=currencies)
