"""Reads of the diplomacy register: the calendar, who sees personal data, and the figures of the dashboard and
the period report — one module, so that the pages, the report and its test compute each figure the same way.
Each figure is one query (grouped in the database) and carries the link to the records behind it."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.urls import get_script_prefix, get_urlconf, reverse

from amity.core.scoping import jurisdiction
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, Country

from . import rollups
from .choices import Direction, EventType, PartnershipStatus, PersonKind, UnitKind, UnitStatus
from .filtersets import province_q
from .models import AssociationMember, Delegation, Event, MemberCount, Partnership, UnionUnit, Visitor

# --- members of an association ---------------------------------------------------------------------------------


def association_members(user: Any, association: UnionUnit) -> QuerySet[AssociationMember]:
    """The individual members of an association the user may see, those still members first (personal data is
    the page's to show or not: `personal.may_see_personal_data`)."""
    members = AssociationMember.objects.restrict(user, "view").filter(association=association)
    return members.order_by(F("left_on").desc(nulls_first=True), "joined_on", "pk")


@dataclass(frozen=True)
class MembersInYear:
    """An association's members in a year: as declared (`MemberCount`, what the association reported) and as
    counted from its individual members (those joined and not yet left on 31 December, or today in the current
    year); None where there is no such figure."""

    year: int
    declared: int | None
    recorded: int | None


def members_by_year(association: UnionUnit, *, today: date) -> list[MembersInYear]:
    """The declared member count of each year beside the count of the individual members recorded, from the first
    year of either to the current one (two queries; the members' dates are counted here, a few hundred rows)."""
    declared = dict(association.member_counts.values_list("year", "members"))
    spells = list(AssociationMember.objects.filter(association=association).values_list("joined_on", "left_on"))
    if not spells:
        return [MembersInYear(year, n, None) for year, n in sorted(declared.items())]
    first = min([*declared, *(joined.year for joined, _left in spells)])
    last = max([*declared, today.year])
    rows = []
    for year in range(first, last + 1):
        on = min(date(year, 12, 31), today)
        recorded = None
        if year <= today.year:
            recorded = sum(1 for joined, left in spells if joined <= on and (left is None or left > on))
        rows.append(MembersInYear(year, declared.get(year), recorded))
    return rows


# --- calendar ------------------------------------------------------------------------------------------------------


def _overlapping(first: date, last: date) -> Q:
    return Q(start_date__lte=last) & (Q(end_date__gte=first) | Q(end_date__isnull=True, start_date__gte=first))


def events_between(user: Any, first: date, last: date) -> QuerySet[Event]:
    """The events the user may see that take place on at least one day from `first` to `last`."""
    return Event.objects.restrict(user, "view").filter(_overlapping(first, last)).order_by("start_date", "pk")


def public_events() -> QuerySet[Event]:
    """The events marked public, for the public information page: what anyone may read of them is their title,
    type, dates, place, union and description. Not through the scope policy's `public` table, which is a floor for
    every signed-in user and would put other provinces' public events in a province's lists and figures."""
    return Event.objects.filter(public=True)


def public_events_between(first: date, last: date) -> QuerySet[Event]:
    return public_events().filter(_overlapping(first, last)).order_by("start_date", "pk")


DAY_SHOWN = 3  # events written in a day's cell; the others are a link to that day's list
MONTH_LISTED = 100  # events listed under the grid; the others are a link to the month's list


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    events: list[Event] = field(default_factory=list)

    @property
    def shown(self) -> list[Event]:
        return self.events[:DAY_SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.events) - DAY_SHOWN, 0)


def month_weeks(year: int, month: int, events: Iterable[Event]) -> list[list[CalendarDay]]:
    """The weeks of a month (Monday first), each day with the events on it."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    days = {day: CalendarDay(day, day.month == month) for week in weeks for day in week}
    for event in events:
        current = max(event.start_date, weeks[0][0])
        last = min(event.end_date or event.start_date, weeks[-1][-1])
        while current <= last:
            days[current].events.append(event)
            current += timedelta(days=1)
    return [[days[day] for day in week] for week in weeks]


# --- renewals of agreements ------------------------------------------------------------------------------------------

RENEWAL_SOON_DAYS = 90  # an agreement whose term ends within this many days is highlighted as due soon
RENEWAL_EXPIRED, RENEWAL_SOON, RENEWAL_LATER = "expired", "soon", "later"


def renewals() -> QuerySet[Partnership]:
    """The partnerships whose agreement has a term and is not ended, the first to end first: what the renewals
    list and its API restrict to the user (their views' `restrict`) and filter further (`RenewalFilterSet`)."""
    return (
        Partnership.objects.filter(term_ends_on__isnull=False)
        .exclude(status=PartnershipStatus.ENDED)
        .select_related("union", "owning_province", "old_province", "country", "vietnamese_locality")
        .order_by("term_ends_on", "pk")
    )


def renewal_state(partnership: Partnership, today: date) -> str:
    """Expired (its term ended before today), due soon (within `RENEWAL_SOON_DAYS`), or later."""
    ends = partnership.term_ends_on
    if ends is None or ends > today + timedelta(days=RENEWAL_SOON_DAYS):
        return RENEWAL_LATER
    return RENEWAL_EXPIRED if ends < today else RENEWAL_SOON


# --- figures -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """Where the figures are of: a province of an era, or the whole country (None)."""

    province: AdministrativeUnit | None = None

    @property
    def params(self) -> dict[str, str]:
        if self.province is None:
            return {}
        return {"era": self.province.era, "province": self.province.code}

    def q(self) -> Q:
        if self.province is None:
            return Q()
        return province_q(self.province.era, self.province.code)


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    link: str
    key: str = ""


@dataclass
class Figures:
    """The union's work in a period: what the dashboard shows and the period report writes."""

    date_from: date
    date_to: date
    area: Area
    units: dict[str, Figure] = field(default_factory=dict)  # office, centre, association, total
    members_by_year: list[Figure] = field(default_factory=list)
    partnership_countries: list[Figure] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
    events_by_type: list[Figure] = field(default_factory=list)
    events_by_year: list[Figure] = field(default_factory=list)
    events_total: Figure | None = None
    participants: dict[str, int] = field(default_factory=dict)
    delegations: dict[str, Figure] = field(default_factory=dict)
    delegation_countries: list[tuple[str, Figure, Figure]] = field(default_factory=list)
    visitors: dict[str, Figure] = field(default_factory=dict)
    visitors_by_nationality: list[Figure] = field(default_factory=list)
    visitors_by_year: list[Figure] = field(default_factory=list)


@lru_cache(maxsize=64)
def _path(name: str, prefix: str, urlconf: Any) -> str:
    return reverse(name, urlconf=urlconf)


def _link(name: str, area: Area, **params: Any) -> str:
    """A figure's link to its records (a national dashboard has hundreds: the list's path is reversed once)."""
    query = {**area.params, **{k: str(v) for k, v in params.items() if v not in (None, "")}}
    return f"{_path(name, get_script_prefix(), get_urlconf())}?{urlencode(query)}"


def _period(date_from: date, date_to: date) -> dict[str, str]:
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}


def _country_names(codes: Iterable[int]) -> dict[int, Country]:
    return Country.objects.in_bulk(set(codes))


@dataclass
class Counts:
    """The grouped counts behind the figures of events, delegations and visitors, whichever source they come from:
    events as (type, year, count, Vietnamese participants, foreign participants), delegations as (direction,
    country id, count), visitors as (kind, nationality id, year, people)."""

    events: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    delegations: list[tuple[str, int, int]] = field(default_factory=list)
    visitors: list[tuple[str, int, int, int]] = field(default_factory=list)


def _counts(user: Any, *, date_from: date, date_to: date, area: Area) -> Counts:
    """From the yearly rollups when they can answer (`rollups.readable`: one query), else from the records (one
    grouped scan per kind of record) — the same figures either way (`tests/test_rollups.py`)."""
    result = Counts()
    if rollups.readable(user, date_from, date_to):
        delegations: dict[tuple[str, int], int] = defaultdict(int)
        for kind, code, country, year, n, people, vn, foreign in rollups.counts(
            user, date_from=date_from, date_to=date_to, province=area.province
        ):
            if kind == rollups.EVENTS.kind:
                result.events.append((code, year, n, vn, foreign))
            elif kind == rollups.DELEGATIONS.kind and country is not None:
                delegations[code, country] += n
            elif kind == rollups.VISITORS.kind and country is not None:
                result.visitors.append((code, country, year, people))
        result.delegations = [(direction, country, n) for (direction, country), n in delegations.items()]
        return result
    where = area.q()
    events = Event.objects.restrict(user, "view").filter(where, start_date__gte=date_from, start_date__lte=date_to)
    result.events = [
        (kind, year, n, int(vn or 0), int(foreign or 0))
        for kind, year, n, vn, foreign in events.annotate(y=ExtractYear("start_date"))
        .values_list("event_type", "y")
        .annotate(n=Count("pk"), vn=Sum("vietnamese_participants"), foreign=Sum("foreign_participants"))
        .order_by()
    ]
    delegations_q = Delegation.objects.restrict(user, "view").filter(
        where, start_date__gte=date_from, start_date__lte=date_to
    )
    result.delegations = list(delegations_q.values_list("direction", "country").annotate(n=Count("pk")).order_by())
    visitors = Visitor.objects.restrict(user, "view").filter(where, start_date__gte=date_from, start_date__lte=date_to)
    result.visitors = [
        (kind, nationality, year, int(n or 0))
        for kind, nationality, year, n in visitors.annotate(y=ExtractYear("start_date"))
        .values_list("kind", "nationality", "y")
        .annotate(n=Sum("group_size"))
        .order_by()
    ]
    return result


def figures(user: Any, *, date_from: date, date_to: date, area: Area = Area()) -> Figures:
    """Every figure of the register for a period and an area, in a fixed number of queries: five when the yearly
    rollups answer (whole years, a user scoped by province or not at all), else seven."""
    result = Figures(date_from, date_to, area)
    where = area.q()
    period = _period(date_from, date_to)

    units = UnionUnit.objects.restrict(user, "view").filter(where, status=UnitStatus.ACTIVE)
    units = units.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=date_to))
    by_kind = dict(units.values_list("kind").annotate(n=Count("pk")).order_by())
    for kind in UnitKind:
        result.units[kind] = Figure(
            str(kind.label), by_kind.get(kind, 0), _link("diplomacy:unit_list", area, kind=kind)
        )
    result.units["total"] = Figure("", sum(by_kind.values()), _link("diplomacy:unit_list", area))

    members = (
        MemberCount.objects.filter(unit__in=units.filter(kind=UnitKind.ASSOCIATION), year__lte=date_to.year)
        .filter(year__gte=date_from.year)
        .values_list("year")
        .annotate(n=Sum("members"))
        .order_by("year")
    )
    link = _link("diplomacy:unit_list", area, kind=UnitKind.ASSOCIATION)
    result.members_by_year = [Figure(str(year), int(n), link, str(year)) for year, n in members]

    partnerships = Partnership.objects.restrict(user, "view").filter(
        where, status=PartnershipStatus.ACTIVE, signed_on__lte=date_to
    )
    result.partnerships = list(partnerships.select_related("country").order_by("country__code", "foreign_locality"))
    countries: dict[int, int] = defaultdict(int)
    for partnership in result.partnerships:
        countries[partnership.country_id] += 1
    named = {p.country_id: p.country for p in result.partnerships}
    result.partnership_countries = [
        Figure(
            named[pk].name,
            n,
            _link("diplomacy:partnership_list", area, country=named[pk].code, status=PartnershipStatus.ACTIVE),
            named[pk].code,
        )
        for pk, n in countries.items()
    ]

    counted = _counts(user, date_from=date_from, date_to=date_to, area=area)
    grouped = counted.events
    by_type: dict[str, int] = defaultdict(int)
    by_year: dict[int, int] = defaultdict(int)
    for event_type, year, n, _vn, _foreign in grouped:
        by_type[event_type] += n
        by_year[year] += n
    result.events_by_type = [
        Figure(str(kind.label), by_type[kind], _link("diplomacy:event_list", area, event_type=kind, **period), kind)
        for kind in EventType
        if by_type.get(kind)
    ]
    result.events_by_year = [
        Figure(str(year), n, _link("diplomacy:event_list", area, year=year), str(year))
        for year, n in sorted(by_year.items())
    ]
    result.events_total = Figure("", sum(by_type.values()), _link("diplomacy:event_list", area, **period))
    result.participants = {
        "vietnamese": sum(int(row[3] or 0) for row in grouped),
        "foreign": sum(int(row[4] or 0) for row in grouped),
    }

    pairs = counted.delegations
    by_direction: dict[str, int] = defaultdict(int)
    by_country: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for direction, country_id, n in pairs:
        by_direction[direction] += n
        by_country[country_id][direction] += n
    for direction in Direction:
        link = _link("diplomacy:delegation_list", area, direction=direction, **period)
        result.delegations[direction] = Figure(str(direction.label), by_direction[direction], link, direction)
    # The countries of the delegations and the nationalities of the visitors, named in one query.
    names = _country_names({row[1] for row in counted.delegations} | {row[1] for row in counted.visitors})
    for pk, counts in sorted(by_country.items(), key=lambda pair: -sum(pair[1].values())):
        country = names[pk]
        result.delegation_countries.append(
            (
                country.name,
                Figure(
                    "",
                    counts[Direction.INCOMING],
                    _link(
                        "diplomacy:delegation_list",
                        area,
                        direction=Direction.INCOMING,
                        country=country.code,
                        **period,
                    ),
                ),
                Figure(
                    "",
                    counts[Direction.OUTGOING],
                    _link(
                        "diplomacy:delegation_list",
                        area,
                        direction=Direction.OUTGOING,
                        country=country.code,
                        **period,
                    ),
                ),
            )
        )

    people = counted.visitors
    by_kind_people: dict[str, int] = defaultdict(int)
    by_nationality: dict[int, int] = defaultdict(int)
    by_visitor_year: dict[int, int] = defaultdict(int)
    for person_kind, nationality, year, n in people:
        by_kind_people[person_kind] += int(n or 0)
        by_nationality[nationality] += int(n or 0)
        by_visitor_year[year] += int(n or 0)
    for person in PersonKind:
        link = _link("diplomacy:visitor_list", area, kind=person, **period)
        result.visitors[person] = Figure(str(person.label), by_kind_people[person], link, person)
    result.visitors["total"] = Figure("", sum(by_kind_people.values()), _link("diplomacy:visitor_list", area, **period))
    nationalities = names
    result.visitors_by_nationality = [
        Figure(
            nationalities[pk].name,
            n,
            _link("diplomacy:visitor_list", area, nationality=nationalities[pk].code, **period),
            nationalities[pk].code,
        )
        for pk, n in sorted(by_nationality.items(), key=lambda pair: -pair[1])
    ]
    result.visitors_by_year = [
        Figure(str(year), n, _link("diplomacy:visitor_list", area, year=year), str(year))
        for year, n in sorted(by_visitor_year.items())
    ]
    return result


@dataclass(frozen=True)
class Compared:
    label: str
    current: int
    previous: int

    @property
    def ratio(self) -> float | None:
        return round(self.current / self.previous, 1) if self.previous else None


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length just before (whole years when the period is whole years)."""
    if (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31):
        years = date_to.year - date_from.year + 1
        return date(date_from.year - years, 1, 1), date(date_to.year - years, 12, 31)
    end = date_from - timedelta(days=1)
    return end - (date_to - date_from), end


def compared(current: Figures, previous: Figures) -> list[Compared]:
    return [
        Compared("events", _value(current.events_total), _value(previous.events_total)),
        Compared(
            "delegations",
            sum(f.value for f in current.delegations.values()),
            sum(f.value for f in previous.delegations.values()),
        ),
        Compared("visitors", current.visitors["total"].value, previous.visitors["total"].value),
    ]


def _value(figure: Figure | None) -> int:
    return figure.value if figure is not None else 0


def province_choices(user: Any) -> Mapping[str, list[AdministrativeUnit]]:
    """The provinces a user may pick for the figures, by era: their own (and their predecessors) or all."""
    provinces = jurisdiction(user)
    current = AdministrativeUnit.objects.filter(level="province", era=Era.CURRENT).order_by("code")
    old = AdministrativeUnit.objects.filter(level="province", era=Era.PRE2025).order_by("code")
    if provinces is not None:
        current = current.filter(pk__in=provinces)
        old = old.filter(successors__new_unit__in=provinces).distinct()
    return {Era.CURRENT: list(current), Era.PRE2025: list(old)}
