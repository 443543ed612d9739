"""The union's period report (such as 2018–2024): its units, partnerships, activities, delegations, visitors and
volunteers from the register's selectors, and the aid it mobilised from the aid reports' one aggregation layer
(`amity.reports.selectors.report` / `compare`) — as a Word document in the Vietnamese administrative layout of
the aid reports (`amity.reports.exports.docx`, reused, not copied) and an XLSX annex. The same figures as the
dashboard: both come from `selectors.figures`."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from amity.reference.choices import Era
from amity.reports.exports import docx
from amity.reports.exports.base import COUNT, MONEY, TEXT
from amity.reports.selectors import Comparison, ReportResult, compare, report
from amity.reports.spec import Basis, BasisKind, Dimension, Measure, ReportSpec

from . import exports, selectors
from .choices import UnitKind
from .models import Union

LEADING_SECTORS = 3


@dataclass
class AidMobilised:
    spec: ReportSpec
    aid_items: int
    donors: int
    committed_usd: Decimal
    committed_vnd: Decimal
    vnd_basis: str
    compared: Comparison
    sectors: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def ratio(self) -> Decimal | None:
        return self.compared.ratio


@dataclass
class UnionReport:
    union: Union
    figures: selectors.Figures
    previous: selectors.Figures
    aid: AidMobilised
    generated_at: Any = field(default_factory=timezone.now)


def aid_mobilised(user: Any, union: Union, *, date_from: date, date_to: date, vnd_per_usd: Any = None) -> AidMobilised:
    """The aid located in the union's province (of its era) in the period: approved aid, committed, with the
    previous period of the same length and the leading sector categories."""
    spec = ReportSpec(
        measures=(Measure.COMMITTED, Measure.AID_ITEMS, Measure.DONORS),
        date_from=date_from,
        date_to=date_to,
        era=union.province.era,
        filters={"province": union.province.code},
    )
    totals = report(user, spec).totals
    if vnd_per_usd is not None:
        try:
            rate = Decimal(str(vnd_per_usd))
            if not rate.is_finite() or rate <= 0:
                raise InvalidOperation
        except InvalidOperation:
            raise ValueError(_("Give the fixed rate as a positive number of VND per USD.")) from None
        basis = Basis(BasisKind.FIXED_RATE, rate)
    else:
        basis = Basis()
    in_vnd = replace(spec, measures=(Measure.COMMITTED,), currency="VND", basis=basis)
    vnd = report(user, in_vnd).totals[Measure.COMMITTED]
    years = date_to.year - date_from.year + 1
    whole_years = (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31)
    previous = (
        spec.with_period(date(date_from.year - years, 1, 1), date(date_to.year - years, 12, 31))
        if whole_years
        else None
    )
    comparison = compare(user, spec, Measure.COMMITTED, previous=previous)
    by_sector: ReportResult = report(
        user,
        replace(spec, measures=(Measure.COMMITTED,), group_by=(Dimension.SECTOR_CATEGORY,)),
        order_by_value=True,
        limit=LEADING_SECTORS,
    )
    return AidMobilised(
        spec=spec,
        aid_items=int(totals[Measure.AID_ITEMS]),
        donors=int(totals[Measure.DONORS]),
        committed_usd=Decimal(totals[Measure.COMMITTED]),
        committed_vnd=Decimal(vnd),
        vnd_basis=basis.label("VND"),
        compared=comparison,
        sectors=[(row.keys[0].label, Decimal(row.value(Measure.COMMITTED))) for row in by_sector.rows],
    )


def union_report(user: Any, union: Union, *, date_from: date, date_to: date, vnd_per_usd: Any = None) -> UnionReport:
    area = selectors.Area(union.province)
    before = selectors.previous_period(date_from, date_to)
    return UnionReport(
        union=union,
        figures=selectors.figures(user, date_from=date_from, date_to=date_to, area=area),
        previous=selectors.figures(user, date_from=before[0], date_to=before[1], area=area),
        aid=aid_mobilised(user, union, date_from=date_from, date_to=date_to, vnd_per_usd=vnd_per_usd),
    )


def period_text(built: UnionReport) -> str:
    first, last = built.figures.date_from, built.figures.date_to
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return f"{first.year}–{last.year}"
    return f"{first:%d/%m/%Y}–{last:%d/%m/%Y}"


def paragraphs(built: UnionReport) -> list[tuple[str, list[str]]]:
    """The report's sections as (heading, paragraphs), in the active language (Vietnamese for the document)."""
    f, aid = built.figures, built.aid
    units = f.units
    partnerships = "; ".join(f"{p.foreign_locality} ({p.country.name})" for p in f.partnerships) or _("none recorded")
    people = f.visitors["total"].value
    ratio = aid.ratio
    sectors = ", ".join(name for name, _value in aid.sectors)
    return [
        (
            _("1. Organisation"),
            [
                _(
                    "The union leads %(total)s units, including the office, the centre and %(associations)s member "
                    "friendship associations."
                )
                % {"total": units["total"].value, "associations": units[UnitKind.ASSOCIATION].value},
                *members_paragraph(f),
            ],
        ),
        (
            _("2. Cooperation with foreign localities"),
            [_("Active partnerships: %(list)s.") % {"list": partnerships}],
        ),
        (
            _("3. People's diplomacy activities"),
            [
                _("%(events)s events with %(vn)s Vietnamese and %(foreign)s foreign participants.")
                % {
                    "events": f.events_total.value if f.events_total else 0,
                    "vn": f.participants.get("vietnamese", 0),
                    "foreign": f.participants.get("foreign", 0),
                },
                _("%(incoming)s delegations received and %(outgoing)s sent abroad.")
                % {
                    "incoming": f.delegations["incoming"].value,
                    "outgoing": f.delegations["outgoing"].value,
                },
                _("%(people)s international visitors and volunteers received.") % {"people": people},
            ],
        ),
        (
            _("4. Mobilising foreign non-governmental aid"),
            [
                _(
                    "%(donors)s foreign NGOs mobilised; %(items)s aid packages worth USD %(usd)s million "
                    "(%(vnd)s billion VND, %(basis)s), %(ratio)s times the previous period; mostly %(sectors)s."
                )
                % {
                    "donors": aid.donors,
                    "items": aid.aid_items,
                    "usd": docx.number_text((aid.committed_usd / 10**6).quantize(Decimal("0.01")), 2),
                    "vnd": docx.number_text((aid.committed_vnd / 10**9).quantize(Decimal("0.1")), 1),
                    "basis": aid.vnd_basis,
                    "ratio": docx.number_text(ratio.quantize(Decimal("0.1")), 1) if ratio else "—",
                    "sectors": sectors or "—",
                },
                _("Counted: %(statuses)s.") % {"statuses": aid.spec.statuses.label},
            ],
        ),
    ]


def members_paragraph(f: selectors.Figures) -> list[str]:
    """The associations' members in the period's last year, by the one rule of which count stands (declared, else
    recorded individually), and how many associations' two counts differ."""
    if not f.members_by_year or f.members_by_year[-1].year != f.date_to.year:
        return []
    last = f.members_by_year[-1]
    texts = [
        _("In %(year)s the member associations had %(members)s members.")
        % {"year": last.year, "members": last.members.value}
    ]
    if last.differ:
        texts.append(
            ngettext(
                "For %(count)s association the declared count differs from the individual members recorded (see the "
                "annex).",
                "For %(count)s associations the declared count differs from the individual members recorded (see the "
                "annex).",
                len(last.differ),
            )
            % {"count": len(last.differ)}
        )
    return texts


def tables(built: UnionReport) -> list[tuple[str, list[str], list[list[Any]], list[str]]]:
    """The annex: (title, headers, rows, kinds) — the same in the document and the XLSX."""
    f = built.figures
    members_headers, members_rows = exports.members_table(f)
    return [
        (
            _("Units"),
            [_("Kind"), _("Units")],
            [[f.units[k].label, f.units[k].value] for k in UnitKind],
            [TEXT, COUNT],
        ),
        (
            _("Associations and members by year"),
            members_headers,
            [[str(row[0]), *row[1:]] for row in members_rows],
            [TEXT, COUNT, COUNT, COUNT, COUNT, COUNT],
        ),
        (
            _("Partnerships"),
            [_("Foreign locality"), _("Country"), _("Signed")],
            [[p.foreign_locality, p.country.name, p.signed_on.isoformat()] for p in f.partnerships],
            [TEXT, TEXT, TEXT],
        ),
        (_("Events by type"), [_("Type"), _("Events")], [[x.label, x.value] for x in f.events_by_type], [TEXT, COUNT]),
        (
            _("Delegations by country"),
            [_("Country"), _("Incoming"), _("Outgoing")],
            [[name, incoming.value, outgoing.value] for name, incoming, outgoing in f.delegation_countries],
            [TEXT, COUNT, COUNT],
        ),
        (
            _("Visitors and volunteers by nationality"),
            [_("Nationality"), _("People")],
            [[x.label, x.value] for x in f.visitors_by_nationality],
            [TEXT, COUNT],
        ),
        (
            _("Aid by sector"),
            [_("Sector"), _("Committed (USD)")],
            [[name, value] for name, value in built.aid.sectors],
            [TEXT, MONEY],
        ),
    ]


def subject(built: UnionReport) -> str:
    return _("Report on people's diplomacy and foreign non-governmental aid, %(period)s") % {
        "period": period_text(built)
    }


def docx_response(user: Any, union: Union, *, date_from: date, date_to: date, vnd_per_usd: Any = None) -> HttpResponse:
    """The report as a Word document, always in Vietnamese (an administrative document), its labels too."""
    with translation.override(docx.LANGUAGE):
        built = union_report(user, union, date_from=date_from, date_to=date_to, vnd_per_usd=vnd_per_usd)
        province = built.union.owning_province
        letterhead = docx.default_letterhead(province, today=timezone.localdate())
        letterhead = replace(letterhead, issuer=built.union.name.upper().replace(province.name_vi.upper(), "").strip())
        title = subject(built)
        document = docx.layout_start(letterhead, title)
        for heading, texts in paragraphs(built):
            docx.body_paragraph(document, heading, bold=True, indent=False)
            for text in texts:
                docx.body_paragraph(document, text)
        for heading, headers, rows, kinds in tables(built):
            if rows:
                docx.body_paragraph(document, heading, bold=True, indent=False)
                docx.layout_table(document, headers, rows, kinds)
        stream = io.BytesIO()
        author = user.get_full_name() or user.get_username()
        docx.layout_finish(document, letterhead, stream, title=title, author=author)
    name = f"union-report-{period_text(built)}.docx"
    return HttpResponse(
        stream.getvalue(),
        content_type=docx.CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def xlsx_response(built: UnionReport) -> HttpResponse:
    """The annex: one sheet per table, with a first sheet saying what the figures are (personal data is never in
    it: visitors and volunteers are counted, not named)."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = _("Report")[:31]
    cover.append([subject(built)])
    cover.append([built.union.name])
    for heading, texts in paragraphs(built):
        cover.append([heading])
        for text in texts:
            cover.append([text])
    cover.append([_("Visitors and volunteers are counted here; their names are personal data and never exported.")])
    for heading, headers, rows, _kinds in tables(built):
        sheet = workbook.create_sheet(heading[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    if translation.get_language_bidi():
        for sheet in workbook.worksheets:
            sheet.sheet_view.rightToLeft = True
    stream = io.BytesIO()
    workbook.save(stream)
    return HttpResponse(
        stream.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="union-report-{period_text(built)}.xlsx"'},
    )


__all__ = ["Era", "UnionReport", "aid_mobilised", "docx_response", "union_report", "xlsx_response"]
