"""Aid register API: nested writes through the services, 400 with field names, 403, 404, 409, filters,
lifecycle actions and transactions with their conversions."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from amity.aid import services
from amity.aid.choices import AidStatus
from amity.aid.models import AidItem, Transaction

from .factories import OLD_HAI_DUONG_COMMUNE, SON_LA_COMMUNE, donor, make_aid_item, make_transaction, unit

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/aid-items/"
TRANSACTIONS = "/api/v1/transactions/"
API_LIST_QUERIES = 7  # jurisdictions, count, rows with totals, sectors, locations, participants, beneficiaries


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def item_url(item: AidItem, action: str = "") -> str:
    return f"{ITEMS}{item.public_id}/" + (f"{action}/" if action else "")


def new_item(partner, **changes) -> dict:
    body = {
        "modality": "project",
        "title_vi": "Học bổng cho học sinh nghèo",
        "owning_province": "31",
        "planned_start": "2024-09-01",
        "sectors": [{"sector": "11220", "percentage": "60"}, {"sector": "11231", "percentage": "40"}],
        "locations": [{"unit": OLD_HAI_DUONG_COMMUNE, "era": "pre2025", "percentage": "100"}],
        "participants": [{"organisation": str(partner.public_id), "role": "1"}],
        "beneficiaries": ["children", "students"],
    }
    body.update(changes)
    return body


def test_anonymous_is_refused():
    assert api().get(ITEMS).status_code in (401, 403)


def test_create_with_nested_parts(users):
    partner = donor()
    response = api(users["editor"]).post(ITEMS, new_item(partner), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == AidStatus.PROPOSED
    assert [(s["sector"], s["percentage"]) for s in body["sectors"]] == [("11220", "60.00"), ("11231", "40.00")]
    assert body["locations"] == [
        {
            "unit": OLD_HAI_DUONG_COMMUNE,
            "era": "pre2025",
            "level": "commune",
            "name": body["locations"][0]["name"],
            "current_province": "31",
            "percentage": "100.00",
        }
    ]
    assert body["participants"][0]["organisation"] == str(partner.public_id)
    assert sorted(body["beneficiaries"]) == ["children", "students"]
    assert body["committed_usd"] == "0.00"
    item = AidItem.objects.get(public_id=body["id"])
    assert item.locations.get().current_province.code == "31"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sectors": [{"sector": "11220", "percentage": "60"}, {"sector": "11231", "percentage": "30"}]}, "sectors"),
        ({"locations": [{"unit": "31", "era": "2025", "percentage": "90"}]}, "locations"),
        ({"locations": [{"unit": "99999", "era": "2025", "percentage": "100"}]}, "locations"),
        ({"locations": [{"unit": "288", "era": "pre2025", "percentage": "100"}]}, "locations"),
        ({"sectors": [{"sector": "99999", "percentage": "100"}]}, "sectors"),
        ({"owning_province": "30"}, "owning_province"),
        ({"modality": "gift"}, "modality"),
        ({"beneficiaries": ["everyone"]}, "beneficiaries"),
        ({"title_vi": ""}, "title_vi"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(users, changes, field):
    response = api(users["editor"]).post(ITEMS, new_item(donor(), **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not AidItem.all_objects.exists()


def test_an_old_era_location_for_aid_starting_after_the_reorganisation_is_a_400(users):
    body = new_item(donor(), planned_start="2025-08-01")
    response = api(users["editor"]).post(ITEMS, body, format="json")
    assert response.status_code == 400
    assert "locations" in response.json()


def test_an_editor_creating_for_another_province_gets_403_and_nothing_is_saved(users):
    response = api(users["editor"]).post(ITEMS, new_item(donor(), owning_province="14"), format="json")
    assert response.status_code == 403
    assert not AidItem.all_objects.exists()


def test_read_only_users_get_403_on_write_and_outsiders_404(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, locations=[(unit(SON_LA_COMMUNE), "100")])
    assert api(users["viewer"]).patch(item_url(item), {"title_vi": "X"}, format="json").status_code == 403
    assert api(users["son_la_editor"]).get(item_url(item)).status_code == 200
    assert api(users["son_la_editor"]).patch(item_url(item), {"title_vi": "X"}, format="json").status_code == 403
    assert api(users["ngo_rep"]).get(item_url(item)).status_code == 404
    assert api(users["ngo_rep"]).patch(item_url(item), {"title_vi": "X"}, format="json").status_code == 404
    assert api(users["ngo_rep"]).post(ITEMS, new_item(donor()), format="json").status_code == 403


def test_update_with_a_stale_version_is_a_409(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, title="Original")
    client = api(users["editor"])
    assert client.patch(item_url(item), {"title_vi": "A", "version": 1}, format="json").status_code == 200
    response = client.patch(item_url(item), {"title_vi": "B", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert AidItem.objects.get(pk=item.pk).title_vi == "A"


def test_an_update_must_say_which_version_it_was_made_from(users, hai_phong):
    """Two clients that read the same record never silently overwrite each other: an update without its version
    (body or If-Match) is a 428 naming `version`, and nothing is written."""
    item = make_aid_item(users["editor"], owning_province=hai_phong, title="Original")
    client = api(users["editor"])

    read = client.get(item_url(item))
    missing = client.patch(item_url(item), {"title_vi": "Lost"}, format="json")
    by_etag = client.patch(item_url(item), {"title_vi": "A"}, format="json", HTTP_IF_MATCH=read["ETag"])
    stale_etag = client.patch(item_url(item), {"title_vi": "B"}, format="json", HTTP_IF_MATCH=read["ETag"])

    assert read["ETag"] == '"1"'
    assert (missing.status_code, list(missing.json())) == (428, ["version"])
    assert (by_etag.status_code, by_etag["ETag"]) == (200, '"2"')
    assert stale_etag.status_code == 409
    assert AidItem.objects.get(pk=item.pk).title_vi == "A"
    tx = make_transaction(users["editor"], item, amount="10")
    assert client.patch(f"/api/v1/transactions/{tx.public_id}/", {"amount": "20"}, format="json").status_code == 428


def test_an_update_without_parts_keeps_them_and_with_parts_replaces_them(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, sectors=[("11220", "100")])
    client = api(users["editor"])
    response = client.patch(item_url(item), {"title_vi": "New", "version": 1}, format="json")
    assert [s["sector"] for s in response.json()["sectors"]] == ["11220"]
    body = {"version": 2, "sectors": [{"sector": "12220", "percentage": "100"}]}
    response = client.patch(item_url(item), body, format="json")
    assert [s["sector"] for s in response.json()["sectors"]] == ["12220"]


def test_the_status_cannot_be_written(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    api(users["editor"]).patch(item_url(item), {"status": "approved", "version": 1}, format="json")
    assert AidItem.objects.get(pk=item.pk).status == AidStatus.PROPOSED


def test_filters_come_from_the_shared_filterset(users, hai_phong, son_la):
    old = make_aid_item(
        users["admin"],
        owning_province=son_la,
        title="Old Hải Dương",
        planned_start=date(2022, 1, 1),
        locations=[(unit(OLD_HAI_DUONG_COMMUNE, "pre2025"), "100")],
    )
    make_aid_item(users["admin"], owning_province=son_la, title="Health", sectors=[("12220", "100")])
    client = api(users["central"])
    assert [r["id"] for r in client.get(ITEMS, {"province": "31"}).json()["results"]] == [str(old.public_id)]
    assert [r["title_vi"] for r in client.get(ITEMS, {"era": "pre2025", "province": "30"}).json()["results"]] == [
        "Old Hải Dương"
    ]
    assert [r["title_vi"] for r in client.get(ITEMS, {"sector": "122"}).json()["results"]] == ["Health"]


def test_the_list_runs_a_fixed_number_of_queries(users, hai_phong, django_assert_max_num_queries):
    partner = donor()
    for index in range(30):
        item = make_aid_item(
            users["editor"], owning_province=hai_phong, title=f"{index}", participants=[(partner, "1")]
        )
        make_transaction(users["editor"], item)
    client = api(users["editor"])
    with django_assert_max_num_queries(API_LIST_QUERIES):
        response = client.get(ITEMS)
    assert response.json()["count"] == 30


# --- lifecycle actions ---------------------------------------------------------------------------------------


def test_submit_and_approve_with_the_decision(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = api(users["editor"]).post(item_url(item, "submit"), {"received_on": "2024-03-01"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["appraisal_started_on"]) == ("under_appraisal", "2024-03-01")
    decision = {"decision_number": "5/QĐ", "decision_date": "2024-03-10", "decision_authority": "UBND"}
    assert api(users["editor"]).post(item_url(item, "approve"), decision, format="json").status_code == 403
    missing = api(users["approver"]).post(item_url(item, "approve"), {}, format="json")
    assert missing.status_code == 400
    assert {"decision_number", "decision_date", "decision_authority"} <= set(missing.json())
    done = api(users["approver"]).post(item_url(item, "approve"), decision, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["decision_number"]) == ("approved", "5/QĐ")


def test_an_illegal_transition_is_a_400_on_status(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = api(users["editor"]).post(item_url(item, "start"), {"started_on": "2024-01-01"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_a_reason_is_required_to_cancel_and_named_as_sent(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = api(users["editor"]).post(item_url(item, "cancel"), {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_a_lifecycle_action_with_a_stale_version_is_a_409(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    api(users["editor"]).patch(item_url(item), {"title_vi": "A", "version": 1}, format="json")
    response = api(users["editor"]).post(item_url(item, "cancel"), {"reason": "x", "version": 1}, format="json")
    assert response.status_code == 409


def test_lifecycle_actions_outside_scope_are_404(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    assert api(users["son_la_editor"]).post(item_url(item, "submit"), {}, format="json").status_code == 404


# --- transactions --------------------------------------------------------------------------------------------


def new_transaction(item: AidItem, **changes) -> dict:
    body = {
        "aid_item": str(item.public_id),
        "transaction_type": "2",
        "date": "2023-06-01",
        "amount": "1000",
        "currency": "EUR",
    }
    body.update(changes)
    return body


def test_a_transaction_is_read_with_its_conversions(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = api(users["editor"]).post(TRANSACTIONS, new_transaction(item), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    tx = Transaction.objects.get()
    assert (body["currency"], body["amount"], body["value_date"]) == ("EUR", "1000.00", "2023-06-01")
    assert body["amount_usd"] == f"{tx.amount_usd:f}" and body["amount_vnd"] == f"{tx.amount_vnd:f}"
    assert "IMF" in body["rate_source"] and body["rate_date"] == "2023-01-01"
    assert api(users["editor"]).get(item_url(item)).json()["committed_usd"] == f"{tx.amount_usd:f}"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"amount": "0"}, "amount"),
        ({"transaction_type": "99"}, "transaction_type"),
        ({"date": "yesterday"}, "date"),
    ],
)
def test_bad_transactions_are_a_400_naming_the_field(users, hai_phong, changes, field):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = api(users["editor"]).post(TRANSACTIONS, new_transaction(item, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Transaction.all_objects.exists()


def test_a_viewer_cannot_add_a_transaction_and_an_outsider_cannot_see_the_item(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    assert api(users["viewer"]).post(TRANSACTIONS, new_transaction(item), format="json").status_code == 403
    outsider = api(users["son_la_editor"]).post(TRANSACTIONS, new_transaction(item), format="json")
    assert outsider.status_code == 400 and "aid_item" in outsider.json()


def test_transactions_update_with_version_and_delete_softly(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    tx = make_transaction(users["editor"], item)
    url = f"{TRANSACTIONS}{tx.public_id}/"
    client = api(users["editor"])
    assert client.patch(url, {"amount": "2000", "version": 1}, format="json").json()["amount_usd"] == "2000.00"
    assert client.patch(url, {"amount": "3000", "version": 1}, format="json").status_code == 409
    assert client.delete(url).status_code == 204
    assert Transaction.all_objects.get(pk=tx.pk).is_deleted
    assert api(users["ngo_rep"]).get(url).status_code == 404


def test_transactions_filter_by_aid_item_and_currency(users, hai_phong):
    first = make_aid_item(users["editor"], owning_province=hai_phong)
    second = make_aid_item(users["editor"], owning_province=hai_phong)
    make_transaction(users["editor"], first, currency="EUR")
    make_transaction(users["editor"], second)
    client = api(users["editor"])
    assert len(client.get(TRANSACTIONS, {"aid_item": str(first.public_id)}).json()["results"]) == 1
    assert [r["currency"] for r in client.get(TRANSACTIONS, {"currency": "EUR"}).json()["results"]] == ["EUR"]


def test_the_openapi_schema_lists_the_aid_endpoints(users):
    response = api(users["central"]).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/aid-items/{public_id}/approve/" in response.content
    assert b"/api/v1/transactions/" in response.content


def test_a_deleted_aid_items_transactions_go_with_it_and_come_back_with_it(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    tx = make_transaction(users["editor"], item, amount="10")
    client = api(users["editor"])
    services.aid_item_delete(aid_item=item, user=users["editor"])

    listed = client.get("/api/v1/transactions/").json()
    assert str(tx.public_id) not in str(listed)
    assert client.get(f"/api/v1/transactions/{tx.public_id}/").status_code == 404

    services.aid_item_restore(aid_item=AidItem.all_objects.get(pk=item.pk), user=users["editor"])
    assert client.get(f"/api/v1/transactions/{tx.public_id}/").status_code == 200
