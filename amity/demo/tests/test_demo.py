"""The demo data reproduces the published figures when computed through the list's FilterSet and the
aid selectors — the same code the pages use."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from amity.accounts.models import User
from amity.aid.filtersets import AidItemFilterSet
from amity.aid.models import AidItem, Transaction
from amity.aid.selectors import transaction_totals
from amity.demo.register import demo_load, demo_remove
from amity.organisations.models import Organisation, Registration

pytestmark = pytest.mark.django_db

MILLION = Decimal(1_000_000)


def millions(value: Decimal, places: str = "0.01") -> Decimal:
    return (value / MILLION).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def items(**params: str):  # type: ignore[no-untyped-def]
    filterset = AidItemFilterSet(params, queryset=AidItem.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    demo_load()


def test_hai_duong_2018_2024_matches_the_union_report(demo):
    totals = transaction_totals(
        items(era="pre2025", province="30"), date_from=date(2018, 1, 1), date_to=date(2024, 12, 31)
    )
    assert totals.aid_items == 70
    assert millions(totals.committed_usd) == Decimal("5.84")
    # 147.6 billion VND at the fixed rate of 25,274 VND/USD used by the source
    assert (totals.committed_usd * 25274 / Decimal(10**9)).quantize(Decimal("0.1")) == Decimal("147.6")
    assert totals.donors == 12


def test_hai_duong_period_is_1_8_times_the_previous_one(demo):
    hai_duong = items(era="pre2025", province="30")
    recent = transaction_totals(hai_duong, date_from=date(2018, 1, 1), date_to=date(2024, 12, 31))
    earlier = transaction_totals(hai_duong, date_from=date(2012, 1, 1), date_to=date(2017, 12, 31))
    assert (recent.committed_usd / earlier.committed_usd).quantize(Decimal("0.1")) == Decimal("1.8")


def test_hai_duong_aid_is_found_under_hai_phong_in_the_current_era(demo):
    hai_duong_ids = set(items(era="pre2025", province="30").values_list("pk", flat=True))
    hai_phong_ids = set(items(province="31").values_list("pk", flat=True))
    assert hai_duong_ids and hai_duong_ids <= hai_phong_ids


def test_son_la_2023_matches_the_conference_report(demo):
    totals = transaction_totals(items(province="14"), date_from=date(2023, 1, 1), date_to=date(2023, 12, 31))
    assert millions(totals.committed_usd, "0.1") == Decimal("4.9")
    committed_2023 = Transaction.objects.filter(
        transaction_type="2", value_date__year=2023, aid_item__in=items(province="14")
    )
    assert committed_2023.values("aid_item").distinct().count() == 6
    licensed = (
        Registration.objects.filter(
            provinces__code="14",
            provinces__era="2025",
            state="in_force",
            issue_date__lte=date(2024, 6, 30),
            expiry_date__gte=date(2024, 6, 30),
        )
        .values("organisation")
        .distinct()
    )
    assert licensed.count() == 31


def test_national_disbursements_match_the_reported_totals(demo):
    everything = AidItem.objects.all()
    by_year = {
        year: transaction_totals(everything, date_from=date(year, 1, 1), date_to=date(year, 12, 31)).disbursed_usd
        for year in (2022, 2023)
    }
    assert millions(by_year[2023], "0.1") == Decimal("228.7")
    assert millions(by_year[2022], "0.1") == Decimal("223.8")
    assert millions(by_year[2023] - by_year[2022], "0.1") == Decimal("4.9")


def test_demo_uses_several_currencies_and_converts_each_transaction(demo):
    currencies = set(Transaction.objects.values_list("currency__code", flat=True))
    assert {"USD", "EUR", "KRW", "AUD"} <= currencies
    assert not Transaction.objects.filter(rate_source="").exclude(currency__code="USD").exists()


def test_demo_splits_add_up_to_100(demo):
    for item in AidItem.objects.prefetch_related("sectors", "locations"):
        assert sum(s.percentage for s in item.sectors.all()) == 100
        assert sum(loc.percentage for loc in item.locations.all()) == 100


def test_demo_is_idempotent_and_removable(demo):
    counts = (AidItem.all_objects.count(), Transaction.all_objects.count(), Organisation.all_objects.count())
    assert demo_load() == {}
    assert (
        AidItem.all_objects.count(),
        Transaction.all_objects.count(),
        Organisation.all_objects.count(),
    ) == counts
    demo_remove()
    assert not AidItem.all_objects.filter(is_demo=True).exists()
    assert not Organisation.all_objects.filter(is_demo=True).exists()
    assert not AidItem.history.filter(is_demo=True).exists()


def test_every_demo_transaction_falls_within_its_donors_registration(demo):
    registrations = {
        r.organisation_id: (r.issue_date, r.expiry_date) for r in Registration.objects.filter(is_demo=True)
    }
    outside = [
        tx
        for tx in Transaction.objects.all()
        if tx.provider_id in registrations
        and not registrations[tx.provider_id][0] <= tx.date <= registrations[tx.provider_id][1]
    ]
    assert outside == []


# --- up to the day it is loaded ------------------------------------------------------------------------------

LOADED_ON = date(2026, 11, 20)


@pytest.fixture
def demo_of_the_day(users):  # type: ignore[no-untyped-def]
    demo_load(today=LOADED_ON)
    return users


def test_the_demo_runs_up_to_the_day_it_is_loaded_and_never_past_it(demo_of_the_day):
    dates = Transaction.objects.filter(is_demo=True).values_list("value_date", flat=True)
    assert max(dates) <= LOADED_ON
    assert max(dates) >= LOADED_ON - timedelta(days=45)  # a new user sees this month's figures
    everything = AidItem.objects.all()
    for year in (2025, 2026):
        totals = transaction_totals(everything, date_from=date(year, 1, 1), date_to=date(year, 12, 31))
        assert totals.disbursed_usd > 100 * MILLION, year  # of the order of the published years


def test_recent_aid_is_located_in_the_old_provinces_until_july_2025_and_the_new_ones_after(demo_of_the_day):
    from amity.aid.models import LocationSplit

    recent = LocationSplit.objects.filter(aid_item__is_demo=True, aid_item__planned_start__gte=date(2025, 1, 1))
    before = set(recent.filter(aid_item__planned_start__lt=date(2025, 7, 1)).values_list("unit__era", flat=True))
    after = set(recent.filter(aid_item__planned_start__gte=date(2025, 7, 1)).values_list("unit__era", flat=True))
    assert before == {"pre2025"} and after == {"2025"}


def test_hai_phong_has_current_figures_and_items_awaiting_a_decision(demo_of_the_day):
    from amity.aid.choices import AidStatus

    hai_phong = items(province="31")
    this_year = transaction_totals(hai_phong, date_from=date(2026, 1, 1), date_to=LOADED_ON)
    assert this_year.aid_items > 0 and this_year.disbursed_usd > 0
    pending = hai_phong.filter(status__in=[AidStatus.PROPOSED, AidStatus.UNDER_APPRAISAL], is_demo=True)
    assert pending.count() == 2
    in_appraisal = pending.get(status=AidStatus.UNDER_APPRAISAL)
    assert in_appraisal.appraisal_started_on == LOADED_ON - timedelta(days=10)  # its 20-day deadline still ahead


def test_the_watch_list_has_licences_ending_soon_and_few_inactive_ngos(demo_of_the_day):
    from amity.organisations.selectors import (
        organisations_inactive,
        registrations_expiring,
        registrations_extension_overdue,
    )

    approver = demo_of_the_day["approver"]  # Hải Phòng
    expiring = list(registrations_expiring(user=approver, today=LOADED_ON))
    assert [(r.expiry_date - LOADED_ON).days for r in expiring] == [18, 41, 55, 77, 86]
    assert registrations_extension_overdue(user=approver, today=LOADED_ON).count() == 3
    assert all(r.events.filter(kind="extended").exists() for r in expiring)  # renewed before, ending now
    central = demo_of_the_day["central"]
    registered = Registration.objects.filter(is_demo=True, expiry_date__gte=LOADED_ON).count()
    assert organisations_inactive(user=central, today=LOADED_ON).count() < registered // 10


def test_the_published_figures_do_not_depend_on_the_loading_day(db):  # type: ignore[no-untyped-def]
    demo_load(today=date(2025, 3, 1))
    totals = transaction_totals(
        items(era="pre2025", province="30"), date_from=date(2018, 1, 1), date_to=date(2024, 12, 31)
    )
    assert (totals.aid_items, millions(totals.committed_usd)) == (70, Decimal("5.84"))
    assert max(Transaction.objects.values_list("value_date", flat=True)) <= date(2025, 3, 1)


def test_the_five_documents_of_the_source_article_are_linked_as_it_tells(demo):
    from amity.documents.models import Document
    from amity.documents.selectors import documents_linked_to, records_linked_to

    admin = User.objects.get(username="admin")
    documents = {d.number_symbol: d for d in Document.objects.filter(is_demo=True)}
    assert set(documents) == {"38-CT/TW", "12-CT/TW", "124-KH/TU", "1970/KH-UBND", "308/QĐ-UBND"}
    assert documents["308/QĐ-UBND"].kind == "decision" and documents["38-CT/TW"].kind == "directive"
    assert set(documents["12-CT/TW"].implemented_by.all()) == {documents["124-KH/TU"], documents["1970/KH-UBND"]}
    union = Organisation.objects.get(name="Liên hiệp các tổ chức hữu nghị tỉnh Hải Dương")
    assert {d.number_symbol for d in documents_linked_to(user=admin, record=union)} == {
        "38-CT/TW",
        "124-KH/TU",
        "1970/KH-UBND",
        "308/QĐ-UBND",
    }
    items = [found.record for found in records_linked_to(user=admin, document=documents["308/QĐ-UBND"])]
    assert any(isinstance(record, AidItem) for record in items)
    demo_remove()
    assert not Document.all_objects.filter(is_demo=True).exists()
