"""Who sees and changes which aid: the owning province writes, provinces where the aid is located read it
(whatever the era of the location), central officers read all, an NGO reads the aid it takes part in."""

from __future__ import annotations

from datetime import date

import pytest

from amity.aid.models import AidItem, Transaction
from amity.reference.choices import Era

from .factories import (
    HAI_PHONG_COMMUNE,
    OLD_HAI_DUONG_COMMUNE,
    SON_LA_COMMUNE,
    SON_LA_COMMUNE_2,
    donor,
    make_aid_item,
    make_transaction,
    unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_item(users, hai_phong):
    """Owned by Hải Phòng, located half in Hải Phòng and half in two Sơn La communes."""
    return make_aid_item(
        users["editor"],
        owning_province=hai_phong,
        locations=[(unit(HAI_PHONG_COMMUNE), "50"), (unit(SON_LA_COMMUNE), "25"), (unit(SON_LA_COMMUNE_2), "25")],
    )


def visible(user, action="view"):
    return list(AidItem.objects.restrict(user, action))


def test_a_province_where_aid_is_located_reads_it_once_but_cannot_change_it(users, shared_item):
    assert visible(users["son_la_editor"]) == [shared_item]
    assert visible(users["son_la_editor"], "change") == []


def test_the_owning_province_reads_and_changes_its_aid(users, shared_item):
    assert visible(users["editor"]) == [shared_item]
    assert visible(users["editor"], "change") == [shared_item]
    assert visible(users["viewer"], "change") == []


def test_another_province_does_not_see_aid_located_elsewhere(users, hai_phong):
    make_aid_item(users["editor"], owning_province=hai_phong)
    assert visible(users["son_la_editor"]) == []


def test_aid_in_an_old_era_commune_of_hai_duong_is_read_by_hai_phong(users, son_la):
    item = make_aid_item(
        users["admin"],
        owning_province=son_la,
        planned_start=date(2022, 1, 1),
        locations=[(unit(OLD_HAI_DUONG_COMMUNE, Era.PRE2025), "100")],
    )
    assert visible(users["viewer"]) == [item]
    assert visible(users["editor"], "change") == []


def test_an_ngo_representative_sees_only_aid_its_organisation_takes_part_in(users, hai_phong, ngo):
    ours = make_aid_item(users["editor"], owning_province=hai_phong, title="Ours", participants=[(ngo, "4")])
    make_aid_item(users["editor"], owning_province=hai_phong, title="Theirs", participants=[(donor(), "1")])
    assert visible(users["ngo_rep"]) == [ours]
    assert visible(users["ngo_rep"], "change") == []


def test_central_officers_read_everything_and_change_nothing(users, shared_item, son_la):
    other = make_aid_item(users["son_la_editor"], owning_province=son_la)
    assert set(visible(users["central"])) == {shared_item, other}
    assert visible(users["central"], "change") == []


def test_users_without_a_role_or_inactive_see_nothing(users, shared_item):
    assert visible(users["no_role"]) == []
    assert visible(users["inactive"]) == []


def test_transactions_follow_their_aid_item(users, shared_item, son_la):
    tx = make_transaction(users["editor"], shared_item)
    elsewhere = make_aid_item(users["son_la_editor"], owning_province=son_la)
    make_transaction(users["son_la_editor"], elsewhere)
    assert list(Transaction.objects.restrict(users["son_la_editor"], "view")).count(tx) == 1
    assert list(Transaction.objects.restrict(users["editor"], "view")) == [tx]
    assert list(Transaction.objects.restrict(users["son_la_editor"], "change").filter(pk=tx.pk)) == []
