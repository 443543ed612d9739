"""Every kind of public page, in Vietnamese, English and Arabic (right to left), checked by axe-core (vendored,
amity/static/vendor/axe-core, MPL-2.0) in the browser: no violation of its rules (WCAG 2.x A and AA and best
practices: headings, labels, contrast, landmarks, language and direction); and the keyboard: every link and control
shows where the focus is. One browser, one live server and one public site (`public_site`) for all of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import assert_no_csp_violation, new_context
from .public_site import LANGUAGES, PAGES, READY, in_language

AXE = "/static/vendor/axe-core/axe.min.js"


@pytest.fixture(scope="module")
def visitor(browser: Any, live_server: Any, public_site: dict[str, str]) -> Iterator[tuple[Any, list[str]]]:
    """One browser tab for the module (signed out), and the Content-Security-Policy violations it saw."""
    context, violations = new_context(browser, live_server, viewport={"width": 1280, "height": 800})
    yield context.new_page(), violations
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(url=AXE)  # a file of the site itself: the Content-Security-Policy allows it
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def described(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes']][:4]}" for v in violations
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_the_public_page_has_no_accessibility_violation(
    visitor: tuple[Any, list[str]], public_site: dict[str, str], name: str, language: str
) -> None:
    from playwright.sync_api import expect

    page, csp_violations = visitor
    csp_violations.clear()
    response = page.goto(in_language(public_site[name], language))
    assert response is not None and response.status == 200, name
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    if name in READY:
        expect(page.locator(READY[name]).first).to_be_attached(timeout=20_000)
    violations = described(axe_violations(page))
    assert not violations, "\n".join(violations)
    assert_no_csp_violation(csp_violations)


# What the focused element shows: an outline, a shadow (Bootstrap's controls) or, for a province of the map, a
# dark stroke (amity.css); and whether it is on screen.
_FOCUS = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    name: element.tagName + " " + (element.getAttribute("aria-label") || element.textContent || "").trim().slice(0, 40),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    stroke: element instanceof SVGElement && style.stroke === "rgb(0, 0, 0)",
    shown: box.width > 0 && box.height > 0,
    body: element === document.body,
  };
}"""
KEYBOARD_PAGES = ("home", "directory", "figures", "report-by-province", "events")


@pytest.mark.parametrize("language", ("vi", "ar"))
@pytest.mark.parametrize("name", KEYBOARD_PAGES)
def test_the_keyboard_reaches_every_link_and_control_with_a_visible_focus(
    visitor: tuple[Any, list[str]], public_site: dict[str, str], name: str, language: str
) -> None:
    page, _csp = visitor
    page.goto(in_language(public_site[name], language))
    page.keyboard.press("Tab")
    first = page.evaluate(_FOCUS)
    assert first["name"].startswith("A ") and first["shown"], first  # the skip link, shown when focused
    seen = 0
    for _ in range(80):
        focus = page.evaluate(_FOCUS)
        if focus["body"]:
            break
        assert focus["shown"] and (focus["outline"] or focus["shadow"] or focus["stroke"]), focus
        seen += 1
        page.keyboard.press("Tab")
    assert seen > 10
