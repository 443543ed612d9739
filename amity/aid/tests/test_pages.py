"""Aid register pages: the scoped list (fixed query count, filters, CSV), the detail page, the aid item form
with its inline rows, conflicts, lifecycle actions and transactions."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amity.aid import rules, services
from amity.aid.choices import AidStatus
from amity.aid.models import AidItem, Transaction
from amity.conftest import client_for
from amity.reference.choices import Era
from amity.reference.models import Currency

from .factories import (
    HAI_PHONG_COMMUNE,
    OLD_HAI_DUONG_COMMUNE,
    SON_LA_COMMUNE,
    donor,
    make_aid_item,
    make_transaction,
    sector,
    unit,
)

pytestmark = pytest.mark.django_db

LIST = reverse("aid:list")
# session, user, jurisdictions, count, countries, sectors and provinces (filter form: never the donors, which are
# searched, test_donor_filter.py), rows with totals, donors
LIST_QUERIES = 9


def listed(response) -> list[str]:
    return [item.title_vi for item in response.context["object_list"]]


def make_items(user, province, count: int, korean) -> None:
    for index in range(count):
        item = make_aid_item(user, owning_province=province, title=f"Item {index:03}", participants=[(korean, "1")])
        make_transaction(user, item, amount="100")
        make_transaction(user, item, kind="3", amount="40")


def list_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- list ----------------------------------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_list_runs_a_fixed_number_of_queries_whatever_its_length(users, hai_phong, django_assert_max_num_queries):
    korean = donor()
    client = client_for(users["editor"])
    make_items(users["editor"], hai_phong, 3, korean)
    few = list_queries(client, {"sort": "-committed"})
    make_items(users["editor"], hai_phong, 57, korean)
    assert list_queries(client, {"sort": "-committed"}) == few
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"sort": "-committed"})
    assert response.context["paginator"].count == 60
    first = response.context["object_list"][0]
    assert (first.committed_usd, first.disbursed_usd) == (Decimal("100.00"), Decimal("40.00"))
    assert [p.organisation for p in first.donor_participations] == [korean]
    assert "Korea Friendship Foundation" in response.content.decode()


def test_the_list_filters_stay_at_the_same_query_count(users, hai_phong, django_assert_max_num_queries):
    make_items(users["editor"], hai_phong, 5, donor())
    client = client_for(users["editor"])
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"province": "31", "sector": "112", "year": "2023", "q": "Item", "sort": "title"})
    assert response.context["paginator"].count == 5


def test_a_province_lists_aid_located_in_it_once(users, hai_phong):
    make_aid_item(
        users["editor"],
        owning_province=hai_phong,
        title="Shared",
        locations=[(unit(HAI_PHONG_COMMUNE), "50"), (unit(SON_LA_COMMUNE), "25"), (unit("03664"), "25")],
    )
    make_aid_item(users["editor"], owning_province=hai_phong, title="Only here")
    assert listed(client_for(users["son_la_editor"]).get(LIST)) == ["Shared"]


@pytest.fixture
def register(users, hai_phong, son_la):
    """Three aid items to filter: old-era Hải Dương, Sơn La health, Hải Phòng relief."""
    korean, dutch = donor(), donor("Stichting Nederland", "NL")
    old = make_aid_item(
        users["admin"],
        owning_province=hai_phong,
        title="Học bổng Hải Dương",
        planned_start=date(2022, 1, 1),
        locations=[(unit(OLD_HAI_DUONG_COMMUNE, Era.PRE2025), "100")],
        participants=[(korean, "1")],
        sectors=[("11220", "100")],
    )
    make_transaction(users["admin"], old, amount="5000", on=date(2022, 5, 1))
    health = make_aid_item(
        users["admin"],
        owning_province=son_la,
        title="Khám chữa bệnh",
        modality="non_project",
        sectors=[("12220", "70"), ("12191", "30")],
        participants=[(dutch, "1")],
    )
    make_transaction(users["admin"], health, amount="20000", on=date(2024, 2, 1))
    relief = make_aid_item(
        users["admin"],
        owning_province=hai_phong,
        title="Cứu trợ bão Yagi",
        is_relief=True,
        sectors=[("72010", "100")],
        participants=[(korean, "1")],
        beneficiaries=["disaster_affected"],
    )
    services.aid_item_submit_for_appraisal(aid_item=relief, user=users["admin"])
    return {"old": old, "health": health, "relief": relief, "korean": korean, "dutch": dutch}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"era": "pre2025", "province": "30"}, {"Học bổng Hải Dương"}),
        ({"province": "31"}, {"Học bổng Hải Dương", "Cứu trợ bão Yagi"}),
        ({"province": "14"}, {"Khám chữa bệnh"}),
        ({"sector": "12220"}, {"Khám chữa bệnh"}),
        ({"sector": "122"}, {"Khám chữa bệnh"}),
        ({"sector": "112"}, {"Học bổng Hải Dương"}),
        ({"donor_country": "KR"}, {"Học bổng Hải Dương", "Cứu trợ bão Yagi"}),
        ({"modality": "non_project"}, {"Khám chữa bệnh"}),
        ({"status": "under_appraisal"}, {"Cứu trợ bão Yagi"}),
        ({"year": "2022"}, {"Học bổng Hải Dương"}),
        ({"committed_min": "10000"}, {"Khám chữa bệnh"}),
        ({"committed_max": "10000", "committed_min": "1"}, {"Học bổng Hải Dương"}),
        ({"q": "yagi"}, {"Cứu trợ bão Yagi"}),
        ({"q": "Nederland"}, {"Khám chữa bệnh"}),
        ({"beneficiary": "disaster_affected"}, {"Cứu trợ bão Yagi"}),
    ],
)
def test_the_list_filters(users, register, params, expected):
    assert set(listed(client_for(users["central"]).get(LIST, params))) == expected


def test_the_list_filters_by_donor(users, register):
    response = client_for(users["central"]).get(LIST, {"donor": str(register["dutch"].public_id)})
    assert listed(response) == ["Khám chữa bệnh"]


def test_the_list_sorts_by_committed_amount(users, register):
    response = client_for(users["central"]).get(LIST, {"sort": "-committed"})
    assert listed(response) == ["Khám chữa bệnh", "Học bổng Hải Dương", "Cứu trợ bão Yagi"]


def test_the_csv_download_has_a_header_and_the_filtered_rows(users, register):
    response = client_for(users["central"]).get(reverse("aid:csv"), {"province": "31", "sort": "title"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert len(rows) == 3
    header = rows[0]
    assert (header[0], len(header)) == ("Mã định danh", 17)  # labels in the user's language (Vietnamese here)
    assert {row[3] for row in rows[1:]} == {"Học bổng Hải Dương", "Cứu trợ bão Yagi"}  # column 3: title (vi)
    old = next(row for row in rows if row[0] == str(register["old"].public_id))
    stored_vnd = Transaction.objects.get(aid_item=register["old"]).amount_vnd
    assert (old[13], old[15]) == ("5000.00", f"{stored_vnd:f}")  # committed USD and VND, plain decimals
    assert "." not in old[15] and "," not in old[15]


def test_the_csv_download_refuses_an_invalid_filter(users, register):
    response = client_for(users["central"]).get(reverse("aid:csv"), {"year": "not a year"})
    assert response.status_code == 400


def test_the_csv_download_is_scoped(users, register):
    response = client_for(users["son_la_editor"]).get(reverse("aid:csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["Khám chữa bệnh"]


# --- detail --------------------------------------------------------------------------------------------------


def test_the_detail_shows_parts_transactions_with_their_rates_and_the_appraisal_deadline(users, register):
    relief = register["relief"]
    make_transaction(users["admin"], relief, amount="1000", currency="EUR", on=date(2023, 6, 1))
    response = client_for(users["editor"]).get(relief.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "72010" in page and "Korea Friendship Foundation" in page
    assert "1.000,00 EUR" in page  # the original amount, digits grouped the Vietnamese way
    assert "IMF" in page  # the rate's source
    assert response.context["appraisal_deadline"] == relief.appraisal_started_on + timedelta(days=20)
    assert response.context["start_deadline"] is None
    assert [row["step"].name for row in response.context["lifecycle_steps"]] == ["cancel"]


def test_the_approver_is_offered_approve_and_reject(users, register):
    response = client_for(users["approver"]).get(register["relief"].get_absolute_url())
    assert [row["step"].name for row in response.context["lifecycle_steps"]] == ["approve", "reject", "cancel"]


def test_a_located_province_reads_the_detail_without_actions(users, register, son_la):
    item = make_aid_item(
        users["editor"],
        owning_province=register["old"].owning_province,
        locations=[(unit(SON_LA_COMMUNE), "100")],
    )
    response = client_for(users["son_la_editor"]).get(item.get_absolute_url())
    assert response.status_code == 200
    assert response.context["may_change"] is False
    assert response.context["lifecycle_steps"] == []


def test_out_of_scope_detail_is_not_found(users, register):
    assert client_for(users["ngo_rep"]).get(register["relief"].get_absolute_url()).status_code == 404


# --- create and edit -----------------------------------------------------------------------------------------


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": initial}


def new_item_data(hai_phong, partner, **changes) -> dict:
    data = {
        "modality": "project",
        "title_vi": "Trường học Cẩm Thượng",
        "owning_province": hai_phong.pk,
        "beneficiaries": ["children", "students"],
        **management("sectors", 3),
        "sectors-0-sector": sector("11220").pk,
        "sectors-0-percentage": "60",
        "sectors-1-sector": sector("11231").pk,
        "sectors-1-percentage": "40",
        **management("locations", 2),
        "locations-0-era": "pre2025",
        "locations-0-unit": OLD_HAI_DUONG_COMMUNE,
        "locations-0-percentage": "100",
        "locations-1-era": "2025",
        **management("participants", 2),
        "participants-0-organisation": partner.pk,
        "participants-0-role": "1",
        "participants-1-role": "1",
        "planned_start": "2024-01-15",
    }
    data.update(changes)
    return data


def test_create_with_the_inline_rows(users, hai_phong):
    partner = donor()
    response = client_for(users["editor"]).post(reverse("aid:add"), new_item_data(hai_phong, partner))
    assert response.status_code == 302, response.context and response.context["form"].errors
    item = AidItem.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert sorted((s.sector.code, s.percentage) for s in item.sectors.all()) == [
        ("11220", Decimal(60)),
        ("11231", Decimal(40)),
    ]
    location = item.locations.get()
    assert (location.unit.era, location.unit.code, location.current_province) == (
        Era.PRE2025,
        OLD_HAI_DUONG_COMMUNE,
        hai_phong,
    )
    assert [(p.organisation, p.role) for p in item.participants.all()] == [(partner, "1")]
    assert sorted(b.group for b in item.beneficiaries.all()) == ["children", "students"]


def test_the_form_page_renders_with_its_rows(users, hai_phong):
    client = client_for(users["editor"])
    assert client.get(reverse("aid:add")).status_code == 200
    item = make_aid_item(users["editor"], owning_province=hai_phong, locations=[(unit(HAI_PHONG_COMMUNE), "100")])
    response = client.get(reverse("aid:edit", args=[item.public_id]))
    assert response.status_code == 200
    assert response.context["part_forms"].locations.forms[0].unit_object == unit(HAI_PHONG_COMMUNE)
    assert 'list="aid-unit-options"' in response.content.decode()


def test_percentages_not_adding_up_show_on_their_rows_and_nothing_is_saved(users, hai_phong):
    data = new_item_data(hai_phong, donor(), **{"sectors-1-percentage": "30"})
    response = client_for(users["editor"]).post(reverse("aid:add"), data)
    assert response.status_code == 400
    assert "100" in " ".join(response.context["part_forms"].sectors.non_form_errors())
    assert not response.context["part_forms"].locations.non_form_errors()
    assert not AidItem.all_objects.exists()


@pytest.mark.parametrize("language", ["vi", "ar"])
def test_a_rule_the_service_finds_broken_reads_in_the_pages_language(users, hai_phong, language):
    """The services check in English (what they store is in English); what a page shows of their refusal is in
    its reader's language."""
    data = new_item_data(hai_phong, donor(), **{"sectors-1-percentage": "30"})
    client = client_for(users["editor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("aid:add"), data)
    assert response.status_code == 400
    with translation.override(language):
        expected = translation.gettext(rules.PERCENT_TOTAL) % {"total": "90"}
    assert expected != rules.PERCENT_TOTAL % {"total": "90"}
    assert expected in response.content.decode()
    translation.deactivate()


def test_an_unknown_unit_code_shows_on_its_row(users, hai_phong):
    data = new_item_data(hai_phong, donor(), **{"locations-0-unit": "99999"})
    response = client_for(users["editor"]).post(reverse("aid:add"), data)
    assert response.status_code == 400
    assert "unit" in response.context["part_forms"].locations.forms[0].errors
    assert not AidItem.all_objects.exists()


def test_a_provincial_editor_can_only_choose_their_province(users, hai_phong, son_la):
    data = new_item_data(hai_phong, donor(), owning_province=son_la.pk)
    response = client_for(users["editor"]).post(reverse("aid:add"), data)
    assert response.status_code == 400
    assert "owning_province" in response.context["form"].errors


def edit_data(item: AidItem, **changes) -> dict:
    data = {
        "modality": item.modality,
        "title_vi": item.title_vi,
        "owning_province": item.owning_province_id,
        "version": item.version,
        **management("sectors", 1, 1),
        "sectors-0-sector": item.sectors.first().sector_id,
        "sectors-0-percentage": "100",
        **management("locations", 1, 1),
        "locations-0-era": "2025",
        "locations-0-unit": "31",
        "locations-0-percentage": "100",
        **management("participants", 0),
    }
    data.update(changes)
    return data


def test_edit_keeps_unchanged_rows_and_drops_deleted_ones(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, sectors=[("11220", "50"), ("11231", "50")])
    data = edit_data(item, **management("sectors", 2, 2))
    data.update(
        {
            "sectors-0-sector": sector("11220").pk,
            "sectors-0-percentage": "50",
            "sectors-1-sector": sector("11231").pk,
            "sectors-1-percentage": "50",
            "sectors-1-DELETE": "on",
        }
    )
    response = client_for(users["editor"]).post(reverse("aid:edit", args=[item.public_id]), data)
    assert response.status_code == 400  # 50 % left: the service refuses
    data["sectors-0-percentage"] = "100"
    response = client_for(users["editor"]).post(reverse("aid:edit", args=[item.public_id]), data)
    assert response.status_code == 302
    assert [s.sector.code for s in AidItem.objects.get(pk=item.pk).sectors.all()] == ["11220"]


def test_the_second_editor_sees_a_conflict_and_keeps_their_input(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, title="Original")
    url = reverse("aid:edit", args=[item.public_id])
    stale = edit_data(item)
    assert client_for(users["editor"]).post(url, {**stale, "title_vi": "FIRST"}).status_code == 302
    response = client_for(users["approver"]).post(url, {**stale, "title_vi": "SECOND"})
    assert response.status_code == 409
    assert response.context["form"]["title_vi"].value() == "SECOND"
    assert response.context["current"].title_vi == "FIRST"
    assert response.context["form"]["version"].value() == "2"
    assert AidItem.objects.get(pk=item.pk).title_vi == "FIRST"
    # The page names the aid item as it is stored; the unsaved title is in the form and the comparison only.
    html = response.content.decode()
    heading = html[html.index("<h1") : html.index("</h1>")]
    assert "FIRST" in heading and "SECOND" not in heading
    breadcrumbs = html[html.index('class="breadcrumb small') : html.index("</ol>")]
    assert "FIRST" in breadcrumbs and "SECOND" not in breadcrumbs


def test_a_form_shown_again_with_errors_names_the_aid_item_as_stored(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, title="Original")
    data = {**edit_data(item), "title_vi": "Renamed", "sectors-0-percentage": "50"}
    response = client_for(users["editor"]).post(reverse("aid:edit", args=[item.public_id]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Original" in html[html.index("<h1") : html.index("</h1>")]
    assert response.context["form"]["title_vi"].value() == "Renamed"


def test_a_viewer_cannot_open_the_edit_form(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    assert client_for(users["viewer"]).get(reverse("aid:edit", args=[item.public_id])).status_code == 403
    assert client_for(users["viewer"]).get(reverse("aid:add")).status_code == 403


def test_the_unit_search_offers_matching_units_of_the_chosen_era(users):
    client = client_for(users["editor"])
    response = client.get(reverse("aid:unit_options"), {"locations-0-era": "pre2025", "locations-0-unit": "Cẩm Thượng"})
    assert f'value="{OLD_HAI_DUONG_COMMUNE}"' in response.content.decode()
    assert response.context["units"][0].code == OLD_HAI_DUONG_COMMUNE  # then "Cam Thượng", the same without accents
    assert {u.era for u in response.context["units"]} == {Era.PRE2025}
    response = client.get(reverse("aid:unit_options"), {"locations-0-era": "2025", "locations-0-unit": "31"})
    assert response.context["units"][0] == unit("31")


# --- delete, lifecycle, transactions -------------------------------------------------------------------------


def test_delete_and_restore_from_the_page(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    client = client_for(users["editor"])
    client.post(reverse("aid:delete", args=[item.public_id]))
    assert not AidItem.objects.filter(pk=item.pk).exists()
    assert client.get(item.get_absolute_url()).context["object"].is_deleted
    client.post(reverse("aid:restore", args=[item.public_id]))
    assert AidItem.objects.filter(pk=item.pk).exists()


def step_url(item, step):
    return reverse("aid:lifecycle", args=[item.public_id, step])


def test_submit_then_approve_through_the_pages(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    editor, approver = client_for(users["editor"]), client_for(users["approver"])
    assert editor.get(step_url(item, "submit")).status_code == 200
    assert editor.post(step_url(item, "submit"), {"version": 1, "received_on": "2024-03-01"}).status_code == 302
    assert editor.get(step_url(item, "approve")).status_code == 403
    missing = approver.post(step_url(item, "approve"), {"version": 2})
    assert missing.status_code == 400
    assert {"decision_number", "decision_date", "decision_authority"} <= set(missing.context["form"].errors)
    done = approver.post(
        step_url(item, "approve"),
        {
            "version": 2,
            "decision_number": "12/QĐ",
            "decision_date": "2024-03-15",
            "decision_authority": "UBND",
        },
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.decision_number) == (AidStatus.APPROVED, "12/QĐ")
    page = approver.get(item.get_absolute_url())
    assert page.context["start_deadline"] == item.start_deadline


def test_a_lifecycle_action_on_a_stale_version_is_a_conflict(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    services.aid_item_update(aid_item=item, user=users["editor"], data={"title_vi": "x"}, expected_version=1)
    response = client_for(users["editor"]).post(step_url(item, "cancel"), {"version": 1, "reason": "Donor left"})
    assert response.status_code == 409
    assert AidItem.objects.get(pk=item.pk).status == AidStatus.PROPOSED


def test_a_reason_is_needed_to_cancel(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = client_for(users["editor"]).post(step_url(item, "cancel"), {"version": 1})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors


def test_add_edit_and_delete_a_transaction(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    client = client_for(users["editor"])
    eur = Currency.objects.get(code="EUR")
    add = reverse("aid:transaction_add", args=[item.public_id])
    assert client.get(add).status_code == 200
    refused = client.post(add, {"transaction_type": "2", "date": "2023-06-01", "amount": "0", "currency": eur.pk})
    assert refused.status_code == 400 and "amount" in refused.context["form"].errors
    response = client.post(add, {"transaction_type": "2", "date": "2023-06-01", "amount": "1000", "currency": eur.pk})
    assert response.status_code == 302
    tx = Transaction.objects.get()
    assert (tx.value_date, tx.currency.code) == (date(2023, 6, 1), "EUR")
    edit = reverse("aid:transaction_edit", args=[tx.public_id])
    response = client.post(
        edit,
        {
            "transaction_type": "3",
            "date": "2023-06-01",
            "amount": "500",
            "currency": eur.pk,
            "version": 1,
        },
    )
    assert response.status_code == 302
    assert Transaction.objects.get().transaction_type == "3"
    client.post(reverse("aid:transaction_delete", args=[tx.public_id]))
    assert not Transaction.objects.exists() and Transaction.all_objects.get().is_deleted


def test_a_viewer_cannot_add_a_transaction(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    assert client_for(users["viewer"]).get(reverse("aid:transaction_add", args=[item.public_id])).status_code == 403


def test_the_navigation_links_to_the_aid_register(users):
    response = client_for(users["viewer"]).get(LIST)
    assert any(entry["app"] == "aid" for entry in response.context["nav_items"])
    assert response.context["nav_current_app"] == "aid"


def test_the_edit_page_reads_each_choice_list_once_whatever_the_number_of_rows(users, hai_phong):
    client = client_for(users["editor"])
    few = make_aid_item(users["editor"], owning_province=hai_phong, sectors=[("11220", "100")])
    many = make_aid_item(
        users["editor"],
        owning_province=hai_phong,
        sectors=[("11220", "25"), ("11231", "25"), ("12220", "25"), ("12191", "25")],
        participants=[(donor(f"Donor {index}"), "1") for index in range(4)],
    )
    client.get(reverse("aid:edit", args=[few.public_id]))
    with CaptureQueriesContext(connection) as captured_few:
        client.get(reverse("aid:edit", args=[few.public_id]))
    with CaptureQueriesContext(connection) as captured_many:
        response = client.get(reverse("aid:edit", args=[many.public_id]))
    assert len(captured_many) == len(captured_few)
    assert f'<option value="{sector("12191").pk}" selected>' in response.content.decode()


def test_cancelling_the_aid_item_reads_apart_from_leaving_a_form_and_asks_first(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    client = client_for(users["editor"])  # Vietnamese, the default
    detail = client.get(item.get_absolute_url()).content.decode()
    assert "Hủy bỏ khoản viện trợ" in detail

    page = client.get(step_url(item, "cancel")).content.decode()
    assert 'data-confirm="Hủy bỏ khoản viện trợ này?' in page
    assert "Hủy bỏ khoản viện trợ</button>" in page
    assert ">Quay lại</a>" in page
    assert ">Hủy</" not in page
    edit = client.get(reverse("aid:edit", args=[item.public_id])).content.decode()
    assert ">Quay lại</a>" in edit and ">Hủy</" not in edit


def test_the_donor_column_names_donors_in_the_readers_language(users, hai_phong):
    koica = donor("Korea International Cooperation Agency", name_vi="Cơ quan Hợp tác Quốc tế Hàn Quốc", acronym="KOICA")
    ngo = donor("Stichting Vrienden van Vietnam", country="NL", acronym="SVV")
    make_aid_item(users["editor"], owning_province=hai_phong, participants=[(koica, "1"), (ngo, "1")])
    client = client_for(users["editor"])

    vietnamese = client.get(LIST).content.decode()
    assert ">Cơ quan Hợp tác Quốc tế Hàn Quốc</span>" in vietnamese
    assert ">Stichting Vrienden van Vietnam</span>" in vietnamese
    assert ">KOICA</span>" not in vietnamese and ">SVV</span>" not in vietnamese
    client.cookies["amity_language"] = "en"
    english = client.get(LIST).content.decode()
    assert ">Korea International Cooperation Agency</span>" in english
    content = b"".join(client.get(reverse("aid:csv")).streaming_content).decode().removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][rows[0].index("Donors")] == "Korea International Cooperation Agency; Stichting Vrienden van Vietnam"


def test_the_province_filter_is_picked_by_name(users, hai_phong):
    located = make_aid_item(users["editor"], owning_province=hai_phong, title="Located")
    make_aid_item(users["editor"], owning_province=hai_phong, title="Nationwide", locations=[])
    client = client_for(users["editor"])

    response = client.get(LIST)
    field = response.context["filterset"].form["province"]
    choices = dict(field.field.widget.choices)
    assert (
        choices["31"] == hai_phong.name_vi and choices["nationwide"] == "Toàn quốc / chưa phân bổ cho tỉnh, thành phố"
    )
    assert field.label == "Tỉnh, thành phố"
    assert '<select name="province"' in response.content.decode()
    assert listed(client.get(LIST, {"province": "31"})) == [located.title_vi]
    assert listed(client.get(LIST, {"province": "nationwide"})) == ["Nationwide"]
    old = dict(client.get(LIST, {"era": Era.PRE2025}).context["filterset"].form["province"].field.widget.choices)
    assert old["30"] == "Hải Dương"


def test_a_one_province_editors_new_aid_item_and_organisation_are_their_provinces(users, hai_phong, son_la):
    editor = client_for(users["editor"])
    for url in (reverse("aid:add"), reverse("organisations:add")):
        form = editor.get(url).context["form"]
        assert form["owning_province"].value() == hai_phong.pk, url
        assert f'<option value="{hai_phong.pk}" selected>' in str(form["owning_province"])
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    assert client_for(users["editor"]).get(reverse("aid:edit", args=[item.public_id])).status_code == 200
    users["editor"].jurisdictions.add(son_la)  # two provinces: the editor chooses
    assert client_for(users["editor"]).get(reverse("aid:add")).context["form"]["owning_province"].value() is None
    assert client_for(users["central"]).get(reverse("aid:add")).context["form"]["owning_province"].value() is None


def test_an_approved_item_shows_what_of_its_approved_substance_changed(users, hai_phong):
    from amity.aid.services import AidItemParts, SectorShare

    from .factories import approve

    item = approve(users["approver"], make_aid_item(users["editor"], owning_province=hai_phong))
    client = client_for(users["editor"])
    assert client.get(item.get_absolute_url()).context["since_approval"] is None
    item = services.aid_item_update(
        aid_item=item, user=users["editor"], data={"title_en": "Kindergarten"}, expected_version=item.version
    )
    assert client.get(item.get_absolute_url()).context["since_approval"] is None  # not what was approved

    item = services.aid_item_update(
        aid_item=item,
        user=users["editor"],
        data={"planned_end": date(2030, 12, 31)},
        parts=AidItemParts(
            sectors=[SectorShare(sector("11220"), Decimal(60)), SectorShare(sector("12220"), Decimal(40))]
        ),
        expected_version=item.version,
    )
    response = client.get(item.get_absolute_url())
    assert response.context["since_approval"].changed == ["ngày kết thúc dự kiến", "tỷ trọng theo lĩnh vực"]
    html = response.content.decode()
    assert "amity-changed-since-approval" in html and "ngày kết thúc dự kiến, tỷ trọng theo lĩnh vực" in html
    assert AidItem.objects.get(pk=item.pk).status == AidStatus.APPROVED  # the edit was not blocked
