"""What makes the next public page light: every file a public page loads (stylesheets, scripts, images) is served
by WhiteNoise as production serves it — a hashed name, compressed, kept by browsers for a year (`immutable`), with
an ETag that answers 304 — so a visitor's next page costs its HTML alone. Public pages themselves may be kept a
minute. (The weights, measured in the browser: amity/tests_browser/test_public_speed.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from amity.conftest import serving_production_static

pytestmark = pytest.mark.django_db

ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|png|svg|jpg|woff2?)$")
YEAR = "max-age=315360000"


@pytest.fixture
def production(production_static: Path) -> Iterator[Client]:
    with serving_production_static(production_static):
        yield Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")


def assets_of(client: Client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return ASSET.findall(response.content.decode())


@pytest.mark.parametrize("path", ["/", "/?lang=ar", "/news/", "/ngos/", "/figures/", "/data/", "/api/public/v1/docs/"])
def test_every_file_a_public_page_loads_is_hashed_compressed_and_kept_a_year(production: Client, path: str) -> None:
    assets = assets_of(production, path)
    assert assets, path
    for url in assets:
        assert HASHED.search(url), url  # a new version gets a new name, so browsers may keep this one for ever
        response = production.get(url)
        assert response.status_code == 200, url
        assert YEAR in response["Cache-Control"] and "immutable" in response["Cache-Control"], url
        assert response["Content-Encoding"] == "gzip", url  # WhiteNoise's compressed copy
        assert "Accept-Encoding" in response["Vary"], url
        assert response["ETag"], url
        again = production.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url  # a browser that checks anyway gets no body


def test_the_charts_and_the_console_scripts_are_cached_too(production: Client, production_static: Path) -> None:
    from django.templatetags.static import static

    for name in ("vendor/echarts/echarts.min.js", "reports/reports.js", "reports/province-map.js"):
        url = static(name)
        assert HASHED.search(url), url
        assert "immutable" in production.get(url)["Cache-Control"], url


def test_a_public_page_may_be_kept_a_minute_by_browsers_and_proxies(production: Client) -> None:
    directives = {part.strip() for part in production.get("/news/")["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=60"}
