"""Keeps derived values in step with reference data: when rates change, stored conversions are re-valued."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from amity.reference.signals import rates_changed

from .tasks import revalue_transactions


@receiver(rates_changed)
def revalue_on_rate_change(sender: Any, currencies: list[str], **kwargs: Any) -> None:
    transaction.on_commit(lambda: revalue_transactions.enqueue(currencies=list(currencies)))
