"""Report exports: the files open in the tools offices use, their figures equal the selector's to the cent or
đồng, they follow the user's scope, bad parameters are a 400, and a published report exports its frozen
figures."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from amity.aid import services as aid_services
from amity.aid.tests.factories import HAI_PHONG_COMMUNE, approve, make_aid_item, unit
from amity.conftest import client_for
from amity.demo.register import demo_load
from amity.reference.models import Currency
from amity.reports.exports import ExportContext, result_from_figures
from amity.reports.exports.docx import document_date
from amity.reports.exports.xlsx import SHEET_NAME_MAX, sheet_name
from amity.reports.selectors import report
from amity.reports.services import report_publish, result_to_figures
from amity.reports.spec import Dimension, Measure, spec_from_params

pytestmark = pytest.mark.django_db

EXPORT = "/reports/export/"
CENT = Decimal("0.01")
GROUPED_2023 = {"group_by": "province,sector", "year": "2023"}
HAI_DUONG_2018_2024 = {"era": "pre2025", "province": "30", "date_from": "2018-01-01", "date_to": "2024-12-31"}


@pytest.fixture
def demo(db):
    demo_load()


def export(user, fmt, **params):
    return client_for(user).get(EXPORT, {"format": fmt, **params})


def live(user, params, language="vi"):
    with translation.override(language):
        return report(user, spec_from_params(params))


def as_decimal(value) -> Decimal:
    """A spreadsheet number back as the decimal it was written from (doubles keep 15 significant digits)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def table_sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return workbook, workbook.worksheets[1]


def total_label(language: str = "vi") -> str:
    with translation.override(language):
        return translation.gettext("Total")


def csv_lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- XLSX ---------------------------------------------------------------------------------------------------------


def test_xlsx_has_a_cover_with_the_basis_and_a_table_whose_totals_equal_the_report(demo, users):
    response = export(users["central"], "xlsx", **GROUPED_2023)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="amity-report-')
    expected = live(users["central"], GROUPED_2023)
    workbook, table = table_sheet(response)
    cover_text = [value for row in workbook.worksheets[0].iter_rows(values_only=True) for value in row if value]
    assert expected.basis_label in cover_text
    assert users["central"].get_username() in cover_text  # who generated it
    rows = list(table.iter_rows(values_only=True))
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert len(body) == len(expected.rows) > 10
    money_columns = {2: Measure.COMMITTED, 3: Measure.DISBURSED}
    for column, measure in money_columns.items():
        assert as_decimal(totals[column]).quantize(CENT) == expected.totals[measure]
        assert sum(as_decimal(row[column]) for row in body).quantize(CENT) == expected.totals[measure]
    assert table.freeze_panes == "A2"
    assert table["A1"].font.b and table.cell(len(rows), 1).font.b
    assert table["C2"].number_format == "#,##0.00"
    with translation.override("vi"):
        assert header[:3] == (Dimension.PROVINCE.label, Dimension.SECTOR.label, f"{Measure.COMMITTED.label} (USD)")


def test_xlsx_in_vnd_has_whole_dong_equal_to_the_report(demo, users):
    params = {"group_by": "year", "currency": "VND", "measures": "committed,aid_items"}
    response = export(users["central"], "xlsx", **params)

    expected = live(users["central"], params)
    _workbook, table = table_sheet(response)
    totals = list(table.iter_rows(values_only=True))[-1]
    assert int(totals[1]) == expected.totals[Measure.COMMITTED]
    assert totals[2] == expected.totals[Measure.AID_ITEMS]
    assert table["B2"].number_format == "#,##0"
    assert table["C2"].number_format == "#,##0"


def test_xlsx_headers_follow_the_users_language(demo, users):
    client = client_for(users["central"])
    client.cookies["amity_language"] = "en"

    response = client.get(EXPORT, {"format": "xlsx", "group_by": "year"})

    _workbook, table = table_sheet(response)
    assert [cell.value for cell in table[1]] == ["Year", "Committed (USD)", "Disbursed (USD)"]


def test_xlsx_sheets_read_right_to_left_in_arabic(users):
    client = client_for(users["central"])
    client.cookies["amity_language"] = "ar"

    workbook, table = table_sheet(client.get(EXPORT, {"format": "xlsx", "group_by": "year"}))

    assert table.sheet_view.rightToLeft and workbook.worksheets[0].sheet_view.rightToLeft


def test_an_ungrouped_export_is_one_totals_row(demo, users):
    response = export(users["central"], "xlsx", year="2023")

    _workbook, table = table_sheet(response)
    rows = list(table.iter_rows(values_only=True))
    assert len(rows) == 2
    assert as_decimal(rows[1][1]).quantize(CENT) == live(users["central"], {"year": "2023"}).totals[Measure.COMMITTED]


def test_sheet_names_are_valid_for_excel():
    assert sheet_name("Figures: 2018/2024 [draft]") == "Figures  2018 2024  draft"
    assert len(sheet_name("x" * 40)) == SHEET_NAME_MAX


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_csv_has_a_bom_a_header_and_rows_that_add_up_to_the_totals(demo, users):
    response = export(users["central"], "csv", **GROUPED_2023)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    assert 'value-date.csv"' in response["Content-Disposition"]
    expected = live(users["central"], GROUPED_2023)
    lines = csv_lines(response)
    header = lines[0]
    total_at = [line[0] for line in lines].index(total_label())
    body, totals = lines[1:total_at], lines[total_at]
    assert len(header) == 4 and len(body) == len(expected.rows)
    for column, measure in ((2, Measure.COMMITTED), (3, Measure.DISBURSED)):
        assert sum(Decimal(line[column]) for line in body) == expected.totals[measure]
        assert Decimal(totals[column]) == expected.totals[measure]
    assert lines[total_at + 1][1] == expected.basis_label


# --- DOCX ---------------------------------------------------------------------------------------------------------


def docx_text(response) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(response.content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return document, "\n".join(parts)


def test_docx_follows_the_administrative_document_layout(demo, users):
    response = export(users["editor"], "docx", group_by="sector_category", year="2024", doc_number="12/BC-LHHN")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    document, text = docx_text(response)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND THÀNH PHỐ HẢI PHÒNG" in text  # the editor's province, by default
    assert "Số: 12/BC-LHHN" in text
    assert "Hải Phòng, ngày" in text
    assert "BÁO CÁO" in [paragraph.text for paragraph in document.paragraphs]
    assert "Nơi nhận:" in text
    section = document.sections[0]
    assert (round(section.left_margin.mm), round(section.right_margin.mm), round(section.page_width.mm)) == (
        30,
        15,
        210,
    )
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_docx_table_shows_the_figures_of_the_report(demo, users):
    response = export(users["central"], "docx", group_by="year", **HAI_DUONG_2018_2024)

    expected = live(users["central"], {"group_by": "year", **HAI_DUONG_2018_2024})
    document, text = docx_text(response)
    figures = document.tables[1]
    assert len(figures.rows) == 1 + len(expected.rows) + 1  # header, years, totals
    assert figures.rows[-1].cells[2].text == "5.840.000,00"  # the union's USD 5.84 million, Vietnamese style
    assert [row.cells[1].text for row in figures.rows[1:-1]] == [str(year) for year in range(2018, 2025)]
    assert expected.basis_label in text


def test_docx_is_in_vietnamese_whatever_the_users_language(demo, users):
    client = client_for(users["central"])
    client.cookies["amity_language"] = "en"

    response = client.get(EXPORT, {"format": "docx", "group_by": "year"})

    document, _text = docx_text(response)
    assert document.tables[1].rows[0].cells[2].text.startswith("Cam kết")


def test_docx_compares_with_the_previous_period(demo, users):
    params = {**HAI_DUONG_2018_2024, "compare_from": "2012-01-01", "compare_to": "2017-12-31"}

    response = export(users["central"], "docx", **params)

    _document, text = docx_text(response)
    assert "3.240.000,00 USD" in text  # the 40 packages of 2012–2017
    assert "1,80" in text  # 1.8 times the previous period


def test_vietnamese_dates_have_two_digit_days_and_early_months():
    assert document_date("Hải Phòng", date(2026, 2, 5)) == "Hải Phòng, ngày 05 tháng 02 năm 2026"
    assert document_date("Hải Phòng", date(2026, 11, 23)) == "Hải Phòng, ngày 23 tháng 11 năm 2026"


# --- scoping and errors ----------------------------------------------------------------------------------------------


def test_hai_phong_editor_exports_only_hai_phong_figures(demo, users):
    response = export(users["editor"], "csv", group_by="province", year="2023")

    lines = csv_lines(response)
    assert [line[0] for line in lines[1 : [line[0] for line in lines].index(total_label())]] == ["Hải Phòng"]
    editor_total = live(users["editor"], {"year": "2023"}).totals[Measure.COMMITTED]
    assert Decimal(lines[1][1]) == editor_total
    assert editor_total < live(users["central"], {"year": "2023"}).totals[Measure.COMMITTED]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"format": "xlsx", "date_to": "2024-13-01"}, "date_to"),
        ({"format": "csv", "group_by": "colour"}, "group_by"),
        ({"format": "pdf"}, "format"),
        ({"format": "docx", "doc_date": "yesterday"}, "doc_date"),
        ({"format": "docx", "compare": "previous"}, "compare"),  # needs a period with both ends
        ({"format": "xlsx", "published": "not-an-id"}, "published"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(users, params, named):
    response = client_for(users["central"]).get(EXPORT, params)

    assert response.status_code == 400
    assert f"{named}:" in response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(EXPORT, {"format": "xlsx"})

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_export_runs_a_fixed_number_of_queries(demo, users, django_assert_num_queries):
    client = client_for(users["central"])
    # session, user, jurisdictions, the grouped rows, one for the labels of each dimension, the sector filter's name,
    # and the exchange rates, once per process while they are unchanged (is the latest rate older than the period?)
    with django_assert_num_queries(9):
        client.get(EXPORT, {"format": "xlsx", "group_by": "province,sector,donor", "sector": "11220"})


# --- published reports ---------------------------------------------------------------------------------------------


def test_published_export_keeps_the_frozen_figures_after_a_later_edit(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, locations=[(unit(HAI_PHONG_COMMUNE), "100")])
    approve(users["approver"], item)
    usd = Currency.objects.get(code="USD")
    transaction = {"transaction_type": "2", "date": date(2024, 3, 1), "currency": usd}
    aid_services.transaction_create(user=users["editor"], aid_item=item, data={**transaction, "amount": Decimal(1000)})
    spec = spec_from_params({"province": "31", "year": "2024", "group_by": "sector"})
    published = report_publish(user=users["approver"], spec=spec, title="Viện trợ năm 2024")
    aid_services.transaction_create(user=users["editor"], aid_item=item, data={**transaction, "amount": Decimal(500)})

    response = export(users["viewer"], "csv", published=str(published.public_id))

    assert response.status_code == 200
    assert "amity-published-report-" in response["Content-Disposition"]
    totals = next(line for line in csv_lines(response) if line[0] == total_label())
    assert report(users["viewer"], spec).totals[Measure.COMMITTED] == Decimal("1500.00")  # live has moved on
    assert Decimal(totals[1]) == Decimal("1000.00")


def test_published_docx_says_when_its_figures_were_frozen(users, hai_phong):
    spec = spec_from_params({"province": "31", "year": "2024"})
    published = report_publish(user=users["approver"], spec=spec, title="Viện trợ năm 2024")

    response = export(users["viewer"], "docx", published=str(published.public_id))

    _document, text = docx_text(response)
    assert published.content_hash[:16] in text
    assert "UBND THÀNH PHỐ HẢI PHÒNG" in text


def test_a_published_report_is_exported_for_anyone_and_an_unknown_one_is_not_found(users, hai_phong):
    spec = spec_from_params({"province": "31", "year": "2024"})
    published = report_publish(user=users["approver"], spec=spec, title="Viện trợ năm 2024")

    # Published figures are public: another province's editor and the public download them as published.
    assert export(users["son_la_editor"], "xlsx", published=str(published.public_id)).status_code == 200
    assert Client().get(EXPORT, {"format": "docx", "published": str(published.public_id)}).status_code == 200
    assert export(users["son_la_editor"], "xlsx", published=str(uuid.uuid4())).status_code == 404


def test_frozen_figures_rebuild_the_same_result(demo, users):
    spec = spec_from_params({"group_by": "year,modality", "measures": "committed,aid_items", "currency": "VND"})
    result = report(users["central"], spec)
    figures = result_to_figures(result)

    rebuilt = result_from_figures(spec.to_params(), figures)

    assert result_to_figures(rebuilt) == figures
    assert rebuilt.spec == spec


def test_export_context_names_who_generated_it(users):
    assert ExportContext(user=users["central"]).generated_by == users["central"].get_username()
