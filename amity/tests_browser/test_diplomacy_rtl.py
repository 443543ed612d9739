"""The diplomacy register right to left in Arabic (issue 14: "the calendar and forms right-to-left in Arabic"),
measured in a real browser: the event form, the calendar's month and the delegation form read from the right —
each label at the right of its field, the week's first day in the rightmost column — and nothing runs off the page
sideways, at a desktop's width and a tablet's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from amity.accounts.choices import Role
from amity.conftest import make_user, province
from amity.diplomacy import services
from amity.diplomacy.models import Event, Union
from amity.reference.models import AdministrativeUnit

from .conftest import SCREENSHOTS, sign_in_as, snap

SLACK = 2  # pixels of rounding between two edges that should meet

# Every visible field of the form with its label and, for a check box, its box: the boxes' edges in pixels.
_FIELDS = """
() => [...document.querySelectorAll("main form .mb-3")]
  .filter((group) => group.offsetParent !== null)
  .map((group) => {
    const box = (element) => {
      if (!element) return null;
      const r = element.getBoundingClientRect();
      return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    const check = group.querySelector(".form-check > input");
    const label = group.querySelector(":scope > label, :scope > fieldset > legend, .form-check > label");
    const field = check || group.querySelector(":scope > input, :scope > select, :scope > textarea, "
      + ":scope > fieldset > div, :scope > div > input, :scope > div > select");
    return {name: (field && (field.name || field.id)) || group.textContent.trim().slice(0, 30),
            check: Boolean(check), label: box(label), field: box(field),
            labelAlign: label ? getComputedStyle(label).textAlign : null};
  })
"""

# What runs off the page sideways: the document wider than the window, or a box of the main content reaching out
# of it (a scrolling table included).
_OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width + 1) out.push("document " + document.documentElement.scrollWidth);
  for (const element of document.querySelectorAll("main *")) {
    if (element.offsetParent === null) continue;
    const r = element.getBoundingClientRect();
    if (r.width > 0 && (r.left < -1 || r.right > width + 1)) {
      out.push(element.tagName + "." + element.className + " " + Math.round(r.left) + "–" + Math.round(r.right));
    }
    const style = getComputedStyle(element);
    if ((style.overflowX === "auto" || style.overflowX === "scroll") && element.scrollWidth > element.clientWidth + 1) {
      out.push("scrolls: " + element.tagName + "." + element.className + " " + element.scrollWidth + " > "
               + element.clientWidth);
    }
  }
  return out.slice(0, 10);
}
"""

# The calendar's header cells (Monday first in the markup) and each week's day cells, left edges in pixels.
_CALENDAR = """
() => ({
  header: [...document.querySelectorAll("table.amity-calendar thead th")].map((th) => th.getBoundingClientRect().left),
  weeks: [...document.querySelectorAll("table.amity-calendar tbody tr")].map(
    (row) => [...row.querySelectorAll("td")].map((td) => td.getBoundingClientRect().left)),
})
"""


@pytest.fixture
def arabic_editor(page: Any, live_server: Any) -> Any:
    """A Hải Phòng editor signed in, the browser's language Arabic (the language menu's cookie), with a union and
    the events of May 2024 — one of them with a long title, one over several days."""
    user = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    old = AdministrativeUnit.objects.get(level="province", era="pre2025", code="30")
    union = services.record_save(model=Union, user=user, data={"name": "Liên hiệp hữu nghị Hải Dương", "province": old})
    events = [
        ("Gặp mặt hữu nghị Việt Nam – Lào nhân kỷ niệm ngày thiết lập quan hệ ngoại giao", date(2024, 5, 6), None),
        ("Giao lưu thanh niên", date(2024, 5, 13), date(2024, 5, 16)),
        ("Hội thảo", date(2024, 5, 20), None),
    ]
    for title, start, end in events:
        services.record_save(
            model=Event,
            user=user,
            data={"union": union, "event_type": "conference", "title": title, "start_date": start, "end_date": end},
        )
    sign_in_as(page, user, live_server)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    return page


def assert_right_to_left(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")


def assert_labels_at_the_right(page: Any) -> None:
    fields = page.evaluate(_FIELDS)
    assert len(fields) > 10, fields
    wrong = []
    for found in fields:
        label, field = found["label"], found["field"]
        if label is None or field is None:
            wrong.append((found["name"], "no label or field", found))
        elif found["check"]:  # the box first, at the right; its label after it, to its left
            if not label["right"] <= field["left"] + SLACK:
                wrong.append((found["name"], "check box not at the right of its label", found))
        elif abs(label["right"] - field["right"]) > SLACK or label["left"] < field["left"] - SLACK:
            wrong.append((found["name"], "label not at the field's right edge", found))
    assert not wrong, wrong


def assert_nothing_overflows(page: Any) -> None:
    assert page.evaluate(_OVERFLOW) == []


@pytest.mark.parametrize("width", [1280, 768])
def test_the_event_form_the_calendar_and_the_delegation_form_read_from_the_right_in_arabic(
    arabic_editor: Any, width: int
) -> None:
    page = arabic_editor
    page.set_viewport_size({"width": width, "height": 900})

    for form in ("event", "delegation"):
        page.goto(reverse(f"diplomacy:{form}_add"))
        assert_right_to_left(page)
        assert_labels_at_the_right(page)
        assert_nothing_overflows(page)
        page.locator("main form").screenshot(path=str(SCREENSHOTS / f"arabic-{form}-form-{width}.png"))

    page.goto(reverse("diplomacy:calendar") + "?month=2024-05")
    assert_right_to_left(page)
    geometry = page.evaluate(_CALENDAR)
    header = geometry["header"]
    assert len(header) == 7 and header == sorted(header, reverse=True), header  # Monday rightmost, Sunday leftmost
    assert all(week == sorted(week, reverse=True) and week[0] == header[0] for week in geometry["weeks"]), geometry
    assert_nothing_overflows(page)
    # The month's arrows point along the reading: "previous" to the right, "next" to the left (mirrored icons).
    for arrow in ("a[rel=prev] .bi", "a[rel=next] .bi"):
        assert page.locator(arrow).evaluate("(icon) => getComputedStyle(icon).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    prev, following = (page.locator(f"a[rel={rel}]").bounding_box() for rel in ("prev", "next"))
    assert prev["x"] > following["x"]  # the earlier month at the right
    snap(page, f"arabic-calendar-{width}")
