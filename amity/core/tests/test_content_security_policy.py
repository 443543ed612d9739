"""The Content-Security-Policy header lists its directives in the settings' order, in every process
(amity.core.csp: django-csp alone orders them by the process's string hashes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from amity.conftest import client_for
from amity.core.csp import ordered_policy

ROOT = Path(__file__).resolve().parents[3]

# The header a fresh process's configured policy middleware writes (no database needed).
HEADER_OF_A_PROCESS = r"""
import django
django.setup()
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.module_loading import import_string

loaded = map(import_string, settings.MIDDLEWARE)
[middleware] = [m for m in loaded if isinstance(m, type) and issubclass(m, CSPMiddleware)]
response = middleware(lambda request: HttpResponse())(RequestFactory().get("/"))
print(response["Content-Security-Policy"])
"""


def _names(policy: str) -> list[str]:
    return [part.split()[0] for part in policy.split(";") if part.strip()]


def _sources(policy: str) -> dict[str, set[str]]:
    return {part.split()[0]: set(part.split()[1:]) for part in policy.split(";") if part.strip()}


def _declared() -> list[str]:
    return list(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])


def test_directives_come_in_the_given_order_and_any_other_after_them_by_name() -> None:
    policy = "style-src 'self' 'unsafe-inline'; worker-src 'none'; script-src 'self'; child-src 'self'"
    assert ordered_policy(policy, ["script-src", "style-src"]) == (
        "script-src 'self'; style-src 'self' 'unsafe-inline'; child-src 'self'; worker-src 'none'"
    )


@pytest.mark.django_db
def test_a_page_lists_the_directives_in_the_settings_order() -> None:
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    assert _names(policy) == _declared()


@pytest.mark.django_db
def test_the_browsable_api_adds_inline_styles_in_the_same_order(users: dict[str, Any]) -> None:
    response = client_for(users["admin"]).get("/api/v1/aid-items/", HTTP_ACCEPT="text/html")
    policy = response["Content-Security-Policy"]
    assert _names(policy) == _declared()
    assert _sources(policy)["style-src"] == {"'self'", "'unsafe-inline'"}
    assert _sources(policy)["script-src"] == {"'self'"}


def test_every_process_sends_the_same_header() -> None:
    headers = set()
    for seed in ("1", "2", "3", "4"):
        environment = {**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        done = subprocess.run(
            [sys.executable, "-c", HEADER_OF_A_PROCESS],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        headers.add(done.stdout.strip())
    assert len(headers) == 1
    assert _names(headers.pop()) == _declared()
