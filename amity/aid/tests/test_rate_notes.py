"""How a transaction's USD and VND values were made, on its aid item's page and in the API, in the reader's
language: a 2026 amount valued at the 2024 average says so plainly; a currency without rates is refused in the
user's language; the stored rate source stays data in English."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from amity.aid.models import Transaction
from amity.conftest import client_for
from amity.reference.fx import forget_shared_rate_book
from amity.reference.models import Currency, ExchangeRate

from .factories import make_aid_item, make_transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    with translation.override("vi"):  # the user's language while saving: the stored source is English all the same
        make_transaction(users["editor"], item, amount="1000", currency="EUR", on=date(2023, 6, 1))
        make_transaction(users["editor"], item, amount="2500", currency="EUR", on=date(2026, 3, 15))
    return item


def page(user, item, language: str) -> str:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_stored_rate_source_is_english_data(item):
    late = Transaction.objects.get(date=date(2026, 3, 15))
    assert late.rate_date == date(2024, 1, 1)
    assert "(latest available)" in late.rate_source and "Annual average" in late.rate_source


def test_the_page_says_in_vietnamese_which_rate_valued_each_amount(users, item):
    html = page(users["viewer"], item, "vi")
    assert "Tỷ giá: bình quân năm 2023 (Thống kê Tài chính Quốc tế của IMF" in html
    assert "Tỷ giá mới nhất hiện có: bình quân năm 2024" in html and "15/03/2026" in html
    for english in ("Annual average", "latest available", "International Financial Statistics", "/USD,"):
        assert english not in html
    # The rates themselves with the reader's decimal comma.
    late = Transaction.objects.get(date=date(2026, 3, 15))
    vnd_per_eur = f"{late.vnd_per_unit.quantize(Decimal('0.01')):,}".replace(",", " ").replace(".", ",")
    assert f"× {vnd_per_eur.replace(' ', '.')}" in html


def test_the_page_says_it_in_arabic_and_english(users, item):
    arabic = page(users["viewer"], item, "ar")
    assert "أحدث سعر صرف متاح: متوسط عام 2024" in arabic and "Annual average" not in arabic
    english = page(users["viewer"], item, "en")
    assert "Latest rate available: 2024 average (IMF International Financial Statistics)" in english
    assert "Rate: 2023 average" in english


def test_a_note_waits_for_the_revaluation_after_rates_changed(users, item):
    # A finer rate is loaded for March 2026; the stored values are those of the 2024 average until re-valued.
    ExchangeRate.objects.create(
        currency_id=Transaction.objects.get(date=date(2026, 3, 15)).currency_id,
        frequency="M",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        rate=Decimal("0.91"),
        source="ECB",
    )
    forget_shared_rate_book()
    html = page(users["viewer"], item, "vi")
    assert "Đã quy đổi theo tỷ giá ngày 01/01/2024; tỷ giá đã thay đổi" in html


def test_a_currency_without_rates_is_refused_in_the_users_language(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    rateless = Currency.objects.exclude(code__in=ExchangeRate.objects.values("currency__code")).exclude(code="USD")
    code = rateless.order_by("code").first().code
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        make_transaction(users["editor"], item, currency=code, on=date(2026, 3, 1))
    message = error.value.message_dict["currency"][0]
    assert message.startswith(f"Chưa có tỷ giá của {code} cho ngày 01/03/2026 hoặc bất kỳ ngày nào trước đó")


def test_the_api_gives_the_note_in_the_requests_language(users, item):
    client = APIClient()
    client.force_authenticate(users["viewer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    rows = {row["date"]: row for row in client.get("/api/v1/transactions/").json()["results"]}
    late, early = rows["2026-03-15"], rows["2023-06-01"]
    assert late["rate_latest_available"] is True and early["rate_latest_available"] is False
    assert late["rate_note"].startswith("Tỷ giá mới nhất hiện có: bình quân năm 2024")
    assert "(latest available)" in late["rate_source"]  # the stored data, unchanged
