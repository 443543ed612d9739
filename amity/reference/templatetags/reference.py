"""Template filters for reference pages (`{% load reference %}`)."""

from __future__ import annotations

from decimal import Context, Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

# Enough to tell rates apart (VND 23,050.242; EUR 0.92388955) without the 12 stored decimals.
RATE_SIGNIFICANT_DIGITS = 8


@register.filter
def rate(value: Decimal | None) -> str:
    """A rate with at most 8 significant digits, no trailing zeros, grouped as the active language groups."""
    if value is None:
        return "—"
    rounded = Context(prec=RATE_SIGNIFICANT_DIGITS).plus(value).normalize()
    places = max(0, -int(rounded.as_tuple().exponent))
    return floatformat(rounded, f"{places}g")
