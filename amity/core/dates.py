"""Calendar arithmetic shared by the apps: months added to a day (a reporting duty's due date, an agreement's term
counted in years, "ending within N months")."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int, *, on_day: int | None = None) -> date:
    """`day` moved by `months` calendar months, on `on_day` of that month (else the same day), the last day of
    the month when it is shorter (31 August + 6 months → 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(on_day or day.day, last))
