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
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

from django.db.models import Case, Count, DateField, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import ExtractYear
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from amity.core.scoping import jurisdiction
from amity.documents.models import Document
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, Country

from . import rollups
from .choices import Direction, EventType, PartnershipStatus, PersonKind, UnitKind, UnitStatus
from .filtersets import members_on, province_q
from .models import (
    AgreementRenewal,
    AssociationMember,
    Delegation,
    Event,
    MemberCount,
    Partnership,
    UnionUnit,
    Visitor,
)

# --- members of an association ---------------------------------------------------------------------------------


def association_members(user: Any, association: UnionUnit) -> QuerySet[AssociationMember]:
    """The individual members of an association the user may see, those still members first (personal data is
    the page's to show or not: `personal.may_see_personal_data`)."""
    members = AssociationMember.objects.restrict(user, "view").filter(association=association)
    return members.order_by(F("left_on").desc(nulls_first=True), "joined_on", "pk")


@dataclass(frozen=True)
class MembersInYear:
    """An association's members in a year: as declared (`MemberCount`, what the association reported) and as
    recorded from its individual members (those joined and not yet left on 31 December, or today in the current
    year: `filtersets.members_on`); None where there is no such figure.

    The one rule of which count stands (the association's page, the dashboard, its downloads and the period report
    all read it here): the **declared** count, which is what an association reports and individual members are
    optional — an association may record only its committee —; the recorded count where nothing was declared. Both
    are shown side by side, and where the association has individual members recorded for the year (at least one)
    and declared another number, the two **differ** and are flagged."""

    year: int
    declared: int | None
    recorded: int | None

    @property
    def individually(self) -> bool:
        """Whether the association has individual members recorded for the year."""
        return bool(self.recorded)

    @property
    def counted(self) -> int | None:
        if self.declared is not None:
            return self.declared
        return self.recorded if self.individually else None

    @property
    def differ(self) -> bool:
        return self.individually and self.declared is not None and self.declared != self.recorded


def recorded_members(
    members: QuerySet[AssociationMember], years: Iterable[int], *, today: date
) -> dict[tuple[int, int], int]:
    """(association id, year) → its individual members on 31 December of the year (today, in the current year; no
    figure for a year to come), counted in the database: one query, a row per association."""
    days = {year: min(date(year, 12, 31), today) for year in years if year <= today.year}
    if not days:
        return {}
    counts = {f"y{year}": Count("pk", filter=members_on(day)) for year, day in days.items()}
    rows = members.order_by().values_list("association").annotate(**counts)
    return {(row[0], year): int(n) for row in rows for year, n in zip(days, row[1:], strict=True)}


def members_by_year(association: UnionUnit, *, today: date) -> list[MembersInYear]:
    """The declared member count of each year beside the count of the individual members recorded, from the first
    year of either to the current one (three queries)."""
    declared = dict(association.member_counts.values_list("year", "members"))
    members = AssociationMember.objects.filter(association=association)
    first_joined = members.aggregate(first=Min("joined_on"))["first"]
    if first_joined is None:
        return [MembersInYear(year, n, None) for year, n in sorted(declared.items())]
    years = range(min([*declared, first_joined.year]), max([*declared, today.year]) + 1)
    recorded = recorded_members(members, years, today=today)
    return [MembersInYear(year, declared.get(year), recorded.get((association.pk, year))) for year in years]


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


class AgreementTerm(TypedDict):
    last_renewed_on: date | None
    current_term_ends_on: date | None


if TYPE_CHECKING:  # a type for mypy's Django plugin; at run time the annotated rows are partnerships
    from django_stubs_ext import WithAnnotations

    PartnershipWithTerm = WithAnnotations[Partnership, AgreementTerm]
else:
    PartnershipWithTerm = Partnership


def with_agreement_term(partnerships: QuerySet[Partnership]) -> QuerySet[PartnershipWithTerm]:
    """The one rule of an agreement's term in force: the latest renewal's (by the day renewed) — its new term end,
    none for a renewal without a fixed term —, or with no renewal the term the agreement was signed for. Annotates
    `last_renewed_on` and `current_term_ends_on` (subqueries: no query more for a list)."""
    latest = AgreementRenewal.objects.filter(partnership=OuterRef("pk")).order_by("-renewed_on", "-pk")
    renewed = partnerships.annotate(last_renewed_on=Subquery(latest.values("renewed_on")[:1]))
    return renewed.annotate(
        current_term_ends_on=Case(
            When(last_renewed_on__isnull=True, then=F("term_ends_on")),
            default=Subquery(latest.values("term_ends_on")[:1]),
            output_field=DateField(),
        )
    )


def renewals() -> QuerySet[PartnershipWithTerm]:
    """The agreements due for renewal: active partnerships whose agreement's term in force has an end, the first to
    end first — what the renewals list and its API restrict to the user (their views' `restrict`) and filter further
    (`RenewalFilterSet`: expired, ending within so many days or months). A dormant or ended partnership has nothing
    to renew until it is active again."""
    return (
        with_agreement_term(Partnership.objects.filter(status=PartnershipStatus.ACTIVE))
        .filter(current_term_ends_on__isnull=False)
        .select_related("union", "owning_province", "old_province", "country", "vietnamese_locality")
        .order_by("current_term_ends_on", "pk")
    )


@dataclass(frozen=True)
class RenewalRow:
    renewal: AgreementRenewal
    document: Document | None  # shown only to a reader of the document


def agreement_renewals(user: Any, partnership: Partnership) -> list[RenewalRow]:
    """The renewals of a partnership's agreement the user may see, the latest first, each with its document when the
    user may read it: two queries (one when none names a document)."""
    found = list(
        AgreementRenewal.objects.restrict(user, "view").filter(partnership=partnership).order_by("-renewed_on", "-pk")
    )
    named = {renewal.document_id for renewal in found if renewal.document_id is not None}
    readable = Document.objects.restrict(user, "view").in_bulk(named) if named else {}
    return [RenewalRow(renewal, readable.get(renewal.document_id or 0)) for renewal in found]


def readable_document(user: Any, renewal: AgreementRenewal) -> Document | None:
    """A renewal's document, when the user may read it."""
    if renewal.document_id is None:
        return None
    found: Document | None = Document.objects.restrict(user, "view").filter(pk=renewal.document_id).first()
    return found


def renewal_state(partnership: PartnershipWithTerm, today: date) -> str:
    """Expired (its term in force ended before today), due soon (within `RENEWAL_SOON_DAYS`), or later; the
    partnership comes from `with_agreement_term`."""
    ends = partnership.current_term_ends_on
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


@dataclass(frozen=True)
class MembersDiffer:
    """An association whose declared member count of a year differs from the individual members recorded."""

    association: str
    link: str  # the association's page, which shows both counts year by year
    declared: int
    recorded: int


@dataclass(frozen=True)
class MembersYear:
    """The member associations and their members in a year of the period: each association's count by the rule of
    `MembersInYear` (declared first, else recorded individually), summed, with the sums of both counts beside it
    and the associations whose two counts differ. Counts only: members are never named here."""

    year: int
    associations: Figure  # active associations founded by the year's end (or of no known founding date)
    members: Figure  # the counts that stand, summed
    declared: int
    recorded: int  # of the associations that have individual members recorded for the year
    differ: list[MembersDiffer] = field(default_factory=list)


@dataclass
class Figures:
    """The union's work in a period: what the dashboard shows and the period report writes."""

    date_from: date
    date_to: date
    area: Area
    units: dict[str, Figure] = field(default_factory=dict)  # office, centre, association, total
    members_by_year: list[MembersYear] = field(default_factory=list)
    partnership_countries: list[Figure] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
    partnerships_total: Figure | None = None
    events_by_type: list[Figure] = field(default_factory=list)
    events_by_year: list[Figure] = field(default_factory=list)
    events_total: Figure | None = None
    participants: dict[str, int] = field(default_factory=dict)
    delegations: dict[str, Figure] = field(default_factory=dict)
    delegations_total: Figure | None = None
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


@dataclass(frozen=True)
class Unit:
    pk: int
    public_id: Any
    kind: str
    name: str
    founded_on: date | None


def _members_over_time(
    user: Any,
    associations: list[Unit],
    chosen: QuerySet[UnionUnit],
    date_from: date,
    date_to: date,
    area: Area,
) -> list[MembersYear]:
    """The associations and their members in each year of the period that has any (`MembersInYear`'s rule for each
    association, summed): two queries, the declared counts and the individual members counted by the database."""
    years = range(date_from.year, date_to.year + 1)
    declared = {
        (unit, year): n
        for unit, year, n in MemberCount.objects.filter(
            unit__in=chosen, year__gte=date_from.year, year__lte=date_to.year
        ).values_list("unit", "year", "members")
    }
    members = AssociationMember.objects.restrict(user, "view").filter(association__in=chosen)
    recorded = recorded_members(members, years, today=timezone.localdate())
    found = []
    for year in years:
        end = date(year, 12, 31)
        existing = sum(1 for unit in associations if unit.founded_on is None or unit.founded_on <= end)
        link = _link("diplomacy:unit_list", area, kind=UnitKind.ASSOCIATION, status=UnitStatus.ACTIVE, founded_by=end)
        counted = declared_sum = recorded_sum = 0
        differ = []
        for unit in associations:
            count = MembersInYear(year, declared.get((unit.pk, year)), recorded.get((unit.pk, year)))
            counted += count.counted or 0
            declared_sum += count.declared or 0
            recorded_sum += count.recorded or 0
            if count.differ and count.declared is not None and count.recorded is not None:
                page = reverse("diplomacy:unit", kwargs={"public_id": unit.public_id})
                differ.append(MembersDiffer(unit.name, page, count.declared, count.recorded))
        if existing or counted:
            label = str(year)
            found.append(
                MembersYear(
                    year,
                    Figure(label, existing, link, label),
                    Figure(label, counted, link, label),
                    declared_sum,
                    recorded_sum,
                    differ,
                )
            )
    return found


def figures(user: Any, *, date_from: date, date_to: date, area: Area = Area()) -> Figures:
    """Every figure of the register for a period and an area, in a fixed number of queries: six when the yearly
    rollups answer (whole years, a user scoped by province or not at all), else eight."""
    result = Figures(date_from, date_to, area)
    where = area.q()
    period = _period(date_from, date_to)

    units = UnionUnit.objects.restrict(user, "view").filter(where, status=UnitStatus.ACTIVE)
    units = units.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=date_to))
    listed = [Unit(*row) for row in units.values_list("pk", "public_id", "kind", "name", "founded_on")]
    by_kind: dict[str, int] = defaultdict(int)
    for unit in listed:
        by_kind[unit.kind] += 1
    active = {"status": UnitStatus.ACTIVE, "founded_by": date_to.isoformat()}
    for kind in UnitKind:
        link = _link("diplomacy:unit_list", area, kind=kind, **active)
        result.units[kind] = Figure(str(kind.label), by_kind.get(kind, 0), link)
    result.units["total"] = Figure("", len(listed), _link("diplomacy:unit_list", area, **active))
    associations = [unit for unit in listed if unit.kind == UnitKind.ASSOCIATION]
    result.members_by_year = _members_over_time(
        user, associations, units.filter(kind=UnitKind.ASSOCIATION), date_from, date_to, area
    )

    partnerships = Partnership.objects.restrict(user, "view").filter(
        where, status=PartnershipStatus.ACTIVE, signed_on__lte=date_to
    )
    result.partnerships = list(partnerships.select_related("country").order_by("country__code", "foreign_locality"))
    signed = {"status": PartnershipStatus.ACTIVE, "date_to": date_to.isoformat()}
    result.partnerships_total = Figure(
        "", len(result.partnerships), _link("diplomacy:partnership_list", area, **signed)
    )
    countries: dict[int, int] = defaultdict(int)
    for partnership in result.partnerships:
        countries[partnership.country_id] += 1
    named = {p.country_id: p.country for p in result.partnerships}
    result.partnership_countries = [
        Figure(
            named[pk].name,
            n,
            _link("diplomacy:partnership_list", area, country=named[pk].code, **signed),
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
    result.delegations_total = Figure(
        "", sum(by_direction.values()), _link("diplomacy:delegation_list", area, **period)
    )
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


COMPARED = {
    "events": gettext_lazy("Events"),
    "delegations": gettext_lazy("Delegations"),
    "visitors": gettext_lazy("Visitors and volunteers"),
    "partnerships": gettext_lazy("Active partnerships"),
    "associations": gettext_lazy("Member associations"),
    "members": gettext_lazy("Members of the associations"),
}


@dataclass(frozen=True)
class Compared:
    """A figure of the period beside the same figure of the previous period, each with the link to its records."""

    key: str
    label: str
    current: Figure
    previous: Figure

    @property
    def ratio(self) -> float | None:
        return round(self.current.value / self.previous.value, 1) if self.previous.value else None


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length just before (whole years when the period is whole years)."""
    if (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31):
        years = date_to.year - date_from.year + 1
        return date(date_from.year - years, 1, 1), date(date_to.year - years, 12, 31)
    end = date_from - timedelta(days=1)
    return end - (date_to - date_from), end


def members_at_end(figures: Figures) -> Figure:
    """The members of the associations in the period's last year (the counts that stand, `MembersInYear`)."""
    last = figures.members_by_year[-1] if figures.members_by_year else None
    if last is not None and last.year == figures.date_to.year:
        return last.members
    link = _link("diplomacy:unit_list", figures.area, kind=UnitKind.ASSOCIATION, status=UnitStatus.ACTIVE)
    return Figure(str(figures.date_to.year), 0, link)


def _or_zero(figure: Figure | None) -> Figure:
    return figure if figure is not None else Figure("", 0, "")


def compared(current: Figures, previous: Figures) -> list[Compared]:
    """The period against the previous one, figure by figure: events, delegations, visitors and volunteers, active
    partnerships, member associations (at the period's end) and their members (in its last year)."""
    pairs = {
        "events": (current.events_total, previous.events_total),
        "delegations": (current.delegations_total, previous.delegations_total),
        "visitors": (current.visitors.get("total"), previous.visitors.get("total")),
        "partnerships": (current.partnerships_total, previous.partnerships_total),
        "associations": (current.units.get(UnitKind.ASSOCIATION), previous.units.get(UnitKind.ASSOCIATION)),
        "members": (members_at_end(current), members_at_end(previous)),
    }
    return [Compared(key, str(COMPARED[key]), _or_zero(now), _or_zero(before)) for key, (now, before) in pairs.items()]


def compared_countries(current: Figures, previous: Figures) -> list[Compared]:
    """Active partnerships by country in the period against the previous one (a country of either), most first;
    each count links to its partnerships."""
    now = {figure.key: figure for figure in current.partnership_countries}
    before = {figure.key: figure for figure in previous.partnership_countries}
    rows = []
    for code in {*now, *before}:
        label = (now.get(code) or before[code]).label
        rows.append(
            Compared(
                code, label, now.get(code) or _none_in(current, code), before.get(code) or _none_in(previous, code)
            )
        )
    return sorted(rows, key=lambda row: (-row.current.value, -row.previous.value, row.label))


def _none_in(figures: Figures, code: str) -> Figure:
    """A country without active partnerships in the period: 0, linking to the (empty) list that says so."""
    signed = {"status": PartnershipStatus.ACTIVE, "date_to": figures.date_to.isoformat()}
    return Figure("", 0, _link("diplomacy:partnership_list", figures.area, country=code, **signed), code)


def province_choices(user: Any) -> Mapping[str, list[AdministrativeUnit]]:
    """The provinces a user may pick for the figures, by era: their own (and their predecessors) or all."""
    provinces = jurisdiction(user)
    current = AdministrativeUnit.objects.filter(level="province", era=Era.CURRENT).order_by("code")
    old = AdministrativeUnit.objects.filter(level="province", era=Era.PRE2025).order_by("code")
    if provinces is not None:
        current = current.filter(pk__in=provinces)
        old = old.filter(successors__new_unit__in=provinces).distinct()
    return {Era.CURRENT: list(current), Era.PRE2025: list(old)}
