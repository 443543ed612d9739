"""The one aggregation layer (issue: reports): every dashboard, report table, export, published figure and API
answer is computed here from the report facts, in USD or VND, on a stated conversion basis and a stated status
basis (by default only aid from its approval on: DESIGN.md invariant 11).

Figures are sums of exactly allocated parts, so rows add up to totals and an aid item located in several
provinces or sectors is split between them and counted once in the national total. Counts (aid items,
donors) are distinct counts per row and again for the total, so they are not additive across rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.aid.choices import (
    COMMITMENT_TYPES,
    DISBURSEMENT_TYPES,
    EXPENDITURE_TYPES,
    OFFICIAL_STATUSES,
    AidStatus,
    BeneficiaryGroup,
    Modality,
)
from amity.aid.filtersets import NATIONWIDE as NATIONWIDE_FILTER
from amity.aid.models import AidBeneficiary
from amity.core.money import CENT, quantize
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reference.fx import USD, VND, MissingRate, RateNote, rate_period, shared_rate_book
from amity.reference.models import AdministrativeUnit, CodelistItem, Country

from .facts import donor_items
from .models import ReportFact, ReportRollup
from .rollups import rollup_grain
from .spec import BasisKind, Dimension, Measure, ReportSpec, SpecError, StatusBasis

Number = Decimal | int

MEASURE_TYPES = {
    Measure.COMMITTED: COMMITMENT_TYPES,
    Measure.DISBURSED: DISBURSEMENT_TYPES,
    Measure.EXPENDITURE: EXPENDITURE_TYPES,
}
REPORTED_TYPES = sorted(COMMITMENT_TYPES | DISBURSEMENT_TYPES | EXPENDITURE_TYPES)


@dataclass(frozen=True)
class Key:
    dimension: Dimension
    value: Any  # what the aid list filter takes: a code, a year, a public id; None for "not given"
    label: str


@dataclass(slots=True)
class Row:
    keys: tuple[Key, ...]
    values: dict[Measure, Number]
    # The aid list behind the figure, built when first read: a report of 20,000 rows shown 50 at a time (or
    # written to a workbook without links) should not encode 20,000 addresses.
    links: RecordLinks | None = field(default=None, repr=False, compare=False)
    _link: str | None = field(default=None, repr=False, compare=False)

    @property
    def link(self) -> str:
        if self._link is None:
            self._link = self.links(self.keys) if self.links is not None else ""
        return self._link

    @link.setter
    def link(self, value: str) -> None:
        self._link = value

    def value(self, measure: Measure | str) -> Number:
        return self.values.get(Measure(measure), 0)


@dataclass
class ReportResult:
    spec: ReportSpec
    rows: list[Row]
    totals: dict[Measure, Number]
    basis_label: str
    total_link: str = ""
    notes: list[str] = field(default_factory=list)
    status_basis_label: str = ""  # which aid the figures count, as the conversion basis says how they convert
    # Said when amounts are valued at the latest rate available, not at rates of their own dates (also in notes).
    rates_note: str = ""

    @property
    def currency(self) -> str:
        return self.spec.currency


# --- filters ------------------------------------------------------------------------------------------------


def _province_field(spec: ReportSpec) -> str:
    return "province" if spec.era == Era.CURRENT else "old_province"


def facts_for(user: Any, spec: ReportSpec, *, rollups: bool = False) -> QuerySet[Any]:
    """The user's facts (the scoping chokepoint) narrowed to the spec's period and filters; with `rollups`,
    the yearly rollup that answers the spec with the fewest rows when there is one (see `rollups.py`)."""
    grain = rollup_grain(user, spec) if rollups else None
    facts: QuerySet[Any]  # the rollups' or the facts' rows; the filters below name fields that both have
    if grain is not None:
        rollup_rows = ReportRollup.objects.restrict(user, "view").filter(
            grain=grain, transaction_type__in=REPORTED_TYPES
        )
        if spec.date_from:  # whole years (rollup_grain checks it): the same parts as the value-date range
            rollup_rows = rollup_rows.filter(year__gte=spec.date_from.year)
        if spec.date_to:
            rollup_rows = rollup_rows.filter(year__lte=spec.date_to.year)
        if spec.statuses == StatusBasis.OFFICIAL:  # the flag summed from the facts' status (`rollups.py`)
            rollup_rows = rollup_rows.filter(is_official=True)
        facts = rollup_rows
    else:
        fact_rows = ReportFact.objects.restrict(user, "view").filter(transaction_type__in=REPORTED_TYPES)
        if spec.date_from:
            fact_rows = fact_rows.filter(value_date__gte=spec.date_from)
        if spec.date_to:
            fact_rows = fact_rows.filter(value_date__lte=spec.date_to)
        if spec.statuses == StatusBasis.OFFICIAL:
            fact_rows = fact_rows.filter(status__in=OFFICIAL_STATUSES)
        if spec.filters.get("beneficiary"):  # only the facts: with this filter, rollup_grain answers None
            beneficiaries = AidBeneficiary.objects.filter(group=spec.filters["beneficiary"])
            fact_rows = fact_rows.filter(aid_item__in=beneficiaries.values("aid_item"))
        facts = fact_rows
    f = spec.filters
    if f.get("province"):
        facts = facts.filter(**{f"{_province_field(spec)}__code": f["province"]})
    if f.get("sector"):
        sector = f["sector"]
        facts = facts.filter(sector_category__code=sector) if len(sector) == 3 else facts.filter(sector__code=sector)
    if f.get("donor"):
        facts = facts.filter(donor__public_id=f["donor"])
        if facts.model is ReportFact:  # through the donor's few items, not a scan of every fact
            facts = facts.filter(aid_item__in=donor_items(f["donor"]))
    if f.get("donor_country"):
        facts = facts.filter(donor_country__code=f["donor_country"])
    for name in ("modality", "status"):
        if f.get(name):
            facts = facts.filter(**{name: f[name]})
    if f.get("is_relief") in ("true", "false"):
        facts = facts.filter(is_relief=f["is_relief"] == "true")
    return facts


# --- grouping and labels ------------------------------------------------------------------------------------

_COLUMNS = {
    Dimension.YEAR: "year",
    Dimension.SECTOR: "sector_id",
    Dimension.SECTOR_CATEGORY: "sector_category_id",
    Dimension.DONOR: "donor_id",
    Dimension.DONOR_COUNTRY: "donor_country_id",
    Dimension.MODALITY: "modality",
    Dimension.STATUS: "status",
    Dimension.BENEFICIARY: "aid_item__beneficiaries__group",
}


def _column(dimension: Dimension, spec: ReportSpec) -> str:
    if dimension == Dimension.PROVINCE:
        return f"{_province_field(spec)}_id"
    return _COLUMNS[dimension]


class _Labels:
    """Labels and link values of grouped ids, fetched in one query per dimension present."""

    def __init__(self, rows: Iterable[Mapping[str, Any]], dimensions: Iterable[Dimension], spec: ReportSpec) -> None:
        self.maps: dict[Dimension, dict[Any, tuple[Any, str]]] = {}
        self.keys: dict[tuple[Dimension, Any], Key] = {}  # one Key per value, shared by the rows
        self.era = spec.era
        rows = list(rows)
        for dimension in dimensions:
            column = _column(dimension, spec)
            ids = {row[column] for row in rows if row[column] is not None}
            self.maps[dimension] = self._fetch(dimension, ids)

    @staticmethod
    def _fetch(dimension: Dimension, ids: set[Any]) -> dict[Any, tuple[Any, str]]:
        if dimension == Dimension.YEAR:
            return {year: (year, str(year)) for year in ids}
        if dimension == Dimension.MODALITY:
            return {value: (value, str(Modality(value).label)) for value in ids}
        if dimension == Dimension.STATUS:
            return {value: (value, str(AidStatus(value).label)) for value in ids}
        if dimension == Dimension.BENEFICIARY:
            return {value: (value, str(BeneficiaryGroup(value).label)) for value in ids}
        if not ids:
            return {}
        if dimension == Dimension.PROVINCE:
            return {u.pk: (u.code, u.name) for u in AdministrativeUnit.objects.filter(pk__in=ids)}
        if dimension in (Dimension.SECTOR, Dimension.SECTOR_CATEGORY):
            return {c.pk: (c.code, f"{c.code} {c.name}") for c in CodelistItem.objects.filter(pk__in=ids)}
        if dimension == Dimension.DONOR:
            return {
                o.pk: (str(o.public_id), str(o))
                for o in Organisation.all_objects.filter(pk__in=ids).only("pk", "public_id", "name", "acronym")
            }
        if dimension == Dimension.DONOR_COUNTRY:
            return {c.pk: (c.code, c.name) for c in Country.objects.filter(pk__in=ids)}
        raise ValueError(dimension)

    def key(self, dimension: Dimension, raw: Any) -> Key:
        key = self.keys.get((dimension, raw))
        if key is None:
            if raw is None:
                key = Key(dimension, None, _missing_label(dimension, self.era))
            else:
                value, label = self.maps[dimension].get(raw, (raw, str(raw)))
                key = Key(dimension, value, label)
            self.keys[(dimension, raw)] = key
        return key


def _missing_label(dimension: Dimension, era: str) -> str:
    """The label of a group without a value (no sector given…; nationwide aid in the current era's provinces)."""
    if dimension == Dimension.PROVINCE and era == Era.CURRENT:
        return str(NATIONWIDE)
    return str(_NOT_GIVEN[dimension])


def frozen_rows(figures: Mapping[str, Any], era: str) -> list[dict[str, Any]]:
    """A published report's stored rows, each key labelled in the reader's language from its value — the code it
    was published with — as live figures are, in one query per dimension. The stored figures, their labels as
    published included, stay as they are (they are what the content hash covers); a donor keeps its name as
    published, and a code that names nothing now keeps its stored label."""
    rows = list(figures.get("rows", ()))
    era = era or Era.CURRENT
    codes: dict[str, set[Any]] = defaultdict(set)
    for row in rows:
        for key in row["keys"]:
            if key["value"] is not None:
                codes[key["dimension"]].add(key["value"])
    names = {dimension: _labels_of_codes(Dimension(dimension), values, era) for dimension, values in codes.items()}

    def label(key: Mapping[str, Any]) -> str:
        if key["value"] is None:
            return _missing_label(Dimension(key["dimension"]), era)
        return names[key["dimension"]].get(key["value"], str(key["label"]))

    return [{**row, "keys": [{**key, "label": label(key)} for key in row["keys"]]} for row in rows]


def _labels_of_codes(dimension: Dimension, values: set[Any], era: str) -> dict[Any, str]:
    """Labels in the active language of the values a report's keys carry (`Key.value`: codes, years)."""
    if dimension == Dimension.YEAR:
        return {value: str(value) for value in values}
    if dimension in (Dimension.MODALITY, Dimension.STATUS, Dimension.BENEFICIARY):
        choices = {Dimension.MODALITY: Modality, Dimension.STATUS: AidStatus, Dimension.BENEFICIARY: BeneficiaryGroup}
        labels: dict[str, Any] = dict(choices[dimension].choices)
        return {value: str(labels[value]) for value in values if value in labels}
    if dimension == Dimension.PROVINCE:
        units = AdministrativeUnit.objects.filter(era=era, level="province", code__in=values)
        return {unit.code: unit.name for unit in units}
    if dimension in (Dimension.SECTOR, Dimension.SECTOR_CATEGORY):
        items = CodelistItem.objects.filter(codelist__name__in=("Sector", "SectorCategory"), code__in=values)
        return {item.code: f"{item.code} {item.name}" for item in items}
    if dimension == Dimension.DONOR_COUNTRY:
        return {country.code: country.name for country in Country.objects.filter(code__in=values)}
    return {}  # donors: an organisation's name is as it was typed, and as it was published


# Aid no province has: recorded as nationwide or not yet located. Counted in the national total, never given
# to a province (DESIGN.md invariant 2).
NATIONWIDE = gettext_lazy("Nationwide / not allocated to a province")

# Lazy: built at import, read in each request's language.
_NOT_GIVEN = defaultdict(
    lambda: gettext_lazy("not given"),
    {
        # The old provinces: aid located in current-era units is not mapped back, nationwide aid has none.
        Dimension.PROVINCE: gettext_lazy("located in current-era units (not mapped back) or nationwide"),
        Dimension.SECTOR: gettext_lazy("no sector given"),
        Dimension.SECTOR_CATEGORY: gettext_lazy("no sector given"),
        Dimension.DONOR: gettext_lazy("no donor given"),
        Dimension.DONOR_COUNTRY: gettext_lazy("donor country not given"),
        Dimension.BENEFICIARY: gettext_lazy("no beneficiary group given"),
    },
)

# The aid list's filter for each dimension (so that every figure links to the records behind it).
_LIST_FILTER = {
    Dimension.YEAR: "year",
    Dimension.PROVINCE: "province",
    Dimension.SECTOR: "sector",
    Dimension.SECTOR_CATEGORY: "sector",
    Dimension.DONOR: "donor",
    Dimension.DONOR_COUNTRY: "donor_country",
    Dimension.MODALITY: "modality",
    Dimension.STATUS: "status",
    Dimension.BENEFICIARY: "beneficiary",
}


def records_link(spec: ReportSpec, keys: Iterable[Key] = ()) -> str:
    """The aid list filtered to the records behind a figure."""
    return RecordLinks(spec)(keys)


class RecordLinks:
    """`records_link` for many rows of one spec: the list's address and each parameter encoded once."""

    def __init__(self, spec: ReportSpec) -> None:
        params: dict[str, Any] = {key: value for key, value in spec.filters.items() if value}
        counted = spec.statuses.counted
        if counted is not None and not params.get("status"):
            # The aid behind an official figure: the list's status filter takes several values.
            params["status"] = tuple(status.value for status in AidStatus if status in counted)
        params["era"] = spec.era
        if spec.date_from:
            params["date_from"] = spec.date_from.isoformat()
        if spec.date_to:
            params["date_to"] = spec.date_to.isoformat()
        self.params = params
        self.url = reverse("aid:list")
        self.encoded: dict[tuple[str, Any], str] = {}

    def __call__(self, keys: Iterable[Key]) -> str:
        params = dict(self.params)
        for key in keys:
            if key.value is not None:
                params[_LIST_FILTER[key.dimension]] = key.value
            elif key.dimension == Dimension.PROVINCE and params.get("era") == Era.CURRENT:
                params["province"] = NATIONWIDE_FILTER  # the aid located in no province
        return f"{self.url}?{'&'.join(self._pair(name, value) for name, value in params.items())}"

    def _pair(self, name: str, value: Any) -> str:
        pair = self.encoded.get((name, value))
        if pair is None:  # what urlencode joins with "&"; a tuple is the parameter repeated
            pair = self.encoded[(name, value)] = urlencode({name: value}, doseq=isinstance(value, tuple))
        return pair


# --- the report ---------------------------------------------------------------------------------------------


def _money_column(spec: ReportSpec) -> str:
    if spec.basis.kind == BasisKind.RATES_ON:
        return "amount"
    if spec.basis.kind == BasisKind.FIXED_RATE:
        return "amount_usd"
    return "amount_vnd" if spec.currency == "VND" else "amount_usd"


def _aggregates(spec: ReportSpec) -> dict[str, Any]:
    column = _money_column(spec)
    aggregates: dict[str, Any] = {}
    for measure in spec.measures:
        if measure in MEASURE_TYPES:
            aggregates[measure.value] = Sum(column, filter=Q(transaction_type__in=MEASURE_TYPES[measure]))
        elif measure == Measure.AID_ITEMS:
            aggregates[measure.value] = Count("aid_item", distinct=True)
        elif measure == Measure.DONORS:
            aggregates[measure.value] = Count("donor", distinct=True)
    return aggregates


def _converter(spec: ReportSpec) -> tuple[Decimal, Any]:
    """How to turn a summed column into the report currency: (quantum, function(value, currency code))."""
    quantum = Decimal(1) if spec.currency == "VND" else CENT
    if spec.basis.kind == BasisKind.FIXED_RATE and spec.currency == "VND":
        rate = spec.basis.vnd_per_usd or Decimal(1)
        return quantum, lambda value, _currency: quantize(value * rate, quantum)
    if spec.basis.kind == BasisKind.RATES_ON:
        on = spec.basis.on or date.today()
        book = shared_rate_book()
        target = spec.currency

        def convert(value: Decimal, currency: str) -> Decimal:
            try:
                return book.convert(value, currency, target, on=on, quantum=quantum).amount
            except MissingRate as exc:  # a bad parameter, not a server error: 400 on rate_date
                raise SpecError({"rate_date": str(exc)}) from exc

        return quantum, convert
    return quantum, lambda value, _currency: quantize(value, quantum)


def report(
    user: Any,
    spec: ReportSpec,
    *,
    order_by_value: bool = False,
    limit: int | None = None,
) -> ReportResult:
    """Grouped figures and totals; a fixed number of queries (one for the rows, one for the totals' counts,
    one per labelled dimension)."""
    facts = facts_for(user, spec, rollups=True)
    columns = [_column(d, spec) for d in spec.group_by]
    by_currency = spec.basis.kind == BasisKind.RATES_ON
    group_columns = [*columns, "currency__code"] if by_currency else columns
    aggregates = _aggregates(spec)
    money = [m for m in spec.measures if m.is_money]
    counts = [m for m in spec.measures if not m.is_money]
    _quantum, convert_one = _converter(spec)
    converted: set[str] = set()  # the currencies converted at the rates of a date

    def convert(value: Decimal, currency: str | None) -> Decimal:
        if currency is not None:
            converted.add(currency)
        return cast(Decimal, convert_one(value, currency))

    grouped = facts.order_by().values(*group_columns).annotate(**aggregates)
    if facts.model is ReportRollup:  # a key whose facts are all gone has differences adding up to nothing
        grouped = grouped.annotate(rollup_parts=Sum("parts")).filter(rollup_parts__gt=0)
    raw_rows = list(grouped) if columns else []  # ungrouped: the totals' query below is the only one
    merged: dict[tuple[Any, ...], dict[Measure, Number]] = {}
    zero: dict[Measure, Number] = {m: Decimal(0) for m in money} | {m: 0 for m in counts}
    for raw in raw_rows:
        key = tuple(raw[c] for c in columns)
        values = merged.get(key)
        if values is None:
            values = merged[key] = dict(zero)
        for m in money:
            amount = raw[m.value]
            if amount is not None:
                values[m] += convert(Decimal(amount), raw.get("currency__code"))
        for m in counts:
            # With the currency split (rates of a date) a count would be per currency: recount below.
            values[m] = raw[m.value] if not by_currency else 0
    if by_currency and counts and columns:
        for raw in facts.order_by().values(*columns).annotate(**{m.value: aggregates[m.value] for m in counts}):
            merged[tuple(raw[c] for c in columns)].update({m: raw[m.value] for m in counts})

    totals_raw = facts.order_by().aggregate(**{m.value: aggregates[m.value] for m in counts}) if counts else {}
    totals: dict[Measure, Number] = {m: sum((v[m] for v in merged.values()), Decimal(0)) for m in money}
    additive = all(d.is_additive for d in spec.group_by)
    if (not columns or not additive) and money:
        # No grouping, or rows that overlap: the total is one ungrouped sum (converted per currency if needed).
        rows_total = facts.order_by()
        if by_currency:
            per_currency = rows_total.values("currency__code").annotate(**{m.value: aggregates[m.value] for m in money})
            totals = {
                m: sum((convert(Decimal(r[m.value] or 0), r["currency__code"]) for r in per_currency), Decimal(0))
                for m in money
            }
        else:
            raw_total = rows_total.aggregate(**{m.value: aggregates[m.value] for m in money})
            totals = {m: convert(Decimal(raw_total[m.value] or 0), None) for m in money}
    totals.update({m: totals_raw.get(m.value) or 0 for m in counts})

    labels = _Labels(({**dict(zip(columns, key, strict=True))} for key in merged), spec.group_by, spec)
    rows = [Row(keys=tuple(map(labels.key, spec.group_by, key)), values=values) for key, values in merged.items()]
    if order_by_value and spec.measures:
        rows.sort(key=lambda row: row.values[spec.measures[0]], reverse=True)
    else:
        order: dict[int, tuple[int, Any]] = {}  # by id: the rows share their Key objects

        def sort_key(key: Key) -> tuple[int, Any]:
            found = order.get(id(key))
            if found is None:
                found = order[id(key)] = _sort_key(key)
            return found

        rows.sort(key=lambda row: tuple(sort_key(k) for k in row.keys))
    if limit is not None:
        rows = rows[:limit]
    links = RecordLinks(spec)
    for row in rows:
        row.links = links
    notes = []
    if spec.era == Era.PRE2025 and Dimension.PROVINCE in spec.group_by:
        notes.append(_("Amounts located in current-era units are shown apart; they are never mapped back."))
    if not additive:
        notes.append(
            _("An aid item with several beneficiary groups is shown under each: rows do not add up to the total.")
        )
    rates_note = _rates_note(spec, converted)
    if rates_note:
        notes.append(rates_note)
    return ReportResult(
        spec, rows, totals, spec.basis.label(spec.currency), records_link(spec), notes, spec.statuses.label, rates_note
    )


def _rates_note(spec: ReportSpec, converted: Iterable[str]) -> str:
    """What a reader must know when figures are valued at the latest rate available rather than at rates of
    their own dates (rates are loaded up to 2024 and the period reaches 2026): the period of that rate, plainly.
    No query: from the rates in memory and the spec (for value-date rates, the report's last day; for the rates
    of a date, the currencies converted)."""
    book = shared_rate_book()
    if spec.basis.kind == BasisKind.RATES_ON:
        on = spec.basis.on or date.today()
        carried = []
        for code in sorted({*converted, spec.currency} - {USD}):
            try:
                rate = book.rate(code, on)
            except MissingRate:
                continue  # a currency converted has its rate (else the report is a 400); the target may have none
            if rate.carried_forward:
                carried.append(rate)
        if not carried:
            return ""
        return _("Latest rate available on %(date)s: %(period)s.") % {
            "date": formats.date_format(on, "SHORT_DATE_FORMAT"),
            "period": RateNote(tuple(carried), on).period,
        }
    # Value-date rates (a fixed VND/USD rate too: USD values stay at value-date rates). Every currency's rates come
    # from the same loads as VND's (the IMF's annual averages), which every VND figure uses: VND's tell.
    last = spec.date_to or timezone.localdate()
    try:
        rate = book.rate(VND, last)
    except MissingRate:
        return ""
    if not rate.carried_forward:
        return ""
    return _(
        "Latest rate available: %(period)s. Amounts dated after %(date)s are valued at it until newer rates are loaded."
    ) % {
        "period": rate_period(rate),
        "date": formats.date_format(rate.period_end, "SHORT_DATE_FORMAT"),
    }


def _sort_key(key: Key) -> tuple[int, Any]:
    if key.value is None:
        return (1, "")
    return (0, key.value if key.dimension == Dimension.YEAR else key.label.casefold())


# --- comparisons --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    measure: Measure
    current: Number
    previous: Number
    current_spec: ReportSpec
    previous_spec: ReportSpec

    @property
    def difference(self) -> Number:
        return self.current - self.previous

    @property
    def ratio(self) -> Decimal | None:
        """current ÷ previous (e.g. 1.8 ×), or None when the previous figure is zero."""
        return (Decimal(self.current) / Decimal(self.previous)).quantize(Decimal("0.01")) if self.previous else None

    @property
    def percent(self) -> Decimal | None:
        if not self.previous:
            return None
        return (Decimal(self.difference) * 100 / Decimal(self.previous)).quantize(Decimal("0.1"))


def compare(user: Any, spec: ReportSpec, measure: Measure, *, previous: ReportSpec | None = None) -> Comparison:
    """A period against the previous period of the same length (or against `previous`)."""
    previous = previous or spec.previous_period()
    current_spec = replace(spec, measures=(measure,), group_by=())
    previous_spec = current_spec.with_period(previous.date_from, previous.date_to)
    current = report(user, current_spec).totals[measure]
    before = report(user, previous_spec).totals[measure]
    return Comparison(measure, current, before, current_spec, previous_spec)


def compare_years(user: Any, spec: ReportSpec, measure: Measure, year: int) -> Comparison:
    """A year against the year before (difference and percentage, e.g. “+ USD 4.9 million”)."""
    this_year = spec.with_period(date(year, 1, 1), date(year, 12, 31))
    return compare(user, this_year, measure, previous=spec.with_period(date(year - 1, 1, 1), date(year - 1, 12, 31)))
