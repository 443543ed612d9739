"""Organisation API: same scoping and services as the pages; 400 with field names, 409 on a stale version."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from amity.organisations.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


def api(user=None, token: bool = False) -> APIClient:
    client = APIClient()
    if user is not None and token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    elif user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def local_org(hai_phong):
    return Organisation.objects.create(
        name="Trung tâm Hợp tác Hữu nghị", kind="vietnamese_agency", owning_province=hai_phong
    )


def test_anonymous_is_refused():
    assert api().get(URL).status_code in (401, 403)


def test_token_authentication_lists_scoped_records(users, local_org, ngo):
    response = api(users["ngo_rep"], token=True).get(URL)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(ngo.public_id)]


def test_filters_come_from_the_shared_filterset(users, local_org, ngo):
    response = api(users["central"]).get(URL, {"owning_province": "31"})
    assert [row["name"] for row in response.json()["results"]] == [local_org.name]


def test_create_with_bad_fields_is_a_400_naming_them(users):
    response = api(users["central"]).post(URL, {"name": "", "kind": "nope", "country": "ZZ"}, format="json")
    assert response.status_code == 400
    assert {"name", "kind", "country"} <= set(response.json())
    assert not Organisation.objects.exists() or not Organisation.objects.filter(name="").exists()


def test_editor_writing_outside_their_province_gets_403_and_nothing_is_saved(users):
    response = api(users["editor"]).post(
        URL, {"name": "Elsewhere", "kind": "other", "owning_province": "14"}, format="json"
    )
    assert response.status_code == 403
    assert not Organisation.all_objects.filter(name="Elsewhere").exists()


def test_update_with_a_stale_version_is_a_409(users, local_org):
    client = api(users["editor"])
    url = f"{URL}{local_org.public_id}/"
    assert client.patch(url, {"acronym": "A", "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"acronym": "B", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert Organisation.objects.get(pk=local_org.pk).acronym == "A"


def test_read_only_user_gets_403_on_write_and_404_outside_scope(users, local_org):
    url = f"{URL}{local_org.public_id}/"
    assert api(users["viewer"]).patch(url, {"acronym": "X"}, format="json").status_code == 403
    assert api(users["ngo_rep"]).patch(url, {"acronym": "X"}, format="json").status_code == 404


def test_delete_is_soft(users, local_org):
    response = api(users["editor"]).delete(f"{URL}{local_org.public_id}/")
    assert response.status_code == 204
    assert Organisation.all_objects.get(pk=local_org.pk).is_deleted


def test_openapi_schema_is_served(users):
    response = api(users["central"]).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/organisations/" in response.content
