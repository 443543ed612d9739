"""Open data (`/data/…`): the datasets hold published aid only, with the columns users asked for, in CSV, XLSX and
IATI; their totals are the published reports'; a bad filter is a 400; the queries do not grow with the rows. The
downloads are the ready files (`opendata_files`), built here first."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from lxml import etree
from openpyxl import load_workbook

from amity.aid.tests.factories import approve, make_aid_item, make_transaction
from amity.portal.opendata_files import all_targets, open_data_files_build
from amity.reports.selectors import NATIONWIDE

from .opendata_world import SECRETS, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users: dict[str, Any], hai_phong: Any, son_la: Any) -> World:
    built = build_world(users, hai_phong, son_la)
    build_files()
    return built


def build_files(**choice: Any) -> None:
    """The files of the tests: national, Hải Phòng's and Sơn La's, in Vietnamese and English."""
    options = {"provinces": ["", "31", "14"], "langs": ["vi", "en"], **choice}
    result = open_data_files_build(targets=all_targets(**options))
    assert not result.failed and not result.busy


def csv_rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_text(response: Any) -> str:
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        " | ".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def test_transactions_are_published_aid_only_with_province_sector_and_both_currencies(world: World) -> None:
    rows = csv_rows(Client().get("/data/transactions.csv"))
    titles = {row["aid_item_title"] for row in rows}
    assert titles == {"Trường mầm non Thành Đông", "Học bổng toàn quốc", "Nước sạch hai tỉnh"}
    split = [row for row in rows if row["aid_item_title"] == "Nước sạch hai tỉnh"]
    assert sorted((row["province_code"], row["amount_usd"]) for row in split) == [("14", "400.40"), ("31", "600.60")]
    nationwide = next(row for row in rows if row["aid_item_title"] == "Học bổng toàn quốc")
    assert nationwide["province_code"] == ""
    with translation.override("vi"):  # the page's default language
        assert nationwide["province"] == str(NATIONWIDE)
    assert "11220" in nationwide["sector_codes"] and "12220" in nationwide["sector_codes"]
    assert nationwide["sectors"]  # named in the reader's language
    euro = next(row for row in rows if row["currency"] == "EUR")
    assert Decimal(euro["amount"]) == Decimal("250.50")
    assert Decimal(euro["amount_usd"]) > 0 and Decimal(euro["amount_vnd"]) > Decimal(euro["amount_usd"])
    assert euro["usd_per_unit"] and euro["vnd_per_unit"] and euro["rate_note"]
    assert {row["status_basis"] for row in rows} == {rows[0]["status_basis"]} and rows[0]["conversion_basis"]


def test_the_datasets_total_is_the_published_reports_total(world: World) -> None:
    """The published national report (2024, by province) and the Hải Phòng one: the dataset summed independently."""
    rows = [row for row in csv_rows(Client().get("/data/transactions.csv")) if row["year"] == "2024"]
    committed = sum(Decimal(row["amount_usd"]) for row in rows if row["transaction_type"] == "2")
    disbursed = sum(Decimal(row["amount_usd"]) for row in rows if row["transaction_type"] == "3")
    assert committed == Decimal(world.national.figures["totals"]["committed"])
    assert disbursed == Decimal(world.national.figures["totals"]["disbursed"])
    for published_row in world.national.figures["rows"]:
        code = published_row["keys"][0]["value"] or ""
        part = sum(
            Decimal(row["amount_usd"])
            for row in rows
            if row["transaction_type"] == "2" and row["province_code"] == code
        )
        assert part == Decimal(published_row["values"]["committed"])
    hai_phong = [r for r in csv_rows(Client().get("/data/transactions.csv", {"province": "31"})) if r["year"] == "2024"]
    assert sum(Decimal(r["amount_usd"]) for r in hai_phong if r["transaction_type"] == "2") == Decimal(
        world.provincial.figures["totals"]["committed"]
    )


def test_aid_items_count_approved_items_and_sum_their_share(world: World) -> None:
    rows = csv_rows(Client().get("/data/aid-items.csv"))
    assert sorted(row["aid_item_id"] for row in rows) == sorted(
        str(item.public_id) for item in (world.public_item, world.nationwide_item, world.split_item)
    )
    split = next(row for row in rows if row["aid_item_id"] == str(world.split_item.public_id))
    assert split["committed_usd"] == "1001.00"
    assert "31 (60%)" in split["province_codes"] and "14 (40%)" in split["province_codes"]
    in_son_la = csv_rows(Client().get("/data/aid-items.csv", {"province": "14"}))
    assert [row["committed_usd"] for row in in_son_la] == ["400.40"]
    nationwide = Client().get("/api/public/v1/aid-items/", {"province": "nationwide"}).json()["results"]
    assert [row["aid_item_id"] for row in nationwide] == [str(world.nationwide_item.public_id)]


def test_an_individual_donor_is_never_named(world: World) -> None:
    rows = csv_rows(Client().get("/data/transactions.csv"))
    assert "Individual donor" in {row["donor"] for row in rows} or "Nhà tài trợ cá nhân" in {
        row["donor"] for row in rows
    }


def test_the_ngo_directory_lists_licensed_ngos_with_public_fields(world: World) -> None:
    rows = csv_rows(Client().get("/data/ngos.csv"))
    assert [row["name"] for row in rows] == ["Stichting Open Hands"]
    assert rows[0]["website"] == "https://open.example"
    assert rows[0]["province_codes"] == "31"
    assert rows[0]["licence_numbers"] == "01/GĐK"


@pytest.mark.parametrize("path", ["/data/transactions", "/data/aid-items", "/data/ngos"])
def test_no_download_holds_private_data(world: World, path: str) -> None:
    client = Client()
    texts = [b"".join(client.get(f"{path}.csv").streaming_content).decode("utf-8")]
    texts.append(xlsx_text(client.get(f"{path}.xlsx")))
    texts.append(b"".join(client.get(f"{path}.xml").streaming_content).decode("utf-8"))
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, secret


def test_the_iati_file_holds_the_published_activities(world: World) -> None:
    content = b"".join(Client().get("/data/aid-items.xml").streaming_content)
    root = etree.fromstring(content)
    assert root.tag == "iati-activities"
    assert len(root.findall("iati-activity")) == 3
    son_la = b"".join(Client().get("/data/aid-items.xml", {"province": "14"}).streaming_content)
    assert len(etree.fromstring(son_la).findall("iati-activity")) == 1
    assert b"".join(Client().get("/data/transactions.xml", {"province": "14"}).streaming_content) == son_la


def test_the_xlsx_names_columns_in_the_readers_language_with_the_licence(world: World) -> None:
    client = Client()
    client.cookies["amity_language"] = "en"  # the reader's choice, kept by the language menu
    text = xlsx_text(client.get("/data/transactions.xlsx"))
    assert "CC BY 4.0" in text
    assert "province_code" in text
    assert "Recipient province code" in text and "Mã tỉnh" not in text
    vietnamese = xlsx_text(Client().get("/data/transactions.xlsx", {"lang": "vi"}))
    assert "Recipient province code" not in vietnamese


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "99999"},
        {"province": "99"},
        {"sector": "xyz"},
        {"donor": "not-a-uuid"},
        {"province": "3\x001"},
    ],
)
@pytest.mark.parametrize("path", ["/data/transactions.csv", "/data/aid-items.xlsx", "/data/aid-items.xml", "/data/"])
def test_a_bad_filter_is_a_400_naming_it(db: Any, path: str, query: dict[str, str]) -> None:
    response = Client().get(path, query)
    assert response.status_code == 400
    assert next(iter(query)) in response.content.decode("utf-8")


def test_an_unknown_dataset_or_format_is_a_404(db: Any) -> None:
    assert Client().get("/data/visitors.csv").status_code == 404
    assert Client().get("/data/transactions.docx").status_code == 404


def test_the_pages_explain_every_column(world: World) -> None:
    from amity.portal.opendata import DATASETS

    index = Client().get("/data/")
    assert index.status_code == 200
    assert "creativecommons.org/licenses/by/4.0" in index.content.decode()
    page = Client().get("/data/dictionary/").content.decode()
    for dataset in DATASETS.values():
        for column in dataset.columns:
            assert f">{column.key}<" in page


def _more_items(users: dict[str, Any], province: Any, count: int) -> None:
    for number in range(count):
        item = make_aid_item(users["editor"], owning_province=province, title=f"Dự án {number}")
        make_transaction(users["editor"], item, amount="100", on=__import__("datetime").date(2024, 5, 1))
        approve(users["approver"], item)


@pytest.mark.parametrize("dataset", ["transactions", "aid-items", "ngos"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xml"])
def test_building_a_file_runs_a_fixed_number_of_queries(
    world: World, users: dict[str, Any], hai_phong: Any, dataset: str, fmt: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    targets = all_targets(datasets=[dataset], formats=[fmt], provinces=[""], langs=["vi"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert open_data_files_build(targets=targets).built
        return len(captured)

    before = queries()
    _more_items(users, hai_phong, 6)
    assert queries() == before
    assert before <= 30


def test_a_download_reads_one_row_and_sends_the_file(world: World, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(2):  # the file's record (and the session-less request reads nothing else)
        response = Client().get("/data/transactions.csv")
        b"".join(response.streaming_content)
    assert response.status_code == 200


def test_a_workbook_too_large_asks_for_a_province_or_the_csv(world: World, settings: Any) -> None:
    settings.AMITY_OPEN_DATA_XLSX_MAX_ROWS = 3
    build_files(formats=["xlsx"], datasets=["transactions"])
    too_large = Client().get("/data/transactions.xlsx")
    assert too_large.status_code == 400 and "format" in too_large.content.decode()
    assert Client().get("/data/transactions.xlsx", {"province": "14"}).status_code == 200
    assert Client().get("/data/transactions.csv").status_code == 200
    assert "too many rows for a workbook" in Client().get("/data/", {"lang": "en"}).content.decode()
