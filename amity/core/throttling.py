"""Rates of the API (DRF throttling): per user for a signed-in client (session or token), per address for anonymous
requests. The rates are read from `AMITY_API_THROTTLE_RATES` when a request comes, so a deployment (or a test)
changes them in the settings alone. A client past its rate gets 429 in JSON with `Retry-After`."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .net import client_address


class _AmityRates:
    """The rate of the throttle's scope from the settings, and the client's address as the lockout and the audit
    log see it (AMITY_PROXY_COUNT), not DRF's own reading of X-Forwarded-For."""

    scope: str | None

    def get_rate(self) -> str | None:
        rates: dict[str, str] = settings.AMITY_API_THROTTLE_RATES
        return rates.get(self.scope or "")

    def get_ident(self, request: Request) -> str:
        return client_address(request._request) or "unknown"


class AnonymousRate(_AmityRates, AnonRateThrottle):
    pass


class UserRate(_AmityRates, UserRateThrottle):
    pass
