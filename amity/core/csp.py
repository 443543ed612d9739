"""The Content-Security-Policy header (django-csp) with its directives in one order, the same in every process.

django-csp 4.0 builds the header from `set(chain(config, replace))` (`csp.utils.build_policy`), so its directives
come in the order of that set: the order of the names' string hashes, which Python draws anew for each process
(`PYTHONHASHSEED`). Two gunicorn workers, or two test runs, send the same policy with its directives shuffled. A
browser reads it the same either way, but a cached page differs from a fresh one, a reader comparing two answers
sees a change where there is none, and a check that looks for `"script-src 'self';"` fails whenever `script-src`
happens to come last. This middleware sets the directives in the order the settings declare them (any a page adds
after them, by name), after django-csp has built the header.
"""

from __future__ import annotations

from collections.abc import Sequence

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def ordered_policy(policy: str, order: Sequence[str]) -> str:
    """`policy` (a Content-Security-Policy header's value) with its directives in `order`, any other after them by
    name. A directive's value never holds a ";" (the policy's grammar leaves it out), so splitting there is exact."""
    rank = {name: index for index, name in enumerate(order)}
    directives = [part.strip() for part in policy.split(";") if part.strip()]

    def place(directive: str) -> tuple[int, str]:
        name = directive.split(maxsplit=1)[0].lower()
        return rank.get(name, len(rank)), name

    return "; ".join(sorted(directives, key=place))


def _declared_order(setting: str) -> list[str]:
    return list((getattr(settings, setting, None) or {}).get("DIRECTIVES", {}))


class OrderedCSPMiddleware(CSPMiddleware):
    """django-csp's middleware (the policy, a page's `_csp_update`, the report-only policy), its headers' directives
    in the settings' order."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        for header, setting in (
            (HEADER, "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            if header in response:
                response[header] = ordered_policy(response[header], _declared_order(setting))
        return response


__all__ = ["OrderedCSPMiddleware", "ordered_policy"]
