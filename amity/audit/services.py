"""Writes of the audit log: one event (`AuditLogWriter`, registered with `amity.core.audit`) and the purge of
events older than the retention."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from amity.core.audit import AuditKind
from amity.core.net import client_address, user_agent

from .models import AuditEvent


def current_request() -> HttpRequest | None:
    """The request being served in this thread, if any (kept by django-simple-history's middleware)."""
    request = getattr(HistoricalRecords.context, "request", None)
    return request if isinstance(request, HttpRequest) else None


def _signed_in(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


class AuditLogWriter:
    def record(
        self,
        kind: str,
        *,
        actor: Any = None,
        subject: Any = None,
        username: str = "",
        request: HttpRequest | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        request = request or current_request()
        actor = _signed_in(actor) or (_signed_in(getattr(request, "user", None)) if request is not None else None)
        AuditEvent.objects.create(
            kind=kind,
            actor=actor,
            username=(username or (actor.get_username() if actor is not None else ""))[:150],
            subject=_signed_in(subject),
            ip_address=client_address(request) if request is not None else None,
            user_agent=user_agent(request) if request is not None else "",
            details=dict(details or {}),
        )


def audit_purge(*, days: int | None = None) -> int:
    """Remove the events older than `days` (default `AMITY_AUDIT_RETENTION_DAYS`), and the lockout's failure
    records of the same age; the purge itself is recorded. Returns how many events were removed."""
    days = settings.AMITY_AUDIT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    removed, _by_model = AuditEvent.objects.filter(at__lt=cutoff).delete()
    AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    AuditLogWriter().record(AuditKind.AUDIT_PURGED, details={"days": days, "removed": removed})
    return removed
