"""/healthz, and configuration errors reported as one clear line instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import database_from_url

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_healthz_answers_200_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/amity", "unsupported database"),
        ("not-a-url", "not a valid database URL"),
    ],
)
def test_bad_database_url_is_named(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_prints_one_line_for_an_unsupported_database_url():
    result = run_manage("check", DATABASE_URL="mysql://root@localhost/amity")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Amity is not configured correctly: DATABASE_URL uses an unsupported database "
        "(django.db.backends.mysql); use sqlite:/// or postgres://."
    ]


def test_manage_py_prints_one_line_when_postgresql_is_unreachable():
    result = run_manage("migrate", "--check", DATABASE_URL="postgres://nobody@127.0.0.1:1/amity")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Amity cannot use its database (check DATABASE_URL):")
