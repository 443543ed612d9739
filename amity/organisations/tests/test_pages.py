"""Organisation pages: scoped list with a fixed number of queries, detail with history, edit with conflict."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amity.conftest import client_for
from amity.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_org(hai_phong):
    return Organisation.objects.create(
        name="Trung tâm Hợp tác Hữu nghị", kind="vietnamese_agency", owning_province=hai_phong
    )


def form_data(org: Organisation, **changes) -> dict:
    data = {
        "name": org.name,
        "name_vi": org.name_vi,
        "acronym": org.acronym,
        "kind": org.kind,
        "status": org.status,
        "owning_province": org.owning_province_id or "",
        "version": org.version,
    }
    data.update(changes)
    return data


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("organisations:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_list_runs_a_fixed_number_of_queries(users, hai_phong, django_assert_max_num_queries):
    for index in range(60):
        Organisation.objects.create(name=f"NGO {index:02}", kind="foreign_ngo", owning_province=hai_phong)
    client = client_for(users["editor"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("organisations:list"), {"sort": "-name"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 61  # 60 + the NGO fixture of `users`
    assert response.context["object_list"][0].name == "Stichting Vrienden van Vietnam"


def test_list_filters_and_searches(users, local_org):
    client = client_for(users["central"])
    response = client.get(reverse("organisations:list"), {"q": "hữu nghị", "owning_province": "31"})
    assert [o.name for o in response.context["object_list"]] == [local_org.name]


def test_ngo_representative_lists_only_its_organisation(users, local_org, ngo):
    response = client_for(users["ngo_rep"]).get(reverse("organisations:list"))
    assert [o.pk for o in response.context["object_list"]] == [ngo.pk]


def test_out_of_scope_detail_is_not_found(users, local_org):
    response = client_for(users["ngo_rep"]).get(local_org.get_absolute_url())
    assert response.status_code == 404


def test_detail_shows_history_with_who_and_what_changed(users, local_org):
    client = client_for(users["editor"])
    client.post(reverse("organisations:edit", args=[local_org.public_id]), form_data(local_org, acronym="TTHT"))
    response = client.get(local_org.get_absolute_url())
    entries = response.context["history_entries"]
    assert entries[0].who == users["editor"]
    assert [(c.old, c.new) for c in entries[0].changes] == [("—", "TTHT")]
    assert response.context["may_change"] is True


def test_edit_saves_through_the_service(users, local_org):
    client = client_for(users["editor"])
    response = client.post(reverse("organisations:edit", args=[local_org.public_id]), form_data(local_org, acronym="X"))
    assert response.status_code == 302
    assert Organisation.objects.get(pk=local_org.pk).acronym == "X"


def test_second_editor_sees_a_conflict_and_keeps_their_input(users, local_org):
    editor, approver = client_for(users["editor"]), client_for(users["approver"])
    url = reverse("organisations:edit", args=[local_org.public_id])
    stale = form_data(local_org)
    editor.post(url, {**stale, "acronym": "FIRST"})
    response = approver.post(url, {**stale, "acronym": "SECOND"})
    assert response.status_code == 409
    assert response.context["form"]["acronym"].value() == "SECOND"
    assert response.context["current"].acronym == "FIRST"
    assert Organisation.objects.get(pk=local_org.pk).acronym == "FIRST"


def test_the_conflict_page_names_the_organisation_as_stored(users, local_org):
    editor, approver = client_for(users["editor"]), client_for(users["approver"])
    url = reverse("organisations:edit", args=[local_org.public_id])
    stale = form_data(local_org)
    editor.post(url, {**stale, "name": "Hội Hữu nghị Việt – Lào"})
    response = approver.post(url, {**stale, "name": "Hội Hữu nghị (chưa lưu)"})
    assert response.status_code == 409
    html = response.content.decode()
    heading = html[html.index("<h1") : html.index("</h1>")]
    assert "Hội Hữu nghị Việt – Lào" in heading and "chưa lưu" not in heading


def test_field_errors_are_shown_and_nothing_is_saved(users, local_org):
    client = client_for(users["editor"])
    url = reverse("organisations:edit", args=[local_org.public_id])
    response = client.post(url, form_data(local_org, name="", website="not a url"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "website"}
    assert Organisation.objects.get(pk=local_org.pk).version == 1


def test_viewer_cannot_open_the_edit_form(users, local_org):
    response = client_for(users["viewer"]).get(reverse("organisations:edit", args=[local_org.public_id]))
    assert response.status_code == 403


def test_provincial_editor_creates_for_their_province_only(users, hai_phong, son_la):
    client = client_for(users["editor"])
    url = reverse("organisations:add")
    refused = client.post(url, {"name": "Elsewhere", "kind": "other", "status": "active", "owning_province": son_la.pk})
    assert refused.status_code == 400
    assert "owning_province" in refused.context["form"].errors
    created = client.post(url, {"name": "Here", "kind": "other", "status": "active", "owning_province": hai_phong.pk})
    assert created.status_code == 302
    assert Organisation.objects.get(name="Here").owning_province == hai_phong


def test_delete_and_restore_from_the_page(users, local_org):
    client = client_for(users["editor"])
    client.post(reverse("organisations:delete", args=[local_org.public_id]))
    assert not Organisation.objects.filter(pk=local_org.pk).exists()
    page = client.get(local_org.get_absolute_url())
    assert page.status_code == 200 and page.context["object"].is_deleted
    client.post(reverse("organisations:restore", args=[local_org.public_id]))
    assert Organisation.objects.filter(pk=local_org.pk).exists()
