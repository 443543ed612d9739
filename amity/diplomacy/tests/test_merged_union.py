"""After a merger of unions (Hải Dương's into Hải Phòng's, 1 July 2025) the source union takes no record: the API
answers 400 naming the new union, the forms no longer offer it and refuse it with the same message when a page
loaded before the merger sends it, and its page says where its register went; records moved by the merger are
edited under the new union as before. (What happens to writers while the merger runs: test_merge_concurrency.)"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from amity.conftest import client_for
from amity.diplomacy import excel, rules, services
from amity.diplomacy.models import AssociationMember, Delegation, Event, Partnership, Union, UnionUnit, Visitor

from . import factories as f
from .test_excel import filled
from .test_pages_and_api import api_for

pytestmark = pytest.mark.django_db

MERGED = "This union was merged into Liên hiệp hữu nghị Hải Phòng: record new work under that union."


@pytest.fixture
def merged(users):  # type: ignore[no-untyped-def]
    """Hải Dương's union with an event, merged into Hải Phòng's; returns (source, target, the event)."""
    source = f.union(users["editor"], name="Liên hiệp hữu nghị Hải Dương")
    target = f.union(users["editor"], era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")
    event = f.event(users["editor"], source)
    services.union_merge(user=users["admin"], source=source, target=target)
    source.refresh_from_db()
    event.refresh_from_db()
    return source, target, event


def new_rows(union: Union) -> dict[str, tuple[type[Any], dict[str, Any]]]:
    """A new record of each kind of the register, as the API takes it (the union by its id)."""
    return {
        "events": (Event, {"event_type": "conference", "title": "Hội nghị", "start_date": "2025-09-01"}),
        "delegations": (
            Delegation,
            {
                "direction": "incoming",
                "country": "FR",
                "counterpart": "Montreuil",
                "start_date": "2025-09-01",
                "end_date": "2025-09-03",
            },
        ),
        "visitors": (
            Visitor,
            {"kind": "volunteer", "full_name": "Marie Dupont", "nationality": "FR", "start_date": "2025-09-01"},
        ),
        "partnerships": (
            Partnership,
            {
                "vietnamese_locality": f.unit_of("2025", "31").pk,
                "foreign_locality": "Suwon",
                "country": "KR",
                "level": "city",
                "signed_on": "2025-09-01",
            },
        ),
        "units": (UnionUnit, {"kind": "association", "name": "Hội hữu nghị Việt Nam – Lào"}),
    }


@pytest.mark.parametrize("kind", ["events", "delegations", "visitors", "partnerships", "units"])
def test_the_api_refuses_a_new_record_of_the_merged_union_naming_the_new_one(users, merged, kind):
    source, target, _event = merged
    model, row = new_rows(source)[kind]
    api = api_for(users["editor"])
    before = model.all_objects.count()
    refused = api.post(
        f"/api/v1/diplomacy/{kind}/", {**row, "union": str(source.public_id)}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert refused.json() == {"union": [MERGED]}
    assert model.all_objects.count() == before
    taken = api.post(f"/api/v1/diplomacy/{kind}/", {**row, "union": str(target.public_id)}, format="json")
    assert taken.status_code == 201, taken.json()
    assert not model.all_objects.filter(union=source).exists()


def test_an_excel_file_offers_only_open_unions_and_one_filled_before_the_merger_is_refused_on_the_column(users, merged):
    source, target, _event = merged
    assert [choice.code for choice in excel._lists(users["editor"])["unions"]] == [str(target.public_id)]
    row = {
        "union": str(source.public_id),
        "event_type": "conference",
        "title": "Hội nghị",
        "start_date": date(2025, 9, 1),
    }
    result = excel.upload("events", filled("events", users["editor"], [row]), users["editor"], write=True)
    assert not result.written
    assert [(p["field"], p["message"], p["params"]) for p in result.problems] == [
        ("union", rules.MERGED_UNION, {"name": str(target)})
    ]
    assert Event.all_objects.filter(union=source).count() == 0


def test_a_record_moved_by_the_merger_is_edited_under_the_new_union(users, merged):
    _source, target, event = merged
    api = api_for(users["editor"])
    url = f"/api/v1/diplomacy/events/{event.public_id}/"
    stale = api.patch(url, {"title": "Đổi tên", "version": event.version - 1}, format="json")
    assert stale.status_code == 409  # the version read before the merger
    edited = api.patch(url, {"title": "Đổi tên", "version": event.version}, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["union"] == str(target.public_id)


def test_no_record_is_moved_back_into_the_merged_union(users, merged):
    source, target, event = merged
    response = api_for(users["editor"]).patch(
        f"/api/v1/diplomacy/events/{event.public_id}/",
        {"union": str(source.public_id), "version": event.version},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and response.json() == {"union": [MERGED]}
    event.refresh_from_db()
    assert event.union == target


def test_the_forms_offer_only_open_unions_and_refuse_the_merged_one_with_its_message(users, merged):
    source, target, _event = merged
    client = client_for(users["editor"])
    for path in ("/diplomacy/events/new/", "/diplomacy/delegations/new/", "/diplomacy/visitors/new/"):
        offered = list(client.get(path).context["form"].fields["union"].queryset)
        assert offered == [target], path
    posted = {"union": source.pk, "event_type": "conference", "title": "Hội nghị", "start_date": "2025-09-01"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/diplomacy/events/new/", {**posted, "vietnamese_participants": 0, "foreign_participants": 0}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["union"] == [MERGED]
    assert not Event.all_objects.filter(union=source).exists()


def test_an_edit_form_of_a_moved_record_offers_its_union(users, merged):
    _source, target, event = merged
    form = client_for(users["editor"]).get(f"/diplomacy/events/{event.public_id}/edit/").context["form"]
    assert list(form.fields["union"].queryset) == [target] and form.initial["union"] == target.pk


def test_the_merged_unions_page_says_where_its_register_went(users, merged):
    source, target, _event = merged
    client = client_for(users["viewer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(source.get_absolute_url()).content.decode()
    assert 'id="merged-notice"' in page and "This union takes no new records." in page
    assert target.get_absolute_url() in page
    assert 'id="merged-notice"' not in client.get(target.get_absolute_url()).content.decode()


def test_a_member_of_a_moved_association_is_added_under_the_new_union(users):
    """An association belongs to the new union after the merger: a new member is its, owned by its province."""
    son_la = f.union(users["son_la_editor"], era="2025", code="14", name="Liên hiệp hữu nghị Sơn La")
    target = f.union(users["editor"], era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")
    association = f.unit(users["son_la_editor"], son_la)
    services.union_merge(user=users["admin"], source=son_la, target=target)
    member = f.member(users["editor"], UnionUnit.objects.get(pk=association.pk), joined_on=date(2025, 9, 1))
    assert member.owning_province_id == target.owning_province_id
    assert AssociationMember.objects.restrict(users["son_la_editor"], "view").count() == 0


def test_the_merge_command_refuses_a_second_merger_and_a_merged_target_with_a_clear_message(users, merged):
    source, target, _event = merged
    admin = users["admin"].username
    with translation.override("en"), pytest.raises(CommandError, match=r"This union is already merged\."):
        call_command("merge_unions", str(source.public_id), str(target.public_id), "--user", admin)
    son_la = f.union(users["son_la_editor"], era="2025", code="14", name="Liên hiệp hữu nghị Sơn La")
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="merged into Liên hiệp hữu nghị Hải Phòng: merge into that union instead"),
    ):
        call_command("merge_unions", str(son_la.public_id), str(source.public_id), "--user", admin)
    son_la.refresh_from_db()
    assert son_la.status == "active"
