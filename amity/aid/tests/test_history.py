"""An aid item's page shows every change to the item and to its parts (sector and location shares, participants,
budgets, transactions) with who made it and when, newest first, in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from amity.aid import selectors, services
from amity.aid.models import AidItem, AidParticipant, Budget, LocationSplit, SectorSplit
from amity.conftest import client_for
from amity.core.selectors import HistoryEntry
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem, Currency

from .factories import HAI_PHONG_COMMUNE, donor, make_aid_item, make_transaction, sector, unit

pytestmark = pytest.mark.django_db

# Six models (the item, four kinds of part, transactions): their newest rows, and older rows to compare changes
# with; then the organisations, currencies, administrative units and sectors that the entries name.
HISTORY_QUERIES = 6 * 2 + 4


def in_english(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_history(user: Any, item: AidItem) -> list[HistoryEntry]:
    response = in_english(user).get(item.get_absolute_url())
    assert response.status_code == 200
    return response.context["history_entries"]


def about(entries: list[HistoryEntry], kind: str) -> list[HistoryEntry]:
    """The entries about parts of one kind ("Transaction", "Sector share"…), newest first."""
    return [e for e in entries if e.subject is not None and e.subject.kind == kind]


def saved_by(user: Any, part: Any) -> Any:
    """Save a part as a user would, so that its history row names them (independent of how the services write
    parts)."""
    part._history_user = user
    part.save()
    return part


def deleted_by(user: Any, part: Any) -> None:
    part._history_user = user
    part.delete()


def test_the_page_shows_a_transactions_creation_and_change_with_who_made_them(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    tx = make_transaction(users["editor"], item, kind="3", amount="1000", currency="EUR", on=date(2023, 6, 1))
    data = {"amount": Decimal("1500"), "description": "Second instalment"}
    services.transaction_update(tx=tx, user=users["approver"], data=data, expected_version=tx.version)

    response = in_english(users["viewer"]).get(item.get_absolute_url())
    changed, created = about(response.context["history_entries"], "Transaction")
    assert (created.kind, created.who, created.changes) == ("+", users["editor"], [])
    assert str(created.subject) == "Transaction: Disbursement 1,000.00 EUR 06/01/2023"
    assert (changed.kind, changed.who) == ("~", users["approver"])
    assert str(changed.subject) == "Transaction: Disbursement 1,500.00 EUR 06/01/2023"
    assert ("amount", Decimal("1000.00"), Decimal("1500.00")) in [(c.label, c.old, c.new) for c in changed.changes]
    assert ("description", "—", "Second instalment") in [(c.label, c.old, c.new) for c in changed.changes]
    page = response.content.decode()
    assert "Disbursement 1,500.00 EUR 06/01/2023" in page and "t-approver" in page


def test_a_parts_change_is_compared_with_that_parts_previous_row(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    first = make_transaction(users["editor"], item, amount="100", on=date(2023, 1, 10))
    make_transaction(users["editor"], item, amount="900", currency="EUR", on=date(2024, 2, 20))
    data = {"amount": Decimal("150")}
    services.transaction_update(tx=first, user=users["editor"], data=data, expected_version=first.version)

    latest = about(page_history(users["editor"], item), "Transaction")[0]
    changes = {c.label: (c.old, c.new) for c in latest.changes}
    assert changes["amount"] == (Decimal("100.00"), Decimal("150.00"))
    assert "currency" not in changes and "date" not in changes  # the other transaction's values play no part


def test_a_replaced_sector_share_shows_as_removed_and_added(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, sectors=[("11220", "100")])
    deleted_by(users["approver"], item.sectors.get())
    saved_by(users["approver"], SectorSplit(aid_item=item, sector=sector("11231"), percentage=Decimal("60")))
    saved_by(users["approver"], SectorSplit(aid_item=item, sector=sector("11220"), percentage=Decimal("40")))

    entries = about(page_history(users["editor"], item), "Sector share")
    recent = [(e.kind, e.who, str(e.subject), e.changes) for e in entries[:3]]
    primary, skills = sector("11220").name_en, sector("11231").name_en
    assert recent == [
        ("+", users["approver"], f"Sector share: 11220 {primary} 40 %", []),
        ("+", users["approver"], f"Sector share: 11231 {skills} 60 %", []),
        ("-", users["approver"], f"Sector share: 11220 {primary} 100 %", []),
    ]


def test_a_deleted_transaction_shows_as_deleted(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    tx = make_transaction(users["editor"], item, amount="250", on=date(2023, 3, 5))
    services.transaction_delete(tx=tx, user=users["approver"])

    deleted = about(page_history(users["editor"], item), "Transaction")[0]
    assert (deleted.kind, deleted.who, deleted.changes) == ("-", users["approver"], [])
    assert str(deleted.subject) == "Transaction: Commitment 250.00 USD 03/05/2023"


def test_every_kind_of_part_is_named(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, locations=[])
    editor = users["editor"]
    saved_by(editor, LocationSplit(aid_item=item, unit=hai_phong, percentage=100, current_province=hai_phong))
    commune = unit(HAI_PHONG_COMMUNE)
    saved_by(editor, LocationSplit(aid_item=item, unit=commune, percentage=100, current_province=hai_phong))
    saved_by(editor, AidParticipant(aid_item=item, organisation=donor(), role="1"))
    budget = Budget(
        aid_item=item,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        amount=Decimal("15000"),
        currency=Currency.objects.get(code="EUR"),
        value_date=date(2024, 1, 1),
    )
    saved_by(editor, budget)

    subjects = [str(e.subject) for e in page_history(editor, item) if e.subject is not None]
    assert subjects == [
        "Budget: 01/01/2024–12/31/2024 15,000.00 EUR",
        "Participant: Korea Friendship Foundation (Funding)",
        f"Location share: {commune.full_name_en}, {hai_phong.full_name_en} 100 %",
        f"Location share: {hai_phong.full_name_en} 100 %",
        *subjects[4:],  # the sector share the services wrote, once they write history
    ]


def test_the_items_own_rows_have_no_subject_and_keep_their_changes(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    data = {"title_en": "Kindergarten"}
    services.aid_item_update(aid_item=item, user=users["approver"], data=data, expected_version=item.version)

    own = [e for e in page_history(users["editor"], item) if e.subject is None]
    assert [(e.kind, e.who) for e in own] == [("~", users["approver"]), ("+", users["editor"])]
    assert [(c.label, c.old, c.new) for c in own[0].changes] == [("title (English)", "—", "Kindergarten")]


def test_an_items_history_never_shows_another_items_parts(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    make_transaction(users["editor"], item, amount="100")
    other = make_aid_item(users["editor"], owning_province=hai_phong, title="Other")
    make_transaction(users["editor"], other, amount="777")
    saved_by(users["editor"], SectorSplit(aid_item=other, sector=sector("12220"), percentage=Decimal("10")))
    saved_by(users["editor"], AidParticipant(aid_item=other, organisation=donor("Other donor", "NL"), role="1"))

    with translation.override("en"):
        subjects = " ".join(str(e.subject) for e in selectors.aid_item_history(item))
    assert "100.00 USD" in subjects
    assert "777" not in subjects and "12220" not in subjects and "Other donor" not in subjects


def test_the_limit_keeps_the_newest_entries(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    for amount in ("10", "20", "30"):
        make_transaction(users["editor"], item, amount=amount)

    with translation.override("en"):
        entries = selectors.aid_item_history(item, limit=2)
    assert [str(e.subject) for e in entries] == [
        "Transaction: Commitment 30.00 USD 06/01/2023",
        "Transaction: Commitment 20.00 USD 06/01/2023",
    ]


def history_queries(item: AidItem, limit: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.aid_item_history(item, limit=limit)
    return len(captured.captured_queries)


def item_with_changed_parts(user: Any, province: Any, count: int) -> AidItem:
    """An item with `count` parts of every kind, all created, then all changed, the first created changed last,
    then the item changed: the newest changes are compared with the oldest rows, the costliest history to read."""
    item = make_aid_item(user, owning_province=province, sectors=[], locations=[])
    sectors = CodelistItem.objects.of("Sector").order_by("code")[:count]
    communes = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.COMMUNE, province=province)
    euro = Currency.objects.get(code="EUR")
    created = []
    for index, (code, commune) in enumerate(zip(sectors, communes.order_by("code")[:count], strict=True)):
        created.append(
            [
                saved_by(user, SectorSplit(aid_item=item, sector=code, percentage=Decimal(10))),
                saved_by(user, LocationSplit(aid_item=item, unit=commune, percentage=10, current_province=province)),
                saved_by(user, AidParticipant(aid_item=item, organisation=donor(f"Donor {index}"), role="1")),
                saved_by(
                    user,
                    Budget(
                        aid_item=item,
                        period_start=date(2020, 1, 1),
                        period_end=date(2020, 12, 31),
                        amount=Decimal(1000),
                        currency=euro,
                        value_date=date(2020, 1, 1),
                    ),
                ),
                make_transaction(user, item, amount="100"),
            ]
        )
    for sector_share, location_share, participant, budget, tx in reversed(created):
        sector_share.percentage = location_share.percentage = Decimal(20)
        participant.role = "4"
        budget.amount = Decimal(2000)
        for part in (sector_share, location_share, participant, budget):
            saved_by(user, part)
        services.transaction_update(tx=tx, user=user, data={"amount": Decimal(200)}, expected_version=tx.version)
    agency = donor("Agency", None)
    services.aid_item_update(aid_item=item, user=user, data={"managing_agency": agency}, expected_version=item.version)
    return item


def test_the_history_runs_a_fixed_number_of_queries_whatever_the_number_of_parts(
    users, hai_phong, django_assert_max_num_queries
):
    few = item_with_changed_parts(users["editor"], hai_phong, 4)
    many = item_with_changed_parts(users["editor"], hai_phong, 12)
    # The item's change and the newest changes of every kind of part, whose previous rows are beyond the limit.
    assert history_queries(few, limit=6) == history_queries(many, limit=16)
    with django_assert_max_num_queries(HISTORY_QUERIES):
        entries = selectors.aid_item_history(many, limit=16)
    assert len(entries) == 16 and all(e.kind == "~" and e.changes for e in entries)
    with django_assert_max_num_queries(HISTORY_QUERIES):
        entries = selectors.aid_item_history(many)
    assert len(entries) == 100 and all(e.changes for e in entries if e.kind == "~")
