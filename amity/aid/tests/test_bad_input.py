"""Bad input is a 400 naming the field, never a server error (issue 13, item 6): impossible years in the aid
filters, a location row without its era, a NUL byte in a code, the same IATI identifier created twice at once,
a control character in an export filter."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from amity.conftest import client_for

from .factories import make_aid_item, make_transaction

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/aid-items/"
TRANSACTIONS = "/api/v1/transactions/"
BAD_YEARS = ["0", "-1", "0.5", "1e30", "10000"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize("url", [ITEMS, TRANSACTIONS, "/api/v1/aid-items/iati/"])
def test_an_impossible_year_in_an_api_list_is_a_400_naming_it(users, hai_phong, url, year):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    make_transaction(users["editor"], item)
    response = api(users["editor"]).get(url, {"year": year}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400, response.content
    assert "year" in response.json()


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize("name", ["aid:list", "aid:csv", "interop:iati_activities"])
def test_an_impossible_year_on_a_page_or_export_is_refused(users, hai_phong, name, year):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    make_transaction(users["editor"], item)
    response = client_for(users["editor"]).get(reverse(name), {"year": year})
    if name == "aid:list":  # the page shows the error on the filter
        assert response.status_code == 200
        assert "year" in response.context["filterset"].errors
    else:  # an export never ignores a filter
        assert response.status_code == 400, response.status_code


def test_a_year_in_range_still_filters(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    make_transaction(users["editor"], item)
    response = api(users["editor"]).get(ITEMS, {"year": "2023"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert api(users["editor"]).get(TRANSACTIONS, {"year": "2024"}).json()["count"] == 0


@pytest.mark.parametrize("year", BAD_YEARS)
def test_an_impossible_year_on_the_exchange_rate_list_is_shown_as_an_error(users, year):
    response = client_for(users["editor"]).get(reverse("reference:rates"), {"year": year})
    assert response.status_code == 200
    assert "year" in response.context["filterset"].errors


def _patch(user, item, body):
    return api(user).patch(f"{ITEMS}{item.public_id}/", {**body, "version": item.version}, format="json")


def test_a_patch_of_locations_without_era_takes_the_current_era(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = _patch(users["editor"], item, {"locations": [{"unit": "10507", "percentage": "100"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["locations"][0]["era"] == "2025"


@pytest.mark.parametrize(
    ("part", "row", "field"),
    [
        ("locations", {"era": "2025", "percentage": "100"}, "unit"),
        ("locations", {"unit": "10507"}, "percentage"),
        ("sectors", {"percentage": "100"}, "sector"),
        ("participants", {"role": "1"}, "organisation"),
    ],
)
def test_a_patch_with_an_incomplete_row_is_a_400_naming_the_field(users, hai_phong, part, row, field):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    response = _patch(users["editor"], item, {part: [row]})
    assert response.status_code == 400, response.content
    rows = response.json()[part]  # DRF names the row by its index: a list, or under a PATCH a dict
    assert field in (rows["0"] if isinstance(rows, dict) else rows[0])


NUL_CODES = [
    (TRANSACTIONS, "currency", "U\x00SD"),
    (ITEMS, "owning_province", "3\x001"),
    (ITEMS, "counterpart_currency", "U\x00SD"),
    ("/api/v1/organisations/", "country", "K\x00R"),
    ("/api/v1/organisations/", "iati_type", "2\x001"),
    ("/api/v1/organisations/", "owning_province", "3\x001"),
    ("/api/v1/registrations/", "provinces", ["3\x001"]),
    ("/api/v1/registrations/", "sectors", ["1\x0020"]),
]


@pytest.mark.parametrize(("url", "field", "value"), NUL_CODES)
def test_a_nul_in_a_code_is_a_400_naming_the_field(users, hai_phong, url, field, value):
    """PostgreSQL refuses a NUL in a query's text: the code is refused before the look-up."""
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    body = {
        TRANSACTIONS: {"aid_item": str(item.public_id), "transaction_type": "2", "date": "2023-01-01", "amount": "5"},
        ITEMS: {"modality": "project", "title_vi": "Trường học", "owning_province": "31"},
    }.get(url, {"name": "Quỹ Hữu nghị", "kind": "foreign_ngo"})
    response = api(users["admin"]).post(url, {**body, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert "U+0000" in str(response.json()[field])


@pytest.mark.parametrize(("part", "row"), [("sectors", {"sector": "112\x0020", "percentage": "100"})])
def test_a_nul_in_a_code_of_a_part_is_a_400_naming_it(users, part, row):
    body = {"modality": "project", "title_vi": "Trường học", "owning_province": "31", part: [row]}
    response = api(users["admin"]).post(ITEMS, body, format="json")
    assert response.status_code == 400, response.content
    assert "U+0000" in str(response.json()[part])


@pytest.mark.parametrize("character", ["\x00", "\x04"])
@pytest.mark.parametrize("name", ["province", "sector", "donor", "donor_country"])
def test_a_control_character_in_a_report_filter_is_a_400_naming_it(users, name, character):
    response = api(users["admin"]).get("/api/v1/reports/", {name: f"3{character}1", "group_by": "province"})
    assert response.status_code == 400, response.content
    assert name in response.json()
    for fmt in ("xlsx", "csv", "docx"):
        export = client_for(users["admin"]).get(reverse("reports:export"), {name: f"3{character}1", "format": fmt})
        assert export.status_code == 400
        assert f"{name}: " in export.content.decode()


def test_an_iati_identifier_taken_at_the_same_time_is_a_400_naming_it(users, hai_phong, monkeypatch):
    """Two clients create items with the same IATI identifier at once: both pass the service's checks, the
    database's unique constraint refuses the second. Simulated by the other client's item taking the
    identifier just before this one's rows are written."""
    from amity.aid import services
    from amity.aid.models import AidItem

    other = make_aid_item(users["editor"], owning_province=hai_phong, iati_identifier="KR-1-2024-002")
    write = services.aid_items_write

    def write_after_the_other(*args, **kwargs):
        AidItem.all_objects.filter(pk=other.pk).update(iati_identifier="KR-1-2024-001")
        return write(*args, **kwargs)

    monkeypatch.setattr(services, "aid_items_write", write_after_the_other)
    body = {
        "modality": "project",
        "title_vi": "Trường học",
        "owning_province": "31",
        "iati_identifier": "KR-1-2024-001",
    }
    response = api(users["editor"]).post(ITEMS, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["iati_identifier"]
    assert not AidItem.all_objects.filter(title_vi="Trường học").exists()  # nothing written


def test_another_integrity_error_stays_a_server_error(users, monkeypatch):
    from django.db import IntegrityError

    from amity.aid import services

    def fail(**kwargs):
        raise IntegrityError("NOT NULL constraint failed: aid_aiditem.title_vi")

    monkeypatch.setattr(services, "aid_items_save", fail)
    client = api(users["editor"])
    client.raise_request_exception = True
    with pytest.raises(IntegrityError):
        client.post(ITEMS, {"modality": "project", "title_vi": "Trường học", "owning_province": "31"}, format="json")


def test_the_iati_file_ignores_an_ordering(users, hai_phong):
    """Found by the API fuzz test: DRF's ordering filter answered `?ordering=` with a server error on the
    IATI endpoint, which has no ordering fields."""
    make_aid_item(users["editor"], owning_province=hai_phong)
    response = api(users["editor"]).get("/api/v1/aid-items/iati/", {"ordering": "title_vi"})
    assert response.status_code == 200
    assert b"<iati-activities" in b"".join(response.streaming_content)


def test_the_schema_allows_an_empty_reported_status(users):
    """Found by the API fuzz test: an item whose donor reported no status has `reported_status` "", which the
    schema's enum did not allow."""
    schema = api(users["admin"]).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    allowed = components["AidItem"]["properties"]["reported_status"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in allowed
    assert components["BlankEnum"]["enum"] == [""]
