"""Individual members of member associations (issue 14: "individual members optional, as personal data"): the
batch service owns them through the association's province and refuses the issue's bad input on its field with
nothing saved; personal data follows the visitors' rule (the owning province's staff only; the API null, exports
without it, names not searched by others); the association's page shows the declared and the recorded member
counts per year; leaving, Excel, the API and the retention command."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import openpyxl
import pytest
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.core.breaches import BatchRefused
from amity.core.exceptions import ConflictError
from amity.diplomacy import excel, selectors, services
from amity.diplomacy.admin import RegisterAdmin
from amity.diplomacy.models import AssociationMember
from amity.diplomacy.services import Change
from amity.interop.excel.templates import FIRST_DATA_ROW

from . import factories as f

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Lan"


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


@pytest.fixture
def france(users, hai_duong):  # type: ignore[no-untyped-def]
    return f.unit(users["editor"], hai_duong)


@pytest.fixture
def son_la_association(users):  # type: ignore[no-untyped-def]
    union = f.union(users["son_la_editor"], era="2025", code="14", name="Liên hiệp hữu nghị Sơn La")
    return f.unit(users["son_la_editor"], union, name="Hội hữu nghị Việt Nam – Lào", partner_country=f.country("LA"))


def api_for(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def fields_of(error: BatchRefused) -> set[str]:
    return {found.breach.field for found in error.breaches}


# --- the service -----------------------------------------------------------------------------------------------------


def test_a_member_is_owned_by_its_associations_province_and_keeps_its_old_province(users, france):
    member = f.member(users["editor"], france)
    assert (member.owning_province_id, member.old_province_id) == (france.owning_province_id, france.old_province_id)
    assert member.old_province is not None and member.old_province.code == "30"
    assert [(row.history_type, row.history_user) for row in member.history.all()] == [("+", users["editor"])]


def test_leaving_before_joining_is_refused_on_the_date_of_leaving_and_nothing_is_saved(users, france):
    with pytest.raises(BatchRefused) as refused:
        f.member(users["editor"], france, joined_on=date(2020, 5, 1), left_on=date(2020, 4, 30))
    assert fields_of(refused.value) == {"left_on"}
    assert "left_on" in refused.value.message_dict
    assert not AssociationMember.all_objects.exists()


def test_a_member_without_an_association_is_refused_on_the_association(users):
    with pytest.raises(BatchRefused) as refused:
        services.members_save(user=users["editor"], rows=[Change({"full_name": NAME, "joined_on": date(2020, 1, 1)})])
    assert fields_of(refused.value) == {"association"}


def test_another_provinces_association_is_refused_on_the_association(users, son_la_association):
    with pytest.raises(ValidationError) as refused:
        f.member(users["editor"], son_la_association)
    assert list(refused.value.message_dict) == ["association"]
    assert not AssociationMember.all_objects.exists()


def test_only_an_association_has_individual_members(users, hai_duong):
    office = f.unit(users["editor"], hai_duong, kind="office", name="Văn phòng", partner_country=None)
    with pytest.raises(BatchRefused) as refused:
        f.member(users["editor"], office)
    assert fields_of(refused.value) == {"association"}


def test_a_new_member_needs_a_name(users, france):
    with pytest.raises(BatchRefused) as refused:
        f.member(users["editor"], france, full_name="")
    assert fields_of(refused.value) == {"full_name"}


def test_one_bad_row_refuses_the_whole_batch(users, france):
    good = {"association": france, "full_name": NAME, "joined_on": date(2019, 1, 1)}
    rows = [
        Change(good),
        Change({**good, "full_name": "Trần Văn Hùng", "birth_year": 1850}),
        Change({**good, "full_name": "Lê Minh", "left_on": date(2018, 1, 1)}),
    ]
    with pytest.raises(BatchRefused) as refused:
        services.members_save(user=users["editor"], rows=rows)
    assert {(found.index, found.breach.field) for found in refused.value.breaches} == {
        (1, "birth_year"),
        (2, "left_on"),
    }
    assert not AssociationMember.all_objects.exists()


def test_a_viewer_and_a_central_officer_may_not_write_members(users, france):
    from amity.core.exceptions import PermissionDenied

    for user in (users["viewer"], users["central"]):
        with pytest.raises(PermissionDenied):
            f.member(user, france)


def test_leaving_is_a_save_of_the_day_with_its_reason_and_a_stale_version_is_a_conflict(users, france):
    member = f.member(users["editor"], france)
    left = services.member_leave(user=users["editor"], member=member, on=date(2024, 6, 30), expected_version=1)
    assert left.left_on == date(2024, 6, 30) and left.version == 2
    assert left.history.first().history_change_reason == "Left the association"
    with pytest.raises(ConflictError):
        services.member_leave(user=users["editor"], member=member, on=date(2024, 7, 1), expected_version=1)


def test_an_association_with_members_stays_an_association(users, france):
    f.member(users["editor"], france)
    with pytest.raises(BatchRefused) as refused:
        services.units_save(user=users["editor"], rows=[Change({"kind": "centre"}, france.pk, france.version)])
    assert fields_of(refused.value) == {"kind"}


def test_the_members_of_an_association_moved_to_another_province_follow_it(users, hai_duong, son_la_association):
    member = f.member(users["son_la_editor"], son_la_association)
    services.units_save(
        user=users["admin"], rows=[Change({"union": hai_duong}, son_la_association.pk, son_la_association.version)]
    )
    member.refresh_from_db()
    assert member.owning_province_id == hai_duong.owning_province_id
    assert member.version == 2 and member.history.first().history_user == users["admin"]
    assert AssociationMember.objects.restrict(users["son_la_editor"], "view").count() == 0
    assert AssociationMember.objects.restrict(users["editor"], "change").count() == 1


def test_a_merger_moves_the_members_with_their_association(users, son_la_association):
    target = f.union(users["admin"], era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")
    member = f.member(users["son_la_editor"], son_la_association)
    source = son_la_association.union
    counts = services.union_merge(user=users["admin"], source=source, target=target)
    member.refresh_from_db()
    assert member.owning_province_id == target.owning_province_id
    assert counts["members of associations"] == 1


# --- member counts -------------------------------------------------------------------------------------------------


def test_member_counts_are_declared_and_computed_from_the_individual_members(users, france):
    services.units_save(
        user=users["editor"],
        rows=[
            Change({}, france.pk, france.version, parts=[{"year": 2019, "members": 40}, {"year": 2021, "members": 45}])
        ],
    )
    f.member(users["editor"], france, joined_on=date(2019, 3, 8))
    f.member(users["editor"], france, full_name="Trần Văn Hùng", joined_on=date(2020, 1, 1), left_on=date(2021, 12, 31))
    f.member(users["editor"], france, full_name="Lê Minh", joined_on=date(2021, 6, 1), left_on=date(2022, 1, 1))
    rows = {row.year: (row.declared, row.recorded) for row in selectors.members_by_year(france, today=date(2022, 5, 1))}
    # 31 Dec 2021: Lan, and Minh (leaves the next day); Hùng left that day.
    assert rows == {2019: (40, 1), 2020: (None, 2), 2021: (45, 2), 2022: (None, 1)}


def test_without_individual_members_only_the_declared_counts_are_shown(users, france):
    services.units_save(
        user=users["editor"], rows=[Change({}, france.pk, france.version, parts=[{"year": 2019, "members": 40}])]
    )
    assert selectors.members_by_year(france, today=date(2022, 5, 1)) == [selectors.MembersInYear(2019, 40, None)]


def test_the_declared_count_stands_the_recorded_one_fills_a_gap_and_a_difference_is_flagged(users, france):
    f.declare(users["editor"], france, {2019: 40, 2020: 1})
    f.member(users["editor"], france, joined_on=date(2019, 3, 8))
    rows = {row.year: row for row in selectors.members_by_year(france, today=date(2022, 5, 1))}
    assert (rows[2019].counted, rows[2019].differ) == (40, True)  # one recorded, forty declared
    assert (rows[2020].counted, rows[2020].differ) == (1, False)  # they agree
    assert (rows[2021].counted, rows[2021].declared, rows[2021].differ) == (1, None, False)  # nothing declared


# --- figures: associations and members over time ----------------------------------------------------------------------


@pytest.fixture
def counted_associations(users, hai_duong, france):  # type: ignore[no-untyped-def]
    """France declares 40 for 2023 and 45 for 2024 with 2 members recorded; Laos declares 30 for 2024 and records
    none; Korea declares nothing and records 3 members in 2024; Japan was founded in 2024."""
    editor = users["editor"]
    f.declare(editor, france, {2023: 40, 2024: 45})
    for n in range(2):
        f.member(editor, france, full_name=f"{NAME} {n}", joined_on=date(2022, 1, 1))
    laos = f.unit(editor, hai_duong, name="Hội hữu nghị Việt Nam – Lào", partner_country=f.country("LA"))
    f.declare(editor, laos, {2024: 30})
    korea = f.unit(editor, hai_duong, name="Hội hữu nghị Việt Nam – Hàn Quốc", partner_country=f.country("KR"))
    for n in range(3):
        f.member(editor, korea, full_name=f"Kim {n}", joined_on=date(2024, 2, 1))
    f.unit(editor, hai_duong, name="Hội hữu nghị Việt Nam – Nhật Bản", founded_on=date(2024, 3, 1))
    return {"france": france, "laos": laos, "korea": korea}


def hai_duong_figures(users, hai_duong, first: int, last: int) -> selectors.Figures:  # type: ignore[no-untyped-def]
    """The union's figures of whole years, as a central officer reads them (counts only)."""
    area = selectors.Area(hai_duong.province)
    return selectors.figures(users["central"], date_from=date(first, 1, 1), date_to=date(last, 12, 31), area=area)


def test_the_figures_count_members_by_the_one_rule_and_flag_the_differences(users, hai_duong, counted_associations):
    figures = hai_duong_figures(users, hai_duong, 2023, 2024)
    rows = {row.year: row for row in figures.members_by_year}
    assert rows[2024].associations.value == 4 and rows[2023].associations.value == 3  # Japan was founded in 2024
    assert (rows[2024].members.value, rows[2024].declared, rows[2024].recorded) == (45 + 30 + 3, 75, 5)
    assert (rows[2023].members.value, rows[2023].declared, rows[2023].recorded) == (40, 40, 2)
    assert [(d.association, d.declared, d.recorded) for d in rows[2024].differ] == [
        ("Hội hữu nghị Việt Nam – Pháp", 45, 2)
    ]
    assert rows[2024].differ[0].link == counted_associations["france"].get_absolute_url()
    assert (
        "founded_by=2024-12-31" in rows[2024].associations.link and "kind=association" in rows[2024].associations.link
    )


def test_the_association_figure_links_to_as_many_associations_as_it_counts(users, hai_duong, counted_associations):
    client = client_for(users["central"])
    figures = hai_duong_figures(users, hai_duong, 2023, 2023)
    [row] = figures.members_by_year
    assert len(client.get(row.associations.link).context["object_list"]) == row.associations.value == 3
    units = figures.units["association"]
    assert len(client.get(units.link).context["object_list"]) == units.value == 3


def test_the_dashboard_shows_counts_and_differences_but_never_a_members_name(users, hai_duong, counted_associations):
    response = client_for(users["central"]).get(
        "/diplomacy/", {"date_from": "2023-01-01", "date_to": "2024-12-31", "era": "pre2025", "province": "30"}
    )
    html = response.content.decode()
    assert 'id="member-counts-differ"' in html and "Hội hữu nghị Việt Nam – Pháp" in html
    assert NAME not in html and "Kim 0" not in html
    assert [year for year, _differ in response.context["differ"]] == [2023, 2024]
    members = {c.key: c for c in response.context["compared"]}["members"]
    assert (members.current.value, members.previous.value) == (78, 2)  # 2022: France's two, recorded, none declared


def test_the_period_report_counts_members_by_the_same_rule(users, hai_duong, counted_associations):
    from amity.diplomacy import report

    figures = hai_duong_figures(users, hai_duong, 2023, 2024)
    built = report.UnionReport(hai_duong, figures, figures, aid=SimpleNamespace(sectors=[]))  # type: ignore[arg-type]
    with translation.override("en"):
        [members] = [rows for title, _headers, rows, _kinds in report.tables(built) if title.startswith("Associations")]
        texts = report.members_paragraph(figures)
    assert members == [["2023", 3, 40, 40, 2, 1], ["2024", 4, 78, 75, 5, 1]]
    assert texts[0] == "In 2024 the member associations had 78 members."
    assert "1 association the declared count differs" in texts[1]


# --- pages -----------------------------------------------------------------------------------------------------------


def test_the_association_page_lists_members_for_its_staff_and_counts_for_others(users, france):
    member = f.member(users["editor"], france)
    own = client_for(users["viewer"]).get(france.get_absolute_url())
    page = own.content.decode()
    assert NAME in page and "lan@example.vn" in page and member.get_absolute_url() in page
    assert "Số khai báo" in page and "Số ghi nhận" in page  # both counts, named (Vietnamese, the default)
    central = client_for(users["central"]).get(france.get_absolute_url())
    assert central.status_code == 200
    text = central.content.decode()
    assert NAME not in text and "lan@example.vn" not in text and member.get_absolute_url() not in text
    assert [row.recorded for row in central.context["members_by_year"]][-1] == 1


def test_a_members_page_hides_its_personal_data_and_history_from_others(users, france):
    member = f.member(users["editor"], france)
    own = client_for(users["viewer"]).get(member.get_absolute_url())
    assert NAME in own.content.decode() and own.context["history_entries"]
    central = client_for(users["central"]).get(member.get_absolute_url())
    text = central.content.decode()
    assert central.status_code == 200 and NAME not in text and "Giáo viên" not in text
    assert central.context["history_entries"] == []
    assert client_for(users["son_la_editor"]).get(member.get_absolute_url()).status_code == 404


def test_a_member_is_added_from_the_association_page_and_bad_input_is_a_400_on_its_field(users, france):
    client = client_for(users["editor"])
    form = client.get("/diplomacy/members/new/", {"association": str(france.public_id)}).context["form"]
    assert form.initial["association"] == france.pk
    data = {
        "association": france.pk,
        "full_name": NAME,
        "role": "member",
        "joined_on": "2020-05-01",
        "left_on": "2020-04-01",
    }
    response = client.post("/diplomacy/members/new/", data)
    assert response.status_code == 400 and "left_on" in response.context["form"].errors
    assert not AssociationMember.all_objects.exists()
    response = client.post("/diplomacy/members/new/", {**data, "left_on": ""})
    assert response.status_code == 302
    assert AssociationMember.objects.get().full_name == NAME


def test_another_provinces_association_is_not_offered_and_refused_by_the_form(users, france, son_la_association):
    client = client_for(users["editor"])
    data = {"association": son_la_association.pk, "full_name": NAME, "role": "member", "joined_on": "2020-05-01"}
    response = client.post("/diplomacy/members/new/", data)
    assert response.status_code == 400 and "association" in response.context["form"].errors
    assert not AssociationMember.all_objects.exists()


def test_a_member_leaves_through_the_leave_page(users, france):
    member = f.member(users["editor"], france)
    client = client_for(users["editor"])
    url = f"/diplomacy/members/{member.public_id}/leave/"
    assert client.get(member.get_absolute_url()).context["leave_url"] == url
    response = client.post(url, {"left_on": "2019-01-01", "version": 1})
    assert response.status_code == 400 and "left_on" in response.context["form"].errors
    assert client.post(url, {"left_on": "2024-12-31", "version": 1}).status_code == 302
    member.refresh_from_db()
    assert member.left_on == date(2024, 12, 31)


def test_the_association_page_runs_a_fixed_number_of_queries(users, france, django_assert_max_num_queries):
    client = client_for(users["editor"])
    client.get(france.get_absolute_url())
    f.member(users["editor"], france)
    with django_assert_max_num_queries(20) as first:
        client.get(france.get_absolute_url())
    for n in range(5):
        f.member(users["editor"], france, full_name=f"Hội viên {n}", joined_on=date(2015 + n, 1, 1))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(france.get_absolute_url()).status_code == 200


# --- API -------------------------------------------------------------------------------------------------------------

URL = "/api/v1/diplomacy/association-members/"


def test_the_api_gives_names_only_to_the_owning_provinces_staff(users, france):
    member = f.member(users["editor"], france)
    own = api_for(users["viewer"]).get(f"{URL}{member.public_id}/").json()
    central = api_for(users["central"]).get(f"{URL}{member.public_id}/").json()
    assert own["full_name"] == NAME and own["association"] == str(france.public_id)
    assert all(central[name] is None for name in AssociationMember.personal_fields)
    assert central["joined_on"] == "2019-03-08" and central["role"] == "member"
    assert api_for(users["son_la_editor"]).get(URL).json()["count"] == 0


def test_the_api_answers_400_naming_the_field_and_saves_nothing(users, france, son_la_association):
    api = api_for(users["editor"])
    body = {"association": str(france.public_id), "full_name": NAME, "joined_on": "2020-05-01"}
    response = api.post(URL, {**body, "left_on": "2020-04-01"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["left_on"]
    response = api.post(URL, {**body, "association": "00000000-0000-0000-0000-000000000000"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["association"]
    response = api.post(URL, {**body, "association": str(son_la_association.public_id)}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["association"]
    assert not AssociationMember.all_objects.exists()
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    member = AssociationMember.objects.get()
    patched = api.patch(f"{URL}{member.public_id}/", {"left_on": "2024-01-31", "version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["left_on"] == "2024-01-31"


def test_the_api_filters_by_association_and_membership_and_searches_names_only_where_readable(users, france):
    f.member(users["editor"], france)
    f.member(users["editor"], france, full_name="Trần Văn Hùng", left_on=date(2021, 1, 1))
    api = api_for(users["viewer"])
    assert api.get(URL, {"association": str(france.public_id)}).json()["count"] == 2
    assert [m["full_name"] for m in api.get(URL, {"current": "true"}).json()["results"]] == [NAME]
    assert [m["full_name"] for m in api.get(URL, {"q": "Hùng"}).json()["results"]] == ["Trần Văn Hùng"]
    assert api_for(users["central"]).get(URL, {"q": "Hùng"}).json()["count"] == 0
    assert api_for(users["central"]).get(URL).json()["count"] == 2


def test_the_openapi_schema_lists_the_members_endpoint(users):
    schema = api_for(users["central"]).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/diplomacy/association-members/" in schema["paths"]


# --- Excel -----------------------------------------------------------------------------------------------------------


def filled(user, rows: list[dict]) -> SimpleUploadedFile:  # type: ignore[no-untyped-def]
    book = excel.template("members", user)
    sheet = book.worksheets[0]
    keys = [column.key for column in excel.KINDS["members"].spec.main.columns]
    for offset, values in enumerate(rows):
        for key, value in values.items():
            sheet.cell(row=FIRST_DATA_ROW + offset, column=keys.index(key) + 1, value=value)
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile("members.xlsx", stream.getvalue())


def test_members_are_uploaded_all_or_nothing_with_each_problem_on_its_row_and_column(users, france):
    association = str(france.public_id)
    rows = [
        {"association": association, "full_name": NAME, "gender": "female", "joined_on": date(2019, 3, 8)},
        {"association": association, "full_name": "Trần Văn Hùng", "joined_on": date(2020, 1, 1)},
    ]
    bad = [*rows, {**rows[1], "full_name": "Lê Minh", "left_on": date(2019, 1, 1)}]
    result = excel.upload("members", filled(users["editor"], bad), users["editor"], write=True)
    assert {(p["row"], p["field"]) for p in result.problems} == {(FIRST_DATA_ROW + 2, "left_on")}
    assert not AssociationMember.all_objects.exists()
    result = excel.upload("members", filled(users["editor"], rows), users["editor"], write=True)
    assert (result.problems, result.written) == ([], True)
    assert AssociationMember.objects.count() == 2
    assert {row.history_change_reason for row in AssociationMember.history.all()} == {"Excel import"}


def test_an_upload_for_another_provinces_association_is_refused_on_its_column(users, son_la_association):
    rows = [{"association": str(son_la_association.public_id), "full_name": NAME, "joined_on": date(2019, 3, 8)}]
    result = excel.upload("members", filled(users["editor"], rows), users["editor"], write=True)
    assert [p["field"] for p in result.problems] == ["association"] and not AssociationMember.all_objects.exists()


def test_the_members_export_says_what_personal_data_it_leaves_out_and_round_trips(users, france):
    f.member(users["editor"], france)
    client = client_for(users["editor"])
    response = client.get("/diplomacy/excel/members/", {"file": "export", "association": str(france.public_id)})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert not {NAME, "lan@example.vn", "0912 345 678", "1975"} & set(cells)
    assert any("years of birth" in c or "năm sinh" in c for c in cells)
    response = client.post("/diplomacy/excel/members/", {"file": SimpleUploadedFile("m.xlsx", response.content)})
    assert response.status_code == 200, response.context["problems"]
    member = AssociationMember.objects.get()
    assert (member.full_name, member.birth_year, member.phone) == (NAME, 1975, "0912 345 678")


# --- retention -------------------------------------------------------------------------------------------------------


def test_the_retention_command_removes_the_personal_data_of_members_gone_for_years(users, france):
    gone = f.member(users["editor"], france, left_on=date(2019, 12, 31))
    stays = f.member(users["editor"], france, full_name="Trần Văn Hùng", left_on=date(2024, 6, 1))
    current = f.member(users["editor"], france, full_name="Lê Minh")
    before = selectors.members_by_year(france, today=date(2026, 12, 6))
    assert services.members_purge_personal_data(years=5, today=date(2026, 12, 6), dry_run=True) == 1
    assert services.members_purge_personal_data(years=5, today=date(2026, 12, 6)) == 1
    gone.refresh_from_db()
    blank = {name: getattr(gone, name) for name in AssociationMember.personal_fields}
    assert blank == dict.fromkeys(AssociationMember.personal_fields, "") | {"birth_year": None}
    assert gone.personal_data_removed_on == date(2026, 12, 6)
    assert not any(row.full_name for row in gone.history.all())
    stays.refresh_from_db()
    current.refresh_from_db()
    assert (stays.full_name, current.full_name) == ("Trần Văn Hùng", "Lê Minh")
    assert selectors.members_by_year(france, today=date(2026, 12, 6)) == before  # the counts stay
    out = io.StringIO()
    call_command("purge_personal_data", "--years", "1", stdout=out)
    assert "1 members of associations" in out.getvalue()


def test_the_old_name_of_the_retention_command_warns_and_runs_the_new_one(users, france):
    f.member(users["editor"], france, joined_on=date(2005, 1, 1), left_on=date(2010, 12, 31))
    out, err = io.StringIO(), io.StringIO()
    call_command("purge_visitor_personal_data", "--years", "5", "--dry-run", stdout=out, stderr=err)
    assert "deprecated" in err.getvalue() and "purge_personal_data" in err.getvalue()
    assert "would remove the personal data of 1 members of associations" in out.getvalue()
    assert AssociationMember.objects.get().full_name == NAME  # a dry run
    call_command("purge_visitor_personal_data", "--years", "5", stdout=io.StringIO(), stderr=io.StringIO())
    assert AssociationMember.objects.get().full_name == ""


def test_a_purged_member_can_still_be_saved_without_a_name(users, france):
    member = f.member(users["editor"], france, joined_on=date(2005, 1, 1), left_on=date(2010, 1, 1))
    services.members_purge_personal_data(years=5)
    member.refresh_from_db()
    saved = services.member_leave(user=users["editor"], member=member, on=date(2010, 2, 1))
    assert saved.full_name == "" and saved.left_on == date(2010, 2, 1)


def test_the_admin_leaves_out_personal_data(users):
    admin = RegisterAdmin(AssociationMember, AdminSite())
    request = RequestFactory().get("/")
    request.user = users["admin"]
    assert set(AssociationMember.personal_fields) <= set(admin.get_exclude(request))
