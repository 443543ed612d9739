"""The API is throttled: a client past its rate gets 429 in JSON with Retry-After, per user (token or session) and
per address for anonymous requests; the rates come from the settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

RATES = {"anon": "3/minute", "user": "5/minute"}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@override_settings(AMITY_API_THROTTLE_RATES=RATES)
def test_a_token_client_past_its_rate_gets_429_in_json(users: dict[str, Any]) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=users['central']).key}")
    statuses = [client.get("/api/v1/organisations/").status_code for _ in range(5)]
    assert statuses == [200] * 5
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert int(response["Retry-After"]) > 0
    # Another user has a rate of their own.
    other = APIClient()
    other.force_authenticate(users["editor"])
    assert other.get("/api/v1/organisations/").status_code == 200


@override_settings(AMITY_API_THROTTLE_RATES=RATES, AMITY_API_DOCS_PUBLIC=True)  # the schema: anonymous requests
def test_anonymous_requests_are_throttled_per_address() -> None:
    client = APIClient()
    assert [client.get("/api/schema/").status_code for _ in range(3)] == [200] * 3
    assert client.get("/api/schema/").status_code == 429
    assert APIClient(REMOTE_ADDR="10.1.2.3").get("/api/schema/").status_code == 200


def test_the_default_rates_are_set() -> None:
    from django.conf import settings

    from config.settings import base

    assert set(base.AMITY_API_THROTTLE_RATES) >= {"anon", "user"}
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
