"""A public site for the browser tests of the public pages: published news in each portal, a public event, a
licensed NGO, published reports of each kind (by current province, by the 63 old provinces, by sector, of one
province), over the register of private data of the open-data tests; and the address of each kind of public page.
Built once per module by the `public_site` fixture (conftest.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from amity.accounts.choices import Role
from amity.conftest import make_user, province
from amity.diplomacy.tests import factories as diplomacy
from amity.portal.tests.factories import published
from amity.portal.tests.opendata_world import build_world
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params

# Every kind of public page, by a name that reads in a test's id.
PAGES = (
    "home",
    "province-home",
    "news",
    "province-news",
    "article",
    "article-untranslated",
    "events",
    "calendar",
    "province-events",
    "event",
    "directory",
    "directory-search",
    "ngo",
    "figures",
    "figures-of-a-province",
    "report-by-province",
    "report-by-old-province",
    "report-by-sector",
    "report-of-a-province",
    "data",
    "dictionary",
    "api-docs",
    "api-console",
)
LANGUAGES = ("vi", "en", "ar")
# What shows that a page that draws with JavaScript is ready (axe reads the page as drawn).
READY = {"api-console": ".swagger-ui .opblock", "report-by-sector": ".amity-chart canvas"}


def build_public_site() -> dict[str, str]:
    """The site's data; returns the address of each of `PAGES`."""
    hai_phong, son_la = province("31"), province("14")
    users = {
        "admin": make_user("admin", Role.ADMINISTRATOR),
        "central": make_user("central", Role.CENTRAL_OFFICER),
        "approver": make_user("approver", Role.PROVINCIAL_APPROVER, (hai_phong,)),
        "editor": make_user("editor", Role.PROVINCIAL_EDITOR, (hai_phong,)),
    }
    world = build_world(users, hai_phong, son_la)
    editor, approver, central = users["editor"], users["approver"], users["central"]
    article = published(
        editor,
        approver,
        owning_province=hai_phong,
        category="announcement",
        title_vi="Trao học bổng cho học sinh nghèo",
        summary_vi="Năm mươi suất học bổng do tổ chức phi chính phủ nước ngoài tài trợ.",
        body_vi="Nội dung thứ nhất.\n\nNội dung thứ hai.",
        title_en="Scholarships for pupils in need",
        summary_en="Fifty scholarships funded by foreign NGOs.",
        body_en="First paragraph.\n\nSecond paragraph.",
        title_ar="منح دراسية للطلاب المحتاجين",
        summary_ar="خمسون منحة دراسية.",
        body_ar="الفقرة الأولى.\n\nالفقرة الثانية.",
    )
    untranslated = published(central, central, owning_province=None, title_vi="Hội nghị tổng kết công tác năm")
    union = diplomacy.union(editor, era="2025", code="31", name="Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng")
    day = timezone.localdate() + timedelta(days=7)
    event = diplomacy.event(editor, union, title="Gặp mặt hữu nghị Việt – Lào", start_date=day, public=True)
    old = report_publish(
        user=central,
        spec=spec_from_params({"year": "2024", "group_by": "province", "era": "pre2025"}),
        title="Toàn quốc 2024 theo 63 tỉnh",
    )
    by_sector = report_publish(
        user=central, spec=spec_from_params({"year": "2024", "group_by": "sector_category"}), title="Theo lĩnh vực"
    )
    return {
        "home": "/",
        "province-home": "/p/31/",
        "news": "/news/",
        "province-news": "/p/31/news/",
        "article": f"/news/{article.public_id}/",
        "article-untranslated": f"/news/{untranslated.public_id}/",
        "events": "/events/",
        "calendar": f"/events/?month={date(day.year, day.month, 1):%Y-%m}",
        "province-events": "/p/31/events/",
        "event": f"/events/{event.public_id}/",
        "directory": "/ngos/",
        "directory-search": "/ngos/?q=open",
        "ngo": f"/ngos/{world.licensed.public_id}/",
        "figures": "/figures/",
        "figures-of-a-province": "/figures/?province=31",
        "report-by-province": f"/figures/{world.national.public_id}/",
        "report-by-old-province": f"/figures/{old.public_id}/",
        "report-by-sector": f"/figures/{by_sector.public_id}/",
        "report-of-a-province": f"/figures/{world.provincial.public_id}/",
        "data": "/data/",
        "dictionary": "/data/dictionary/",
        "api-docs": "/api/public/v1/docs/",
        "api-console": "/api/public/v1/docs/console/",
    }


def in_language(path: str, language: str) -> str:
    """The page's address in `language` (`?lang=`, which every public page takes)."""
    return f"{path}{'&' if '?' in path else '?'}lang={language}"
