"""Rows derived from the register — the report facts and their rollups — and how the writers below the app that
keeps them tell it what changed.

The reports app keeps the derived rows (`amity.reports.facts`) and registers its keeper here when Django starts
(`ReportsConfig.ready`). The aid and organisation services, which lie below reports in the layers
(docs/ARCHITECTURE.md), call `aid_items_changed` / `organisations_changed` (and `registrations_changed`, which only
the listeners above reports follow) inside their own transaction, so the figures never lag behind a write and a
lower app never imports a higher one. No keeper registered is a
configuration error, raised at the first write: derived rows must never silently fall behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class DerivedRowsKeeper(Protocol):
    def aid_items_changed(self, aid_item_ids: Iterable[int]) -> None:
        """Rebuild what is derived from these aid items (their splits, transactions, status, conversions)."""

    def organisations_changed(self, organisation_ids: Iterable[int]) -> None:
        """Rebuild what is derived from these organisations (a donor's country)."""


class RegisterListener(DerivedRowsKeeper, Protocol):
    def registrations_changed(self, organisation_ids: Iterable[int]) -> None:
        """Follow these organisations' registrations (issued, corrected, extended, suspended, ended, deleted)."""


_keeper: DerivedRowsKeeper | None = None
# Apps above reports that follow the register too (the reporting duties of each aid item and registered NGO): told
# after the keeper.
_listeners: list[RegisterListener] = []


def register(keeper: DerivedRowsKeeper) -> None:
    global _keeper
    _keeper = keeper


def listen(listener: RegisterListener) -> None:
    """Tell `listener` too what changed (inside the writer's transaction; a listener that works for long defers
    its work to the commit, `transaction.on_commit`)."""
    if not any(type(found) is type(listener) for found in _listeners):
        _listeners.append(listener)


def _registered() -> DerivedRowsKeeper:
    if _keeper is None:
        raise ImproperlyConfigured("No keeper of derived rows is registered (is amity.reports installed?).")
    return _keeper


def aid_items_changed(aid_item_ids: Iterable[int]) -> None:
    ids = list(aid_item_ids)
    _registered().aid_items_changed(ids)
    for listener in _listeners:
        listener.aid_items_changed(ids)


def organisations_changed(organisation_ids: Iterable[int]) -> None:
    ids = list(organisation_ids)
    _registered().organisations_changed(ids)
    for listener in _listeners:
        listener.organisations_changed(ids)


def registrations_changed(organisation_ids: Iterable[int]) -> None:
    """NGOs' registrations changed (the registrations' services, inside their transaction): no report figure holds
    them, so only the listeners are told (the NGOs' reporting duties)."""
    ids = list(organisation_ids)
    for listener in _listeners:
        listener.registrations_changed(ids)
