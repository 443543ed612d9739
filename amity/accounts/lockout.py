"""The lockout after repeated failed sign-ins (django-axes), with its limits from Amity's settings.

After `AMITY_LOGIN_FAILURE_LIMIT` failures for a user name, or from an address, within the cool-off, signing in
is refused for that name and that address until the cool-off has passed, even with the right password (and the
right code of the second factor). The cool-off starts at `AMITY_LOGIN_COOLOFF_MINUTES` and doubles for every
further `AMITY_LOGIN_FAILURE_LIMIT` failures of the same name or address within `AMITY_LOGIN_COOLOFF_MAX_HOURS`,
up to that maximum: an attacker who waits out one lockout and tries again is locked out for longer each time.
Failures are kept by axes (`AccessFailureLog`, removed with the audit log by `purge_audit`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from amity.core.net import client_address


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    return int(settings.AMITY_LOGIN_FAILURE_LIMIT)


def cool_off_for(failures: int) -> timedelta:
    """The cool-off after `failures` failures within the last `AMITY_LOGIN_COOLOFF_MAX_HOURS`."""
    base = timedelta(minutes=int(settings.AMITY_LOGIN_COOLOFF_MINUTES))
    longest = timedelta(hours=int(settings.AMITY_LOGIN_COOLOFF_MAX_HOURS))
    lockouts = max(1, failures // failure_limit())
    return min(longest, base * (1 << min(lockouts - 1, 32)))


def _username(request: HttpRequest) -> str | None:
    credentials = getattr(request, "axes_credentials", None) or {}
    name = credentials.get("username") if isinstance(credentials, dict) else None
    if name is None and request.method == "POST":
        name = request.POST.get("username")
    return str(name) if name else None


def recent_failures(request: HttpRequest) -> int:
    """Failures of the request's user name or from its address (whichever has more) in the back-off window."""
    since = timezone.now() - timedelta(hours=settings.AMITY_LOGIN_COOLOFF_MAX_HOURS)
    recent = AccessFailureLog.objects.filter(attempt_time__gte=since)
    counts = [0]
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    if address:
        counts.append(recent.filter(ip_address=address).count())
    username = _username(request)
    if username:
        counts.append(recent.filter(username=username).count())
    return max(counts)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: the cool-off for this request's user name and address."""
    return cool_off_for(recent_failures(request) if request is not None else 0)
