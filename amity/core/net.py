"""Where a request comes from: the client's address and user agent, as the lockout and the audit log record them.

Behind a reverse proxy every request comes from the proxy's address; the proxy names the client in
`X-Forwarded-For`. That header is trusted only as far as `AMITY_PROXY_COUNT` says (the number of proxies in front
of Amity that append to it): the client's address is then the one that many entries from the right. With no proxy
(the default) the header is ignored, since anyone could send it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

USER_AGENT_MAX = 300


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    proxies = int(getattr(settings, "AMITY_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return _valid(forwarded[-proxies])
    return _valid(str(request.META.get("REMOTE_ADDR", "")))


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]
