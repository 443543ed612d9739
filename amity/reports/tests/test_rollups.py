"""The yearly rollups (`amity.reports.rollups`) answer every report they are chosen for exactly as the facts
do, on either status basis, stay exact through writes (differences appended by `facts_refresh`, status changes
included), and are compacted by a rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from amity.accounts.choices import Role
from amity.accounts.models import User
from amity.aid.choices import OFFICIAL_STATUSES, AidStatus
from amity.aid.models import AidItem, Transaction
from amity.reports import rollups, selectors
from amity.reports.facts import facts_rebuild_all, facts_refresh
from amity.reports.models import ReportFact, ReportRollup
from amity.reports.selectors import report
from amity.reports.spec import Basis, BasisKind, Dimension, Measure, ReportSpec, StatusBasis
from benchmarks.generate import generate

pytestmark = pytest.mark.django_db

YEAR = 2024
MONEY = (Measure.COMMITTED, Measure.DISBURSED, Measure.EXPENDITURE)
UNAPPROVED = (AidStatus.PROPOSED, AidStatus.UNDER_APPRAISAL, AidStatus.REJECTED, AidStatus.APPROVAL_REVOKED)


@pytest.fixture(scope="module")
def register(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        generate(items=120, transactions=1500, organisations=80, seed=11, facts="none", analyze=False)
        # The generator's aid is approved or later but for a few cancelled items: add the pipeline and its ends.
        items = list(AidItem.all_objects.order_by("pk").values_list("pk", flat=True))
        for offset, status in enumerate(UNAPPROVED):
            AidItem.all_objects.filter(pk__in=items[offset::10]).update(status=status)
        facts_rebuild_all()
        yield
        transaction.set_rollback(True)


def _user(name: str, role: str, provinces: tuple[int, ...] = ()) -> User:
    user = User.objects.create_user(username=name, password="x", role=role)
    user.jurisdictions.set(provinces)
    return user


def _figures(user: User, spec: ReportSpec, *, from_facts: bool = False) -> tuple[Any, ...]:
    if from_facts:
        original = selectors.rollup_grain
        selectors.rollup_grain = lambda user, spec: None  # type: ignore[assignment]
        try:
            return _figures(user, spec)
        finally:
            selectors.rollup_grain = original
    result = report(user, spec)
    rows = [(tuple(k.value for k in row.keys), tuple(sorted(row.values.items())), row.link) for row in result.rows]
    return rows, sorted(result.totals.items())


def _province_ids() -> list[int]:
    return list(ReportFact.objects.order_by("province_id").values_list("province_id", flat=True).distinct()[:3])


ON_EACH_BASIS = [
    ReportSpec(group_by=(Dimension.YEAR,)),
    ReportSpec(
        measures=MONEY, group_by=(Dimension.YEAR, Dimension.SECTOR_CATEGORY, Dimension.PROVINCE), currency="VND"
    ),
    ReportSpec(group_by=(Dimension.PROVINCE,), era="pre2025", date_from=date(2015, 1, 1), date_to=date(2024, 12, 31)),
    ReportSpec(group_by=(Dimension.DONOR_COUNTRY, Dimension.DONOR)).with_period(date(YEAR, 1, 1), date(YEAR, 12, 31)),
    ReportSpec(group_by=(Dimension.SECTOR, Dimension.MODALITY, Dimension.STATUS)),
    ReportSpec(
        group_by=(Dimension.YEAR,), currency="VND", basis=Basis(BasisKind.FIXED_RATE, Decimal("25274")), filters={}
    ),
    ReportSpec(),  # totals only
]
SPECS = [replace(spec, statuses=basis) for spec in ON_EACH_BASIS for basis in StatusBasis]


def test_the_register_has_aid_outside_the_official_figures(register: None) -> None:
    central = _user("central", Role.CENTRAL_OFFICER)
    for spec in ON_EACH_BASIS:
        official, every_status = (_figures(central, replace(spec, statuses=basis)) for basis in StatusBasis)
        assert official != every_status, spec


def test_rollups_answer_as_the_facts_do(register: None) -> None:
    central = _user("central", Role.CENTRAL_OFFICER)
    sector = ReportFact.objects.exclude(sector=None).values_list("sector__code", flat=True).first()
    specs = [
        *SPECS,
        ReportSpec(group_by=(Dimension.YEAR,), filters={"sector": sector, "is_relief": "false"}),
        ReportSpec(group_by=(Dimension.YEAR,), filters={"sector": sector}, statuses=StatusBasis.ALL),
        ReportSpec(group_by=(Dimension.MODALITY,), filters={"sector": sector[:3], "status": "closed"}),
        ReportSpec(group_by=(Dimension.MODALITY,), filters={"status": "proposed"}, statuses=StatusBasis.ALL),
    ]
    for spec in specs:
        assert rollups.rollup_grain(central, spec) is not None, spec
        assert _figures(central, spec) == _figures(central, spec, from_facts=True), spec
    viewer = _user("viewer", Role.PROVINCIAL_VIEWER, tuple(_province_ids()[:2]))
    for spec in SPECS:
        assert _figures(viewer, spec) == _figures(viewer, spec, from_facts=True), spec


def test_the_smallest_grain_that_answers(register: None) -> None:
    central = _user("central", Role.CENTRAL_OFFICER)
    year = ReportSpec().with_period(date(YEAR, 1, 1), date(YEAR, 12, 31))
    grain = rollups.rollup_grain
    assert grain(central, ReportSpec(group_by=(Dimension.YEAR,))) == 1
    assert grain(central, ReportSpec(group_by=(Dimension.YEAR,), statuses=StatusBasis.ALL)) == 1
    assert grain(central, ReportSpec(filters={"status": "proposed"}, statuses=StatusBasis.ALL)) == 5
    assert grain(central, ReportSpec(group_by=(Dimension.SECTOR_CATEGORY, Dimension.PROVINCE))) == 2
    assert grain(central, ReportSpec(group_by=(Dimension.PROVINCE,), era="pre2025")) == 3
    assert grain(central, ReportSpec(group_by=(Dimension.DONOR,), filters={"province": "01"})) == 4
    assert grain(central, ReportSpec(group_by=(Dimension.YEAR,), filters={"sector": "11220"})) == 5
    # What only the facts can answer.
    assert grain(AnonymousUser(), ReportSpec()) is None
    assert grain(central, ReportSpec(measures=(Measure.AID_ITEMS,))) is None
    assert grain(central, ReportSpec(basis=Basis(BasisKind.RATES_ON, on=date(2024, 6, 30)))) is None
    assert grain(central, year.with_period(date(YEAR, 1, 1), date(YEAR, 6, 30))) is None
    assert grain(central, ReportSpec(filters={"beneficiary": "children"})) is None


def test_ngo_representatives_read_the_facts(register: None) -> None:
    from amity.organisations.models import Organisation

    donor = Organisation.all_objects.filter(
        participations__role="1", participations__aid_item__status__in=OFFICIAL_STATUSES
    ).first()
    user = User.objects.create_user(username="rep", password="x", role=Role.NGO_REPRESENTATIVE, organisation=donor)
    spec = ReportSpec(group_by=(Dimension.YEAR,))
    assert rollups.rollup_grain(user, spec) is None
    assert report(user, spec).rows


@pytest.mark.parametrize("in_sql", [False, True], ids=["python", "sql"])
def test_writes_keep_the_rollups_exact_and_a_rebuild_compacts_them(register: None, in_sql: bool) -> None:
    central = _user("central", Role.CENTRAL_OFFICER)
    before = [_figures(central, spec) for spec in SPECS]
    rows_before = ReportRollup.objects.count()

    # A province's only aid in a year goes away: its group must disappear, not stay as a zero row.
    fact = ReportFact.objects.filter(year=YEAR, transaction_type="3").order_by("pk").first()
    gone = ReportFact.objects.filter(year=YEAR, province=fact.province).values_list("aid_item", flat=True)
    AidItem.objects.filter(pk__in=list(gone)).update(deleted_at=timezone.now())
    tx = Transaction.objects.exclude(aid_item__in=list(gone)).order_by("pk").first()
    Transaction.objects.filter(pk=tx.pk).update(
        amount_usd=tx.amount_usd + Decimal("0.07"), amount_vnd=tx.amount_vnd + 1
    )
    other = Transaction.objects.exclude(aid_item__in=[*gone, tx.aid_item_id]).order_by("-pk").first()
    Transaction.objects.filter(pk=other.pk).update(deleted_at=timezone.now())
    # Official aid leaves the official figures (its approval revoked) and a proposal enters them (approved).
    touched = [*gone, tx.aid_item_id, other.aid_item_id]
    official = AidItem.objects.exclude(pk__in=touched).filter(status=AidStatus.CLOSED).order_by("pk").first()
    proposal = AidItem.objects.exclude(pk__in=touched).filter(status=AidStatus.PROPOSED).order_by("pk").first()
    AidItem.objects.filter(pk=official.pk).update(status=AidStatus.APPROVAL_REVOKED)
    AidItem.objects.filter(pk=proposal.pk).update(status=AidStatus.APPROVED)
    facts_refresh([*touched, official.pk, proposal.pk], in_sql=in_sql)

    assert ReportRollup.objects.count() > rows_before  # differences appended
    for spec in SPECS:
        assert _figures(central, spec) == _figures(central, spec, from_facts=True), spec
    assert any(_figures(central, spec) != figures for spec, figures in zip(SPECS, before, strict=True))
    by_province = ReportSpec(group_by=(Dimension.PROVINCE,)).with_period(date(YEAR, 1, 1), date(YEAR, 12, 31))
    provinces = [row.keys[0].value for row in report(central, by_province).rows]
    assert fact.province.code not in provinces

    after = [_figures(central, spec) for spec in SPECS]
    with_differences = ReportRollup.objects.count()
    rollups.rollups_rebuild()
    assert ReportRollup.objects.count() < with_differences
    assert ReportRollup.objects.filter(parts__lte=0).count() == 0
    assert [_figures(central, spec) for spec in SPECS] == after


def test_a_refresh_of_many_items_rebuilds_the_rollups(register: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from amity.reports import facts

    central = _user("central", Role.CENTRAL_OFFICER)
    monkeypatch.setattr(facts, "BATCH", 10)  # more items than one batch: one rebuild instead of differences
    items = list(AidItem.objects.order_by("pk").values_list("pk", flat=True)[:30])
    Transaction.objects.filter(aid_item__in=items, transaction_type="3").update(deleted_at=timezone.now())
    facts_refresh(items)
    assert ReportRollup.objects.filter(parts__lte=0).count() == 0  # rebuilt, no differences
    for spec in SPECS:
        assert _figures(central, spec) == _figures(central, spec, from_facts=True), spec
