"""An aid item that ended is kept as it ended; deleted transactions can be restored from the item's page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from amity.aid import services
from amity.aid.models import AidItem, Transaction
from amity.aid.tests.factories import make_aid_item, make_transaction
from amity.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(users, hai_phong):
    return make_aid_item(users["editor"], owning_province=hai_phong)


def cancel(item: AidItem, user) -> AidItem:  # type: ignore[no-untyped-def]
    return services.aid_item_cancel(aid_item=item, user=user, reason="Donor withdrew")


def test_a_cancelled_item_cannot_be_edited_by_its_editor(users, item):
    cancel(item, users["editor"])
    with pytest.raises(ValidationError) as raised:
        services.aid_item_update(aid_item=item, user=users["editor"], data={"title_vi": "X"}, expected_version=None)
    assert "status" in raised.value.message_dict
    assert AidItem.objects.get(pk=item.pk).title_vi != "X"


def test_a_cancelled_item_takes_no_new_transaction(users, item):
    cancel(item, users["editor"])
    with pytest.raises(ValidationError):
        make_transaction(users["editor"], item)
    assert not Transaction.all_objects.filter(aid_item=item).exists()


def test_an_administrator_may_still_correct_an_ended_item(users, item):
    cancel(item, users["editor"])
    services.aid_item_update(aid_item=item, user=users["admin"], data={"title_vi": "Sửa"}, expected_version=None)
    assert AidItem.objects.get(pk=item.pk).title_vi == "Sửa"


def test_deleting_a_transaction_of_an_ended_item_shows_a_message_not_an_error_page(users, item):
    tx = make_transaction(users["editor"], item)
    cancel(item, users["editor"])
    client = client_for(users["editor"])
    client.cookies["amity_language"] = "en"
    response = client.post(reverse("aid:transaction_delete", args=[tx.public_id]), follow=True)
    assert response.status_code == 200
    assert any("no longer be changed" in str(m) for m in response.context["messages"])
    assert not Transaction.all_objects.get(pk=tx.pk).is_deleted


def test_a_deleted_transaction_is_listed_and_restored_from_the_item_page(users, item):
    tx = make_transaction(users["editor"], item)
    client = client_for(users["editor"])
    client.post(reverse("aid:transaction_delete", args=[tx.public_id]))
    page = client.get(item.get_absolute_url())
    assert [t.pk for t in page.context["deleted_transactions"]] == [tx.pk]
    client.post(reverse("aid:transaction_restore", args=[tx.public_id]))
    assert Transaction.objects.filter(pk=tx.pk).exists()


def test_a_viewer_does_not_see_deleted_transactions(users, item):
    tx = make_transaction(users["editor"], item)
    services.transaction_delete(tx=tx, user=users["editor"])
    page = client_for(users["viewer"]).get(item.get_absolute_url())
    assert page.context["deleted_transactions"] == []


def test_a_registered_ngo_gives_only_within_its_registration(users, item, central_registration):
    from datetime import date

    ngo = central_registration.organisation
    make_transaction(users["editor"], item, on=date(2023, 6, 1), provider=ngo)
    with pytest.raises(ValidationError) as raised:
        make_transaction(users["editor"], item, on=date(2019, 6, 1), provider=ngo)
    assert "date" in raised.value.message_dict


@pytest.fixture
def central_registration(users, ngo):
    from datetime import date

    from amity.organisations.services import registration_create

    return registration_create(
        user=users["central"],
        data={
            "organisation": ngo,
            "kind": "operation",
            "number": "123/GĐK",
            "issue_date": date(2022, 1, 1),
            "expiry_date": date(2024, 12, 31),
        },
    )
