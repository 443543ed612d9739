"""Excel for the register: templates, exports and all-or-nothing uploads of events, delegations, visitors and
volunteers, and individual members of associations, on the Excel machinery of `amity.interop.excel` (the template
layout, the safe reader, typed cells placed on their sheet, row and column). Each row becomes a `services.Change`
and the whole file one call of the record's batch service: first `dry_run=True` (the check: every breach of every
row, on its column), then the same call for real — so the check and the write cannot disagree, and a refused file
changes nothing.

Exports never carry personal data (`personal`): visitors and volunteers, and association members, are exported
without their personal fields, and a sheet of the file says which those are; re-importing the file leaves the values
kept in Amity as they are."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from amity.core.breaches import BatchRefused
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.scoping import Action
from amity.interop.excel import problems as P
from amity.interop.excel.cells import INVALID, CellReader
from amity.interop.excel.problems import Problem, problem
from amity.interop.excel.reader import read_workbook
from amity.interop.excel.saving import EXCEL_IMPORT
from amity.interop.excel.templates import (
    BOOL,
    CODE,
    CODES,
    DATE,
    DECIMAL,
    FIRST_DATA_ROW,
    ID,
    LISTS,
    LONG_TEXT,
    TEXT,
    VERSION_COLUMN,
    Choice,
    Column,
    SheetSpec,
    WorkbookSpec,
    build_workbook,
)
from amity.reference.models import Country

from . import services
from .choices import Direction, EventType, Gender, MemberRole, PersonKind, PersonStatus, UnionStatus, UnitKind
from .filtersets import DelegationFilterSet, EventFilterSet, MemberFilterSet, VisitorFilterSet
from .models import AssociationMember, Delegation, Event, Union, UnionUnit, Visitor
from .personal import personal_fields

UNION = Column("union", gettext_lazy("Union"), CODE, required=True, choices="unions", width=36)
START = Column("start_date", gettext_lazy("Start date"), DATE, required=True, width=12)
END = Column("end_date", gettext_lazy("End date"), DATE, width=12)
NO_PERSONAL_DATA = gettext_lazy(
    "Names and contacts of visitors and volunteers are personal data: they are never exported (left blank here); "
    "an upload of this file leaves those kept in Amity as they are."
)
NO_MEMBER_PERSONAL_DATA = gettext_lazy(
    "Names, gender, years of birth, occupations and workplaces, contacts and notes of association members are "
    "personal data: they are never exported (left blank here); an upload of this file leaves those kept in Amity as "
    "they are."
)

EVENTS = WorkbookSpec(
    "diplomacy_events",
    gettext_lazy("Events"),
    (
        SheetSpec(
            "events",
            gettext_lazy("Events"),
            (
                ID,
                VERSION_COLUMN,
                UNION,
                Column("event_type", gettext_lazy("Type"), CODE, required=True, choices="event_types", width=30),
                Column("title", gettext_lazy("Title (Vietnamese)"), TEXT, required=True, max_length=500, width=40),
                Column("title_en", gettext_lazy("Title (English)"), TEXT, max_length=500, width=30),
                START,
                END,
                Column("place", gettext_lazy("Place"), TEXT, max_length=300),
                Column("countries", gettext_lazy("Foreign countries (codes)"), CODES, choices="countries"),
                Column("vietnamese_participants", gettext_lazy("Vietnamese participants"), DECIMAL, width=12),
                Column("foreign_participants", gettext_lazy("Foreign participants"), DECIMAL, width=12),
                Column("outcome", gettext_lazy("Outcome"), LONG_TEXT, width=40),
                # Shown on the public information page (`Event.public`); left empty: not public (a new event) or
                # as it is (a stored one).
                Column("public", gettext_lazy("Public"), BOOL, choices="yes_no", width=10),
            ),
        ),
    ),
)
DELEGATIONS = WorkbookSpec(
    "diplomacy_delegations",
    gettext_lazy("Delegations"),
    (
        SheetSpec(
            "delegations",
            gettext_lazy("Delegations"),
            (
                ID,
                VERSION_COLUMN,
                UNION,
                Column("direction", gettext_lazy("Direction"), CODE, required=True, choices="directions"),
                Column("country", gettext_lazy("Country"), CODE, required=True, choices="countries"),
                Column("counterpart", gettext_lazy("Organisation or locality"), TEXT, required=True, max_length=300),
                Column("head_name", gettext_lazy("Head of delegation"), TEXT, max_length=200),
                Column("head_title", gettext_lazy("Head's title"), TEXT, max_length=300),
                Column("size", gettext_lazy("Members"), DECIMAL, width=10),
                START,
                Column("end_date", gettext_lazy("End date"), DATE, required=True, width=12),
                Column("purpose", gettext_lazy("Purpose"), LONG_TEXT, width=40),
                Column("permit_number", gettext_lazy("Permitting decision number"), TEXT, max_length=100),
                Column("permit_date", gettext_lazy("Permitting decision date"), DATE, width=12),
                Column("permit_authority", gettext_lazy("Permitting authority"), TEXT, max_length=300),
            ),
        ),
    ),
)
VISITORS = WorkbookSpec(
    "diplomacy_visitors",
    gettext_lazy("Visitors and volunteers"),
    (
        SheetSpec(
            "visitors",
            gettext_lazy("Visitors and volunteers"),
            (
                ID,
                VERSION_COLUMN,
                UNION,
                Column("kind", gettext_lazy("Kind"), CODE, required=True, choices="person_kinds"),
                Column("group_name", gettext_lazy("Group"), TEXT, max_length=300),
                Column("group_size", gettext_lazy("People"), DECIMAL, width=10),
                Column("full_name", gettext_lazy("Full name (personal data)"), TEXT, max_length=200, width=28),
                Column("nationality", gettext_lazy("Nationality"), CODE, required=True, choices="countries"),
                Column("sending_organisation", gettext_lazy("Sending organisation"), TEXT, max_length=300),
                Column("host_placement", gettext_lazy("Host placement"), TEXT, max_length=300),
                Column("field", gettext_lazy("Field"), TEXT, max_length=200),
                START,
                END,
                Column("status", gettext_lazy("Status"), CODE, choices="person_statuses"),
            ),
        ),
    ),
)
MEMBERS = WorkbookSpec(
    "diplomacy_members",
    gettext_lazy("Members of associations"),
    (
        SheetSpec(
            "members",
            gettext_lazy("Members of associations"),
            (
                ID,
                VERSION_COLUMN,
                Column(
                    "association", gettext_lazy("Association"), CODE, required=True, choices="associations", width=36
                ),
                Column("full_name", gettext_lazy("Full name (personal data)"), TEXT, max_length=200, width=28),
                Column("gender", gettext_lazy("Gender (personal data)"), CODE, choices="genders"),
                Column("birth_year", gettext_lazy("Year of birth (personal data)"), DECIMAL, width=10),
                Column(
                    "occupation",
                    gettext_lazy("Occupation or workplace (personal data)"),
                    TEXT,
                    max_length=300,
                    width=28,
                ),
                Column("email", gettext_lazy("Email (personal data)"), TEXT, max_length=254, width=24),
                Column("phone", gettext_lazy("Phone (personal data)"), TEXT, max_length=50),
                Column("role", gettext_lazy("Role in the association"), CODE, choices="member_roles"),
                Column("joined_on", gettext_lazy("Joined on"), DATE, required=True, width=12),
                Column("left_on", gettext_lazy("Left on"), DATE, width=12),
                Column("notes", gettext_lazy("Notes (personal data)"), LONG_TEXT, width=30),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Kind:
    spec: WorkbookSpec
    model: type[Any]
    filterset: type[Any]
    save: Callable[..., list[Any]]
    counts: tuple[str, ...] = ()  # whole numbers read from number cells
    many: Mapping[str, str] = field(default_factory=dict)  # column → list of codes for a many-to-many field
    owner: str = "union"  # the column of the record it belongs to, by public identifier
    order: str = "start_date"
    personal_note: Any = None  # what an export says of the personal data it leaves out (a model about people)


KINDS: dict[str, Kind] = {
    "events": Kind(
        EVENTS,
        Event,
        EventFilterSet,
        services.events_save,
        ("vietnamese_participants", "foreign_participants"),
        {"countries": "countries"},
    ),
    "delegations": Kind(DELEGATIONS, Delegation, DelegationFilterSet, services.delegations_save, ("size",)),
    "visitors": Kind(
        VISITORS, Visitor, VisitorFilterSet, services.visitors_save, ("group_size",), personal_note=NO_PERSONAL_DATA
    ),
    "members": Kind(
        MEMBERS,
        AssociationMember,
        MemberFilterSet,
        services.members_save,
        ("birth_year",),
        owner="association",
        order="joined_on",
        personal_note=NO_MEMBER_PERSONAL_DATA,
    ),
}


def _lists(user: Any) -> dict[str, list[Choice]]:
    # The unions offered are open ones; a merged union in a file filled before the merger is still read (the
    # upload looks unions up among all of them) and refused by the service with its message on the column.
    unions = Union.objects.restrict(user, Action.CHANGE).exclude(status=UnionStatus.MERGED).order_by("name")
    associations = UnionUnit.objects.restrict(user, Action.CHANGE).filter(kind=UnitKind.ASSOCIATION).order_by("name")
    return {
        "unions": [Choice(str(u.public_id), u.name) for u in unions],
        "associations": [Choice(str(a.public_id), a.name) for a in associations],
        "genders": [Choice(v, str(label)) for v, label in Gender.choices],
        "member_roles": [Choice(v, str(label)) for v, label in MemberRole.choices],
        "countries": [Choice(c.code, c.name) for c in Country.objects.order_by("code")],
        "event_types": [Choice(v, str(label)) for v, label in EventType.choices],
        "directions": [Choice(v, str(label)) for v, label in Direction.choices],
        "person_kinds": [Choice(v, str(label)) for v, label in PersonKind.choices],
        "person_statuses": [Choice(v, str(label)) for v, label in PersonStatus.choices],
        "yes_no": LISTS["yes_no"](user),  # the Excel machinery's own yes/no list, as the aid templates use
    }


def template(kind: str, user: Any) -> Workbook:
    return build_workbook(KINDS[kind].spec, user, _lists(user))


def records_for_export(kind: str, user: Any, params: Mapping[str, Any], request: Any = None) -> QuerySet[Any]:
    """The records of the list page with the same filters (its FilterSet), in the user's scope."""
    found = KINDS[kind]
    queryset = found.model.objects.restrict(user, Action.VIEW).select_related(found.owner)
    filterset = found.filterset(params or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError(filterset.errors)
    rows: QuerySet[Any] = filterset.qs if filterset.is_bound else queryset
    return rows.order_by(found.order, "pk")


def export(kind: str, user: Any, params: Mapping[str, Any], request: Any = None) -> Workbook:
    """The template filled with the records (ids and versions hidden, for a round trip); no personal data."""
    found = KINDS[kind]
    workbook = template(kind, user)
    sheet = workbook.worksheets[0]
    columns = found.spec.main.columns
    queryset = records_for_export(kind, user, params, request)
    if found.many:
        queryset = queryset.prefetch_related(*found.many.values())
    for number, record in enumerate(queryset, start=FIRST_DATA_ROW):
        for position, column in enumerate(columns, start=1):
            sheet.cell(row=number, column=position, value=_cell(record, column, found))
    if found.personal_note:  # on a sheet of its own: the data sheet is read back as it is
        workbook.create_sheet(str(gettext_lazy("Personal data"))).cell(row=1, column=1, value=str(found.personal_note))
    return workbook


def _cell(record: Any, column: Column, found: Kind) -> Any:
    key = column.key
    if key == "id":
        return str(record.public_id)
    if key == found.owner:
        return f"{getattr(record, key).public_id}"
    if key in personal_fields(found.model):
        return None
    if key in found.many:
        return ", ".join(sorted(c.code for c in getattr(record, found.many[key]).all()))
    if column.type == BOOL:
        return _choice_value(column, "1" if getattr(record, key) else "0")
    value = getattr(record, f"{key}_id", None) if column.type == CODE and key in ("country", "nationality") else None
    if value is not None:
        related = getattr(record, key)
        return related.code
    return getattr(record, key)


def _choice_value(column: Column, code: str) -> str:
    """A code as its list writes it (`1 – yes`), so that the export reads back as the template's drop-down."""
    for choice in LISTS[column.choices](None) if column.choices in LISTS else ():
        if choice.code == code:
            return choice.value
    return code


@dataclass
class UploadResult:
    problems: list[Problem]
    rows: int
    written: bool


def upload(kind: str, source: Any, user: Any, *, write: bool) -> UploadResult:
    """Check a filled template (the service's dry run) and, with `write` and no problem, write it all at once."""
    found = KINDS[kind]
    read = read_workbook(found.spec, source)
    if read.problems:
        return UploadResult(read.problems, 0, False)
    sheet = read.sheets[found.spec.main.key]
    reader = CellReader(found.spec, read, user)
    lists = _lists(user)
    lookups: dict[str, Any] = {}
    if found.owner == "union":  # any union, so that another province's is refused by the service on its column
        lookups["union"] = {str(u.public_id): u for u in Union.objects.all()}
        countries = {c.code: c for c in Country.objects.all()}
        lookups.update(country=countries, nationality=countries, countries=countries)
    else:  # any association, likewise
        lookups["association"] = {str(u.public_id): u for u in UnionUnit.objects.filter(kind=UnitKind.ASSOCIATION)}
    ids = [row.values.get("id") for row in sheet.rows]
    wanted = {_uuid(value) for value in ids} - {None}
    stored = {r.public_id: r for r in found.model.objects.restrict(user, Action.VIEW).filter(public_id__in=wanted)}
    rows: list[services.Change] = []
    numbers: list[int] = []
    for row in sheet.rows:
        data: dict[str, Any] = {}
        for column in found.spec.main.columns:
            if column.key in ("id", "version"):
                continue
            lookup = {"allowed": lookups[column.key]} if column.key in lookups else {}
            if column.type == CODE and column.key not in lookups:
                lookup = {"allowed": {c.code: c.code for c in lists[column.choices]}}
            value = reader.value(sheet, row, column.key, **lookup)
            if value is INVALID:
                continue
            if column.key in found.many:
                value = value or []
            elif column.key in found.counts:
                value = _whole(reader, sheet, row, column.key, value)
                if value is INVALID:
                    continue
            if value is None and column.type in (TEXT, LONG_TEXT):
                value = ""
            if value is None and (column.key in found.counts or column.type in (CODE, BOOL)):
                continue  # left empty: the model's default, or the stored value
            data[column.key] = value
        record = stored.get(_uuid(row.values.get("id")))
        if row.values.get("id") and record is None:
            reader.report(sheet, row, "id", P.UNKNOWN_ID)
            continue
        if record is not None:
            for name in personal_fields(found.model):  # left blank by an export: the stored value stays
                if data.get(name) in (None, ""):
                    data.pop(name, None)
        version = row.values.get("version")
        expected = int(version) if isinstance(version, int | float | Decimal) else None
        rows.append(services.Change(data, record.pk if record else None, expected))
        numbers.append(row.number)
    problems = list(reader.problems)
    if problems:
        return UploadResult(problems, len(sheet.rows), False)
    letters = sheet.letters
    try:
        found.save(user=user, rows=rows, reason=EXCEL_IMPORT, dry_run=not write)
    except BatchRefused as refused:
        for breach in refused.breaches:
            key = breach.breach.record_field
            problems.append(
                problem(
                    breach.breach.message,
                    sheet=sheet.title,
                    row=numbers[breach.index],
                    column=letters.get(key, ""),
                    field=key,
                    **breach.breach.params,
                )
            )
        return UploadResult(problems, len(rows), False)
    except (PermissionDenied, ConflictError) as exc:
        return UploadResult([problem(P.INVALID, sheet=sheet.title, error=str(exc))], len(rows), False)
    return UploadResult([], len(rows), write)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _whole(reader: CellReader, sheet: Any, row: Any, key: str, value: Any) -> Any:
    if value is None:
        return None
    if Decimal(value) != Decimal(value).to_integral_value() or value < 0:
        reader.report(sheet, row, key, P.NOT_A_NUMBER, value=str(value))
        return INVALID
    return int(value)
