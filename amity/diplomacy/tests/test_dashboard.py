"""The dashboard's charts and downloads (XLSX, CSV) with its parameters in the URL, and the list of agreements to
renew (page and API) with the expired and the soon-ending marked."""

from __future__ import annotations

import csv
import io
import warnings
from datetime import date, timedelta

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone, translation
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.diplomacy import exports, selectors

from . import factories as f

pytestmark = pytest.mark.django_db

SPEC = {"date_from": "2018-01-01", "date_to": "2024-12-31", "era": "pre2025", "province": "30"}


def english(user):  # type: ignore[no-untyped-def]
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


@pytest.fixture
def register(users, hai_duong):  # type: ignore[no-untyped-def]
    editor = users["editor"]
    f.event(editor, hai_duong, start_date=date(2023, 4, 1))
    f.event(editor, hai_duong, event_type="conference", start_date=date(2024, 4, 1))
    f.event(editor, hai_duong, event_type="conference", start_date=date(2016, 4, 1))  # the previous period
    f.delegation(editor, hai_duong)
    f.delegation(editor, hai_duong, direction="outgoing", country=f.country("LA"), counterpart="Viêng Chăn")
    f.visitor(editor, hai_duong, full_name='=HYPERLINK("http://evil.example")', group_name="")
    return hai_duong


def test_the_dashboard_draws_its_figures_as_charts_each_bar_linking_to_its_records(users, register):
    response = english(users["central"]).get("/diplomacy/", SPEC)
    html = response.content.decode()
    charts = response.context["charts"]
    by_type = charts["events_by_type"].data
    figures = response.context["figures"]
    assert by_type["categories"] == [figure.label for figure in figures.events_by_type]
    assert [point["value"] for point in by_type["series"][0]["data"]] == [1, 1]
    assert by_type["series"][0]["data"][0]["link"] == figures.events_by_type[0].link
    countries = charts["delegations_by_country"].data
    assert [series["name"] for series in countries["series"]] == ["Incoming", "Outgoing"]
    assert 'data-amity-chart="chart-events_by_type-data"' in html
    assert 'id="chart-events_by_type-data" type="application/json"' in html
    assert "reports/reports.js" in html
    assert "<script>" not in html and " style=" not in html  # the page's policy: no inline script or style


def test_the_view_links_and_downloads_carry_the_dashboards_parameters(users, register):
    response = client_for(users["central"]).get("/diplomacy/", SPEC)
    spec = response.context["spec"]
    assert "era=pre2025" in spec and "province=30" in spec and "date_from=2018-01-01" in spec
    html = response.content.decode()
    escaped = spec.replace("&", "&amp;")
    assert f'href="/diplomacy/?{escaped}"' in html
    assert f'href="/diplomacy/export/?{escaped}&amp;format=xlsx"' in html
    assert f'href="/diplomacy/export/?{escaped}&amp;format=csv"' in html


def test_the_xlsx_download_has_the_dashboards_figures_and_says_what_it_contains(users, register):
    response = english(users["central"]).get("/diplomacy/export/", {**SPEC, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    assert "amity-diplomacy-pre2025-30-20180101-20241231.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cover = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert any(row[0] == "Personal data" and "never exported" in row[1] for row in cover if row[1])
    direct = selectors.figures(
        users["central"], date_from=date(2018, 1, 1), date_to=date(2024, 12, 31), area=selectors.Area(register.province)
    )
    assert book.sheetnames[1:3] == ["1. Summary", "2. Events by type"]
    by_type = {row[0]: row[1] for row in book["2. Events by type"].iter_rows(min_row=3, values_only=True)}
    assert by_type == {figure.label: figure.value for figure in direct.events_by_type}
    summary = {row[0]: row[1:] for row in book["1. Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Events"] == (2, 1, 2.0)  # this period, the previous one, the ratio
    names = b"".join(
        cell.encode()
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    )
    assert b"HYPERLINK" not in names  # a visitor's name is personal data: counted, never written


def test_the_csv_download_has_every_table_and_no_formula(users, register):
    response = english(users["central"]).get("/diplomacy/export/", {**SPEC, "format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    with translation.override("en"):
        titles = [
            table.title
            for table in exports.tables(
                exports.dashboard(
                    users["central"],
                    date_from=date(2018, 1, 1),
                    date_to=date(2024, 12, 31),
                    area=selectors.Area(register.province),
                )
            )
        ]
    for title in titles:
        assert [title] in rows
    assert ["Delegations by country"] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_bad_download_parameters_are_a_400_naming_them(users, register):
    client = client_for(users["central"])
    response = client.get("/diplomacy/export/", {"format": "pdf", "date_from": "2024-13-01", "province": "99"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "format:" in body and "date_from:" in body and "province:" in body


def test_a_province_downloads_only_its_own_figures(users, register):
    f.event(users["son_la_editor"], f.union(users["son_la_editor"], era="2025", code="14", name="LH Sơn La"))
    response = english(users["son_la_editor"]).get(
        "/diplomacy/export/", {"format": "csv", **SPEC} | {"era": "2025", "province": "", "date_from": "2018-01-01"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    summary = {row[0]: row[1:] for row in rows if len(row) == 4}
    assert summary["Events"][0] == "1"


# --- the period against the previous one -----------------------------------------------------------------------------


@pytest.fixture
def partnered(users, hai_duong):  # type: ignore[no-untyped-def]
    """Active partnerships signed before 2018 (France, Korea), in 2020 (France) and an ended one."""
    editor = users["editor"]
    f.partnership(editor, hai_duong, foreign_locality="Seine-Saint-Denis", country=f.country("FR"))
    f.partnership(editor, hai_duong, foreign_locality="Suwon")
    f.partnership(
        editor, hai_duong, foreign_locality="Montreuil", country=f.country("FR"), signed_on=date(2020, 11, 20)
    )
    f.partnership(editor, hai_duong, foreign_locality="Ended", status="ended")
    return hai_duong


def test_active_partnerships_are_compared_with_the_previous_period_by_country(users, partnered):
    response = english(users["central"]).get("/diplomacy/", SPEC)
    cards = {c.key: c for c in response.context["compared"]}
    assert (cards["partnerships"].current.value, cards["partnerships"].previous.value) == (3, 2)
    assert cards["partnerships"].label == "Active partnerships"
    countries = [(c.key, c.current.value, c.previous.value, c.ratio) for c in response.context["countries"]]
    assert countries == [("FR", 2, 1, 2.0), ("KR", 1, 1, 1.0)]
    html = response.content.decode()
    assert 'id="figure-partnerships"' in html and 'id="previous-partnerships"' in html


def test_every_compared_figure_links_to_as_many_records_as_it_counts(users, partnered, register):
    client = client_for(users["central"])
    response = client.get("/diplomacy/", SPEC)
    for compared in [*response.context["compared"], *response.context["countries"]]:
        for figure in (compared.current, compared.previous):
            listed = client.get(figure.link)
            assert listed.status_code == 200, (compared.key, figure.link)
            assert listed.context["paginator"].count == figure.value, (compared.key, figure.link)


def test_the_downloads_compare_partnerships_by_country(users, partnered):
    response = english(users["central"]).get("/diplomacy/export/", {**SPEC, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    [name] = [name for name in book.sheetnames if "Active partnerships" in name]
    rows = list(book[name].iter_rows(min_row=2, values_only=True))
    assert rows == [
        ("Country", "This period", "Previous period", "Ratio"),
        ("France", 2, 1, 2),
        ("South Korea", 1, 1, 1),
    ]
    summary = {row[0]: row[1:] for row in book["1. Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Active partnerships"] == (3, 2, 1.5)


# --- renewals ----------------------------------------------------------------------------------------------------


@pytest.fixture
def agreements(users, hai_duong):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    editor = users["editor"]
    return {
        "expired": f.partnership(
            editor, hai_duong, foreign_locality="Vientiane", term_ends_on=today - timedelta(days=3)
        ),
        "soon": f.partnership(editor, hai_duong, foreign_locality="Montreuil", term_ends_on=today + timedelta(days=30)),
        "later": f.partnership(editor, hai_duong, foreign_locality="Suwon", term_ends_on=today + timedelta(days=300)),
        "no term": f.partnership(editor, hai_duong, foreign_locality="Seine-Saint-Denis"),
        "ended": f.partnership(
            editor, hai_duong, foreign_locality="Ended city", status="ended", term_ends_on=today - timedelta(days=9)
        ),
    }


def test_the_renewals_list_shows_agreements_with_a_term_first_to_end_first_and_marks_the_due(users, agreements):
    response = client_for(users["editor"]).get("/diplomacy/renewals/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(record.foreign_locality, mark.state) for record, _cells, mark in rows] == [
        ("Vientiane", "expired"),
        ("Montreuil", "soon"),
        ("Suwon", "later"),
    ]
    html = response.content.decode()
    assert html.count('class="table-danger"') == 1 and html.count('class="table-warning"') == 1


def test_the_renewals_list_filters_by_when_the_renewal_is_due(users, agreements):
    client = client_for(users["editor"])
    expired = client.get("/diplomacy/renewals/", {"due": "expired"}).context["rows"]
    assert [record.foreign_locality for record, *_ in expired] == ["Vientiane"]
    within = client.get("/diplomacy/renewals/", {"due": "90"}).context["rows"]
    assert [record.foreign_locality for record, *_ in within] == ["Vientiane", "Montreuil"]
    assert client.get("/diplomacy/renewals/", {"due": "soonish"}).status_code == 200  # an unknown choice: the form says


def test_the_renewals_api_is_the_same_list_scoped_and_filtered(users, agreements):
    api = APIClient()
    api.force_authenticate(users["central"])
    body = api.get("/api/v1/diplomacy/partnership-renewals/", {"due": "365"}).json()
    assert [(row["foreign_locality"], row["renewal"]) for row in body["results"]] == [
        ("Vientiane", "expired"),
        ("Montreuil", "soon"),
        ("Suwon", "later"),
    ]
    assert body["results"][0]["days_left"] == -3
    api.force_authenticate(users["son_la_editor"])
    assert api.get("/api/v1/diplomacy/partnership-renewals/").json()["count"] == 0
    assert api.get("/api/v1/diplomacy/partnership-renewals/", {"due": "soonish"}).status_code == 400


def test_the_renewals_list_runs_a_fixed_number_of_queries(users, agreements, hai_duong, django_assert_max_num_queries):
    client = client_for(users["editor"])
    client.get("/diplomacy/renewals/")
    with django_assert_max_num_queries(7):
        client.get("/diplomacy/renewals/")
    today = timezone.localdate()
    for n in range(10):
        f.partnership(users["editor"], hai_duong, foreign_locality=f"City {n}", term_ends_on=today + timedelta(days=n))
    with django_assert_max_num_queries(7):
        assert len(client.get("/diplomacy/renewals/").context["rows"]) == 13


def test_the_xlsx_sheet_names_stay_valid_and_distinct_in_every_language(users, register):
    board = exports.dashboard(
        users["central"], date_from=date(2018, 1, 1), date_to=date(2024, 12, 31), area=selectors.Area()
    )
    for language in ("vi", "en", "ar"):
        with translation.override(language), warnings.catch_warnings():
            warnings.simplefilter("error")  # openpyxl warns of a name past 31 characters (a duplicate renamed)
            book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(board, users["central"])))
        assert len(set(book.sheetnames)) == len(book.sheetnames) == 1 + len(exports.tables(board))
