"""Notifications from reference data to the apps that derive values from it."""

from django.dispatch import Signal

# Sent after exchange rates of `currencies` (ISO codes) were created, changed or deleted. Receivers must act
# on commit: the aid app re-values the stored USD/VND amounts of transactions in those currencies.
rates_changed = Signal()
