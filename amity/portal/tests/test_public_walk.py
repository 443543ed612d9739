"""Every public page, walked as an anonymous visitor over a register full of private data, shows none of it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from amity.aid.choices import ParticipantRole
from amity.aid.tests.factories import approve, make_aid_item, make_transaction
from amity.diplomacy.tests import factories as diplomacy
from amity.organisations.models import Organisation, Registration
from amity.reference.models import CodelistItem, Country
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params

from .factories import article, published, step

SECRET = "ZZSECRET"  # every private value carries it, so one search finds any leak
LINK = re.compile(r'(?:href|src)="([^"#]+)"')
SKIPPED_PREFIXES = ("/static/", "/accounts/", "/admin/", "/portal/", "/api/v1/", "/i18n/")


@pytest.fixture
def register(users, hai_phong, son_la):
    today = timezone.localdate()
    editor, approver = users["editor"], users["approver"]
    union = diplomacy.union(editor, era="2025", code="31", name="Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng")
    public_event = diplomacy.event(
        editor, union, title="Gặp mặt hữu nghị công khai", start_date=today + timedelta(days=10), public=True
    )
    diplomacy.event(editor, union, title=f"{SECRET} private meeting", start_date=today + timedelta(days=5))
    diplomacy.visitor(
        editor,
        union,
        full_name=f"{SECRET} Marie",
        email="zzsecret@example.org",
        phone="+33 6 ZZSECRET",
        passport_number=f"{SECRET}P123",
    )
    # News: one published per portal, the rest private at every step.
    published(editor, approver, owning_province=hai_phong, title_vi="Tin công khai Hải Phòng", title_en="Public news")
    published(users["central"], users["central"], owning_province=None, title_vi="Tin công khai quốc gia")
    article(editor, owning_province=hai_phong, title_vi=f"{SECRET} bản nháp", body_vi=f"{SECRET} body")
    in_review = article(editor, owning_province=hai_phong, title_vi=f"{SECRET} chờ duyệt", body_vi="x")
    step(editor, in_review, "submit")
    withdrawn = published(editor, approver, owning_province=hai_phong, title_vi=f"{SECRET} rút lại")
    step(approver, withdrawn, "withdraw")
    # The directory: a licensed NGO with approved and unapproved aid; an NGO without a valid licence.
    licensed = Organisation.objects.create(
        name="Fondation des Amis",
        name_vi="Quỹ Những người bạn",
        kind="foreign_ngo",
        country=Country.objects.get(code="FR"),
        website="https://amis.example.org",
        phone=f"{SECRET} phone",
    )
    registration = Registration.objects.create(
        organisation=licensed,
        kind="operation",
        number="123/BNG",
        issue_date=today - timedelta(days=100),
        expiry_date=today + timedelta(days=600),
        note=f"{SECRET} note",
    )
    registration.provinces.add(hai_phong)
    registration.sectors.add(CodelistItem.objects.of("SectorCategory").get(code="112"))
    expired = Organisation.objects.create(name=f"{SECRET} expired NGO", kind="foreign_ngo")
    Registration.objects.create(
        organisation=expired,
        kind="operation",
        number="9/BNG",
        issue_date=date(2019, 1, 1),
        expiry_date=date(2022, 1, 1),
    )
    approved = make_aid_item(editor, owning_province=hai_phong, participants=[(licensed, ParticipantRole.FUNDING)])
    make_transaction(editor, approved, kind="2", amount="1000", on=date(2024, 3, 1))
    approve(approver, approved)
    proposed = make_aid_item(
        editor,
        owning_province=hai_phong,
        title=f"{SECRET} proposal",
        participants=[(licensed, ParticipantRole.FUNDING)],
    )
    make_transaction(editor, proposed, kind="2", amount="777777", on=date(2024, 4, 1))
    report_publish(
        user=approver, spec=spec_from_params({"province": "31", "group_by": "sector"}), title="Viện trợ đã công bố"
    )
    cache.clear()
    return {"licensed": licensed, "public_event": public_event}


# The unapproved transaction's amount as any page would write it (777777, 777,777, 777.777, 777 777): never a bare
# "777", which a random public id or a timestamp may hold.
UNAPPROVED_AMOUNT = re.compile(r"777[.,\s\u202f\u00a0]?777")


def as_text(response: Any) -> str:
    """A page, a feed or a download as text; a workbook as the values of its cells."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = (value for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row)
        return "\n".join(str(value) for value in cells if value is not None)
    return body.decode()


def walk(client: Client, starts: list[str]) -> dict[str, str]:
    """Every page reachable from `starts` by the public site's own links (and the sitemap's), as text."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = as_text(response)
        seen[url] = text
        links = LINK.findall(text) + re.findall(r"<loc>([^<]+)</loc>|href=\"(http[^\"]+)\"", text)
        for found in links:
            found = found if isinstance(found, str) else next(part for part in found if part)
            parts = urlsplit(urljoin(url, found.replace("&amp;", "&")))
            if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith(SKIPPED_PREFIXES) or "month=" in target:  # the calendar's months never end
                continue
            if target not in seen:
                queue.append(target)
    return seen


def test_no_public_page_shows_private_data(register):
    client = Client()
    starts = ["/", "/robots.txt", "/sitemap.xml", "/news/feed.atom", "/p/31/news/feed.atom", "/events/feed.ics"]
    starts += [f"{start}?lang={language}" for start in ("/", "/ngos/", "/events/") for language in ("en", "ar")]
    pages = walk(client, starts)
    assert len(pages) > 100  # the homes, lists, articles, events, NGOs of every province, in three languages
    leaks = [url for url, text in pages.items() if SECRET.lower() in text.lower() or UNAPPROVED_AMOUNT.search(text)]
    assert leaks == []
    joined = "\n".join(pages.values())
    assert "Tin công khai Hải Phòng" in joined
    assert "Gặp mặt hữu nghị công khai" in joined
    assert "Fondation des Amis" in joined
    assert "Viện trợ đã công bố" in joined


def test_the_ngo_page_counts_only_approved_aid(register):
    response = Client().get(f"/ngos/{register['licensed'].public_id}/?lang=en")
    text = response.content.decode()
    assert "1,000" in text
    assert not UNAPPROVED_AMOUNT.search(text)


def test_the_directory_finds_names_without_diacritics(register):
    found = Client().get("/ngos/", {"q": "quy nhung nguoi"}).content.decode()
    assert "Fondation des Amis" in found
    assert "Fondation des Amis" not in Client().get("/ngos/", {"q": "oxfam"}).content.decode()


def test_anonymous_visitors_get_the_public_home_and_staff_their_own(register, users):
    public = Client().get("/").content.decode()
    assert 'rel="canonical"' in public and 'hreflang="ar"' in public and "og:title" in public
    staff = Client()
    staff.force_login(users["editor"])
    home = staff.get("/").content.decode()
    assert "/public/" in home  # the "view as public" link


def test_a_public_page_is_cached_and_emptied_when_news_is_published(
    register, users, hai_phong, django_capture_on_commit_callbacks
):
    client = Client()
    assert client.get("/news/")["X-Amity-Cache"] == "miss"
    assert client.get("/news/")["X-Amity-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        published(users["editor"], users["approver"], owning_province=hai_phong, title_vi="Tin mới nhất")
    response = client.get("/news/")
    assert "Tin mới nhất" in response.content.decode()


def test_changing_a_public_event_empties_the_cache(register, users, django_capture_on_commit_callbacks):
    client = Client()
    client.get("/events/")
    assert client.get("/events/")["X-Amity-Cache"] == "hit"
    event = register["public_event"]
    from amity.diplomacy import services

    with django_capture_on_commit_callbacks(execute=True):
        services.record_save(model=type(event), user=users["editor"], data={"title": "Đổi tên"}, instance=event)
    assert client.get("/events/")["X-Amity-Cache"] == "miss"


def test_a_private_event_saved_leaves_the_cache(register, users, django_capture_on_commit_callbacks):
    client = Client()
    client.get("/events/")
    union = register["public_event"].union
    with django_capture_on_commit_callbacks(execute=True):
        diplomacy.event(users["editor"], union, title="Họp nội bộ")
    assert client.get("/events/")["X-Amity-Cache"] == "hit"


def test_arabic_pages_are_right_to_left_with_alternates(register):
    text = Client().get("/news/?lang=ar").content.decode()
    assert 'lang="ar" dir="rtl"' in text
    assert 'hreflang="vi"' in text and 'hreflang="x-default"' in text


def test_the_sitemap_lists_each_language(register):
    text = Client().get("/sitemap.xml").content.decode()
    assert 'hreflang="ar"' in text and "?lang=en" in text


def test_the_events_feed_is_a_calendar_of_public_events(register):
    response = Client().get("/events/feed.ics")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "Gặp mặt hữu nghị công khai" in text
    assert SECRET not in text


def test_the_public_lists_run_a_fixed_number_of_queries(register, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url).status_code == 200
        return len(captured)

    before = {url: queries(url) for url in ("/", "/ngos/", "/news/", "/events/")}
    hai_phong = register["public_event"].owning_province
    for n in range(3):
        more = Organisation.objects.create(name=f"Amis {n}", kind="foreign_ngo", country=Country.objects.get(code="DE"))
        licence = Registration.objects.create(
            organisation=more,
            kind="representative_office",
            number=f"{n}/VPĐD",
            issue_date=date(2025, 1, 1),
            expiry_date=timezone.localdate() + timedelta(days=300),
        )
        licence.provinces.add(hai_phong)
        published(users["editor"], users["approver"], owning_province=hai_phong, title_vi=f"Tin {n}")
        diplomacy.event(users["editor"], register["public_event"].union, start_date=timezone.localdate(), public=True)
    assert {url: queries(url) for url in before} == before


def test_a_public_event_stays_out_of_other_provinces_staff_lists(register, users):
    from amity.diplomacy.models import Event

    assert not Event.objects.restrict(users["son_la_editor"], "view").exists()
    assert Event.objects.restrict(users["editor"], "view").filter(public=True).exists()
