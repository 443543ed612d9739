"""The union's period report reproduces the first source article's figures from the demo data, each checked
through the selectors the dashboard and the report use; the DOCX and XLSX carry them; the merger keeps them."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document

from amity.conftest import client_for
from amity.demo.register import demo_load
from amity.diplomacy import selectors
from amity.diplomacy.choices import UnitKind
from amity.diplomacy.models import Event, Union
from amity.diplomacy.report import union_report

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": date(2018, 1, 1), "date_to": date(2024, 12, 31)}


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    demo_load(today=date(2026, 12, 6))
    return Union.objects.get(province__era="pre2025", province__code="30")


def test_the_union_report_reproduces_the_source_articles_figures(demo, users):
    built = union_report(users["central"], demo, vnd_per_usd="25274", **PERIOD)
    units = built.figures.units
    assert (units["total"].value, units[UnitKind.ASSOCIATION].value) == (14, 12)
    assert units[UnitKind.OFFICE].value == units[UnitKind.CENTRE].value == 1
    assert {figure.key for figure in built.figures.partnership_countries} == {"LA", "FR", "KR"}
    assert {p.foreign_locality for p in built.figures.partnerships} == {
        "Vientiane Province",
        "Seine-Saint-Denis",
        "Montreuil",
        "Suwon",
    }
    assert built.figures.visitors["total"].value >= 200  # "hundreds of international visitors and volunteers"
    aid = built.aid
    assert aid.donors > 10
    assert aid.aid_items == 70
    assert (aid.committed_usd / 10**6).quantize(Decimal("0.01")) == Decimal("5.84")
    assert (aid.committed_vnd / 10**9).quantize(Decimal("0.1")) == Decimal("147.6")
    assert aid.ratio is not None and aid.ratio.quantize(Decimal("0.1")) == Decimal("1.8")
    assert len(aid.sectors) == 3


def test_the_dashboard_shows_the_same_figures_as_the_report(demo, users):
    response = client_for(users["central"]).get(
        "/diplomacy/", {"date_from": "2018-01-01", "date_to": "2024-12-31", "era": "pre2025", "province": "30"}
    )
    figures = response.context["figures"]
    direct = selectors.figures(users["central"], area=selectors.Area(demo.province), **PERIOD)
    assert figures.units["total"].value == direct.units["total"].value == 14
    assert figures.visitors["total"].value == direct.visitors["total"].value
    assert 'id="figure-units"' in response.content.decode()


def test_the_docx_report_is_in_the_administrative_layout_with_the_figures(demo, users):
    response = client_for(users["editor"]).get(
        f"/diplomacy/unions/{demo.public_id}/report/",
        {"date_from": "2018-01-01", "date_to": "2024-12-31", "rate": "25274"},
    )
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "BÁO CÁO" in text
    assert "14" in text and "12" in text
    assert "70" in text and "5,84" in text and "147,6" in text and "1,8" in text


def test_the_xlsx_annex_counts_visitors_without_names(demo, users):
    response = client_for(users["editor"]).get(
        f"/diplomacy/unions/{demo.public_id}/report/",
        {"date_from": "2018-01-01", "date_to": "2024-12-31", "format": "xlsx"},
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert not any("Volunteer FR-" in cell for cell in cells)  # the demo's names never leave the register
    assert any("never exported" in cell or "không bao giờ" in cell for cell in cells)


def test_a_bad_rate_is_a_400(demo, users):
    response = client_for(users["editor"]).get(f"/diplomacy/unions/{demo.public_id}/report/", {"rate": "-1"})
    assert response.status_code == 400


def test_after_the_merger_the_old_provinces_figures_stay_and_count_under_the_new_one(demo, users):
    hai_phong = Union.objects.get(province__era="2025", province__code="31")
    before = selectors.figures(users["central"], area=selectors.Area(demo.province), **PERIOD)
    call_command("merge_unions", "pre2025:30", "2025:31", "--user", users["admin"].username, verbosity=0)
    after_old = selectors.figures(users["central"], area=selectors.Area(demo.province), **PERIOD)
    after_new = selectors.figures(users["central"], area=selectors.Area(hai_phong.province), **PERIOD)
    assert after_old.events_total.value == before.events_total.value > 0
    assert after_new.events_total.value == before.events_total.value
    assert not Event.objects.filter(union=demo).exists()
    assert Event.history.filter(history_change_reason__startswith="Merged").exists()


def test_the_dashboard_runs_a_fixed_number_of_queries(demo, users, django_assert_max_num_queries):
    client = client_for(users["central"])
    client.get("/diplomacy/")  # warm the session and the user's scope
    with django_assert_max_num_queries(17):
        response = client.get("/diplomacy/", {"date_from": "2018-01-01", "date_to": "2024-12-31"})
    assert response.status_code == 200


def test_the_demo_agreements_are_renewed_at_the_end_of_each_term(demo, users):
    from amity.diplomacy.models import Partnership

    suwon = selectors.with_agreement_term(Partnership.objects.filter(foreign_locality="Suwon")).get()
    # signed 3 June 2014 for five years, renewed in 2019 and in 2024
    assert (suwon.term_ends_on, suwon.last_renewed_on, suwon.current_term_ends_on) == (
        date(2019, 6, 2),
        date(2024, 6, 3),
        date(2029, 6, 2),
    )
    assert [r.renewed_on.year for r in suwon.renewals.order_by("renewed_on")] == [2019, 2024]
