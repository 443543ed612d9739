"""What the public load test needs on a generated national database: published figures, news and public events,
written through Amity's services by the demo accounts (`manage.py load_demo` first). Idempotent: does nothing
where something is already published.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_bench .venv/bin/python manage.py load_demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_bench .venv/bin/python benchmarks/load/public_sample.py

Publishes national reports (by province in both eras, by sector category, by donor country, for 2022–2024), a
report of Hải Phòng (the demo approver's province), 30 news articles in the three languages and 20 public events
of the demo union over the next months.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


NATIONAL_REPORTS = (("province", ""), ("province", "pre2025"), ("sector_category", ""), ("donor_country", ""))


def main() -> None:
    import django

    django.setup()
    from django.utils import timezone

    from amity.accounts.models import User
    from amity.diplomacy.models import Event, Union
    from amity.diplomacy.services import record_save
    from amity.portal.figures import published_reports
    from amity.portal.selectors import published_news
    from amity.portal.tests.factories import published
    from amity.reports.services import report_publish
    from amity.reports.spec import spec_from_params

    central = User.objects.get(username="central")
    approver = User.objects.get(username="approver")
    editor = User.objects.get(username="editor")
    if not published_reports().exists():
        for year in ("2022", "2023", "2024"):
            for group_by, era in NATIONAL_REPORTS:
                params = {"year": year, "group_by": group_by, **({"era": era} if era else {})}
                report_publish(user=central, spec=spec_from_params(params), title=f"{year} — {group_by} {era}".strip())
        report_publish(
            user=approver,
            spec=spec_from_params({"year": "2024", "group_by": "sector_category", "province": "31"}),
            title="Hải Phòng 2024",
        )
    if not published_news().exists():
        for number in range(30):
            published(
                editor if number % 2 else central,
                approver if number % 2 else central,
                owning_province=editor.jurisdictions.first() if number % 2 else None,
                category="news" if number % 3 else "announcement",
                title_vi=f"Tin số {number}: hoạt động hữu nghị và viện trợ phi chính phủ nước ngoài",
                summary_vi="Tóm tắt của bài viết, một câu.",
                body_vi="Đoạn thứ nhất.\n\nĐoạn thứ hai.",
                title_en=f"News {number}: friendship and foreign NGO aid",
                summary_en="The article's summary, one sentence.",
                body_en="First paragraph.\n\nSecond paragraph.",
                title_ar=f"خبر {number}",
                summary_ar="ملخص المقال.",
                body_ar="الفقرة الأولى.\n\nالفقرة الثانية.",
            )
    if not Event.objects.filter(public=True).exists():
        union = Union.objects.get(province__code="31", province__era="2025")
        today = timezone.localdate()
        for number in range(20):
            record_save(
                model=Event,
                user=editor,
                data={
                    "union": union,
                    "event_type": "friendship_meeting",
                    "title": f"Gặp mặt hữu nghị số {number}",
                    "start_date": today + timedelta(days=5 * number),
                    "public": True,
                },
            )
    print(
        f"published reports {published_reports().count()}, news {published_news().count()},"
        f" public events {Event.objects.filter(public=True).count()}"
    )


if __name__ == "__main__":
    main()
