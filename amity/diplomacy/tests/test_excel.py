"""Excel for events, delegations and visitors: a template filled and uploaded is written through the batch
services all or nothing; a bad row refuses the file with its row and column; an export round-trips and carries no
personal data."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.conftest import client_for
from amity.diplomacy import excel
from amity.diplomacy.models import Delegation, Event, Visitor
from amity.interop.excel.templates import FIRST_DATA_ROW

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


def filled(kind: str, user, rows: list[dict]) -> SimpleUploadedFile:  # type: ignore[no-untyped-def]
    book = excel.template(kind, user)
    sheet = book.worksheets[0]
    keys = [column.key for column in excel.KINDS[kind].spec.main.columns]
    for offset, values in enumerate(rows):
        for key, value in values.items():
            sheet.cell(row=FIRST_DATA_ROW + offset, column=keys.index(key) + 1, value=value)
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile(f"{kind}.xlsx", stream.getvalue())


def test_events_uploaded_are_written_all_at_once(users, hai_duong):
    union = str(hai_duong.public_id)
    rows = [
        {
            "union": union,
            "event_type": "tet_visit",
            "title": "Thăm chúc Tết",
            "start_date": date(2024, 2, 5),
            "countries": "FR, KR",
            "vietnamese_participants": 40,
        },
        {"union": union, "event_type": "conference", "title": "Hội nghị", "start_date": date(2024, 12, 20)},
    ]
    result = excel.upload("events", filled("events", users["editor"], rows), users["editor"], write=True)
    assert (result.problems, result.written) == ([], True)
    tet = Event.objects.get(event_type="tet_visit")
    assert sorted(c.code for c in tet.countries.all()) == ["FR", "KR"] and tet.vietnamese_participants == 40
    assert {row.history_change_reason for row in tet.history.all()} == {"Excel import"}


def test_one_bad_row_refuses_the_file_with_its_row_and_column(users, hai_duong):
    union = str(hai_duong.public_id)
    rows = [
        {
            "union": union,
            "direction": "incoming",
            "country": "FR",
            "counterpart": "Montreuil",
            "start_date": date(2024, 5, 6),
            "end_date": date(2024, 5, 9),
        },
        {
            "union": union,
            "direction": "incoming",
            "counterpart": "Suwon",
            "start_date": date(2024, 5, 6),
            "end_date": date(2024, 5, 1),
        },
    ]
    result = excel.upload("delegations", filled("delegations", users["editor"], rows), users["editor"], write=True)
    assert not result.written and not Delegation.objects.exists()
    assert {(p["row"], p["field"]) for p in result.problems} == {(FIRST_DATA_ROW + 1, "country")}
    rows[1]["country"] = "KR"
    result = excel.upload("delegations", filled("delegations", users["editor"], rows), users["editor"], write=True)
    assert {(p["row"], p["field"]) for p in result.problems} == {(FIRST_DATA_ROW + 1, "end_date")}
    assert not Delegation.objects.exists()


def test_another_provinces_union_is_refused_on_its_column(users, hai_duong):
    rows = [
        {
            "union": str(hai_duong.public_id),
            "kind": "visitor",
            "group_name": "Đoàn",
            "group_size": 5,
            "nationality": "JP",
            "start_date": date(2024, 3, 1),
        }
    ]
    result = excel.upload(
        "visitors", filled("visitors", users["son_la_editor"], rows), users["son_la_editor"], write=True
    )
    assert [p["field"] for p in result.problems] == ["union"] and not Visitor.objects.exists()


def test_the_visitors_export_has_no_names_and_round_trips(users, hai_duong):
    f.visitor(users["editor"], hai_duong, full_name="Marie Dupont")
    client = client_for(users["editor"])
    response = client.get("/diplomacy/excel/visitors/", {"file": "export"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Marie Dupont" not in cells
    assert any("never exported" in c or "không bao giờ" in c for c in cells)
    upload = SimpleUploadedFile("visitors.xlsx", response.content)
    response = client.post("/diplomacy/excel/visitors/", {"file": upload})
    assert response.status_code == 200, response.context["problems"]
    assert Visitor.objects.get().full_name == "Marie Dupont"  # kept, not blanked by the export


def test_a_file_that_is_not_a_workbook_is_a_400(users):
    client = client_for(users["editor"])
    response = client.post("/diplomacy/excel/events/", {"file": SimpleUploadedFile("x.xlsx", b"MZ\x90\x00")})
    assert response.status_code == 400


def test_the_events_template_has_a_public_column_read_all_or_nothing(users, hai_duong):
    union = str(hai_duong.public_id)
    rows = [
        {"union": union, "event_type": "conference", "title": "Hội nghị công khai", "start_date": date(2024, 6, 1)},
        {"union": union, "event_type": "conference", "title": "Họp nội bộ", "start_date": date(2024, 6, 2)},
    ]
    rows[0]["public"] = "1 – có"
    rows[1]["public"] = "maybe"
    refused = excel.upload("events", filled("events", users["editor"], rows), users["editor"], write=True)
    assert not refused.written and not Event.objects.exists()
    assert [p["field"] for p in refused.problems] == ["public"]
    rows[1]["public"] = None  # left empty: a new event is not public
    result = excel.upload("events", filled("events", users["editor"], rows), users["editor"], write=True)
    assert (result.problems, result.written) == ([], True)
    assert dict(Event.objects.values_list("title", "public")) == {"Hội nghị công khai": True, "Họp nội bộ": False}


def test_the_events_export_says_which_are_public_and_round_trips(users, hai_duong):
    shown = f.event(users["editor"], hai_duong, title="Ngày hội hữu nghị", public=True)
    hidden = f.event(users["editor"], hai_duong, title="Họp chuẩn bị")
    book = excel.export("events", users["editor"], {})
    sheet = book.worksheets[0]
    keys = [column.key for column in excel.KINDS["events"].spec.main.columns]
    cells = {
        sheet.cell(row=row, column=keys.index("title") + 1).value: sheet.cell(
            row=row, column=keys.index("public") + 1
        ).value
        for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 2)
    }
    assert str(cells["Ngày hội hữu nghị"]).startswith("1") and str(cells["Họp chuẩn bị"]).startswith("0")
    sheet.cell(row=FIRST_DATA_ROW, column=keys.index("public") + 1, value="0")  # the first row: made private
    sheet.cell(row=FIRST_DATA_ROW + 1, column=keys.index("public") + 1, value="1")
    stream = io.BytesIO()
    book.save(stream)
    result = excel.upload("events", SimpleUploadedFile("events.xlsx", stream.getvalue()), users["editor"], write=True)
    assert (result.problems, result.written) == ([], True)
    shown.refresh_from_db()
    hidden.refresh_from_db()
    assert (shown.public, hidden.public) == (False, True)
