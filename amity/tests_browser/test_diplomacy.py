"""A provincial officer records an event of people's diplomacy and finds it in the month's calendar and in their
private calendar feed (what Outlook or a phone reads)."""

from __future__ import annotations

from datetime import date, timedelta
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


def test_the_dashboard_draws_its_charts_and_links_to_its_downloads(page: Any, live_server: Any) -> None:
    """Under the page's Content-Security-Policy (watched by the conftest): the charts are drawn by the reports'
    script and the download links carry the view's parameters."""
    from playwright.sync_api import expect

    user = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    old = AdministrativeUnit.objects.get(level="province", era="pre2025", code="30")
    union = services.record_save(model=Union, user=user, data={"name": "Liên hiệp hữu nghị Hải Dương", "province": old})
    for year, kind in ((2022, "conference"), (2023, "tet_visit"), (2024, "conference")):
        services.record_save(
            model=Event,
            user=user,
            data={"union": union, "event_type": kind, "title": f"Sự kiện {year}", "start_date": date(year, 3, 1)},
        )
    sign_in_as(page, user, live_server)
    page.goto(reverse("diplomacy:dashboard") + "?date_from=2018-01-01&date_to=2024-12-31")
    chart = page.locator("#chart-events_by_year")
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas")).to_be_attached()  # ECharts drew (its script ran)
    expect(page.locator("#chart-events_by_type canvas")).to_be_attached()
    href = page.locator("#export-xlsx").get_attribute("href") or ""
    assert "date_from=2018-01-01" in href and "format=xlsx" in href
    download = page.context.request.get(href)
    assert download.status == 200 and download.body()[:2] == b"PK"
    snap(page, "guide-diplomacy-dashboard")


def test_a_renewal_recorded_on_the_partnership_page_sets_the_term_in_force(page: Any, live_server: Any) -> None:
    """A provincial officer records a renewal of an agreement with the partnership page's form; the page lists it and
    the agreement leaves the list of those to renew (its new term runs for years)."""
    from playwright.sync_api import expect

    from amity.diplomacy.models import AgreementRenewal, Partnership
    from amity.diplomacy.rules import term_end_of
    from amity.reference.models import Country

    user = make_user("editor", Role.PROVINCIAL_EDITOR, (province("31"),))
    old = AdministrativeUnit.objects.get(level="province", era="pre2025", code="30")
    union = services.record_save(model=Union, user=user, data={"name": "Liên hiệp hữu nghị Hải Dương", "province": old})
    today = date.today()
    partnership = services.record_save(
        model=Partnership,
        user=user,
        data={
            "union": union,
            "vietnamese_locality": old,
            "foreign_locality": "Suwon",
            "country": Country.objects.get(code="KR"),
            "level": "city",
            "signed_on": date(2014, 6, 3),
            "term_ends_on": today - timedelta(days=365),
        },
    )
    sign_in_as(page, user, live_server)
    page.goto(reverse("diplomacy:renewals"))
    expect(page.locator("tr[data-state='expired']")).to_contain_text("Suwon")

    page.goto(partnership.get_absolute_url())
    form = page.locator("#renewal-form")
    form.locator("#id_renewed_on").fill(today.isoformat())
    form.locator("#id_term_years").fill("5")
    form.locator("#id_signatories").fill("Chủ tịch UBND tỉnh; Thị trưởng Suwon")
    form.get_by_role("button", name=vi("Save the renewal")).click()
    expect(page.locator(".alert-success")).to_contain_text(vi("Saved."))
    renewal = AgreementRenewal.objects.get()
    expect(page.locator(f"tr[data-renewal='{renewal.public_id}']")).to_contain_text("Chủ tịch UBND tỉnh")
    assert renewal.term_ends_on == term_end_of(today, 5)
    snap(page, "guide-diplomacy-renewal")

    page.goto(reverse("diplomacy:renewals"))
    expect(page.locator("tr[data-state='expired']")).to_have_count(0)
    expect(page.locator("tr[data-state='later']")).to_contain_text("Suwon")
