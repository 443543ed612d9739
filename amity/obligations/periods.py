"""Reporting periods and due dates, computed from a duty rule's data (`DutyRule`): no date of any decree is
written here, so a change of the law is a change of rules, not of code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from amity.core.dates import add_months

from .choices import PeriodKind


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date

    @property
    def midpoint(self) -> date:
        return self.start + (self.end - self.start) / 2


def due_date(period: Period, *, months_after: int, day: int | None) -> date:
    """The due date of a period's report: `day` of the month `months_after` months after the month the period
    ends in (0: that month itself — Form 05, period ending 14 December, due on 18 December); without a day,
    the same day of the month as the period's end ("within 6 months of the end")."""
    return add_months(period.end, months_after, on_day=day)


def periods_of(kind: str, first: date, last: date) -> Iterator[Period]:
    """The periods of `kind` that overlap `first`–`last` (both included), in order. A completion report has
    one period, the day the aid ended (`first`)."""
    if kind == PeriodKind.COMPLETION:
        yield Period(first, first)
        return
    for year in range(first.year - 1, last.year + 2):
        for period in _periods_of_year(kind, year):
            if period.end >= first and period.start <= last:
                yield period


def _periods_of_year(kind: str, year: int) -> list[Period]:
    if kind == PeriodKind.HALF_YEAR:
        return [Period(date(year, 1, 1), date(year, 6, 30)), Period(date(year, 7, 1), date(year, 12, 31))]
    if kind == PeriodKind.FIRST_HALF:
        return [Period(date(year, 1, 1), date(year, 6, 30))]
    if kind == PeriodKind.YEAR:
        return [Period(date(year, 1, 1), date(year, 12, 31))]
    if kind == PeriodKind.NGO_YEAR:  # Decree 58/2022 Art. 21, 24: 15 December of the year before to 14 December
        return [Period(date(year - 1, 12, 15), date(year, 12, 14))]
    raise ValueError(f"unknown period kind {kind!r}")


def day_before(day: date) -> date:
    return day - timedelta(days=1)
