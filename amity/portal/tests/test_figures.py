"""Published figures (`/figures/…`): every published report with its basis, date, publishing office and SHA-256,
its table, chart or map, and its downloads through the reports' exporters — for anyone, and nothing private."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from amity.aid.tests.factories import approve, make_aid_item, make_transaction, unit
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params

from .opendata_world import SECRETS, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users: dict[str, Any], hai_phong: Any, son_la: Any) -> World:
    return build_world(users, hai_phong, son_la)


def test_the_list_shows_every_published_report_with_its_publisher_office(world: World) -> None:
    page = Client().get("/figures/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Toàn quốc 2024" in text and "Hải Phòng 2024" in text
    with translation.override("vi"):  # the province's People's Committee published its report
        assert escape(world.provincial.publisher_label) in text
        assert world.provincial.province.full_name in world.provincial.publisher_label
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_list_filters_by_province(world: World) -> None:
    text = Client().get("/figures/", {"province": "31"}).content.decode()
    assert "Hải Phòng 2024" in text and "Toàn quốc 2024" not in text
    national = Client().get("/figures/", {"province": "nationwide"}).content.decode()
    assert "Toàn quốc 2024" in national and "Hải Phòng 2024" not in national
    assert Client().get("/figures/", {"province": "99"}).status_code == 400


def test_a_report_page_states_its_basis_hash_and_figures(world: World) -> None:
    response = Client().get(f"/figures/{world.national.public_id}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert world.national.content_hash in text
    assert world.national.figures["basis"] in text and world.national.figures["status_basis"] in text
    assert 'class="amity-map"' in text  # grouped by province: the map, drawn by the server
    assert "<table" in text  # the figures work without JavaScript
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_downloads_are_the_reports_exports_of_the_frozen_figures(world: World) -> None:
    csv_response = Client().get(f"/figures/{world.national.public_id}/download.csv")
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    total_line = next(line for line in text.splitlines() if line.startswith(("Tổng", "Total")))
    assert f"{Decimal(world.national.figures['totals']['committed']):f}" in total_line
    xlsx_response = Client().get(f"/figures/{world.provincial.public_id}/download.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx_response.content), read_only=True)
    cells = "\n".join(
        str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )
    assert world.provincial.content_hash in cells
    for secret in SECRETS:
        assert secret not in text and secret not in cells, secret
    assert Client().get(f"/figures/{world.national.public_id}/download.docx").status_code == 404


def test_a_donor_who_is_a_person_is_not_named_in_published_figures(users: dict[str, Any], world: World) -> None:
    by_donor = report_publish(
        user=users["central"], spec=spec_from_params({"year": "2024", "group_by": "donor"}), title="Theo nhà tài trợ"
    )
    person = Organisation.objects.get(kind="individual")
    assert any(person.name in str(row["keys"]) for row in by_donor.figures["rows"])  # stored as published
    for path in (f"/figures/{by_donor.public_id}/", f"/figures/{by_donor.public_id}/download.csv"):
        assert person.name not in Client().get(path).content.decode("utf-8-sig")


def test_an_unknown_report_is_a_404(db: Any) -> None:
    assert Client().get("/figures/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_report_filtered_by_donor_downloads_for_anyone(users: dict[str, Any], world: World) -> None:
    spec = spec_from_params({"year": "2024", "donor": str(world.partner.public_id)})
    by_one_donor = report_publish(user=users["central"], spec=spec, title="Một nhà tài trợ")
    for fmt in ("csv", "xlsx"):
        assert Client().get(f"/figures/{by_one_donor.public_id}/download.{fmt}").status_code == 200


# --- the province map ---------------------------------------------------------------------------------------

MAP = re.compile(r'<svg class="amity-map-svg".*?</svg>', re.S)
AREA = re.compile(
    r'<a href="([^"]+)" class="amity-map-area amity-map-l(\d)" data-amity-map-area><title>([^<]*)</title>'
)


def test_a_report_by_province_is_a_map_drawn_on_the_server_each_province_a_link(world: World) -> None:
    with translation.override("en"):
        text = Client().get(f"/figures/{world.national.public_id}/", {"lang": "en"}).content.decode()
    svg = MAP.search(text)
    assert svg and len(svg.group(0).encode()) < 60_000
    areas = {link: (int(level), title) for link, level, title in AREA.findall(svg.group(0))}
    assert len(areas) == 34  # every current province, each a link to its own published reports
    assert all(link.startswith("/figures/?province=") for link in areas)
    hai_phong, son_la = areas["/figures/?province=31"], areas["/figures/?province=14"]
    assert hai_phong[0] > son_la[0] > 0  # Hải Phòng has more aid: a darker class
    assert hai_phong[1].startswith("Hai Phong: ") and hai_phong[1].endswith(" USD")
    assert areas["/figures/?province=01"] == (0, "Ha Noi: no figure")
    assert "Nationwide" in text and "3,000.00 USD" in text  # aid in no province: beside the map, not on it
    assert "echarts" not in text and "reports/province-map.js" in text  # no chart library; tooltips enhance
    assert 'href="#published-figures"' in text and 'id="published-figures"' in text  # the table alternative


def test_a_report_by_the_63_old_provinces_is_drawn_on_the_provinces_they_merged_into(
    users: dict[str, Any], world: World
) -> None:
    editor, approver = users["editor"], users["approver"]
    for code, amount in (("30", "500"), ("31", "200")):  # old Hải Dương and old Hải Phòng: both now Hải Phòng
        item = make_aid_item(
            editor, owning_province=world.public_item.owning_province, locations=[(unit(code, Era.PRE2025), "100")]
        )
        make_transaction(editor, item, amount=amount, on=date(2024, 5, 1))
        approve(approver, item)
    old = report_publish(
        user=users["central"],
        spec=spec_from_params({"year": "2024", "group_by": "province", "era": "pre2025"}),
        title="63 tỉnh 2024",
    )
    with translation.override("en"):
        text = Client().get(f"/figures/{old.public_id}/", {"lang": "en"}).content.decode()
    svg = MAP.search(text)
    assert svg
    areas = {link: (int(level), title) for link, level, title in AREA.findall(svg.group(0))}
    level, title = areas["/figures/?province=31"]
    assert level > 0
    assert title.startswith("Hai Phong: 700.00 USD (")  # the sum of its former provinces, each named
    assert "Hai Duong: 500.00 USD" in title and "Hai Phong: 200.00 USD" in title
    assert "63 provinces before 1 July 2025" in text


def test_the_list_maps_each_provinces_published_reports(world: World) -> None:
    with translation.override("en"):
        text = Client().get("/figures/", {"lang": "en"}).content.decode()
    svg = MAP.search(text)
    assert svg
    areas = {link: (int(level), title) for link, level, title in AREA.findall(svg.group(0))}
    assert areas["/figures/?province=31"] == (1, "Hai Phong: 1 published report")
    assert areas["/figures/?province=14"] == (0, "Son La: no figure")
    assert 'id="figures-by-province"' in text  # the same as a table
    assert "National (all provinces): 1 published report" in text
    filtered = Client().get("/figures/", {"province": "31"}).content.decode()
    assert not MAP.search(filtered)  # a chosen province: its reports only
