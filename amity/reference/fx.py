"""Currency conversion through one function (DESIGN.md invariant 1): the amount, the rate, the rate's
source and date, so that every converted figure can say how it was made."""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.core.cache import cache
from django.utils import formats
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from amity.core.money import quantize

from .choices import RateFrequency
from .models import ExchangeRate

USD = "USD"
VND = "VND"
# Finest rate first: a daily rate beats a monthly one, which beats the annual average.
_FREQUENCY_ORDER = (RateFrequency.DAILY, RateFrequency.MONTHLY, RateFrequency.ANNUAL)


# The message of MissingRate as its English source, for a writer that stores messages with their parameters and
# translates them when shown (an import's report): parameters `currency` (a code) and `date` (the reader's format).
MISSING_RATE = gettext_noop(
    "No exchange rate for %(currency)s is loaded for %(date)s or any earlier date: an administrator can add one "
    "under Administration, Exchange rates."
)


class MissingRate(LookupError):
    """No rate of `currency` covers `on` or any earlier day. Its text is made when it is read, in the language
    active then: valuation runs in English (`translation.override(None)`, the rate source is stored data), the
    message is shown to the user afterwards."""

    def __init__(self, currency: str, on: date) -> None:
        self.currency, self.on = currency, on
        super().__init__(currency, on)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters of `MISSING_RATE`, for a `Breach` (which writes the date in the reader's format)."""
        return {"currency": self.currency, "date": self.on}

    def __str__(self) -> str:
        return _(MISSING_RATE) % {"currency": self.currency, "date": formats.date_format(self.on, "SHORT_DATE_FORMAT")}


@dataclass(frozen=True)
class Rate:
    currency: str
    units_per_usd: Decimal
    frequency: str
    period_start: date
    period_end: date
    source: str
    carried_forward: bool = False  # the latest rate before the date, none covering it being loaded

    def describe(self) -> str:
        label = dict(RateFrequency.choices)[self.frequency]
        text = f"{self.currency} {self.units_per_usd.normalize():f}/USD, {label} {self.period_start:%Y-%m-%d}"
        if self.carried_forward:
            text += " " + _("(latest available)")
        return f"{text}, {self.source}"


_USD_RATE = Rate(USD, Decimal(1), RateFrequency.DAILY, date.min, date.max, "identity")

# The source of the rates `load_reference` loads, stored in English with each rate (and so in each transaction's
# `rate_source`), and the name a reader sees for it, translated (the kind of rate is said beside it). A source
# typed in the administration is shown as typed.
IMF_ANNUAL_SOURCE = "IMF International Financial Statistics, annual average"
_SOURCE_NAMES = {IMF_ANNUAL_SOURCE: gettext_noop("IMF International Financial Statistics")}


def rate_period(rate: Rate) -> str:
    """The period a rate stands for, in the active language: "2024 average", "March 2024 average", "rate of
    01/03/2024"."""
    if rate.frequency == RateFrequency.ANNUAL:
        return _("%(year)s average") % {"year": rate.period_start.year}
    if rate.frequency == RateFrequency.MONTHLY:
        return _("%(month)s average") % {"month": formats.date_format(rate.period_start, "YEAR_MONTH_FORMAT")}
    return _("rate of %(date)s") % {"date": formats.date_format(rate.period_start, "SHORT_DATE_FORMAT")}


@dataclass(frozen=True)
class RateNote:
    """How an amount dated `on` is valued, said in the reader's language from the rates themselves: the kind and
    period of each rate, its source, and whether it is the latest rate available rather than one covering the
    date. The stored source text of a transaction (`rate_source`) is data, in English; this is what is shown."""

    rates: tuple[Rate, ...]  # the loaded rates used: the currency's and VND's (none for USD, which needs none)
    on: date

    @property
    def latest_available(self) -> bool:
        """True when no loaded rate covers the date, so the latest earlier one is used."""
        return any(rate.carried_forward for rate in self.rates)

    @property
    def period(self) -> str:
        """ "2024 average"; each currency's when the rates differ ("EUR: March 2024 average; VND: 2024 average")."""
        periods = {(rate.frequency, rate.period_start) for rate in self.rates}
        if len(periods) == 1:
            return rate_period(self.rates[0])
        return "; ".join(f"{rate.currency}: {rate_period(rate)}" for rate in self.rates)

    @property
    def source(self) -> str:
        """Where the rates come from; a source Amity loads (the IMF's) is named in the reader's language, one
        typed in the administration is shown as typed."""
        names = (_(_SOURCE_NAMES[rate.source]) if rate.source in _SOURCE_NAMES else rate.source for rate in self.rates)
        return "; ".join(dict.fromkeys(names))

    def __str__(self) -> str:
        values = {"period": self.period, "source": self.source}
        if self.latest_available:
            return _("Latest rate available: %(period)s (%(source)s); no rate is loaded yet for %(date)s.") % {
                **values,
                "date": formats.date_format(self.on, "SHORT_DATE_FORMAT"),
            }
        return _("Rate: %(period)s (%(source)s)") % values


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    rate: Decimal  # target units per one source unit
    rate_date: date
    source: str


@dataclass(frozen=True)
class Quote:
    """The rates that convert one currency into another on one date."""

    source_rate: Rate
    target_rate: Rate
    rate_date: date
    same: bool = False

    @property
    def rate(self) -> Decimal:
        """Target units per one source unit."""
        return self.target_rate.units_per_usd / self.source_rate.units_per_usd

    def value(self, amount: Decimal, quantum: Decimal) -> Decimal:
        if self.same:
            return quantize(amount, quantum)
        return quantize(amount * self.target_rate.units_per_usd / self.source_rate.units_per_usd, quantum)


class RateBook:
    """The rates of some currencies held in memory: one query, then every lookup without the database."""

    def __init__(self, currencies: Iterable[str] | None = None) -> None:
        rates = ExchangeRate.objects.order_by("period_start")
        if currencies is not None:
            rates = rates.filter(currency__code__in=set(currencies))
        self._by_currency: dict[tuple[str, str], list[Rate]] = defaultdict(list)
        # Values, not model instances: an import loads every rate (thousands) before its first activity.
        for code, units_per_usd, frequency, start, end, source in rates.values_list(
            "currency__code", "rate", "frequency", "period_start", "period_end", "source"
        ):
            self._by_currency[(code, frequency)].append(Rate(code, units_per_usd, frequency, start, end, source))
        self._starts = {key: [rate.period_start for rate in rows] for key, rows in self._by_currency.items()}
        self._descriptions: dict[tuple[Rate, str | None], str] = {}
        # Rates and quotes are looked up once per currency and date, and a quote is made once per pair of rates:
        # the objects returned are the book's own, so callers may key their own caches by identity.
        self._rates_on: dict[tuple[str, date], Rate] = {}
        self._quotes: dict[tuple[int, int], Quote] = {}
        self._same: dict[date, Quote] = {}
        # What callers derive from these rates and keep (an importer's valuations of a currency on a date);
        # dropped with the book when the rates change.
        self.memo: dict[Any, Any] = {}

    def rate(self, currency: str, on: date) -> Rate:
        """The finest rate whose period covers `on`; else the latest one before it; else MissingRate."""
        if currency == USD:
            return _USD_RATE
        key = (currency, on)
        found = self._rates_on.get(key)
        if found is None:
            found = self._rates_on[key] = self._find_rate(currency, on)
        return found

    def _find_rate(self, currency: str, on: date) -> Rate:
        latest_before: Rate | None = None
        for frequency in _FREQUENCY_ORDER:
            rows = self._by_currency.get((currency, frequency))
            if not rows:
                continue
            index = bisect_right(self._starts[(currency, frequency)], on) - 1
            if index < 0:
                continue
            candidate = rows[index]
            if candidate.period_end >= on:
                return candidate
            if latest_before is None or candidate.period_end > latest_before.period_end:
                latest_before = candidate
        if latest_before is None:
            raise MissingRate(currency, on)
        return Rate(**{**latest_before.__dict__, "carried_forward": True})

    def _describe(self, rate: Rate) -> str:
        """A rate's source text, made once per rate and language (an import converts thousands of amounts)."""
        key = (rate, get_language())
        text = self._descriptions.get(key)
        if text is None:
            text = self._descriptions[key] = rate.describe()
        return text

    def note(self, currency: str, on: date, rate_date: date | None = None) -> RateNote | None:
        """How an amount in `currency` dated `on` is valued in USD and VND, as a note for its reader. With the
        `rate_date` of a stored conversion: None when that is not the date of the rate loaded now (the rates changed
        and the re-valuation has not run yet), so that a note never describes a rate the amounts were not valued
        at. None too when no rate is loaded."""
        try:
            rates = tuple(self.rate(code, on) for code in dict.fromkeys((currency, VND)) if code != USD)
        except MissingRate:
            return None
        # The stored rate date is the currency's rate's (VND's for a USD amount): `value_transaction_as_data`.
        if rate_date is not None and rates[0].period_start != rate_date:
            return None
        return RateNote(rates, on)

    def quote(self, currency: str, target: str, *, on: date) -> Quote:
        """The rates converting `currency` into `target` on `on`, through USD (the IMF rates are all against
        USD); looked up once per currency, target and date (an import converts thousands of amounts)."""
        if currency == target:
            found = self._same.get(on)
            if found is None:
                found = self._same[on] = Quote(_USD_RATE, _USD_RATE, on, same=True)
            return found
        source_rate, target_rate = self.rate(currency, on), self.rate(target, on)
        key = (id(source_rate), id(target_rate))
        found = self._quotes.get(key)
        if found is None:
            rate_date = (source_rate if currency != USD else target_rate).period_start
            found = self._quotes[key] = Quote(source_rate, target_rate, rate_date)
        return found

    def source_of(self, quote: Quote) -> str:
        """Where a quote's rates come from, in the active language."""
        if quote.same:
            return _("same currency")
        return "; ".join(self._describe(r) for r in (quote.source_rate, quote.target_rate) if r.currency != USD)

    def convert(self, amount: Decimal, currency: str, target: str, *, on: date, quantum: Decimal) -> Conversion:
        """Convert at the value-date rates, through USD."""
        quote = self.quote(currency, target, on=on)
        return Conversion(quote.value(amount, quantum), quote.rate, quote.rate_date, self.source_of(quote))


def convert(amount: Decimal, currency: str, target: str, *, on: date, quantum: Decimal = Decimal("0.01")) -> Conversion:
    """One conversion at value-date rates (for many, build one RateBook and reuse it)."""
    return RateBook({currency, target}).convert(amount, currency, target, on=on, quantum=quantum)


# --- the process's shared rate book ----------------------------------------------------------------------------
# Reports on the rates of a date and imports read every rate; rates change rarely (load_reference, the admin).
# Each process keeps one RateBook while the rates version in the shared cache (files or Redis, see settings) is
# the one it was loaded at; `rates_changed` sets a new version, so every process reloads on its next use.

_RATES_VERSION_KEY = "amity:rates-version"
_shared_book: tuple[str, RateBook] | None = None


def shared_rate_book() -> RateBook:
    """Every rate, from memory while unchanged (no query); reloaded after rates changed anywhere."""
    global _shared_book
    # The stored version or the new one made here: a str (the stubs allow None, for a default of None).
    version = cast(str, cache.get_or_set(_RATES_VERSION_KEY, lambda: uuid.uuid4().hex, timeout=None))
    if _shared_book is None or _shared_book[0] != version:
        _shared_book = (version, RateBook())
    return _shared_book[1]


def forget_shared_rate_book() -> None:
    """Make every process (this one at once) read the rates again."""
    global _shared_book
    _shared_book = None
    cache.set(_RATES_VERSION_KEY, uuid.uuid4().hex, timeout=None)
