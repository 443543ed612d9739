"""Which fields each role may change is part of the scope policy: an NGO representative edits its organisation's
contact details and description, never its ownership, status, identifiers or name. The service refuses any
other change with a 400 naming the field, and writes nothing — for the API and the pages alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.core.scoping import Action
from amity.organisations import services
from amity.organisations.forms import OrganisationForm
from amity.organisations.models import NGO_CHANGEABLE_FIELDS, Organisation

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_ngo_representative_cannot_move_its_organisation_out_of_the_register(users, ngo):
    response = api(users["ngo_rep"]).patch(
        f"{URL}{ngo.public_id}/", {"owning_province": "14", "version": ngo.version}, format="json"
    )

    assert response.status_code == 400
    assert "owning_province" in response.json()
    stored = Organisation.all_objects.get(pk=ngo.pk)
    assert stored.owning_province is None
    assert stored.version == ngo.version
    assert not stored.history.filter(history_type="~").exists()
    # The Sơn La editor still cannot touch it, and the NGO still sees it.
    assert not Organisation.objects.restrict(users["son_la_editor"], Action.DELETE).filter(pk=ngo.pk).exists()
    assert api(users["ngo_rep"]).get(f"{URL}{ngo.public_id}/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "inactive"),
        ("iati_identifier", "NL-KVK-1234"),
        ("kind", "foundation"),
        ("name", "Another name"),
        ("country", "VN"),
    ],
)
def test_an_ngo_representative_cannot_change_identity_or_status(users, ngo, field, value):
    response = api(users["ngo_rep"]).patch(
        f"{URL}{ngo.public_id}/", {field: value, "phone": "+31 20 1234", "version": ngo.version}
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    stored = Organisation.objects.get(pk=ngo.pk)
    assert stored.phone == ""  # nothing of the request was written
    assert stored.version == ngo.version


def test_an_ngo_representative_edits_contact_details_and_description(users, ngo):
    data = {
        "website": "https://svv.example",
        "email": "info@svv.example",
        "phone": "+31 20 1234",
        "address": "Amsterdam",
        "description": "Schools in the north.",
    }
    assert set(data) == NGO_CHANGEABLE_FIELDS

    response = api(users["ngo_rep"]).patch(f"{URL}{ngo.public_id}/", {**data, "version": ngo.version}, format="json")

    # Proposed, not written: the entry changes once a central officer accepts it.
    assert response.status_code == 202, response.json()
    assert response.json()["changes"] == data
    assert Organisation.objects.get(pk=ngo.pk).website == ""
    decided = api(users["central"]).post(
        f"/api/v1/organisation-changes/{response.json()['id']}/decide/", {"decision": "accept"}
    )
    assert decided.status_code == 200 and decided.json()["state"] == "accepted"
    stored = Organisation.objects.get(pk=ngo.pk)
    assert {name: getattr(stored, name) for name in data} == data


def test_a_full_put_that_leaves_the_other_fields_as_they_are_is_accepted(users, ngo):
    client = api(users["ngo_rep"])
    current = client.get(f"{URL}{ngo.public_id}/").json()
    body = {key: value for key, value in current.items() if key not in ("id", "created_at", "updated_at")}

    response = client.put(f"{URL}{ngo.public_id}/", {**body, "phone": "+31 20 5678"}, format="json")

    assert response.status_code == 202, response.json()
    assert response.json()["changes"] == {"phone": "+31 20 5678"}


def test_the_service_refuses_for_every_writer(users, ngo, son_la):
    with pytest.raises(ValidationError) as refused:
        services.organisation_update(
            organisation=ngo,
            user=users["ngo_rep"],
            data={"owning_province": son_la, "description": "moved"},
            expected_version=None,
        )
    assert set(refused.value.message_dict) == {"owning_province"}
    assert Organisation.objects.get(pk=ngo.pk).owning_province is None


def test_other_roles_keep_every_field(users, ngo, son_la):
    services.organisation_update(
        organisation=ngo,
        user=users["central"],
        data={"owning_province": son_la, "status": "inactive"},
        expected_version=None,
    )
    stored = Organisation.objects.get(pk=ngo.pk)
    assert (stored.owning_province, stored.status) == (son_la, "inactive")


def test_the_policy_says_which_fields_a_role_may_change(users):
    policy = Organisation.scope_policy
    assert policy.changeable_fields_for(users["ngo_rep"]) == NGO_CHANGEABLE_FIELDS
    assert policy.changeable_fields_for(users["central"]) is None  # every field
    assert policy.changeable_fields_for(users["admin"]) is None
    assert policy.changeable_fields_for(users["viewer"]) is None  # no table: the action itself is refused


def test_the_page_shows_the_other_fields_read_only_to_an_ngo_representative(users, ngo):
    form = OrganisationForm(instance=ngo, user=users["ngo_rep"])
    disabled = {name for name, field in form.fields.items() if field.disabled}
    assert disabled == set(OrganisationForm._meta.fields) - NGO_CHANGEABLE_FIELDS
    assert not any(field.disabled for field in OrganisationForm(instance=ngo, user=users["central"]).fields.values())


def test_the_page_ignores_a_forged_post_of_a_read_only_field(users, ngo, son_la):
    client = client_for(users["ngo_rep"])
    url = f"/organisations/{ngo.public_id}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'<select name="owning_province" class="form-select" disabled' in page.content
    assert b'<input type="text" name="phone" maxlength="50" class="form-control" id="id_phone">' in page.content
    response = client.post(
        url,
        {
            "name": ngo.name,
            "kind": ngo.kind,
            "status": "inactive",
            "owning_province": son_la.pk,
            "phone": "+31 20 1234",
            "version": ngo.version,
        },
    )

    assert response.status_code == 302
    stored = Organisation.objects.get(pk=ngo.pk)
    assert (stored.owning_province, stored.status, stored.phone) == (None, "active", "")  # waits for acceptance
    assert [change.changes for change in stored.proposed_changes.all()] == [{"phone": "+31 20 1234"}]
