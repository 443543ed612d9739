"""Excel templates, exports to template, the complete check of an upload and the all-or-nothing write."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amity.aid import rules
from amity.aid import services as aid_services
from amity.aid.models import AidItem, SectorSplit, Transaction
from amity.aid.tests.factories import SON_LA_COMMUNE, donor, make_aid_item, make_transaction, unit
from amity.conftest import client_for
from amity.interop.excel import problems as P
from amity.interop.excel.check import check_workbook
from amity.interop.excel.export import export_workbook
from amity.interop.excel.problems import problem_text
from amity.interop.excel.templates import AID_ITEMS, KEY_ROW, MAX_DATA_ROWS, build_workbook, spec_for
from amity.interop.excel.write import write_checked, write_workbook
from amity.organisations.models import Organisation, Registration
from amity.reports.models import ReportFact

pytestmark = pytest.mark.django_db

# Drop-down lists (provinces, organisations, sectors, units; the choice lists need none), organisation names
# (to write an ambiguous name as its IATI identifier), the aid items, their sectors, locations and donors.
EXPORT_QUERIES = 9


# --- helpers ---------------------------------------------------------------------------------------------------


def xlsx(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reopen(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def columns(worksheet: Any) -> dict[str, int]:
    """Column key → column number, from the hidden key row."""
    return {
        worksheet.cell(row=KEY_ROW, column=index).value: index
        for index in range(1, worksheet.max_column + 1)
        if worksheet.cell(row=KEY_ROW, column=index).value
    }


def put(worksheet: Any, row: int, **values: Any) -> None:
    keys = columns(worksheet)
    for key, value in values.items():
        worksheet.cell(row=row, column=keys[key], value=value)


def get(worksheet: Any, row: int, key: str) -> Any:
    return worksheet.cell(row=row, column=columns(worksheet)[key]).value


def blank(kind: str, user: Any) -> openpyxl.Workbook:
    return reopen(xlsx(build_workbook(spec_for(kind), user)))


def messages(check: Any) -> list[tuple[str, int | None, str, str]]:
    return [(p["sheet"], p["row"], p["column"], p["message"]) for p in check.problems]


def aid_item_workbook(user: Any, **values: Any) -> openpyxl.Workbook:
    workbook = blank("aid_items", user)
    row = {"title_vi": "Giếng nước sạch", "modality": "project – Project", "owning_province": "31 – Hải Phòng"}
    put(workbook.worksheets[0], 3, **{**row, **values})
    return workbook


# --- templates -------------------------------------------------------------------------------------------------


def test_the_template_has_drop_downs_fed_from_the_hidden_lists_sheet(users):
    workbook = blank("aid_items", users["editor"])
    items, _sectors, _locations, lists = workbook.worksheets
    assert lists.sheet_state == "hidden"
    assert lists.protection.sheet
    formulas = {validation.formula1 for validation in items.data_validations.dataValidation}
    province_column = columns(items)["owning_province"]
    list_columns = {lists.cell(row=1, column=i).value: i for i in range(1, lists.max_column + 1)}
    assert list_columns["provinces"]
    assert any(formula.startswith(f"'{lists.title}'!$") for formula in formulas)
    province_validation = next(
        v
        for v in items.data_validations.dataValidation
        if f"{openpyxl.utils.get_column_letter(province_column)}3" in str(v.sqref)
    )
    assert province_validation.type == "list"
    provinces = [lists.cell(row=r, column=list_columns["provinces"]).value for r in range(2, lists.max_row + 1)]
    assert "31 – Hải Phòng" in provinces
    assert len([p for p in provinces if p]) == 34  # provinces of the current era only
    sector_codes = [lists.cell(row=r, column=list_columns["sectors"]).value or "" for r in range(2, lists.max_row + 1)]
    assert any(code.startswith("11220 – ") for code in sector_codes)
    assert any(code.startswith("112 – ") for code in sector_codes)  # 3-digit categories too


def test_the_template_hides_the_identifier_column_and_the_key_row_and_freezes_the_header(users):
    workbook = blank("transactions", users["editor"])
    sheet = workbook.worksheets[0]
    assert columns(sheet)["id"] == 1
    assert sheet.column_dimensions["A"].hidden
    assert sheet.row_dimensions[KEY_ROW].hidden
    assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("3")
    date_letter = openpyxl.utils.get_column_letter(columns(sheet)["date"])
    assert sheet.column_dimensions[date_letter].number_format == "yyyy-mm-dd"
    assert "AMITY_TEMPLATE" in workbook.defined_names


def test_the_template_headers_follow_the_language_but_the_keys_do_not(users):
    with translation.override("en"):
        english = blank("organisations", users["central"])
    with translation.override("ar"):
        arabic = blank("organisations", users["central"])
    assert columns(english.worksheets[0]) == columns(arabic.worksheets[0])
    assert english.worksheets[0].cell(row=1, column=3).value.startswith("Name")


def test_the_template_page_downloads_each_kind_and_refuses_unknown_ones(users):
    client = client_for(users["editor"])
    for kind in ("organisations", "registrations", "aid_items", "transactions"):
        response = client.get(reverse("interop:excel_template", kwargs={"kind": kind}))
        assert response.status_code == 200
        assert reopen(response.content).worksheets[0].cell(row=KEY_ROW, column=1).value == "id"
    assert client.get(reverse("interop:excel_template", kwargs={"kind": "budgets"})).status_code == 404


# --- export and round trip -------------------------------------------------------------------------------------


def test_aid_items_round_trip_updates_changed_rows_creates_new_ones_and_never_duplicates(users, hai_phong):
    editor = users["editor"]
    kept = make_aid_item(editor, owning_province=hai_phong, title="Trường học", reference="HP-1")
    edited = make_aid_item(editor, owning_province=hai_phong, title="Cầu treo", reference="HP-2")
    workbook = reopen(xlsx(export_workbook("aid_items", editor)))
    items, sectors, _locations = workbook.worksheets[:3]
    rows = {get(items, r, "id"): r for r in range(3, 5)}
    put(items, rows[str(edited.public_id)], title_vi="Cầu treo mới")
    put(items, 5, title_vi="Nhà văn hoá", modality="project", owning_province="31", reference="HP-3")
    put(sectors, 5, aid_item="HP-3", sector="12220", percentage=60)
    put(sectors, 6, aid_item="HP-3", sector="11220", percentage=40)
    data = xlsx(workbook)

    check = check_workbook("aid_items", data, editor)
    assert check.ok, check.problems
    assert (check.created_count, check.updated_count, check.unchanged_count) == (1, 1, 1)
    assert AidItem.objects.count() == 2  # checking writes nothing

    result = write_workbook("aid_items", data, editor)
    assert result.ok, result.problems
    edited.refresh_from_db()
    kept.refresh_from_db()
    assert edited.title_vi == "Cầu treo mới"
    assert kept.version == 1
    new = AidItem.objects.get(reference="HP-3")
    assert {(s.sector.code, s.percentage) for s in new.sectors.all()} == {("12220", 60), ("11220", 40)}
    assert not new.locations.exists()  # no location rows: nationwide, not silently put in the owning province
    assert new.history.first().history_user == editor

    again = write_workbook("aid_items", data, editor)  # the same file again: nothing changes
    assert again.ok, again.problems
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert AidItem.objects.count() == 3
    edited.refresh_from_db()
    assert edited.version == 2


def test_aid_item_sector_and_location_shares_are_replaced_from_the_file(users, son_la):
    editor = users["son_la_editor"]
    item = make_aid_item(editor, owning_province=son_la, locations=[(unit(SON_LA_COMMUNE), "100")])
    workbook = reopen(xlsx(export_workbook("aid_items", editor)))
    _items, sectors, locations = workbook.worksheets[:3]
    put(sectors, 3, sector="11220 – x", percentage=50)
    put(sectors, 4, aid_item=str(item.public_id), sector="12220", percentage=50)
    put(locations, 3, percentage=Decimal("70"))
    put(locations, 4, aid_item=str(item.public_id), unit="14", percentage=30)
    result = write_workbook("aid_items", xlsx(workbook), editor)
    assert result.ok, result.problems
    assert result.updated_count == 1
    assert sorted(s.sector.code for s in item.sectors.all()) == ["11220", "12220"]
    assert {(loc.unit.code, loc.percentage) for loc in item.locations.all()} == {(SON_LA_COMMUNE, 70), ("14", 30)}


def test_changed_aid_items_are_written_in_one_batch_with_history_versions_and_facts(users, hai_phong):
    editor = users["editor"]
    items = [make_aid_item(editor, owning_province=hai_phong, reference=f"HP-B{n}") for n in range(12)]
    for item in items:
        make_transaction(editor, item, amount="1000")
    workbook = reopen(xlsx(export_workbook("aid_items", editor)))
    sheet, sectors = workbook.worksheets[:2]
    by_id = {get(sheet, r, "id"): r for r in range(3, 3 + len(items))}
    for n, item in enumerate(items):
        put(sheet, by_id[str(item.public_id)], title_vi=f"Dự án {n}", modality="programme")
    resectored = get(sectors, 3, "aid_item")
    put(sectors, 3, sector="12220")
    data = xlsx(workbook)
    check = check_workbook("aid_items", data, editor)
    assert check.ok and check.updated_count == len(items), check.problems

    with CaptureQueriesContext(connection) as queries:
        result = write_checked(check, editor)
    assert result.ok, result.problems
    # A fixed number of queries for the batch (scope, versions, one UPDATE per field set, history, parts, facts),
    # not ~15 a row as through aid_item_update.
    assert len(queries) < 40, len(queries)
    for n, item in enumerate(items):
        item.refresh_from_db()
        assert (item.title_vi, item.modality, item.version) == (f"Dự án {n}", "programme", 2)
        change = item.history.first()
        assert (change.history_type, change.history_user, change.history_change_reason) == ("~", editor, "Excel import")
    moved = next(item for item in items if resectored in (str(item.public_id), item.reference))
    assert [s.sector.code for s in moved.sectors.all()] == ["12220"]
    assert set(ReportFact.objects.values_list("modality", flat=True)) == {"programme"}
    assert ReportFact.objects.get(aid_item=moved).sector.code == "12220"


def test_transactions_round_trip_updates_creates_and_refreshes_the_report_facts(users, hai_phong):
    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong, reference="HP-9")
    first = make_transaction(editor, item, amount="1000")
    make_transaction(editor, item, amount="2000", kind="3")
    workbook = reopen(xlsx(export_workbook("transactions", editor)))
    sheet = workbook.worksheets[0]
    row = next(r for r in (3, 4) if get(sheet, r, "id") == str(first.public_id))
    put(sheet, row, amount=1500)
    put(
        sheet,
        5,
        aid_item="HP-9",
        transaction_type="3 – Disbursement",
        date=datetime(2023, 9, 1),
        amount=250,
        currency="USD",
    )
    data = xlsx(workbook)

    result = write_workbook("transactions", data, editor)
    assert result.ok, result.problems
    assert (result.created_count, result.updated_count, result.unchanged_count) == (1, 1, 1)
    first.refresh_from_db()
    assert first.amount == Decimal("1500.00")
    assert first.amount_usd == Decimal("1500.00")
    assert first.version == 2
    assert first.history.first().history_user == editor
    created = Transaction.objects.get(amount=Decimal("250"))
    assert created.value_date == date(2023, 9, 1)
    assert created.amount_vnd > 0
    assert sum(f.amount_usd for f in ReportFact.objects.filter(aid_item=item)) == Decimal("3750.00")

    again = write_workbook("transactions", data, editor)
    assert again.ok, again.problems
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert Transaction.objects.filter(aid_item=item).count() == 3


def test_a_reversal_uploaded_as_a_negative_amount_is_kept_and_a_zero_is_refused(users, hai_phong):
    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong, reference="HP-10")
    make_transaction(editor, item, amount="1000", kind="3")
    workbook = reopen(xlsx(export_workbook("transactions", editor)))
    sheet = workbook.worksheets[0]
    row = {"aid_item": "HP-10", "transaction_type": "3 – Disbursement", "date": datetime(2023, 9, 1)}
    put(sheet, 4, **row, amount=-400, currency="USD")

    result = write_workbook("transactions", xlsx(workbook), editor)

    assert result.ok, result.problems
    assert sum(f.amount_usd for f in ReportFact.objects.filter(aid_item=item)) == Decimal("600.00")
    put(sheet, 4, **row, amount=0, currency="USD")
    refused = check_workbook("transactions", io.BytesIO(xlsx(workbook)), editor)
    assert [(problem["field"], problem["row"]) for problem in refused.problems] == [("amount", 4)]


def test_an_organisation_row_without_id_with_a_known_name_updates_that_organisation(users):
    central = users["central"]
    existing = Organisation.objects.create(name="Plan International", kind="foreign_ngo")
    workbook = blank("organisations", central)
    put(workbook.worksheets[0], 3, name="  plan   INTERNATIONAL ", kind="foreign_ngo", acronym="PI")
    put(workbook.worksheets[0], 4, name="Oxfam", kind="foreign_ngo – x", iati_identifier="GB-CHC-202918", country="GB")
    result = write_workbook("organisations", xlsx(workbook), central)
    assert result.ok, result.problems
    assert (result.created_count, result.updated_count) == (1, 1)
    existing.refresh_from_db()
    assert existing.acronym == "PI"
    assert Organisation.objects.filter(name__icontains="plan").count() == 1
    assert Organisation.objects.get(iati_identifier="GB-CHC-202918").country.code == "GB"


def test_an_organisation_row_with_a_known_iati_identifier_is_an_update_not_a_duplicate(users):
    central = users["central"]
    existing = Organisation.objects.create(name="Oxfam GB", kind="foreign_ngo", iati_identifier="GB-CHC-202918")
    workbook = blank("organisations", central)
    put(workbook.worksheets[0], 3, name="Oxfam Great Britain", kind="foreign_ngo", iati_identifier="GB-CHC-202918")
    result = write_workbook("organisations", xlsx(workbook), central)
    assert result.ok, result.problems
    assert result.updated_count == 1
    existing.refresh_from_db()
    assert existing.name == "Oxfam Great Britain"


def test_registrations_round_trip(users, ngo, hai_phong):
    central = users["central"]
    workbook = blank("registrations", central)
    put(
        workbook.worksheets[0],
        3,
        organisation=ngo.name,
        kind="operation",
        number="123/GĐK",
        issue_date=datetime(2024, 1, 10),
        expiry_date=datetime(2027, 1, 9),
        provinces="31, 14",
        sectors="112",
    )
    result = write_workbook("registrations", xlsx(workbook), central)
    assert result.ok, result.problems
    registration = Registration.objects.get(number="123/GĐK")
    assert sorted(p.code for p in registration.provinces.all()) == ["14", "31"]
    exported = reopen(xlsx(export_workbook("registrations", central)))
    put(exported.worksheets[0], 3, note="Đã kiểm tra")
    again = write_workbook("registrations", xlsx(exported), central)
    assert again.ok, again.problems
    assert again.updated_count == 1
    registration.refresh_from_db()
    assert registration.note == "Đã kiểm tra"
    assert Registration.objects.count() == 1


def test_the_export_keeps_to_the_list_filter_and_scope(users, hai_phong, son_la):
    make_aid_item(users["editor"], owning_province=hai_phong, title="Hải Phòng project", modality="project")
    make_aid_item(users["editor"], owning_province=hai_phong, title="Hải Phòng programme", modality="programme")
    make_aid_item(users["son_la_editor"], owning_province=son_la, title="Sơn La project")
    sheet = export_workbook("aid_items", users["editor"], {"modality": "project"}).worksheets[0]
    assert [get(sheet, r, "title_vi") for r in range(3, sheet.max_row + 1)] == ["Hải Phòng project"]


def test_the_export_runs_a_fixed_number_of_queries(users, hai_phong, django_assert_max_num_queries):
    editor = users["editor"]
    funder = donor()

    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_workbook("aid_items", editor)
        return len(captured)

    make_aid_item(editor, owning_province=hai_phong, participants=[(funder, "1")])
    few = counted()
    for number in range(4):
        make_aid_item(editor, owning_province=hai_phong, title=f"Dự án {number}", participants=[(funder, "1")])
    assert counted() == few
    with django_assert_max_num_queries(EXPORT_QUERIES):
        export_workbook("aid_items", editor)


def test_the_export_page_answers_an_invalid_filter_with_400(users):
    client = client_for(users["editor"])
    url = reverse("interop:excel_export", kwargs={"kind": "aid_items"})
    assert client.get(url, {"modality": "spaceship"}).status_code == 400
    response = client.get(url, {"modality": "project"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_the_list_pages_offer_the_excel_download(users):
    client = client_for(users["central"])
    for page, kind in (
        ("aid:list", "aid_items"),
        ("organisations:list", "organisations"),
        ("organisations:registration_list", "registrations"),
    ):
        response = client.get(reverse(page))
        assert reverse("interop:excel_export", kwargs={"kind": kind}) in response.content.decode()


# --- bad input: each gives a precise problem and writes nothing ------------------------------------------------


def test_a_file_that_is_not_a_zip_is_refused(users):
    check = check_workbook("aid_items", b"Name;Title\nx;y\n", users["editor"])
    assert messages(check) == [("", None, "", P.NOT_XLSX)]


def test_a_zip_that_is_not_a_workbook_is_refused(users):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    check = check_workbook("aid_items", buffer.getvalue(), users["editor"])
    assert messages(check) == [("", None, "", P.NOT_XLSX)]
    assert "not a workbook" in problem_text(check.problems[0])


def test_a_zip_bomb_is_refused_before_it_is_unpacked(users):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    check = check_workbook("aid_items", buffer.getvalue(), users["editor"])
    assert messages(check) == [("", None, "", P.ZIP_RATIO)]
    assert check.problems[0]["params"]["part"] == "xl/worksheets/sheet1.xml"


def test_xml_entity_declarations_are_refused(users):
    source = reopen(xlsx(aid_item_workbook(users["editor"])))
    original = io.BytesIO(xlsx(source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(original) as inside, zipfile.ZipFile(buffer, "w") as outside:
        for info in inside.infolist():
            content = inside.read(info)
            if info.filename == "xl/workbook.xml":
                body = content.split(b"?>", 1)[-1]
                content = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            outside.writestr(info, content)
    check = check_workbook("aid_items", buffer.getvalue(), users["editor"])
    assert messages(check) == [("", None, "", P.XML_DOCTYPE)]


def test_a_workbook_that_is_not_a_template_is_refused(users):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "title"
    check = check_workbook("aid_items", xlsx(workbook), users["editor"])
    assert messages(check) == [("", None, "", P.NOT_TEMPLATE)]


def test_a_template_of_another_kind_is_refused(users):
    check = check_workbook("transactions", xlsx(aid_item_workbook(users["editor"])), users["editor"])
    assert messages(check) == [("", None, "", P.WRONG_KIND)]


def test_a_formula_where_a_value_belongs_is_refused_with_its_cell(users):
    workbook = aid_item_workbook(users["editor"], title_vi='=CONCATENATE("a","b")')
    check = check_workbook("aid_items", xlsx(workbook), users["editor"])
    sheet = workbook.worksheets[0]
    letter = openpyxl.utils.get_column_letter(columns(sheet)["title_vi"])
    assert messages(check) == [(sheet.title, 3, letter, P.FORMULA)]
    assert "CONCATENATE" in problem_text(check.problems[0])


def test_a_date_in_text_is_refused_with_its_cell(users):
    workbook = aid_item_workbook(users["editor"], planned_start="01/02/2026")
    check = check_workbook("aid_items", xlsx(workbook), users["editor"])
    letter = openpyxl.utils.get_column_letter(columns(workbook.worksheets[0])["planned_start"])
    assert messages(check) == [(workbook.worksheets[0].title, 3, letter, P.DATE_TEXT)]
    assert "01/02/2026" in problem_text(check.problems[0])


def test_more_rows_than_a_template_takes_is_one_clear_problem(users):
    workbook = blank("transactions", users["editor"])
    sheet = workbook.worksheets[0]
    column = columns(sheet)["description"]
    for row in range(3, 3 + 100_000):
        sheet.cell(row=row, column=column, value="x")
    check = check_workbook("transactions", xlsx(workbook), users["editor"])
    assert messages(check) == [(sheet.title, None, "", P.TOO_MANY_ROWS)]
    assert check.problems[0]["params"] == {"limit": MAX_DATA_ROWS}


def test_every_cell_problem_is_listed_by_sheet_row_and_column(users):
    editor = users["editor"]
    workbook = blank("aid_items", editor)
    items, sectors, _locations = workbook.worksheets[:3]
    put(items, 3, title_vi="A", modality="spaceship", owning_province="31", reference="R1")
    put(items, 4, modality="project", owning_province="99", reference="R2")
    put(items, 5, title_vi="C", modality="project", owning_province="31", reference="R3")
    put(sectors, 3, aid_item="R3", sector="11220", percentage=60)
    put(sectors, 4, aid_item="R3", sector="99999", percentage=30)
    put(sectors, 5, aid_item="nothing", sector="11220", percentage=100)
    check = check_workbook("aid_items", xlsx(workbook), editor)
    keys = columns(items)
    letter = openpyxl.utils.get_column_letter
    assert messages(check) == [
        (items.title, 3, letter(keys["modality"]), P.UNKNOWN_CODE),
        (items.title, 4, letter(keys["title_vi"]), P.REQUIRED),
        (items.title, 4, letter(keys["owning_province"]), P.UNKNOWN_CODE),
        (sectors.title, 4, letter(columns(sectors)["sector"]), P.UNKNOWN_CODE),
        (sectors.title, 5, letter(columns(sectors)["aid_item"]), P.SPLIT_NOT_IN_FILE),
    ]
    assert not check.planned
    assert AidItem.objects.count() == 0


def test_percentages_that_do_not_add_up_to_100_are_refused_per_aid_item(users):
    editor = users["editor"]
    workbook = aid_item_workbook(editor, reference="R1")
    sectors = workbook.worksheets[1]
    put(sectors, 3, aid_item="R1", sector="11220", percentage=60)
    put(sectors, 4, aid_item="R1", sector="12220", percentage=30)
    result = write_workbook("aid_items", xlsx(workbook), editor)
    assert messages(result) == [(sectors.title, 3, "D", rules.PERCENT_TOTAL)]
    assert result.problems[0]["params"]["total"] == "90"
    assert not result.written
    assert AidItem.objects.count() == 0


def test_ids_outside_the_users_scope_are_refused(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    workbook = reopen(xlsx(export_workbook("aid_items", users["editor"])))
    put(workbook.worksheets[0], 3, title_vi="Đổi tên")
    result = write_workbook("aid_items", xlsx(workbook), users["son_la_editor"])
    assert [p["message"] for p in result.problems] == [P.UNKNOWN_ID]  # Sơn La may not even see it
    viewer = write_workbook("aid_items", xlsx(workbook), users["viewer"])
    assert [p["message"] for p in viewer.problems] == [P.NOT_CHANGEABLE]
    item.refresh_from_db()
    assert item.title_vi != "Đổi tên"


def test_a_new_aid_item_for_another_province_is_refused(users):
    workbook = aid_item_workbook(users["son_la_editor"])
    check = check_workbook("aid_items", xlsx(workbook), users["son_la_editor"])
    assert [p["message"] for p in check.problems] == [P.OUTSIDE_JURISDICTION]


def test_a_natural_key_match_outside_the_users_scope_is_refused_not_duplicated(users, son_la):
    make_aid_item(users["son_la_editor"], owning_province=son_la, iati_identifier="XM-DAC-1-1")
    workbook = aid_item_workbook(users["editor"], iati_identifier="XM-DAC-1-1")
    check = check_workbook("aid_items", xlsx(workbook), users["editor"])
    assert [p["message"] for p in check.problems] == [P.MATCHED_NOT_CHANGEABLE]


def test_the_same_record_twice_in_a_file_is_refused(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    workbook = aid_item_workbook(users["editor"], id=str(item.public_id))
    put(workbook.worksheets[0], 4, id=str(item.public_id), title_vi="B", modality="project", owning_province="31")
    check = check_workbook("aid_items", xlsx(workbook), users["editor"])
    assert [(p["row"], p["message"], p["params"]) for p in check.problems] == [(4, P.DUPLICATE_ID, {"other": 3})]


def test_transactions_of_an_aid_item_the_user_may_not_change_are_refused(users, hai_phong):
    make_aid_item(users["editor"], owning_province=hai_phong, reference="HP-1")
    workbook = blank("transactions", users["viewer"])
    put(
        workbook.worksheets[0],
        3,
        aid_item="HP-1",
        transaction_type="3",
        date=datetime(2023, 1, 5),
        amount=5,
        currency="USD",
    )
    check = check_workbook("transactions", xlsx(workbook), users["viewer"])
    assert [p["message"] for p in check.problems] == [P.AID_ITEM_NOT_CHANGEABLE]


def test_a_record_changed_since_the_export_is_not_overwritten(users, hai_phong):
    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong)
    workbook = reopen(xlsx(export_workbook("aid_items", editor)))
    aid_services.aid_item_update(aid_item=item, user=editor, data={"title_en": "Kindergarten"}, expected_version=1)
    put(workbook.worksheets[0], 3, title_vi="Khác")
    check = check_workbook("aid_items", xlsx(workbook), editor)
    assert [(p["message"], p["params"]) for p in check.problems] == [(P.STALE, {"file_version": 1, "current": 2})]


# --- all or nothing ----------------------------------------------------------------------------------------------


def test_a_failure_in_the_middle_of_the_write_leaves_nothing_written(users, hai_phong, monkeypatch):
    from django.db import DatabaseError

    from amity.aid import services as aid_services

    editor = users["editor"]
    workbook = blank("aid_items", editor)
    sheet = workbook.worksheets[0]
    for row, title in ((3, "Một"), (4, "Hai"), (5, "Ba")):
        put(sheet, row, title_vi=title, modality="project", owning_province="31")

    def failing_on_the_parts(*args, **kwargs):
        # The aid items and their history rows are in by now; their parts fail.
        raise DatabaseError("disk full, for the test")

    monkeypatch.setattr(aid_services, "parts_write", failing_on_the_parts)
    result = write_workbook("aid_items", xlsx(workbook), editor)
    assert not result.written
    assert [(p["message"], p["params"]) for p in result.problems] == [
        (P.WRITE_FAILED, {"error": "disk full, for the test"})
    ]
    assert AidItem.all_objects.count() == 0
    assert AidItem.history.count() == 0
    assert SectorSplit.objects.count() == 0


def test_a_concurrent_edit_between_check_and_write_rolls_the_whole_file_back(users, hai_phong):
    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong, reference="HP-1")
    first = make_transaction(editor, item, amount="1000")
    workbook = reopen(xlsx(export_workbook("transactions", editor)))
    sheet = workbook.worksheets[0]
    put(sheet, 3, amount=1200)
    put(sheet, 4, aid_item="HP-1", transaction_type="3", date=datetime(2023, 9, 1), amount=250, currency="USD")
    check = check_workbook("transactions", xlsx(workbook), editor)
    assert check.ok, check.problems
    aid_services.transaction_update(tx=first, user=editor, data={"description": "meanwhile"}, expected_version=1)
    result = write_checked(check, editor)
    assert not result.written
    assert [p["message"] for p in result.problems] == [P.WRITE_FAILED]
    assert Transaction.objects.count() == 1
    first.refresh_from_db()
    assert first.amount == Decimal("1000.00")


def test_problem_texts_carry_their_parameters():
    with translation.override("en"):
        text = problem_text({"message": rules.PERCENT_TOTAL, "params": {"total": "90"}})
    assert text == "Percentages must add up to 100 (they add up to 90)."


def test_every_template_column_key_is_unique_per_sheet():
    for spec in (AID_ITEMS, spec_for("transactions"), spec_for("organisations"), spec_for("registrations")):
        for sheet in spec.sheets:
            keys = [column.key for column in sheet.columns]
            assert len(keys) == len(set(keys))


def test_the_problems_partial_lists_sheet_row_column_and_message(users):
    from django.template.loader import render_to_string

    workbook = aid_item_workbook(users["editor"], planned_start="01/02/2026")
    check = check_workbook("aid_items", xlsx(workbook), users["editor"])
    with translation.override("en"):
        html = render_to_string("interop/_excel_problems.html", {"problems": check.problems})
    letter = openpyxl.utils.get_column_letter(columns(workbook.worksheets[0])["planned_start"])
    assert f"{letter} (Planned start)" in html
    assert "“01/02/2026” is text, not a date" in html
    assert workbook.worksheets[0].title in html


def test_a_file_larger_than_allowed_is_refused_without_being_read_whole(users, monkeypatch, tmp_path):
    from amity.interop.excel import reader

    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx(aid_item_workbook(users["editor"])))
    for source in (str(path), path.open("rb"), io.BytesIO(path.read_bytes())):
        check = check_workbook("aid_items", source, users["editor"])
        assert messages(check) == [("", None, "", P.FILE_TOO_LARGE)]
        assert check.problems[0]["params"]["limit"] == 0  # 1,024 bytes, in MB


def test_a_workbook_can_be_checked_from_a_path_or_an_open_file(users, tmp_path):
    path = tmp_path / "items.xlsx"
    path.write_bytes(xlsx(aid_item_workbook(users["editor"])))
    assert check_workbook("aid_items", str(path), users["editor"]).created_count == 1
    with path.open("rb") as handle:
        assert check_workbook("aid_items", handle, users["editor"]).created_count == 1


# --- the check is the write's dry run --------------------------------------------------------------------------


def test_the_check_finds_every_broken_rule_of_every_transaction_row_with_the_services_words(users, hai_phong, ngo):
    from amity.core.services import STALE
    from amity.organisations.models import Registration
    from amity.reference.fx import MISSING_RATE

    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong, reference="HP-1")
    stored = make_transaction(editor, item, amount="1000")
    Registration.objects.create(
        organisation=ngo, kind="operation", number="1/GĐK", issue_date=date(2020, 1, 1), expiry_date=date(2021, 1, 1)
    )
    workbook = reopen(xlsx(export_workbook("transactions", editor)))
    sheet = workbook.worksheets[0]
    aid_services.transaction_update(tx=stored, user=editor, data={"description": "meanwhile"}, expected_version=1)
    put(sheet, 3, amount=0)  # zero, and the stored row changed since the export
    put(sheet, 4, aid_item="HP-1", transaction_type="3", date=datetime(2023, 2, 1), amount=5, currency="KPW")
    put(sheet, 5, aid_item="HP-1", transaction_type="3", date=datetime(2023, 3, 1), amount=5, currency="USD")
    put(sheet, 5, provider=ngo.name)  # registered only in 2020
    before = Transaction.history.count()

    check = check_workbook("transactions", xlsx(workbook), editor)

    keys = columns(sheet)
    letter = openpyxl.utils.get_column_letter
    assert sorted(messages(check)) == sorted(
        [
            (sheet.title, 3, letter(keys["version"]), STALE),
            (sheet.title, 3, letter(keys["amount"]), rules.ZERO_AMOUNT),
            (sheet.title, 4, letter(keys["currency"]), MISSING_RATE),
            (sheet.title, 5, letter(keys["date"]), rules.NO_REGISTRATION),
        ]
    ), check.problems
    assert not check.planned
    assert (Transaction.objects.count(), Transaction.history.count()) == (1, before)  # a dry run wrote nothing


def test_an_aid_item_row_breaking_several_rules_gets_all_of_them(users, hai_phong):
    editor = users["editor"]
    workbook = aid_item_workbook(editor, reference="R1")
    sectors, locations = workbook.worksheets[1], workbook.worksheets[2]
    put(sectors, 3, aid_item="R1", sector="11220", percentage=60)
    put(locations, 3, aid_item="R1", unit="31", percentage=50)

    check = check_workbook("aid_items", xlsx(workbook), editor)

    assert [(p["sheet"], p["row"], p["field"], p["message"]) for p in check.problems] == [
        (sectors.title, 3, "percentage", rules.PERCENT_TOTAL),
        (locations.title, 3, "percentage", rules.PERCENT_TOTAL),
    ]
    assert [p["params"] for p in check.problems] == [{"total": "60"}, {"total": "50"}]
    assert AidItem.all_objects.count() == 0


def test_an_ended_aid_item_is_refused_by_the_check_as_by_the_write(users, hai_phong):
    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong, reference="HP-1")
    AidItem.objects.filter(pk=item.pk).update(status="closed")
    workbook = reopen(xlsx(export_workbook("aid_items", editor)))
    put(workbook.worksheets[0], 3, title_vi="Đổi tên")

    check = check_workbook("aid_items", xlsx(workbook), editor)

    assert [(p["row"], p["message"], p["params"]) for p in check.problems] == [(3, rules.ENDED, {"status": "closed"})]
