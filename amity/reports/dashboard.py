"""The dashboard's figures, all computed by the one aggregation layer (`selectors.report`) in a fixed number of
queries whatever the data: the year cards come from the year series, and each pair of breakdowns from one
grouped report summed over its other dimension (`rollup`), which is exact because the report's parts are
exactly allocated amounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from amity.core.scoping import jurisdiction
from amity.organisations.models import Registration
from amity.organisations.selectors import registrations_expiring
from amity.reference.choices import Era

from .selectors import Comparison, Key, RecordLinks, ReportResult, Row, records_link, report
from .spec import Dimension, Measure, ReportSpec

MEASURES = (Measure.DISBURSED, Measure.COMMITTED)  # disbursed first: breakdowns are ordered by it
TOP_DONORS = 10
EXPIRIES_SHOWN = 15


# --- summing a grouped report over its other dimensions -----------------------------------------------------


def rollup(
    result: ReportResult, dimension: Dimension, *, order_by_value: bool = False, limit: int | None = None
) -> ReportResult:
    """`result` (grouped by `dimension` and others) grouped by `dimension` alone, with each row's link to the
    records behind it. Only for money measures: distinct counts do not add up across rows."""
    if any(not measure.is_money for measure in result.spec.measures):
        raise ValueError("only money measures can be summed over a dimension")
    index = result.spec.group_by.index(dimension)
    spec = replace(result.spec, group_by=(dimension,))
    merged: dict[Any, Row] = {}
    for row in result.rows:
        key = row.keys[index]
        target = merged.get(key.value)
        if target is None:
            merged[key.value] = Row(keys=(key,), values=dict(row.values))
        else:
            for measure, value in row.values.items():
                target.values[measure] = target.values.get(measure, 0) + value
    rows = list(merged.values())
    if order_by_value:
        first = spec.measures[0]
        rows.sort(key=lambda row: row.values.get(first, 0), reverse=True)
    else:
        rows.sort(key=lambda row: _label_order(row.keys[0]))
    if limit is not None:
        rows = rows[:limit]
    links = RecordLinks(spec)
    for row in rows:
        row.links = links
    return replace(result, spec=spec, rows=rows, totals=dict(result.totals), notes=list(result.notes))


def _label_order(key: Key) -> tuple[int, Any]:
    if key.value is None:
        return (1, "")
    return (0, key.value if key.dimension == Dimension.YEAR else key.label.casefold())


def without_empty_rows(result: ReportResult) -> ReportResult:
    """Rows with a figure other than zero (a group may hold only expenditure, which the dashboard omits)."""
    rows = [row for row in result.rows if any(row.values.values())]
    return replace(result, rows=rows)


# --- periods ------------------------------------------------------------------------------------------------


def is_whole_years(date_from: date | None, date_to: date | None) -> bool:
    return bool(
        date_from
        and date_to
        and (date_from.month, date_from.day) == (1, 1)
        and (date_to.month, date_to.day) == (12, 31)
    )


def previous_period(spec: ReportSpec) -> ReportSpec:
    """The period of the same length just before the spec's: the same number of calendar years when the period
    is whole years (so that 2023 compares with 2022 whatever the leap days), else the same number of days."""
    assert spec.date_from and spec.date_to
    if is_whole_years(spec.date_from, spec.date_to):
        years = spec.date_to.year - spec.date_from.year + 1
        return spec.with_period(date(spec.date_from.year - years, 1, 1), date(spec.date_from.year - 1, 12, 31))
    return spec.previous_period()


def period_label(date_from: date | None, date_to: date | None) -> str:
    """2023, 2018–2024, or the two dates (either end may be open)."""
    if is_whole_years(date_from, date_to):
        assert date_from and date_to
        if date_from.year == date_to.year:
            return str(date_from.year)
        return f"{date_from.year}–{date_to.year}"

    def day(value: date | None) -> str:
        return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "…"

    if date_from is None and date_to is None:
        return _("all years")
    return f"{day(date_from)} – {day(date_to)}"


# --- the dashboard ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """One comparison of a headline card with the links to the records behind both figures."""

    comparison: Comparison
    label: str
    previous_label: str

    @property
    def link(self) -> str:
        return records_link(self.comparison.current_spec)

    @property
    def previous_link(self) -> str:
        return records_link(self.comparison.previous_spec)


@dataclass
class Dashboard:
    spec: ReportSpec  # the period the breakdowns cover (the latest year with figures unless one was chosen)
    period_label: str
    year: int
    years: ReportResult  # every year, committed and disbursed
    year_cards: list[Headline]
    period_cards: list[Headline]  # empty when the period is one calendar year (the year cards) or has an open end
    sectors: ReportResult
    donor_countries: ReportResult
    donors: ReportResult  # the top ten by disbursement
    provinces: ReportResult | None  # None when the era is pre-2025 (the map is of the 34 current provinces)
    expiries: list[Registration] = field(default_factory=list)
    more_expiries: bool = False


def _sum_years(years: ReportResult, first: int, last: int, measure: Measure) -> Decimal:
    return sum(
        (Decimal(row.values.get(measure, 0)) for row in years.rows if first <= row.keys[0].value <= last),
        Decimal(0),
    )


def dashboard(user: Any, spec: ReportSpec, *, today: date) -> Dashboard:
    """The dashboard for `spec`'s filters and period, scoped to the user (restrict on the report facts).

    Queries: the year series (1), sector category × province with labels (3, or 2 for the old era), donor
    country × donor with labels (3), the previous period when it is not whole years (1), licence expiries (1).
    """
    base = replace(spec, measures=MEASURES, group_by=())
    years = report(user, replace(base, group_by=(Dimension.YEAR,), date_from=None, date_to=None))
    years_with_figures = [row.keys[0].value for row in years.rows if any(row.values.values())]
    latest = max((y for y in years_with_figures if y <= today.year), default=today.year)
    if base.date_from is None and base.date_to is None:
        base = base.with_period(date(latest, 1, 1), date(latest, 12, 31))
    year = base.date_to.year if base.date_to else latest

    year_cards = []
    for measure in MEASURES:
        current, previous = (_sum_years(years, y, y, measure) for y in (year, year - 1))
        comparison = Comparison(
            measure,
            current,
            previous,
            replace(base, measures=(measure,)).with_period(date(year, 1, 1), date(year, 12, 31)),
            replace(base, measures=(measure,)).with_period(date(year - 1, 1, 1), date(year - 1, 12, 31)),
        )
        year_cards.append(Headline(comparison, str(year), str(year - 1)))

    current_era = base.era == Era.CURRENT
    by_sector = report(
        user,
        replace(
            base,
            group_by=(Dimension.SECTOR_CATEGORY, Dimension.PROVINCE) if current_era else (Dimension.SECTOR_CATEGORY,),
        ),
    )
    sectors = without_empty_rows(rollup(by_sector, Dimension.SECTOR_CATEGORY))
    provinces = without_empty_rows(rollup(by_sector, Dimension.PROVINCE)) if current_era else None
    by_donor = report(user, replace(base, group_by=(Dimension.DONOR_COUNTRY, Dimension.DONOR)))
    donor_countries = without_empty_rows(rollup(by_donor, Dimension.DONOR_COUNTRY))
    donors = without_empty_rows(rollup(by_donor, Dimension.DONOR, order_by_value=True, limit=TOP_DONORS))

    period_cards = []
    single_year = (base.date_from, base.date_to) == (date(year, 1, 1), date(year, 12, 31))
    if base.date_from and base.date_to and not single_year:  # a single year is already on the year cards
        before = previous_period(base)
        assert before.date_from and before.date_to
        if is_whole_years(before.date_from, before.date_to):
            earlier = {m: _sum_years(years, before.date_from.year, before.date_to.year, m) for m in MEASURES}
        else:
            earlier = {m: Decimal(v) for m, v in report(user, before).totals.items()}
        for measure in MEASURES:
            comparison = Comparison(
                measure,
                by_sector.totals[measure],
                earlier[measure],
                replace(base, measures=(measure,)),
                replace(before, measures=(measure,)),
            )
            period_cards.append(
                Headline(
                    comparison,
                    period_label(base.date_from, base.date_to),
                    period_label(before.date_from, before.date_to),
                )
            )

    expiries = list(expiring_registrations(user, base, today=today)[: EXPIRIES_SHOWN + 1])
    return Dashboard(
        spec=base,
        period_label=period_label(base.date_from, base.date_to),
        year=year,
        years=years,
        year_cards=year_cards,
        period_cards=period_cards,
        sectors=sectors,
        donor_countries=donor_countries,
        donors=donors,
        provinces=provinces,
        expiries=expiries[:EXPIRIES_SHOWN],
        more_expiries=len(expiries) > EXPIRIES_SHOWN,
    )


def expiring_registrations(user: Any, spec: ReportSpec, *, today: date) -> QuerySet[Registration]:
    """Licences expiring in the next 90 days that matter here: covering the chosen province (current era), else
    a provincial user's provinces, else all the user may see."""
    registrations = registrations_expiring(user=user, today=today)
    province = spec.filters.get("province")
    if province and spec.era == Era.CURRENT:
        return registrations.filter(
            pk__in=Registration.objects.filter(provinces__code=province, provinces__era=Era.CURRENT).values("pk")
        )
    limited = jurisdiction(user)
    if limited is not None:
        return registrations.filter(pk__in=Registration.objects.filter(provinces__in=limited).values("pk"))
    return registrations


# --- chart data (plain JSON for amity/static/reports/charts.js) ---------------------------------------------


def chart_series(result: ReportResult, measures: tuple[Measure, ...], *, kind: str, title: str) -> dict[str, Any]:
    """Categories, one series per measure and, for each point, the link to the records behind it."""
    return {
        "kind": kind,
        "title": title,
        "currency": result.currency,
        "categories": [" · ".join(key.label for key in row.keys) for row in result.rows],
        "series": [
            {
                "name": measure.label,
                "measure": measure.value,
                "data": [{"value": float(row.value(measure)), "link": row.link} for row in result.rows],
            }
            for measure in measures
        ],
    }
