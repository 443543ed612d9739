"""Periods and due dates from the rules' data, across year ends and the 2025 change of decree."""

from __future__ import annotations

from datetime import date

import pytest

from amity.obligations.choices import PeriodKind
from amity.obligations.periods import Period, add_months, due_date, periods_of


def test_ngo_year_runs_from_15_december_of_the_year_before_to_14_december() -> None:
    periods = list(periods_of(PeriodKind.NGO_YEAR, date(2025, 12, 20), date(2026, 3, 1)))
    assert periods == [Period(date(2025, 12, 15), date(2026, 12, 14))]


def test_form_05_is_due_on_the_18th_of_the_periods_last_month() -> None:
    period = Period(date(2025, 12, 15), date(2026, 12, 14))
    assert due_date(period, months_after=0, day=18) == date(2026, 12, 18)


def test_second_half_year_report_is_due_in_january_of_the_next_year() -> None:
    [_first, second] = periods_of(PeriodKind.HALF_YEAR, date(2025, 1, 1), date(2025, 12, 31))
    assert second == Period(date(2025, 7, 1), date(2025, 12, 31))
    assert due_date(second, months_after=1, day=15) == date(2026, 1, 15)


def test_first_half_kind_gives_only_january_to_june() -> None:
    assert list(periods_of(PeriodKind.FIRST_HALF, date(2025, 3, 1), date(2026, 8, 1))) == [
        Period(date(2025, 1, 1), date(2025, 6, 30)),
        Period(date(2026, 1, 1), date(2026, 6, 30)),
    ]


def test_within_six_months_of_the_end_keeps_the_day_or_takes_the_months_last() -> None:
    assert due_date(Period(date(2025, 3, 10), date(2025, 3, 10)), months_after=6, day=None) == date(2025, 9, 10)
    # 31 August + 6 months: February has no 31st; across the year end, in a leap year and not.
    assert due_date(Period(date(2027, 8, 31), date(2027, 8, 31)), months_after=6, day=None) == date(2028, 2, 29)
    assert due_date(Period(date(2026, 8, 31), date(2026, 8, 31)), months_after=6, day=None) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 11, 30), 14, date(2027, 1, 30)),
    ],
)
def test_add_months_crosses_year_ends(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_periods_overlapping_a_span_include_the_one_running() -> None:
    years = list(periods_of(PeriodKind.YEAR, date(2024, 6, 1), date(2026, 2, 1)))
    assert [p.start.year for p in years] == [2024, 2025, 2026]
