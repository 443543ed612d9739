"""The one writer of an aid item's parts (`amity.aid.parts.parts_write`): only what differs is written, and
every change leaves a history row with who made it, whichever writer — a page, the API, Excel, IATI — asked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amity.aid import services
from amity.aid.models import AidParticipant, LocationSplit, SectorSplit

from .factories import donor, make_aid_item, sector

pytestmark = pytest.mark.django_db


def history(model, item) -> list[tuple[str, str, object]]:
    rows = model.history.filter(aid_item_id=item.pk).order_by("history_id")
    return [(row.history_type, row.history_user.username if row.history_user else "", row) for row in rows]


def update_sectors(user, item, *shares: tuple[str, str]) -> None:
    parts = services.AidItemParts(sectors=[services.SectorShare(sector(code), Decimal(pct)) for code, pct in shares])
    services.aid_item_update(aid_item=item, user=user, data={}, parts=parts, expected_version=item.version)


def test_creating_an_item_records_each_part_as_added_by_its_author(users, hai_phong):
    funder = donor()
    item = make_aid_item(
        users["editor"],
        owning_province=hai_phong,
        sectors=(("11220", "60"), ("12220", "40")),
        participants=[(funder, "1")],
    )

    assert [(kind, who) for kind, who, _ in history(SectorSplit, item)] == [("+", "t-editor"), ("+", "t-editor")]
    assert [(kind, who) for kind, who, _ in history(LocationSplit, item)] == [("+", "t-editor")]
    assert [(kind, who) for kind, who, _ in history(AidParticipant, item)] == [("+", "t-editor")]


def test_replacing_a_sector_records_the_removal_and_the_addition_with_the_user(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, sectors=(("11220", "100"),))

    update_sectors(users["approver"], item, ("12220", "100"))

    rows = history(SectorSplit, item)
    assert [(kind, who) for kind, who, _ in rows] == [("+", "t-editor"), ("-", "t-approver"), ("+", "t-approver")]
    assert rows[1][2].sector.code == "11220" and rows[2][2].sector.code == "12220"
    assert [s.sector.code for s in item.sectors.all()] == ["12220"]


def test_a_changed_percentage_is_one_change_and_unchanged_parts_write_nothing(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, sectors=(("11220", "60"), ("12220", "40")))
    kept = {s.sector.code: s.pk for s in item.sectors.all()}

    update_sectors(users["editor"], item, ("11220", "50"), ("12220", "50"))
    update_sectors(users["editor"], item, ("11220", "50"), ("12220", "50"))

    assert [kind for kind, _who, _row in history(SectorSplit, item)] == ["+", "+", "~", "~"]
    assert {s.sector.code: s.pk for s in item.sectors.all()} == kept  # the same rows, changed in place
    assert {s.sector.code: s.percentage for s in item.sectors.all()} == {"11220": 50, "12220": 50}


def test_locations_removed_make_the_item_nationwide_with_the_removal_on_record(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    parts = services.AidItemParts(locations=[])

    services.aid_item_update(aid_item=item, user=users["editor"], data={}, parts=parts, expected_version=1)

    assert not item.locations.exists()
    assert [(kind, who) for kind, who, _ in history(LocationSplit, item)] == [("+", "t-editor"), ("-", "t-editor")]
