"""A provincial officer records an event of people's diplomacy and finds it in the month's calendar and in their
private calendar feed (what Outlook or a phone reads)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from amity.accounts.choices import Role
from amity.conftest import make_user, province
from amity.diplomacy import services
from amity.diplomacy.models import Event, Union
from amity.reference.models import AdministrativeUnit

from .conftest import sign_in_as, snap


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def test_an_event_recorded_appears_in_the_calendar_and_the_ics_feed(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    user = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    old = AdministrativeUnit.objects.get(level="province", era="pre2025", code="30")
    services.record_save(
        model=Union, user=user, data={"name": "Liên hiệp các tổ chức hữu nghị tỉnh Hải Dương", "province": old}
    )
    sign_in_as(page, user, live_server)

    today = date.today()
    page.goto(reverse("diplomacy:event_add"))
    page.select_option("#id_event_type", "youth_exchange")
    page.fill("#id_title", "Giao lưu thanh niên Việt – Pháp")
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_place", "Hải Dương")
    page.fill("#id_vietnamese_participants", "60")
    page.fill("#id_foreign_participants", "12")
    page.get_by_role("button", name=vi("Save")).click()
    expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    event = Event.objects.get()
    assert (event.title, event.owning_province.code, event.old_province.code) == (
        "Giao lưu thanh niên Việt – Pháp",
        "31",
        "30",
    )

    page.goto(reverse("diplomacy:calendar") + f"?month={today:%Y-%m}")
    expect(page.locator("table.amity-calendar a.event")).to_contain_text("Giao lưu thanh niên Việt – Pháp")
    expect(page.locator("#month-events")).to_contain_text("Giao lưu thanh niên Việt – Pháp")
    snap(page, "guide-diplomacy-calendar")

    page.goto(reverse("diplomacy:calendar_feed"))
    page.get_by_role("button", name=vi("Make my calendar address")).click()
    address = page.locator("#feed-address").inner_text()
    feed = page.context.request.get(address)
    assert feed.status == 200
    assert "SUMMARY:Giao lưu thanh niên Việt – Pháp" in feed.text().replace("\r\n ", "")

    page.get_by_role("button", name=vi("Stop my calendar address")).click()
    assert page.context.request.get(address).status == 404
