"""The production settings behind a TLS proxy (config/settings/production.py): HTTPS only — plain HTTP redirected,
HSTS, a Content-Security-Policy on every answer — from the environment, the health check answering over HTTP, and
API errors in JSON. Each case runs Django in a subprocess with the production settings, as deployed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client

def answer(path, **headers):
    response = Client(HTTP_HOST="amity.example.gov.vn", raise_request_exception=False).get(path, **headers)
    return {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "hsts": response.get("Strict-Transport-Security", ""),
        "csp": response.get("Content-Security-Policy", ""),
        "type": response.get("Content-Type", ""),
        "body": response.content.decode()[:200],
    }

out = {
    "debug": settings.DEBUG,
    "http_page": answer("/accounts/login/"),
    "http_health": answer("/healthz"),
    # (no page needing a migrated database or collected static files: the headers are the same on every answer)
    "https_api_404": answer("/api/v1/no-such-list/", HTTP_X_FORWARDED_PROTO="https", HTTP_ACCEPT_LANGUAGE="en"),
    "http_api_404": answer("/api/v1/no-such-list/"),
}
print(json.dumps(out))
"""


def run_production(tmp_path: Path, **env: str) -> dict[str, Any]:
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "AMITY_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-production-like-secret-key-for-this-test-only-0123456789abcdefghij",
        "DJANGO_ALLOWED_HOSTS": "amity.example.gov.vn",
        "AMITY_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # the health check's SELECT 1 only
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_and_sends_hsts_and_the_policy(tmp_path: Path) -> None:
    out = run_production(tmp_path)
    assert out["debug"] is False
    assert out["http_page"]["status"] == 301
    assert out["http_page"]["location"] == "https://amity.example.gov.vn/accounts/login/"
    page = out["https_api_404"]
    assert page["hsts"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in page["csp"] and "frame-ancestors 'none'" in page["csp"]
    assert "unsafe-inline" not in page["csp"] and "unsafe-eval" not in page["csp"]


def test_the_health_check_answers_over_plain_http(tmp_path: Path) -> None:
    health = run_production(tmp_path)["http_health"]
    assert (health["status"], json.loads(health["body"])["status"]) == (200, "ok")


def test_api_errors_are_json_in_production(tmp_path: Path) -> None:
    error = run_production(tmp_path)["https_api_404"]
    assert (error["status"], error["type"]) == (404, "application/json")
    assert json.loads(error["body"]) == {"detail": "Not found."}


def test_the_environment_turns_the_redirect_and_hsts_off_or_changes_them(tmp_path: Path) -> None:
    off = run_production(tmp_path, DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_HSTS_SECONDS="0")
    assert off["http_api_404"]["status"] == 404  # answered, not redirected
    assert off["https_api_404"]["hsts"] == ""
    preload = run_production(
        tmp_path,
        DJANGO_SECURE_HSTS_SECONDS="600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_SECURE_HSTS_PRELOAD="1",
    )
    assert preload["https_api_404"]["hsts"] == "max-age=600; preload"
