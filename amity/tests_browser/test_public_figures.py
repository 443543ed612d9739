"""The published figures and open data pages in a real browser, signed out, under the Content-Security-Policy: the
province map of a published report is drawn over its table, the data pages and the public API's documentation
load, in Vietnamese and in Arabic (right to left). The `page` fixture fails the test on any CSP violation."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from amity.portal.tests.opendata_world import SECRETS, build_world

from .conftest import snap


def test_the_public_figures_and_data_pages_run_under_the_csp(
    transactional_db: Any, live_server: Any, users: dict[str, Any], hai_phong: Any, son_la: Any, request: Any
) -> None:
    from playwright.sync_api import expect

    tab = request.getfixturevalue("page")

    world = build_world(users, hai_phong, son_la)
    tab.goto(f"/figures/{world.national.public_id}/")
    expect(tab.locator(".amity-map svg a")).to_have_count(34)  # the map, drawn by the server
    expect(tab.locator(".amity-published-table")).to_be_visible()
    tab.locator(".amity-map svg a[href$='province=52']").hover()  # Gia Lai: its middle is on land
    expect(tab.locator(".amity-map-tooltip")).to_be_visible()  # province-map.js ran
    snap(tab, "portal-figures-map")
    for path in ("/figures/", "/data/", "/data/dictionary/", "/api/public/v1/docs/", "/api/public/v1/docs/console/"):
        response = tab.goto(path)
        assert response is not None and response.status == 200, path
        text = tab.content()
        for secret in SECRETS:
            assert secret not in text, (path, secret)
    expect(tab.locator(".swagger-ui")).to_be_attached()

    tab.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    tab.goto("/data/")
    assert tab.locator("html").get_attribute("dir") == "rtl"
    tab.goto(f"/figures/{world.national.public_id}/")
    expect(tab.locator(".amity-map svg a")).to_have_count(34)
