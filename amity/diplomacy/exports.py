"""The dashboard's figures as charts (JSON for the reports' chart script, `amity/static/reports/reports.js`) and as
downloads (XLSX, CSV) — one list of tables, so that the page, its charts and its files show the same figures.

The downloads take the dashboard's own parameters (`date_from`, `date_to`, `era`, `province`: the spec in the URL,
as the reports' exports do), so a view of the dashboard and its files can be bookmarked and shared; a bad parameter
is a 400 naming it. Text reaches a cell only through `amity.core.text` (`set_cell`, `CsvWriter`). Visitors and
volunteers are counted, never named: no personal data is in these files."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from amity.core.text import CsvWriter, set_cell
from amity.reference.choices import Era
from amity.reports.exports.xlsx import sheet_name

from . import selectors
from .choices import Direction, PersonKind, UnitKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows: the period's figures, the previous period's and their comparison."""

    current: selectors.Figures
    previous: selectors.Figures
    compared: list[selectors.Compared]
    countries: list[selectors.Compared]  # active partnerships by country, against the previous period


def dashboard(user: Any, *, date_from: date, date_to: date, area: selectors.Area) -> Dashboard:
    current = selectors.figures(user, date_from=date_from, date_to=date_to, area=area)
    before = selectors.previous_period(date_from, date_to)
    previous = selectors.figures(user, date_from=before[0], date_to=before[1], area=area)
    return Dashboard(
        current, previous, selectors.compared(current, previous), selectors.compared_countries(current, previous)
    )


def _ratio(current: int, previous: int) -> float | None:
    return round(current / previous, 1) if previous else None


def tables(board: Dashboard) -> list[Table]:
    """Every figure of the dashboard as a table of label and numbers (the charts draw some of them)."""
    now, before = board.current, board.previous

    def summary_row(label: str, current: int, previous: int) -> list[Any]:
        return [label, current, previous, _ratio(current, previous)]

    summary = [
        summary_row(_("Units"), now.units["total"].value, before.units["total"].value),
        summary_row(
            _("Member friendship associations"),
            now.units[UnitKind.ASSOCIATION].value,
            before.units[UnitKind.ASSOCIATION].value,
        ),
        summary_row(
            _("Members of the associations"),
            selectors.members_at_end(now).value,
            selectors.members_at_end(before).value,
        ),
        summary_row(_("Active partnerships"), len(now.partnerships), len(before.partnerships)),
        summary_row(
            _("Events"),
            now.events_total.value if now.events_total else 0,
            before.events_total.value if before.events_total else 0,
        ),
        summary_row(
            _("Vietnamese participants"),
            now.participants.get("vietnamese", 0),
            before.participants.get("vietnamese", 0),
        ),
        summary_row(
            _("Foreign participants"), now.participants.get("foreign", 0), before.participants.get("foreign", 0)
        ),
    ]
    for direction in Direction:
        summary.append(
            summary_row(
                str(_("Delegations: %(direction)s") % {"direction": direction.label}),
                now.delegations[direction].value,
                before.delegations[direction].value,
            )
        )
    for person in PersonKind:
        summary.append(summary_row(str(person.label), now.visitors[person].value, before.visitors[person].value))
    previous_heading = _("Previous period")
    count = _("Number")
    return [
        Table("summary", _("Summary"), [_("Figure"), _("This period"), previous_heading, _("Ratio")], summary),
        Table("events_by_type", _("Events by type"), [_("Type"), count], _rows(now.events_by_type)),
        Table("events_by_year", _("Events by year"), [_("Year"), count], _rows(now.events_by_year)),
        Table(
            "delegations_by_country",
            _("Delegations by country"),
            [_("Country"), _("Incoming"), _("Outgoing")],
            [[name, incoming.value, outgoing.value] for name, incoming, outgoing in now.delegation_countries],
        ),
        Table(
            "visitors_by_nationality",
            _("Visitors and volunteers by nationality"),
            [_("Nationality"), _("People")],
            _rows(now.visitors_by_nationality),
        ),
        Table(
            "visitors_by_year",
            _("Visitors and volunteers by year"),
            [_("Year"), _("People")],
            _rows(now.visitors_by_year),
        ),
        Table(
            "partnerships_by_country",
            _("Active partnerships by country"),
            [_("Country"), _("This period"), previous_heading, _("Ratio")],
            [[row.label, row.current.value, row.previous.value, row.ratio] for row in board.countries],
        ),
        Table("members_by_year", _("Associations and members by year"), *members_table(now)),
        Table(
            "member_counts_differ",
            _("Declared member counts that differ from the members recorded"),
            [_("Year"), _("Association"), pgettext("member count", "Declared"), _("Recorded individually")],
            [[row.year, d.association, d.declared, d.recorded] for row in now.members_by_year for d in row.differ],
        ),
    ]


def members_table(figures: selectors.Figures) -> tuple[list[str], list[list[Any]]]:
    """The associations and their members year by year (headers, rows): the counts that stand, the declared and the
    recorded beside them, and how many associations' two counts differ — the dashboard's downloads and the period
    report's annex alike."""
    headers = [
        _("Year"),
        _("Associations"),
        _("Members"),
        pgettext("member count", "Declared"),
        _("Recorded individually"),
        _("Counts that differ"),
    ]
    rows: list[list[Any]] = [
        [row.year, row.associations.value, row.members.value, row.declared, row.recorded, len(row.differ)]
        for row in figures.members_by_year
    ]
    return headers, rows


def _rows(figures: Sequence[selectors.Figure]) -> list[list[Any]]:
    return [[figure.label, figure.value] for figure in figures]


# --- charts ----------------------------------------------------------------------------------------------------------


def _series(kind: str, title: str, figures: Sequence[selectors.Figure], name: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "currency": "",  # counts: formatted as plain numbers
        "categories": [figure.label for figure in figures],
        "series": [{"name": name, "data": [{"value": f.value, "link": f.link} for f in figures]}],
    }


def charts(figures: selectors.Figures) -> dict[str, dict[str, Any]]:
    """The charts' data: categories and series, each point with the link to its records."""
    countries = figures.delegation_countries
    return {
        "events_by_type": _series("hbar", _("Events by type"), figures.events_by_type, _("Events")),
        "events_by_year": _series("years", _("Events by year"), figures.events_by_year, _("Events")),
        "delegations_by_country": {
            "kind": "hbar",
            "title": _("Delegations by country"),
            "currency": "",
            "categories": [name for name, _in, _out in countries],
            "series": [
                {
                    "name": str(Direction.INCOMING.label),
                    "data": [{"value": f.value, "link": f.link} for _n, f, _o in countries],
                },
                {
                    "name": str(Direction.OUTGOING.label),
                    "data": [{"value": f.value, "link": f.link} for _n, _i, f in countries],
                },
            ],
        },
        "visitors_by_nationality": _series(
            "hbar", _("Visitors and volunteers by nationality"), figures.visitors_by_nationality, _("People")
        ),
        "visitors_by_year": _series(
            "years", _("Visitors and volunteers by year"), figures.visitors_by_year, _("People")
        ),
        "members_by_year": _series(
            "years",
            _("Members of the associations"),
            [row.members for row in figures.members_by_year],
            _("Members"),
        ),
    }


# --- downloads -------------------------------------------------------------------------------------------------------


def parameter_lines(board: Dashboard, user: Any) -> list[tuple[str, str]]:
    """What a file's figures are of: its period, the period compared, the area, when and by whom."""
    now, before = board.current, board.previous
    province = now.area.province
    if province is None:
        area = _("All provinces the user may see")
    elif province.era == Era.PRE2025:
        area = _("%(province)s (before 1 July 2025)") % {"province": province}
    else:
        area = str(province)

    def period(figures: selectors.Figures) -> str:
        return f"{formats.date_format(figures.date_from, 'SHORT_DATE_FORMAT')} – " + formats.date_format(
            figures.date_to, "SHORT_DATE_FORMAT"
        )

    return [
        (_("Period"), period(now)),
        (_("Compared with"), period(before)),
        (_("Province"), area),
        (_("Generated"), formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")),
        (_("Generated by"), user.get_full_name() or user.get_username()),
        (
            _("Personal data"),
            _("Visitors and volunteers are counted here; their names are personal data and never exported."),
        ),
    ]


def xlsx_bytes(board: Dashboard, user: Any) -> bytes:
    """A cover sheet with the parameters, then one sheet per table (its title, its headers, its rows)."""
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = sheet_name(_("Parameters"))
    _write(cover, [[_("People's diplomacy: figures")]])
    _write(cover, [[label, value] for label, value in parameter_lines(board, user)])
    for number, table in enumerate(tables(board), start=1):
        # Numbered: two long titles cut at 31 characters would otherwise be one name.
        sheet = workbook.create_sheet(sheet_name(f"{number}. {table.title}"))
        _write(sheet, [[table.title], table.headers, *table.rows])
    if translation.get_language_bidi():
        for sheet in workbook.worksheets:
            sheet.sheet_view.rightToLeft = True
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _write(sheet: Any, rows: Sequence[Sequence[Any]]) -> None:
    start = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            set_cell(sheet.cell(row=start + offset, column=column), value)


def csv_bytes(board: Dashboard, user: Any) -> bytes:
    """The parameters, then each table after its title, separated by an empty line (UTF-8 with a BOM, which
    spreadsheets need to read Vietnamese)."""
    stream = io.StringIO()
    writer = CsvWriter(stream)
    for label, value in parameter_lines(board, user):
        writer.writerow([label, value])
    for table in tables(board):
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(row)
    return ("\ufeff" + stream.getvalue()).encode()


def filename(board: Dashboard, extension: str) -> str:
    now = board.current
    province = now.area.province
    where = "national" if province is None else f"{province.era}-{province.code}"
    return f"amity-diplomacy-{where}-{now.date_from:%Y%m%d}-{now.date_to:%Y%m%d}.{extension}"
