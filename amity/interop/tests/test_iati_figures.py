"""Figures from donor files shaped like the real ones: negative transactions (reversals, de-obligations,
refunds), several recipient countries with and without percentages, transaction-level countries, no
sub-national locations, several currencies, damaged characters. The sums Amity reports must equal an
independent count of Viet Nam's net share, to the cent, per transaction type and currency."""

from __future__ import annotations

import io
import random
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from django.db.models import Sum
from lxml import etree

from amity.aid.models import AidItem, Transaction
from amity.core.money import percentage_of
from amity.interop.iati.importer import IatiImporter
from amity.reports.models import ReportFact

pytestmark = pytest.mark.django_db

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "AUD")
NEIGHBOURS = ("KH", "LA", "MM", "TH")
VIET_NAM = '<recipient-country code="VN"/>'


def _transaction(kind: str, day: str, amount: Decimal, currency: str, country: str = "") -> str:
    recipient = f'<recipient-country code="{country}"/>' if country else ""
    return (
        f'<transaction><transaction-type code="{kind}"/><transaction-date iso-date="{day}"/>'
        f'<value currency="{currency}" value-date="{day}">{amount}</value>{recipient}</transaction>'
    )


def _activity(identifier: str, countries: str, transactions: str, *, location: str = "") -> str:
    return f"""
 <iati-activity default-currency="USD">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="GB-GOV-1" type="10"><narrative>Donor Government</narrative></reporting-org>
  <title><narrative xml:lang="en">Activity {identifier}</narrative></title>
  <participating-org ref="GB-GOV-1" role="1" type="10"><narrative>Donor Government</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2021-01-01"/>
  {countries}
  {location}
  <sector vocabulary="1" code="12220" percentage="70"/><sector vocabulary="1" code="11220" percentage="30"/>
  {transactions}
 </iati-activity>"""


def donor_file(seed: int, activities: int = 40) -> bytes:
    """A donor's Viet Nam portfolio as published: no sub-national locations, reversals, shares."""
    rng = random.Random(seed)
    body = []
    for number in range(activities):
        shape = number % 5
        if shape == 0:  # Viet Nam alone
            countries = '<recipient-country code="VN" percentage="100"/>'
        elif shape == 1:  # shared, with percentages
            others = rng.sample(NEIGHBOURS, 3)
            countries = (
                f'<recipient-country code="{others[0]}" percentage="30"/>'
                f'<recipient-country code="{others[1]}" percentage="20"/>'
                f'<recipient-country code="{others[2]}" percentage="30"/>'
                '<recipient-country code="VN" percentage="20"/>'
            )
        elif shape == 2:  # shared, without percentages: an equal split
            countries = '<recipient-country code="LA"/><recipient-country code="VN"/><recipient-country code="KH"/>'
        elif shape == 3:  # countries named by each transaction
            countries = ""
        else:  # one country, no percentage
            countries = '<recipient-country code="VN"/>'
        rows = []
        for _ in range(rng.randint(2, 6)):
            kind = rng.choice("2233")
            currency = rng.choice(CURRENCIES)
            amount = Decimal(rng.randint(1, 5_000_000)) / 100
            day = f"20{rng.randint(21, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            country = rng.choice(["VN", "VN", "KH"]) if shape == 3 else ""
            rows.append(_transaction(kind, day, amount, currency, country))
            if rng.random() < 0.4:  # its reversal, whole or in part, later the same year
                back = -(amount if rng.random() < 0.5 else (amount / 3).quantize(Decimal("0.01")))
                rows.append(_transaction(kind, day[:5] + "12-30", back, currency, country))
        if number % 7 == 0:
            rows.append(_transaction("3", "2023-05-05", Decimal(0), "USD", "VN" if shape == 3 else ""))
        body.append(_activity(f"GB-GOV-1-VN-{seed}-{number}", countries, "".join(rows)))
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">'
    return f"{head}{''.join(body)}\n</iati-activities>\n".encode()


def viet_nam_net_share(content: bytes) -> dict[tuple[str, str], Decimal]:
    """An independent count, from the XML alone: per (transaction type, currency), the sum of Viet Nam's
    share of every transaction, each rounded half-even to the cent. A transaction naming a country counts
    wholly if it is VN, else not at all; one naming none counts by the activity's VN percentage (100 with no
    countries or VN alone; VN's percentage; the equal split by largest remainder when none has one)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for activity in etree.fromstring(content).iter("iati-activity"):
        countries = [(c.get("code"), c.get("percentage")) for c in activity.findall("recipient-country")]
        codes = [code for code, _ in countries]
        if not countries or codes == ["VN"]:
            activity_share = Decimal(100)
        elif "VN" not in codes:
            activity_share = Decimal(0)
        elif all(pct is None for _, pct in countries):
            basis_points = [10000 // len(codes)] * len(codes)
            for index in range(10000 - sum(basis_points)):
                basis_points[index] += 1
            activity_share = Decimal(basis_points[codes.index("VN")]) / 100
        else:
            activity_share = Decimal(dict(countries)["VN"])
        for tx in activity.findall("transaction"):
            named = tx.find("recipient-country")
            share = activity_share if named is None else Decimal(100 if named.get("code") == "VN" else 0)
            value = tx.find("value")
            part = (Decimal(value.text) * share / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
            if part:
                totals[(tx.find("transaction-type").get("code"), value.get("currency"))] += part
    return dict(totals)


def amity_sums() -> dict[tuple[str, str], Decimal]:
    rows = ReportFact.objects.values_list("transaction_type", "currency__code").annotate(total=Sum("amount"))
    return {(kind, currency): total for kind, currency, total in rows if total}


def run_import(content: bytes, **options: Any) -> Any:
    from amity.conftest import province

    importer = IatiImporter(owning_province=province("31"), vn_only=True, source_name="donor.xml", **options)
    return importer.import_stream(io.BytesIO(content))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sums_of_a_donor_file_equal_viet_nams_net_share_counted_independently(seed: int) -> None:
    content = donor_file(seed)
    result = run_import(content)

    assert result.skipped == 0, result.problems
    assert amity_sums() == {key: total for key, total in viet_nam_net_share(content).items() if total}
    # USD and VND: every stored transaction's counted share reaches the facts, not a cent more or less.
    for column, quantum in (("amount_usd", Decimal("0.01")), ("amount_vnd", Decimal(1))):
        counted = sum(
            (percentage_of(getattr(tx, column), tx.viet_nam_share, quantum) for tx in Transaction.objects.all()),
            Decimal(0),
        )
        assert ReportFact.objects.aggregate(total=Sum(column))["total"] == counted
    assert any(tx.amount < 0 for tx in Transaction.objects.all())


def test_a_second_import_of_the_same_donor_file_changes_nothing() -> None:
    content = donor_file(3, activities=15)
    first = run_import(content)
    facts = amity_sums()

    again = run_import(content)

    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert amity_sums() == facts


def test_a_disbursement_and_its_reversal_net_to_nothing() -> None:
    rows = _transaction("3", "2022-03-01", Decimal("650000"), "USD") + _transaction(
        "3", "2022-09-01", Decimal("-650000"), "USD"
    )
    run_import(f'<iati-activities version="2.03">{_activity("XX-1", VIET_NAM, rows)}</iati-activities>'.encode())

    assert Transaction.objects.count() == 2
    assert ReportFact.objects.filter(transaction_type="3").aggregate(total=Sum("amount_usd"))["total"] == 0


def test_a_net_negative_disbursement_is_reported_negative() -> None:
    rows = (
        _transaction("3", "2022-03-01", Decimal("650000"), "USD")
        + _transaction("3", "2022-06-01", Decimal("-1700000"), "USD")
        + _transaction("3", "2022-09-01", Decimal("-650000"), "USD")
    )
    run_import(f'<iati-activities version="2.03">{_activity("XX-2", VIET_NAM, rows)}</iati-activities>'.encode())

    assert ReportFact.objects.aggregate(total=Sum("amount_usd"))["total"] == Decimal("-1700000.00")


def test_only_viet_nams_share_of_a_multi_country_activity_counts_and_the_share_is_stored_and_reported() -> None:
    countries = (
        '<recipient-country code="KH" percentage="30"/><recipient-country code="LA" percentage="20"/>'
        '<recipient-country code="MM" percentage="30"/><recipient-country code="VN" percentage="20"/>'
    )
    rows = _transaction("2", "2022-03-01", Decimal("1000000"), "USD") + _transaction(
        "3", "2022-04-01", Decimal("500000"), "USD", "VN"
    )
    result = run_import(
        f'<iati-activities version="2.03">{_activity("XX-3", countries, rows)}</iati-activities>'.encode()
    )

    item = AidItem.objects.get()
    assert item.viet_nam_share == Decimal("20.00")
    shares = dict(Transaction.objects.values_list("transaction_type", "viet_nam_share"))
    assert shares == {"2": Decimal("20.00"), "3": Decimal("100.00")}  # the disbursement names Viet Nam
    sums = dict(ReportFact.objects.values_list("transaction_type").annotate(total=Sum("amount_usd")))
    assert sums == {"2": Decimal("200000.00"), "3": Decimal("500000.00")}
    assert any("20" in str(problem.params.get("share", "")) for problem in result.problems)


def test_transactions_for_another_country_are_left_out_and_counted_in_the_report() -> None:
    rows = _transaction("3", "2022-03-01", Decimal("100"), "USD", "VN") + _transaction(
        "3", "2022-03-01", Decimal("900"), "USD", "KH"
    )
    result = run_import(f'<iati-activities version="2.03">{_activity("XX-4", "", rows)}</iati-activities>'.encode())

    assert result.transactions_other_countries == 1
    assert result.summary()["transactions_other_countries"] == 1
    assert [tx.amount for tx in Transaction.objects.all()] == [Decimal("100.00")]


def test_recipient_countries_without_percentages_are_split_equally_with_a_warning() -> None:
    countries = '<recipient-country code="LA"/><recipient-country code="VN"/><recipient-country code="KH"/>'
    rows = _transaction("2", "2022-03-01", Decimal("300"), "USD")
    result = run_import(
        f'<iati-activities version="2.03">{_activity("XX-5", countries, rows)}</iati-activities>'.encode()
    )

    assert AidItem.objects.get().viet_nam_share == Decimal("33.33")
    assert ReportFact.objects.aggregate(total=Sum("amount_usd"))["total"] == Decimal("99.99")
    assert any(problem.params.get("count") == 3 for problem in result.problems)


def test_a_zero_transaction_is_left_out_with_a_warning() -> None:
    rows = _transaction("3", "2022-03-01", Decimal("0"), "USD") + _transaction("3", "2022-03-02", Decimal("5"), "USD")
    result = run_import(
        f'<iati-activities version="2.03">{_activity("XX-6", VIET_NAM, rows)}</iati-activities>'.encode()
    )

    assert Transaction.objects.count() == 1
    assert any(problem.field == "transaction/value" and not problem.skipped for problem in result.problems)
