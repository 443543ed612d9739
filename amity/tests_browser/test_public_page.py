"""A visitor reads the public home page in Vietnamese and in Arabic (right to left), follows its links, keeps the
language chosen, and uses the directory and the events without JavaScript. (Accessibility of every public page:
test_public_accessibility.py; weights and a slow connection: test_public_speed.py.)"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from amity.accounts.choices import Role
from amity.conftest import make_user, province
from amity.diplomacy.models import Event, Union
from amity.diplomacy.services import record_save
from amity.portal.tests.factories import published

from .conftest import snap


def _register() -> None:
    hai_phong = province("31")
    editor = make_user("editor", Role.PROVINCIAL_EDITOR, (hai_phong,))
    approver = make_user("approver", Role.PROVINCIAL_APPROVER, (hai_phong,))
    union = record_save(
        model=Union,
        user=editor,
        data={"name": "Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng", "province": hai_phong},
    )
    record_save(
        model=Event,
        user=editor,
        data={
            "union": union,
            "event_type": "friendship_meeting",
            "title": "Gặp mặt hữu nghị Việt – Lào",
            "start_date": date.today() + timedelta(days=7),
            "place": "Hải Phòng",
            "public": True,
        },
    )
    published(
        editor,
        approver,
        owning_province=hai_phong,
        title_vi="Trao học bổng cho học sinh nghèo",
        summary_vi="Năm mươi suất học bổng do tổ chức phi chính phủ nước ngoài tài trợ.",
        body_vi="Nội dung.",
        title_ar="منح دراسية للطلاب",
        body_ar="النص.",
    )


def test_the_public_home_reads_in_vietnamese_and_arabic(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    _register()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("link", name="Trao học bổng cho học sinh nghèo")).to_be_visible()
    expect(page.get_by_role("link", name="Gặp mặt hữu nghị Việt – Lào")).to_be_visible()
    snap(page, "guide-public-home")

    page.get_by_role("link", name="Trao học bổng cho học sinh nghèo").click()
    expect(page.locator("h1")).to_have_text("Trao học bổng cho học sinh nghèo")

    page.goto("/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("link", name="منح دراسية للطلاب")).to_be_visible()
    snap(page, "guide-public-home-ar")
    # The language stays on the next page (the address set the cookie).
    page.goto("/news/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_the_public_pages_work_without_javascript(browser: Any, live_server: Any, reference_data: None) -> None:
    from playwright.sync_api import expect

    _register()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/ngos/")
    page.fill("#directory-q", "khong co")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/ngos/?q=khong+co&country=&sector=&province=&kind=")
    page.goto("/events/")
    expect(page.get_by_role("link", name="Gặp mặt hữu nghị Việt – Lào").first).to_be_visible()
    context.close()
