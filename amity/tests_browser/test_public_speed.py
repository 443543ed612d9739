"""A visitor on a slow connection: the public pages measured in the browser (Chrome DevTools Protocol), against a
server that serves the static files as production does (`production_site`: hashed names, compressed, kept a year).

- The home page is readable within 3 s on a 400 kbit/s connection with 400 ms of latency and an empty cache
  (first contentful paint and largest contentful paint: the heading and the news are on screen).
- Every public page weighs under 500 KB on the first load (its HTML, stylesheets, scripts, images and what its
  scripts fetch, as received: compressed) and under 100 KB on the next (its files cached: the HTML again).

Run with `-s` to see the figures (benchmarks/RESULTS.md, "Public pages on a slow connection")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .public_site import PAGES, READY, in_language

SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
FIRST_LOAD_MAX = 500_000
NEXT_LOAD_MAX = 100_000

# First contentful paint, largest contentful paint and the navigation's milestones, in ms from its start.
_TIMINGS = """async () => {
  const entries = (type) => new Promise((resolve) => {
    new PerformanceObserver((list, observer) => { observer.disconnect(); resolve(list.getEntries()); })
      .observe({type: type, buffered: true});
    setTimeout(() => resolve(performance.getEntriesByType(type)), 1000);
  });
  const paints = await entries("paint");
  const largest = await entries("largest-contentful-paint");
  const navigation = performance.getEntriesByType("navigation")[0];
  const fcp = paints.find((entry) => entry.name === "first-contentful-paint");
  const last = largest.length ? largest[largest.length - 1] : null;
  return {
    fcp: fcp ? fcp.startTime : null,
    lcp: last ? last.startTime : null,
    lcp_element: last && last.element ? last.element.tagName : "",
    html: navigation.responseEnd,
    dom_ready: navigation.domContentLoadedEventEnd,
    load: navigation.loadEventEnd,
  };
}"""


def bytes_received(context: Any, page: Any) -> Callable[[], int]:
    """The bytes the page received from now on (bodies as sent, compressed, and headers), read by the browser."""
    received: list[int] = []
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.loadingFinished", lambda event: received.append(int(event["encodedDataLength"])))

    def total() -> int:
        count = sum(received)
        received.clear()
        return count

    return total


@pytest.mark.parametrize("language", ["vi", "ar"])
def test_the_home_page_is_readable_within_3_seconds_on_a_slow_connection(
    browser: Any, production_site: str, language: str
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=production_site, locale="vi-VN")  # a new context: an empty cache
    page = context.new_page()
    total = bytes_received(context, page)
    context.new_cdp_session(page).send("Network.emulateNetworkConditions", SLOW)
    page.goto(in_language("/", language), wait_until="load", timeout=30_000)
    expect(page.locator("main h1")).to_be_visible()
    timings = page.evaluate(_TIMINGS)
    received = total()
    print(f"\nhome ({language}) at 400 kbit/s, 400 ms: {received / 1000:.1f} KB, {timings}")
    assert timings["fcp"] is not None and timings["fcp"] < 3000, timings
    assert timings["lcp"] is not None and timings["lcp"] < 3000, timings
    context.close()


def test_every_public_page_is_under_500_kb_first_and_under_100_kb_next(
    browser: Any, production_site: str, public_site: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    rows, heavy = [], []
    for language in ("vi", "ar"):
        for name in PAGES:
            context = browser.new_context(base_url=production_site, locale="vi-VN")
            page = context.new_page()
            total = bytes_received(context, page)
            page.goto(in_language(public_site[name], language))
            if name in READY:  # drawn by a script: what it fetches counts too
                expect(page.locator(READY[name]).first).to_be_attached(timeout=20_000)
            page.wait_for_load_state("networkidle")
            first = total()
            page.reload()  # the next load: the HTML again, the files from the cache
            if name in READY:
                expect(page.locator(READY[name]).first).to_be_attached(timeout=20_000)
            page.wait_for_load_state("networkidle")
            following = total()
            context.close()
            rows.append(f"{name + ' (' + language + ')':<34} {first / 1000:>8.1f} KB {following / 1000:>8.1f} KB")
            if first >= FIRST_LOAD_MAX or following >= NEXT_LOAD_MAX:
                heavy.append(rows[-1])
    print("\npage                               first load  next load\n" + "\n".join(rows))
    assert not heavy, "\n".join(heavy)
