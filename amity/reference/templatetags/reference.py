"""Template filters for reference pages (`{% load reference %}`)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

# Enough to tell rates apart (VND 23,050.242; EUR 0.92388955) without the 12 stored decimals.
RATE_SIGNIFICANT_DIGITS = 8


@register.filter
def rate(value: Decimal | None) -> str:
    """A rate to 8 significant digits (whole units are never rounded away), without trailing zeros, grouped
    as the active language groups."""
    if value is None:
        return "—"
    decimals = max(0, RATE_SIGNIFICANT_DIGITS - value.adjusted() - 1)
    rounded = value.quantize(Decimal(1).scaleb(-decimals))
    places = max(0, -int(rounded.normalize().as_tuple().exponent))
    return floatformat(rounded, f"{places}g")
