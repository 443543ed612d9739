"""The `rate` filter: eight significant digits, whole units kept, no trailing zeros, grouped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from amity.reference.templatetags.reference import rate


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("22602.050000000000", "22,602.05"),
        ("24164.885833333300", "24,164.886"),
        ("0.923889546118", "0.92388955"),
        ("1.000000000000", "1"),
        ("6723052073.338105000000", "6,723,052,073"),
        ("100.000000000000", "100"),
        ("0.000000123457", "0.000000123457"),
    ],
)
def test_rates_show_eight_significant_digits_and_no_trailing_zeros(stored: str, shown: str):
    with translation.override("en"):
        assert rate(Decimal(stored)) == shown


def test_a_missing_rate_shows_a_dash():
    assert rate(None) == "—"
