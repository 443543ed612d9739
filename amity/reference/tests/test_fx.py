"""The rate notes and the missing-rate message: said in the reader's language from the rates themselves, with the
reader's dates and numbers; the stored source text stays data in English."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from amity.reference.fx import MissingRate, RateBook, RateNote
from amity.reference.models import Currency, ExchangeRate

pytestmark = pytest.mark.django_db


def in_language(language: str, value: object) -> str:
    with translation.override(language):
        return str(value)


def test_a_missing_rate_is_said_in_the_readers_language_when_read() -> None:
    with translation.override(None):  # as the valuation raises it, writing data in English
        error = MissingRate("KPW", date(2026, 3, 1))
    assert in_language("en", error).startswith("No exchange rate for KPW is loaded for 03/01/2026 or any earlier")
    assert in_language("vi", error).startswith("Chưa có tỷ giá của KPW cho ngày 01/03/2026 hoặc bất kỳ ngày nào trước")
    arabic = in_language("ar", error)
    assert "KPW" in arabic and "سعر صرف" in arabic and "No exchange rate" not in arabic


def test_a_rate_of_the_value_date_is_named_by_its_period_and_source() -> None:
    note = RateBook().note("EUR", date(2023, 6, 1), date(2023, 1, 1))
    assert isinstance(note, RateNote) and not note.latest_available
    assert [rate.currency for rate in note.rates] == ["EUR", "VND"]
    assert in_language("en", note) == "Rate: 2023 average (IMF International Financial Statistics)"
    assert in_language("vi", note) == "Tỷ giá: bình quân năm 2023 (Thống kê Tài chính Quốc tế của IMF)"
    assert in_language("ar", note).startswith("سعر الصرف: متوسط عام 2023")


def test_an_amount_after_the_latest_rate_says_it_is_valued_at_the_latest_available() -> None:
    note = RateBook().note("EUR", date(2026, 3, 15), date(2024, 1, 1))
    assert note is not None and note.latest_available
    assert in_language("en", note) == (
        "Latest rate available: 2024 average (IMF International Financial Statistics); "
        "no rate is loaded yet for 03/15/2026."
    )
    vietnamese = in_language("vi", note)
    assert vietnamese.startswith("Tỷ giá mới nhất hiện có: bình quân năm 2024")
    assert "15/03/2026" in vietnamese and "latest" not in vietnamese
    assert in_language("ar", note).startswith("أحدث سعر صرف متاح: متوسط عام 2024")


def test_usd_and_vnd_amounts_need_only_the_vnd_rate() -> None:
    book = RateBook()
    for currency in ("USD", "VND"):
        note = book.note(currency, date(2023, 6, 1), date(2023, 1, 1))
        assert note is not None and [rate.currency for rate in note.rates] == ["VND"]


def test_rates_of_different_periods_are_named_each() -> None:
    ExchangeRate.objects.create(
        currency=Currency.objects.get(code="EUR"),
        frequency="M",
        period_start=date(2024, 3, 1),
        period_end=date(2024, 3, 31),
        rate=Decimal("0.92"),
        source="ECB reference rates",  # typed in the administration: shown as typed
    )
    note = RateBook().note("EUR", date(2024, 3, 10), date(2024, 3, 1))
    assert note is not None and not note.latest_available
    assert in_language("en", note) == (
        "Rate: EUR: March 2024 average; VND: 2024 average (ECB reference rates; IMF International Financial Statistics)"
    )


def test_no_note_for_a_stored_conversion_whose_rate_is_no_longer_loaded() -> None:
    book = RateBook()
    assert book.note("EUR", date(2023, 6, 1), date(2022, 1, 1)) is None  # re-valuation pending
    assert book.note("XTS", date(2023, 6, 1)) is None  # no rate at all
