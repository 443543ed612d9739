"""The rules of the diplomacy register, each written once and raised as a `Breach` on its field: the batch
services (`services.py`) run them for pages, the API, Excel uploads and the admin alike."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_noop

from amity.core.breaches import Breach
from amity.core.dates import add_months
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit

from .choices import Direction

ERA_CHANGE = date(2025, 7, 1)  # the 34 provinces took effect

END_BEFORE_START = gettext_noop("The end date is before the start date.")
REQUIRED = gettext_noop("This field is required.")
NOT_YOURS = gettext_noop("This union belongs to a province outside your jurisdiction: choose your own union.")
OTHER_UNION = gettext_noop("%(name)s belongs to another union than this record.")
MERGED_UNION = gettext_noop("This union was merged into %(name)s: record new work under that union.")
NOT_A_PROVINCE = gettext_noop("Choose a province.")
WRONG_ERA = gettext_noop(
    "On %(date)s the provinces were those %(era)s: choose the province of that era (the agreement's date decides)."
)
PERMIT_OUTGOING_ONLY = gettext_noop("Only an outgoing delegation has a decision permitting it.")
PERMIT_WHOLE = gettext_noop("Give the permitting decision's number, date and authority together.")
DAY_OUTSIDE = gettext_noop("The programme day %(day)s is outside the delegation's dates.")
YEAR_TWICE = gettext_noop("The year %(year)s is given twice.")
MEMBERS_OF_ASSOCIATIONS = gettext_noop("Only a member association has member counts.")
GROUP_OR_PERSON = gettext_noop("Give the group's name, or the person's name for one person.")
MEMBERS_OF_ASSOCIATIONS_ONLY = gettext_noop("Only a member association has individual members: choose an association.")
NOT_YOUR_ASSOCIATION = gettext_noop(
    "This association belongs to a province outside your jurisdiction: choose one of your own associations."
)
DELETED_ASSOCIATION = gettext_noop("This association is deleted: restore it before adding members.")
LEFT_BEFORE_JOINED = gettext_noop("The date of leaving is before the date of joining.")
KIND_WITH_MEMBERS = gettext_noop("This association has individual members: it stays an association.")
NOT_YOUR_PARTNERSHIP = gettext_noop(
    "This partnership belongs to a province outside your jurisdiction: choose one of your own partnerships."
)
DELETED_PARTNERSHIP = gettext_noop("This partnership is deleted: restore it before recording a renewal.")
RENEWAL_BEFORE_SIGNING = gettext_noop("A renewal cannot be before the agreement was signed (%(date)s).")
RENEWAL_SAME_DAY = gettext_noop("This agreement already has a renewal on %(date)s.")
TERM_DISAGREES = gettext_noop(
    "A term of %(years)s years from this renewal ends on %(date)s: give the end date or the years, or make them agree."
)
DOCUMENT_NOT_READABLE = gettext_noop("This document does not exist or is not yours to see.")


def era_on(day: date) -> str:
    return Era.PRE2025 if day < ERA_CHANGE else Era.CURRENT


def check_dates(start: date | None, end: date | None, *, field: str = "end_date") -> Iterator[Breach]:
    if start is not None and end is not None and end < start:
        yield Breach(field, END_BEFORE_START)


def check_required(instance: Any, fields: Iterable[str]) -> Iterator[Breach]:
    """Foreign keys a row must give (the batch's `full_clean` leaves foreign keys to the caller's lookups)."""
    for name in fields:
        if getattr(instance, f"{name}_id", None) is None:
            yield Breach(name, REQUIRED)


def check_locality_era(locality: AdministrativeUnit | None, signed_on: date | None) -> Iterator[Breach]:
    """A partnership's Vietnamese province is one of the era in force on the day its agreement was signed: Hải
    Dương's partnerships signed before 1 July 2025 name Hải Dương (old era), and continue under Hải Phòng."""
    if locality is None:
        return
    if locality.level != UnitLevel.PROVINCE:
        yield Breach("vietnamese_locality", NOT_A_PROVINCE)
    elif signed_on is not None and locality.era != era_on(signed_on):
        era = Era(era_on(signed_on))
        yield Breach("vietnamese_locality", WRONG_ERA, {"date": signed_on, "era": str(era.label).lower()})


def check_permit(direction: str, number: str, on: date | None, authority: str) -> Iterator[Breach]:
    given = [bool(number), on is not None, bool(authority)]
    if any(given) and direction != Direction.OUTGOING:
        yield Breach("permit_number", PERMIT_OUTGOING_ONLY)
    elif any(given) and not all(given):
        field = ("permit_number", "permit_date", "permit_authority")[given.index(False)]
        yield Breach(field, PERMIT_WHOLE)


def check_days(days: Iterable[date], start: date | None, end: date | None) -> Iterator[Breach]:
    for day in days:
        if start is not None and end is not None and not start <= day <= end:
            yield Breach("days.day", DAY_OUTSIDE, {"day": day})


def check_years(years: Iterable[int]) -> Iterator[Breach]:
    seen: set[int] = set()
    for year in years:
        if year in seen:
            yield Breach("member_counts.year", YEAR_TWICE, {"year": year})
        seen.add(year)


def check_same_union(union_id: int | None, related: Iterable[Any], field: str) -> Iterator[Breach]:
    """Units and partnerships linked to a record are its union's."""
    for record in related:
        if union_id is not None and record.union_id != union_id:
            yield Breach(field, OTHER_UNION, {"name": str(record)})


def term_end_of(start: date, years: int) -> date:
    """The last day of a term of `years` years that starts on `start`: the day before its anniversary (a renewal of
    3 June 2024 for five years runs to 2 June 2029)."""
    return add_months(start, 12 * years) - timedelta(days=1)


def check_renewal(
    renewed_on: date | None, term_ends_on: date | None, years: int | None, signed_on: date | None
) -> Iterator[Breach]:
    """A renewal is not before the agreement was signed, its new term does not end before it, and a term given both
    as an end date and in years is the same term."""
    if renewed_on is None:
        return
    if signed_on is not None and renewed_on < signed_on:
        yield Breach("renewed_on", RENEWAL_BEFORE_SIGNING, {"date": signed_on})
    yield from check_dates(renewed_on, term_ends_on, field="term_ends_on")
    if years and term_ends_on is not None and term_ends_on != term_end_of(renewed_on, years):
        yield Breach("term_years", TERM_DISAGREES, {"years": years, "date": term_end_of(renewed_on, years)})
