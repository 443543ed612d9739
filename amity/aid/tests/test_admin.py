"""The admin shows aid items (deleted ones too) with their rows, and writes through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amity.aid.models import AidItem, Transaction
from amity.conftest import client_for, make_user

from .factories import make_aid_item, make_transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


def test_admin_lists_and_opens_aid_items_including_deleted_ones(users, hai_phong, superuser):
    item = make_aid_item(users["editor"], owning_province=hai_phong, title="Gone")
    make_transaction(users["editor"], item)
    item.deleted_at = item.created_at
    item.save()
    client = client_for(superuser)
    assert "Gone" in client.get(reverse("admin:aid_aiditem_changelist")).content.decode()
    assert client.get(reverse("admin:aid_aiditem_change", args=[item.pk])).status_code == 200
    assert client.get(reverse("admin:aid_transaction_changelist")).status_code == 200


def test_admin_edits_go_through_the_services(users, hai_phong, superuser):
    item = make_aid_item(users["editor"], owning_province=hai_phong, title="Before")
    client = client_for(superuser)
    url = reverse("admin:aid_aiditem_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"title_vi": "After", "owning_province": hai_phong.pk})
    for prefix in ("sectors", "locations", "participants", "beneficiaries"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    stored = AidItem.objects.get(pk=item.pk)
    assert (stored.title_vi, stored.version) == ("After", 2)
    assert stored.history.first().history_user == superuser


def test_admin_delete_is_soft(users, hai_phong, superuser):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    tx = make_transaction(users["editor"], item)
    client = client_for(superuser)
    client.post(reverse("admin:aid_transaction_delete", args=[tx.pk]), {"post": "yes"})
    assert Transaction.all_objects.get(pk=tx.pk).is_deleted
    client.post(reverse("admin:aid_aiditem_delete", args=[item.pk]), {"post": "yes"})
    assert AidItem.all_objects.get(pk=item.pk).is_deleted
