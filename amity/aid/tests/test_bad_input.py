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
