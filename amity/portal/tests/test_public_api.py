"""The public API (`/api/public/v1/…`): read-only, anonymous, throttled per address; published data only, every
column users asked for, paginated and filtered; a bad filter is a 400, never a 500; its OpenAPI schema and page."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from .opendata_world import SECRETS, World, build_world

pytestmark = pytest.mark.django_db
API = "/api/public/v1/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def world(users: dict[str, Any], hai_phong: Any, son_la: Any) -> World:
    return build_world(users, hai_phong, son_la)


def test_every_list_answers_anyone_with_published_data_only(world: World) -> None:
    client = APIClient()
    for name in ("published-reports", "aid-items", "transactions", "ngos"):
        response = client.get(f"{API}{name}/")
        assert response.status_code == 200, name
        assert response.json()["count"] > 0, name
        text = json.dumps(response.json(), ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    detail = client.get(f"{API}published-reports/{world.national.public_id}/").json()
    assert detail["content_hash"] == world.national.content_hash and detail["intact"] is True
    assert "t-central" not in json.dumps(detail) and detail["publisher"]
    item = client.get(f"{API}aid-items/{world.split_item.public_id}/").json()
    assert item["committed_usd"] == "1001.00"


def test_transactions_carry_province_sectors_both_currencies_and_the_basis(world: World) -> None:
    rows = APIClient().get(f"{API}transactions/", {"province": "14"}).json()["results"]
    assert [(row["province_code"], row["amount_usd"]) for row in rows] == [("14", "400.40")]
    row = rows[0]
    for key in (
        "province",
        "sectors",
        "sector_codes",
        "amount_vnd",
        "currency",
        "status_basis",
        "conversion_basis",
        "rate_note",
    ):
        assert key in row
    assert Decimal(row["amount_vnd"]) > 0


def test_the_apis_totals_are_the_published_reports(world: World) -> None:
    rows = APIClient().get(f"{API}transactions/", {"year": "2024", "page_size": "500"}).json()["results"]
    committed = sum(Decimal(row["amount_usd"]) for row in rows if row["transaction_type"] == "2")
    assert committed == Decimal(world.national.figures["totals"]["committed"])


def test_lists_are_paginated(world: World) -> None:
    first = APIClient().get(f"{API}transactions/", {"page_size": "2"}).json()
    assert len(first["results"]) == 2 and first["next"]


@pytest.mark.parametrize(
    "query",
    [{"year": "abc"}, {"province": "99"}, {"sector": "xyz"}, {"donor": "x"}, {"page": "999"}, {"province": "\x00"}],
)
@pytest.mark.parametrize("name", ["aid-items", "transactions"])
def test_a_bad_filter_is_a_4xx_never_a_500(db: Any, name: str, query: dict[str, str]) -> None:
    response = APIClient().get(f"{API}{name}/", query)
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert next(iter(query)) in response.json()


def test_writes_are_refused(world: World) -> None:
    assert APIClient().post(f"{API}aid-items/", {}).status_code == 405
    assert APIClient().delete(f"{API}published-reports/{world.national.public_id}/").status_code == 405


@override_settings(AMITY_API_THROTTLE_RATES={"public": "3/minute", "anon": "100/minute", "user": "100/minute"})
def test_an_address_past_its_rate_gets_429(db: Any) -> None:
    client = APIClient()
    assert [client.get(f"{API}ngos/").status_code for _ in range(3)] == [200] * 3
    response = client.get(f"{API}aid-items/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    other = APIClient(REMOTE_ADDR="192.0.2.9")
    assert other.get(f"{API}ngos/").status_code == 200


def test_the_schema_and_its_page_are_public(db: Any) -> None:
    schema = APIClient().get(f"{API}schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert f"{API}transactions/" in paths and f"{API}ngos/" in paths
    assert all(path.startswith(API) for path in paths)
    assert f"{API}docs/" not in paths and f"{API}docs/console/" not in paths  # pages, not operations
    assert APIClient().get(f"{API}docs/").status_code == 200


def test_the_schema_is_sent_compressed(db: Any) -> None:
    response = APIClient().get(f"{API}schema/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and len(response.content) < 8_000


def test_the_documentation_lists_every_operation_without_javascript(db: Any) -> None:
    text = APIClient().get(f"{API}docs/", {"lang": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in text and '<div lang="en" dir="ltr">' in text  # the schema's English
    for path in ("aid-items/", "aid-items/{public_id}/", "transactions/", "ngos/", "published-reports/"):
        assert f"<code>{API}{path}</code>" in text, path
    assert "<code>province</code> (string): A current province" in text
    assert "<script" not in text and "swagger" not in text.lower().replace("swagger ui", "")  # no console here
    assert f'href="{API}docs/console/"' in text


def test_the_console_is_swagger_ui_on_the_public_schema(db: Any) -> None:
    text = APIClient().get(f"{API}docs/console/", {"lang": "vi"}).content.decode()
    assert '<html lang="vi" dir="ltr">' in text and '<div id="swagger-ui" lang="en" dir="ltr">' in text
    assert "swagger-ui-bundle.js" in text and "swagger-ui-standalone-preset" not in text
    script = APIClient().get(f"{API}docs/console/", {"script": ""}).content.decode()
    assert f"{API}schema/" in script and '"deepLinking": false' in script


@pytest.mark.parametrize("name", ["aid-items", "transactions", "ngos", "published-reports"])
def test_a_page_runs_a_fixed_number_of_queries(world: World, name: str, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(12):
        assert APIClient().get(f"{API}{name}/").status_code == 200


@pytest.mark.parametrize("name", ["aid-items", "published-reports"])
def test_a_malformed_or_unknown_identifier_is_a_404(db: Any, name: str) -> None:
    assert APIClient().get(f"{API}{name}/{'-' * 36}/").status_code == 404
    assert APIClient().get(f"{API}{name}/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_unapproved_aid_is_not_found_by_its_identifier(world: World, users: dict[str, Any]) -> None:
    from amity.aid.models import AidItem

    proposed = AidItem.objects.get(title_vi="SECRET-PROPOSED")
    assert APIClient().get(f"{API}aid-items/{proposed.public_id}/").status_code == 404
