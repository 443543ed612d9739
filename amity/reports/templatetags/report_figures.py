"""How report figures read on the pages (`{% load report_figures %}`): amounts in the locale's format with their
currency, short amounts for headline cards ("USD 4.9 million"), signed differences, percentages and ratios."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()

EMPTY = "—"

# (threshold, message): the largest that fits is used; named placeholders so that each language orders them.
_SCALES = (
    (Decimal(10) ** 12, "trillion"),
    (Decimal(10) ** 9, "billion"),
    (Decimal(10) ** 6, "million"),
)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _number(value: Decimal, places: int) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _places(currency: str) -> int:
    return 0 if currency == "VND" else 2


@register.filter
def figure(value: Any, currency: str = "") -> str:
    """A report figure as a full number: money with the currency's decimals, counts without ("" = a count)."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return _number(number, _places(currency) if currency else 0)


@register.filter
def short_amount(value: Any, currency: str) -> str:
    """An amount rounded for a headline: "USD 4.9 million", "VND 147.6 billion", else the full amount."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    size = abs(number)
    for threshold, scale in _SCALES:
        if size >= threshold:
            amount = _number((number / threshold).quantize(Decimal("0.1")), 1)
            if scale == "trillion":
                return _("%(currency)s %(amount)s trillion") % {"currency": currency, "amount": amount}
            if scale == "billion":
                return _("%(currency)s %(amount)s billion") % {"currency": currency, "amount": amount}
            return _("%(currency)s %(amount)s million") % {"currency": currency, "amount": amount}
    return _("%(currency)s %(amount)s") % {"currency": currency, "amount": _number(number, _places(currency))}


@register.filter
def signed_amount(value: Any, currency: str) -> str:
    """A difference with its sign: "+ USD 4.9 million", "− USD 120,000.00"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return f"{sign} {short_amount(abs(number), currency)}"


@register.filter
def signed_percent(value: Any) -> str:
    """A percentage change with its sign: "+2.2 %"; "—" when there is nothing to compare with."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return f"{sign}{_number(abs(number), 1)} %"


@register.filter
def ratio(value: Any) -> str:
    """current ÷ previous: "1.8 ×"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{_number(number.quantize(Decimal('0.1')), 1)} ×"


@register.filter
def trend(value: Any) -> str:
    """up, down or flat: for the colour and the icon of a difference."""
    number = _decimal(value)
    if not number:
        return "flat"
    return "up" if number > 0 else "down"


@register.filter
def value_of(values: dict[Any, Any], measure: Any) -> Any:
    """A row's value for a measure (`row.values|value_of:measure`), from a report row or published JSON."""
    if values is None:
        return None
    if measure in values:
        return values[measure]
    return values.get(getattr(measure, "value", measure))


@register.filter
def signed_figure(value: Any, currency: str = "") -> str:
    """A difference as a full number with its sign: "+1,234.50", "−3"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return f"{sign}{figure(abs(number), currency)}"
