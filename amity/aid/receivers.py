"""Keeps derived values in step with reference data: when rates change, stored conversions are re-valued."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from amity.reference.fx import forget_shared_rate_book
from amity.reference.signals import rates_changed

from .tasks import revalue_transactions


@receiver(rates_changed)
def revalue_on_rate_change(sender: Any, currencies: list[str], **kwargs: Any) -> None:
    # Now for this process, again once the new rates are visible to the others.
    forget_shared_rate_book()
    transaction.on_commit(forget_shared_rate_book)
    transaction.on_commit(lambda: revalue_transactions.enqueue(currencies=list(currencies)))
