"""Report pages on the demo data: the dashboard (national and provincial figures, a pinned query count, every
figure linked to the aid list, right-to-left), the report table (totals, 400 on bad parameters), publishing
(who may) and the published page (frozen figures, the live comparison)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amity.accounts.models import User
from amity.aid.choices import FINAL_STATUSES
from amity.aid.models import AidItem
from amity.aid.tests.factories import make_transaction
from amity.conftest import client_for
from amity.demo.register import demo_load
from amity.organisations.choices import RegistrationKind
from amity.organisations.models import Organisation, Registration
from amity.reference.fx import shared_rate_book
from amity.reference.models import AdministrativeUnit
from amity.reports.models import PublishedReport
from amity.reports.spec import Measure

pytestmark = pytest.mark.django_db

D = Decimal
DASHBOARD = reverse("reports:dashboard")
TABLE = reverse("reports:table")
PUBLISH = reverse("reports:publish")
# session, user, jurisdictions; the form's provinces, sectors and countries; the year series; sector category ×
# province (rows and two label queries); donor country × donor (rows, two labels); licence expiries; the map's
# province names; and the previous period when it is not whole years (else it comes from the year series).
DASHBOARD_QUERIES = 16
# session, user, jurisdictions; the form's provinces, sectors and countries (never the donors: searched, chosen one
# only, amity/aid/tests/test_donor_filter.py); the rows and one label
# query per labelled dimension (year needs none); the exchange rates, once per process while they are unchanged
# (`shared_rate_book`: is the latest rate available older than the period?).
TABLE_QUERIES = 10


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo data, loaded once for the module inside a transaction rolled back at its end (each test runs in a
    savepoint within it, as with Django's setUpTestData)."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        yield
        transaction.set_rollback(True)


def as_user(user: User, language: str = "en") -> Client:
    client = client_for(user)
    client.cookies["amity_language"] = language
    return client


class FigureCells(HTMLParser):
    """The figure cells (right-aligned numbers) of the report tables, each with the links inside it."""

    TABLES = ("amity-figure-table", "amity-report-table")

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside a figure table when > 0
        self.cells: list[dict[str, Any]] = []
        self.cell: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "table" and any(name in classes for name in self.TABLES):
            self.depth += 1
        elif self.depth and tag == "td" and "text-end" in classes:
            self.cell = {"text": "", "links": []}
            self.cells.append(self.cell)
        elif self.cell is not None and tag == "a":
            self.cell["links"].append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "td":
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell["text"] += data.strip()


def figure_cells(html: str) -> list[dict[str, Any]]:
    parser = FigureCells()
    parser.feed(html)
    return parser.cells


def chart_data(html: str, chart_id: str) -> dict[str, Any]:
    found = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, chart_id
    return json.loads(found.group(1))


# --- dashboard ----------------------------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client):
    for url in (DASHBOARD, TABLE):  # published reports are public
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_central_officer_sees_the_national_2023_difference_from_2022(demo, users):
    response = as_user(users["central"]).get(DASHBOARD, {"year": "2023"})
    assert response.status_code == 200
    disbursed = response.context["board"].year_cards[0].comparison
    assert disbursed.measure == Measure.DISBURSED
    assert (disbursed.current / 10**6).quantize(D("0.1")) == D("228.7")
    assert (disbursed.difference / 10**6).quantize(D("0.1")) == D("4.9")
    html = response.content.decode()
    assert "USD 228.7 million" in html
    assert "+ USD 4.9 million (+2.2 %)" in html
    assert "National consolidation" in html


def test_the_period_card_gives_the_ratio_to_the_previous_period_of_the_same_length(demo, users):
    params = {"era": "pre2025", "province": "30", "date_from": "2018-01-01", "date_to": "2024-12-31"}
    response = as_user(users["central"]).get(DASHBOARD, params)
    assert response.status_code == 200
    committed = next(c for c in response.context["board"].period_cards if c.comparison.measure == Measure.COMMITTED)
    assert committed.previous_label == "2011–2017"
    assert committed.comparison.ratio.quantize(D("0.1")) == D("1.8")
    assert "1.8 ×" in response.content.decode()


def test_the_basis_is_printed_beside_every_figure_block(demo, users):
    response = as_user(users["central"]).get(
        DASHBOARD, {"year": "2023", "currency": "VND", "basis": "fixed_rate", "rate": "25274"}
    )
    html = response.content.decode()
    blocks = html.count('class="card h-100 amity-figure"')
    headlines = html.count('class="card h-100 amity-headline"')
    assert blocks == 5 and headlines == 2  # years, sectors, map, countries, donors; the two year cards
    assert html.count("fixed rate 25,274 VND/USD") >= blocks + headlines


def test_dashboard_runs_a_fixed_number_of_queries(demo, users, django_assert_max_num_queries):
    client = as_user(users["central"])
    counts = []
    shared_rate_book()  # a process reads the rates once, not per page (amity.reference.fx)
    for params in (
        {},
        {"year": "2023"},
        {"year": "2023", "statuses": "all"},  # every status: the same rollups, without the official flag
        {"date_from": "2023-03-01", "date_to": "2023-09-30", "sector": "112"},
        # The rates of a date are read once for the page's reports (and replace the previous period's query).
        {"date_from": "2023-03-01", "date_to": "2023-09-30", "basis": "rates_on", "rate_date": "2023-12-31"},
    ):
        with django_assert_max_num_queries(DASHBOARD_QUERIES), CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD, params).status_code == 200
        counts.append(len(captured.captured_queries))
    provincial = as_user(users["editor"])
    with CaptureQueriesContext(connection) as captured:
        assert provincial.get(DASHBOARD, {"year": "2023"}).status_code == 200
    assert len(captured.captured_queries) == counts[1]  # the same page whatever the scope


def test_a_provincial_editor_sees_only_their_provinces_figures(demo, users, hai_phong):
    response = as_user(users["editor"]).get(DASHBOARD, {"year": "2023"})
    assert response.status_code == 200
    board = response.context["board"]
    provinces = [row.keys[0].value for row in board.provinces.rows if row.value(Measure.DISBURSED)]
    assert provinces == ["31"]
    html = response.content.decode()
    province_map = response.context["province_map"]
    assert [area.code for area in province_map.areas if area.level] == ["31"]  # the other provinces: no figure
    assert len(province_map.areas) == 34 and 'id="chart-map"' in html
    national = as_user(users["central"]).get(DASHBOARD, {"year": "2023"}).context["board"]
    assert board.year_cards[0].comparison.current < national.year_cards[0].comparison.current
    assert board.provinces.rows[0].value(Measure.DISBURSED) == sum_for(national, "31", Measure.DISBURSED)
    assert f"Figures of your provinces: {hai_phong.name_en}" in html


def sum_for(board: Any, code: str, measure: Measure) -> Decimal:
    return next(row.value(measure) for row in board.provinces.rows if row.keys[0].value == code)


def test_a_provincial_user_cannot_pick_another_province(demo, users):
    response = as_user(users["editor"]).get(DASHBOARD, {"province": "14"})
    assert response.status_code == 400
    assert "board" not in response.context


def test_every_figure_on_the_dashboard_links_to_the_aid_list(demo, users):
    html = as_user(users["central"]).get(DASHBOARD, {"year": "2023"}).content.decode()
    cells = figure_cells(html)
    assert len(cells) > 40
    for cell in cells:
        assert cell["links"] and cell["links"][0].startswith("/aid/?"), cell
    for chart in ("chart-years", "chart-sectors", "chart-countries", "chart-donors"):
        points = [point for series in chart_data(html, chart)["series"] for point in series["data"]]
        assert points and all(point["link"].startswith("/aid/?") for point in points), chart
    years = chart_data(html, "chart-years")["series"][0]["data"]
    assert any(parse_qs(urlsplit(point["link"]).query).get("year") == ["2023"] for point in years)
    shapes = re.findall(r'<a href="([^"]*)" class="amity-map-area amity-map-l([1-5])"', html)
    assert shapes and all(link.startswith("/aid/?") and "province=" in link for link, _level in shapes)


def test_a_figure_link_opens_the_aid_items_behind_it(demo, users):
    board = as_user(users["central"]).get(DASHBOARD, {"year": "2023"}).context["board"]
    row = next(row for row in board.provinces.rows if row.keys[0].value == "14")
    response = as_user(users["central"]).get(row.link)
    assert response.status_code == 200
    assert response.context["filterset"].is_valid()
    assert response.context["paginator"].count > 0


def test_the_dashboard_reads_right_to_left_in_arabic(demo, users):
    response = as_user(users["central"], "ar").get(DASHBOARD, {"year": "2023"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "echarts.min.js" in html and "reports/reports.js" in html and "reports/province-map.js" in html
    assert 'id="chart-map"' in html and "<svg" in html  # the map, drawn by the server


def test_the_old_era_shows_a_note_instead_of_the_map(demo, users):
    response = as_user(users["central"]).get(DASHBOARD, {"era": "pre2025"})
    assert response.status_code == 200
    assert response.context["board"].provinces is None
    html = response.content.decode()
    assert 'id="chart-map-data"' not in html
    assert "The map shows the 34 current provinces" in html


def test_bad_dashboard_parameters_give_400_with_the_errors(demo, users):
    response = as_user(users["central"]).get(DASHBOARD, {"basis": "fixed_rate", "rate": "-3"})
    assert response.status_code == 400
    assert "Give the fixed rate as a positive number of VND per USD." in response.content.decode()


def test_a_date_without_exchange_rates_gives_400_not_500(demo, users):
    response = as_user(users["central"]).get(DASHBOARD, {"basis": "rates_on", "rate_date": "1950-01-01"})
    assert response.status_code == 400
    assert "No exchange rate for" in response.content.decode()
    assert "01/01/1950" in response.content.decode()  # the date as the reader writes it


def test_the_navigation_has_reports(demo, users):
    html = as_user(users["viewer"]).get(reverse("home")).content.decode()
    assert f'href="{DASHBOARD}"' in html


# --- report table -------------------------------------------------------------------------------------------


def test_report_table_groups_by_year_sector_category_and_province_in_vnd_with_exact_totals(
    demo, users, django_assert_max_num_queries
):
    params = {
        "group_by": "year,sector_category,province",
        "currency": "VND",
        "date_from": "2022-01-01",
        "date_to": "2023-12-31",
    }
    client = as_user(users["central"])
    with django_assert_max_num_queries(TABLE_QUERIES):
        assert client.get(TABLE, {**params, "statuses": "all"}).status_code == 200
    with django_assert_max_num_queries(TABLE_QUERIES):
        response = client.get(TABLE, params)
    assert response.status_code == 200
    result = response.context["result"]
    assert [d.value for d in result.spec.group_by] == ["year", "sector_category", "province"]
    assert {row.keys[0].value for row in result.rows} == {2022, 2023}
    for measure in (Measure.COMMITTED, Measure.DISBURSED):
        assert sum(row.value(measure) for row in result.rows) == result.totals[measure]
        assert all(row.value(measure) == row.value(measure).to_integral_value() for row in result.rows)
    html = response.content.decode()
    assert 'class="fw-semibold table-light amity-totals"' in html
    cells = figure_cells(html)
    assert len(cells) == 2 * (len(result.rows) + 1)
    assert all(cell["links"] and cell["links"][0].startswith("/aid/?") for cell in cells)
    assert "value-date rates" in html  # the basis above the table


def test_report_table_takes_the_form_s_repeated_parameters(demo, users):
    query = "measures=committed&measures=aid_items&group_by=year&group_by=&group_by=&year=2023"
    response = as_user(users["central"]).get(f"{TABLE}?{query}")
    assert response.status_code == 200
    spec = response.context["spec"]
    assert spec.measures == (Measure.COMMITTED, Measure.AID_ITEMS)
    assert "measures=committed%2Caid_items" in response.context["querystring"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2021-01-01", "date_to": "2020-01-01"}, "The end of the period is before its start."),
        ({"group_by": "year,province,sector,donor"}, "Group by at most three dimensions."),
        ({"measures": "profit"}, "Select a valid choice. profit is not one of the available choices."),
        ({"currency": "EUR"}, "Select a valid choice."),
        ({"basis": "rates_on"}, "Give the date whose rates to use."),
    ],
)
def test_bad_table_parameters_give_400_with_the_error(demo, users, params, message):
    response = as_user(users["central"]).get(TABLE, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "result" not in response.context


def test_the_export_links_carry_the_table_parameters(demo, users):
    response = as_user(users["central"]).get(TABLE, {"group_by": "year", "currency": "VND"})
    if not response.context["export_available"]:
        pytest.skip("the exports are not installed")
    html = response.content.decode()
    for file_format in ("xlsx", "csv", "docx"):
        assert f"{reverse('reports:export')}?format={file_format}&amp;" in html
    assert "currency=VND" in response.context["querystring"]


# --- publishing ---------------------------------------------------------------------------------------------


def publish(client: Client, parameters: str, title: str = "Hải Phòng 2023") -> Any:
    return client.post(PUBLISH, {"title": title, "parameters": parameters})


def test_an_approver_publishes_their_province(demo, users, hai_phong):
    client = as_user(users["approver"])
    assert client.get(TABLE, {"province": "31", "year": "2023"}).context["may_publish"]
    response = publish(client, "province=31&year=2023&group_by=sector_category")
    published = PublishedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == published.get_absolute_url()
    assert published.province == hai_phong
    assert published.figures["totals"]["committed"]


def test_an_approver_cannot_publish_the_national_report(demo, users):
    client = as_user(users["approver"])
    assert not client.get(TABLE, {"year": "2023"}).context["may_publish"]
    assert publish(client, "year=2023").status_code == 403
    assert not PublishedReport.objects.exists()


def test_an_editor_cannot_publish(demo, users):
    client = as_user(users["editor"])
    assert not client.get(TABLE, {"province": "31", "year": "2023"}).context["may_publish"]
    assert publish(client, "province=31&year=2023").status_code == 403
    assert not PublishedReport.objects.exists()


def test_a_central_officer_publishes_the_national_report(demo, users):
    response = publish(as_user(users["central"]), "year=2023&group_by=province", "National 2023")
    assert response.status_code == 302
    published = PublishedReport.objects.get()
    assert published.province is None
    assert published.parameters["group_by"] == "province"


def test_publishing_without_a_title_shows_the_error(demo, users):
    response = publish(as_user(users["central"]), "year=2023", title=" ")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not PublishedReport.objects.exists()


def test_publishing_bad_parameters_shows_them_with_400(demo, users):
    response = publish(as_user(users["central"]), "year=20x3")
    assert response.status_code == 400
    assert (
        "Enter a year such as 2023." in response.content.decode()
        or "Enter a whole number." in response.content.decode()
    )
    assert not PublishedReport.objects.exists()


# --- published reports --------------------------------------------------------------------------------------


def hai_phong_item_in_progress(hai_phong: Any) -> AidItem:
    return (
        AidItem.objects.filter(owning_province=hai_phong, locations__current_province=hai_phong)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("pk")
        .first()
    )


def test_published_figures_stay_frozen_and_the_comparison_shows_a_later_change(demo, users, hai_phong):
    central = as_user(users["central"])
    publish(central, "year=2023&group_by=year&measures=committed,disbursed", "National 2023")
    published = PublishedReport.objects.get()
    frozen = published.figures
    page = central.get(published.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Intact: the figures match their hash" in html
    assert published.content_hash in html
    assert "228,700,000.01" in html  # the published 2023 disbursement

    item = hai_phong_item_in_progress(hai_phong)
    make_transaction(users["editor"], item, kind="3", amount="1000", on=date(2023, 6, 1))

    published.refresh_from_db()
    assert published.figures == frozen
    assert "228,700,000.01" in central.get(published.get_absolute_url()).content.decode()
    compared = central.get(published.get_absolute_url(), {"compare": "1"})
    assert compared.status_code == 200
    assert compared.context["changed"]
    row = compared.context["compared_rows"][0]
    committed, disbursed = row.values
    assert (committed.changed, disbursed.changed) == (False, True)
    assert disbursed.difference == D("1000.00")
    assert disbursed.live == D("228701000.01")
    html = compared.content.decode()
    assert "+1,000.00" in html and "amity-difference" in html


def test_a_report_published_in_vietnamese_names_its_codes_in_the_readers_language_and_stays_intact(demo, users):
    """The figures are frozen; the names of their codes are not figures: a report published from a Vietnamese page
    reads in Arabic on an Arabic page, in its comparison and its export, and its stored labels and hash stay."""
    publish(as_user(users["central"], "vi"), "year=2023&group_by=province,sector&era=pre2025", "Toàn quốc 2023")
    published = PublishedReport.objects.get()
    stored = json.dumps(published.figures, ensure_ascii=False)
    assert "Hải Dương" in stored and "Giáo dục tiểu học" in stored  # as published, in Vietnamese

    reader = as_user(users["viewer"], "ar")
    for params in ({}, {"compare": "1"}):
        html = reader.get(published.get_absolute_url(), params).content.decode()
        assert "هاي دونغ" in html and "التعليم الابتدائي" in html, params
        assert "Hải Dương" not in html and "Giáo dục tiểu học" not in html, params
    export = reader.get(reverse("reports:export"), {"format": "csv", "published": str(published.public_id)})
    text = b"".join(export.streaming_content).decode("utf-8-sig") if export.streaming else export.content.decode()
    assert "التعليم الابتدائي" in text and "Giáo dục tiểu học" not in text
    published.refresh_from_db()
    assert json.dumps(published.figures, ensure_ascii=False) == stored
    assert (
        "Intact: the figures match their hash"
        in as_user(users["viewer"]).get(published.get_absolute_url()).content.decode()
    )


def test_every_published_report_is_public_on_its_page_and_agrees_with_the_api(demo, users, son_la):
    publish(as_user(users["approver"]), "province=31&year=2023")
    publish(as_user(users["central"]), "year=2023", title="Toàn quốc 2023")
    reports = set(PublishedReport.objects.values_list("pk", flat=True))
    assert len(reports) == 2
    clients = {"anonymous": Client()} | {
        who: as_user(users[who]) for who in ("approver", "viewer", "son_la_editor", "ngo_rep", "no_role", "central")
    }
    for who, client in clients.items():
        listed = client.get(reverse("reports:published_list"))
        assert listed.status_code == 200, who
        assert {p.pk for p in listed.context["object_list"]} == reports, who
        api_ids = {r["id"] for r in client.get("/api/v1/published-reports/").json()["results"]}
        assert api_ids == {str(p.public_id) for p in listed.context["object_list"]}, who
        for published in PublishedReport.objects.all():
            page = client.get(published.get_absolute_url())
            assert page.status_code == 200, who
            assert published.title in page.content.decode()
            export = client.get(reverse("reports:export"), {"published": str(published.public_id), "format": "csv"})
            assert export.status_code == 200, who


def test_only_those_whose_scope_covers_a_published_report_compare_it_with_the_figures_now(demo, users):
    publish(as_user(users["approver"]), "province=31&year=2023")
    published = PublishedReport.objects.get()
    url = f"{published.get_absolute_url()}?compare=1"
    assert as_user(users["viewer"]).get(url).context["compare"]
    assert as_user(users["central"]).get(url).context["compare"]
    for client in (Client(), as_user(users["son_la_editor"]), as_user(users["ngo_rep"])):
        response = client.get(url)
        assert not response.context["compare"] and "live" not in response.context
        assert f'href="{published.get_absolute_url()}?compare=1"' not in response.content.decode()


def test_a_live_export_still_needs_a_login(db):
    assert Client().get(reverse("reports:export"), {"year": "2023", "format": "csv"}).status_code == 302


def test_an_altered_publication_is_flagged(demo, users):
    publish(as_user(users["central"]), "year=2023")
    published = PublishedReport.objects.get()
    PublishedReport.objects.filter(pk=published.pk).update(figures={**published.figures, "totals": {"committed": "1"}})
    html = as_user(users["central"]).get(published.get_absolute_url()).content.decode()
    assert "Altered: the stored figures no longer match their hash" in html


def test_publishing_an_old_era_province_shows_the_services_error(demo, users):
    response = publish(as_user(users["central"]), "era=pre2025&province=30&year=2023")
    assert response.status_code == 400
    assert "Publish province reports in the current era" in response.content.decode()
    assert not PublishedReport.objects.exists()


def licence(organisation: Organisation, number: str, province: AdministrativeUnit, expiry: date) -> Registration:
    registration = Registration.objects.create(
        organisation=organisation,
        kind=RegistrationKind.OPERATION,
        number=number,
        issue_date=expiry - timedelta(days=3 * 365),
        expiry_date=expiry,
    )
    registration.provinces.set([province])
    return registration


def test_the_licences_expiring_soon_are_those_of_the_users_provinces(demo, users, ngo, hai_phong, son_la):
    today = timezone.localdate()
    licence(ngo, "T-HP-1", hai_phong, today + timedelta(days=30))
    licence(ngo, "T-SL-1", son_la, today + timedelta(days=60))
    licence(ngo, "T-HP-LATER", hai_phong, today + timedelta(days=200))

    def expiring(user: User, demo: bool = False, **params: str) -> list[str]:
        response = as_user(user).get(DASHBOARD, params)
        assert response.status_code == 200
        # The demo's Hải Phòng licences end within 90 days of loading too: kept apart from the test's own.
        numbers = [registration.number for registration in response.context["board"].expiries]
        return [number for number in numbers if number.startswith("DEMO-") == demo]

    assert expiring(users["editor"]) == ["T-HP-1"]
    assert len(expiring(users["editor"], demo=True)) == 5
    assert expiring(users["central"], demo=True, province="14") == []
    assert expiring(users["central"]) == ["T-HP-1", "T-SL-1"]
    assert expiring(users["central"], province="14") == ["T-SL-1"]
    assert "T-HP-1" in as_user(users["editor"]).get(DASHBOARD).content.decode()


def test_empty_dashboard_panels_say_there_is_no_data_for_their_period_and_filters(demo, users):
    html = as_user(users["central"], "vi").get(DASHBOARD, {"year": "2030"}).content.decode()
    assert html.count("amity-no-data") == 4  # sectors, provinces, donor countries, donors (years has the series)
    assert html.count("Không có số liệu trong kỳ 2030.") == 4

    html = as_user(users["central"], "en").get(DASHBOARD, {"year": "2030", "modality": "project"}).content.decode()
    assert "No data for 2030 with these filters: Modality: Project." in html

    full = as_user(users["central"], "en").get(DASHBOARD, {"year": "2023"}).content.decode()
    assert "amity-no-data" not in full
