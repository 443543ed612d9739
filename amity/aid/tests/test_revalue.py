"""Stored USD/VND values follow the exchange rates: a changed rate re-values the transactions it affects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from amity.aid.models import AidItem, Transaction
from amity.aid.services import transaction_create, transactions_revalue
from amity.reference.models import Currency, ExchangeRate
from amity.reference.signals import rates_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def eur_tx(users, hai_phong):
    item = AidItem.objects.create(title_vi="Học bổng", modality="non_project", owning_province=hai_phong)
    return transaction_create(
        user=users["editor"],
        aid_item=item,
        data={
            "transaction_type": "3",
            "date": date(2023, 6, 1),
            "value_date": date(2023, 6, 1),
            "amount": Decimal("1000.00"),
            "currency": Currency.objects.get(code="EUR"),
        },
    )


def eur_2023() -> ExchangeRate:
    return ExchangeRate.objects.get(currency__code="EUR", frequency="A", period_start=date(2023, 1, 1))


def test_transaction_is_valued_at_the_value_date_rates_with_their_source(eur_tx):
    eur = eur_2023().rate
    vnd = ExchangeRate.objects.get(currency__code="VND", frequency="A", period_start=date(2023, 1, 1)).rate
    assert eur_tx.amount_usd == (Decimal(1000) / eur).quantize(Decimal("0.01"))
    assert eur_tx.amount_vnd == (Decimal(1000) * vnd / eur).quantize(Decimal(1))
    assert eur_tx.rate_date == date(2023, 1, 1)
    assert "EUR" in eur_tx.rate_source and "VND" in eur_tx.rate_source


def test_a_changed_rate_revalues_the_transactions_in_that_currency(eur_tx, django_capture_on_commit_callbacks):
    rate = eur_2023()
    rate.rate = Decimal("0.5")
    rate.save()
    with django_capture_on_commit_callbacks(execute=True):
        rates_changed.send(sender=ExchangeRate, currencies=["EUR"])
    assert Transaction.objects.get(pk=eur_tx.pk).amount_usd == Decimal("2000.00")


def test_revalue_changes_nothing_when_rates_did_not_change(eur_tx):
    assert transactions_revalue() == 0
