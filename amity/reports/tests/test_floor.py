"""The benchmark's SQL floor (`amity.reports.floor`) computes from the base tables exactly what the report facts
give through `selectors.report`, to the last cent and đồng, on a small generated register
(`benchmarks/generate.py`): so the benchmark compares equal work, and the generator's fast SQL build of the
facts writes the same rows as `facts_rebuild_all()`. The floor counts every status (the register has cancelled
aid): it is compared with reports on the status basis “all”."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Q

from amity.accounts.choices import Role
from amity.accounts.models import User
from amity.aid.models import AidItem, LocationSplit, SectorSplit, Transaction
from amity.aid.services import value_transaction
from amity.reference.fx import RateBook
from amity.reports import floor
from amity.reports.facts import facts_rebuild_all, facts_refresh
from amity.reports.models import ReportFact
from amity.reports.selectors import report
from amity.reports.spec import StatusBasis
from benchmarks.generate import FACT_COLUMNS, facts_build_sql, generate

pytestmark = pytest.mark.django_db

ITEMS, TRANSACTIONS, ORGANISATIONS = 200, 3000, 150
YEAR = 2024


@pytest.fixture(scope="module")
def register(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Generated once for the module inside a transaction that is rolled back at the end (each test runs in a
    savepoint within it, as in Django's TestCase with setUpTestData)."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate(
            items=ITEMS, transactions=TRANSACTIONS, organisations=ORGANISATIONS, seed=7, facts="none", analyze=False
        )
        facts_rebuild_all()
        yield
        transaction.set_rollback(True)


def _user(name: str, role: str, provinces: tuple[int, ...] = ()) -> User:
    user = User.objects.create_user(username=name, password="x", role=role)
    user.jurisdictions.set(provinces)
    return user


def _facts() -> Counter[tuple[Any, ...]]:
    return Counter(ReportFact.objects.values_list(*FACT_COLUMNS))


def _dashboard_differences(user: User, figures: floor.Figures) -> list[str]:
    ids = floor.KeyIds()
    found = []
    for panel, (spec, options) in floor.dashboard_specs(YEAR).items():
        amity = floor.report_figures(report(user, replace(spec, statuses=StatusBasis.ALL), **options), ids)
        assert amity, panel
        found += floor.differences(amity, figures[panel], label=panel)
    return found


def test_the_register_has_what_the_allocation_must_handle(register: None) -> None:
    items = AidItem.all_objects.annotate(
        sectors_n=Count("sectors", distinct=True), locations_n=Count("locations", distinct=True)
    )
    assert items.count() == ITEMS
    assert items.filter(sectors_n=0).exists() and items.filter(sectors_n__gte=3).exists()
    assert items.filter(locations_n__gte=3).exists()
    assert LocationSplit.objects.filter(unit__era="pre2025", unit__level="commune").exists()
    assert LocationSplit.objects.filter(unit__era="2025", unit__level="commune").exists()
    assert SectorSplit.objects.exclude(percentage__in=[25, 50, 100]).exists()  # ragged percentages
    assert Transaction.all_objects.count() == TRANSACTIONS
    assert Transaction.all_objects.values("currency").distinct().count() >= 6
    assert (
        Transaction.all_objects.filter(deleted_at__isnull=False).exists()
        or AidItem.all_objects.filter(deleted_at__isnull=False).exists()
    )
    assert Transaction.objects.filter(Q(value_date__year=2025) | Q(value_date__year=2026)).exists()


def test_stored_values_are_what_the_services_store(register: None) -> None:
    book = RateBook()
    sample = Transaction.all_objects.select_related("currency").order_by("pk")[::97]
    for tx in sample:
        stored = (tx.amount_usd, tx.amount_vnd, tx.usd_per_unit, tx.vnd_per_unit, tx.rate_date, tx.rate_source)
        value_transaction(tx, book)
        assert stored == (tx.amount_usd, tx.amount_vnd, tx.usd_per_unit, tx.vnd_per_unit, tx.rate_date, tx.rate_source)


def test_facts_built_in_sql_equal_facts_rebuild_all(register: None) -> None:
    by_python = _facts()
    assert sum(by_python.values()) > TRANSACTIONS  # items split over several sectors and locations
    assert facts_build_sql() == sum(by_python.values())
    assert _facts() == by_python
    facts_rebuild_all()
    assert _facts() == by_python


def test_a_batch_of_items_refreshed_in_sql_gets_the_facts_python_gives(register: None) -> None:
    by_python = _facts()
    every_third = list(AidItem.all_objects.order_by("pk").values_list("pk", flat=True)[::3])
    refreshed = Counter({row: n for row, n in by_python.items() if row[1] in set(every_third)})
    assert refreshed and refreshed != by_python
    assert facts_refresh(every_third, in_sql=True) == sum(refreshed.values())
    assert _facts() == by_python


def test_national_dashboard_equals_the_floor(register: None) -> None:
    central = _user("central", Role.CENTRAL_OFFICER)
    assert _dashboard_differences(central, floor.dashboard(year=YEAR)) == []


def test_province_dashboard_equals_the_floor(register: None) -> None:
    # The two provinces with the most parts; both hold items also located elsewhere and old-era locations.
    busiest = [
        row["province_id"]
        for row in ReportFact.objects.values("province_id").annotate(n=Count("pk")).order_by("-n", "province_id")[:2]
    ]
    for province_id in busiest:
        viewer = _user(f"viewer-{province_id}", Role.PROVINCIAL_VIEWER, (province_id,))
        assert _dashboard_differences(viewer, floor.dashboard(year=YEAR, province_id=province_id)) == []


def test_grouped_report_in_vnd_equals_the_floor(register: None) -> None:
    admin = _user("admin", Role.ADMINISTRATOR)
    every_status = replace(floor.grouped_spec("VND"), statuses=StatusBasis.ALL)
    amity = floor.report_figures(report(admin, every_status), floor.KeyIds())
    figures = floor.grouped(currency="VND")
    assert len(figures) > 100
    assert floor.differences(amity, figures) == []
    totals = [sum(v[i] or 0 for v in figures.values()) for i in (0, 1)]
    assert all(total > 0 for total in totals)


def test_floor_counts_only_alive_records(register: None) -> None:
    """Deleting an item and a transaction (as the services do: soft delete, then refresh) changes both sides."""
    from django.utils import timezone

    from amity.reports.facts import facts_refresh

    tx = Transaction.objects.filter(transaction_type="3", value_date__year=YEAR).order_by("pk").first()
    item = AidItem.objects.exclude(pk=tx.aid_item_id).filter(transactions__value_date__year=YEAR).first()
    Transaction.objects.filter(pk=tx.pk).update(deleted_at=timezone.now())
    AidItem.objects.filter(pk=item.pk).update(deleted_at=timezone.now())
    facts_refresh([tx.aid_item_id, item.pk])
    central = _user("central", Role.CENTRAL_OFFICER)
    assert _dashboard_differences(central, floor.dashboard(year=YEAR)) == []
    assert date(YEAR, 1, 1) <= tx.value_date <= date(YEAR, 12, 31)


def test_reversals_shares_and_nationwide_aid_are_allocated_alike_in_sql_and_in_python(register: None) -> None:
    """Nationwide aid has one part with no province. Negative amounts are split as their size with the sign on
    each part, and only Viet Nam's share (rounded half-even to the unit) is split: the same in SQL as in Python,
    to the last cent and đồng."""
    transactions = list(Transaction.objects.order_by("pk")[:400])
    shares = ["33.33", "20.00", "50.00", "12.50", "66.67"]
    for index, tx in enumerate(transactions):
        if index % 3 == 0:
            tx.amount, tx.amount_usd, tx.amount_vnd = -tx.amount, -tx.amount_usd, -tx.amount_vnd
        if index % 2 == 0:
            tx.viet_nam_share = Decimal(shares[index % len(shares)])
    Transaction.objects.bulk_update(transactions, ["amount", "amount_usd", "amount_vnd", "viet_nam_share"])
    items = sorted({tx.aid_item_id for tx in transactions})
    LocationSplit.objects.filter(aid_item_id__in=items[::4]).delete()  # nationwide: no province
    facts_refresh(items)
    by_python = _facts()
    assert any(row[FACT_COLUMNS.index("amount_usd")] < 0 for row in by_python)
    assert any(row[FACT_COLUMNS.index("province_id")] is None for row in by_python)

    facts_refresh(items, in_sql=True)

    assert _facts() == by_python
