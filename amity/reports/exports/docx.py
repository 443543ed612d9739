"""A report as a Word document in the layout of Vietnamese administrative documents (Decree 30/2020/NĐ-CP,
appendix I): the two-column letterhead (issuing body and number on the left, national heading, motto, place
and date on the right), the centred title “BÁO CÁO” with its subject line, the body with the headline
figures, the conversion and status bases, the figures table, then “Nơi nhận:” on the left and the signature on
the right.
Times New Roman, A4, margins of the decree; page numbers from the second page, centred in the top margin.

Always in Vietnamese (`translation.override("vi")` around the whole build): an administrative document is
in Vietnamese whatever the user's interface language. The decree's fixed formulae and the default names of the
issuing bodies are Vietnamese constants below, not translatable text: they are the form itself, not a label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from amity.core.scoping import is_national
from amity.core.text import xml_text
from amity.reference.models import AdministrativeUnit

from ..selectors import Comparison, ReportResult
from ..spec import ReportSpec, SpecError
from .base import (
    COUNT,
    MONEY,
    TEXT,
    ExportContext,
    export_notes,
    filter_descriptions,
    money_places,
    table_columns,
    table_rows,
    totals_row,
)

if TYPE_CHECKING:
    from ..models import PublishedReport

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSION = "docx"
LANGUAGE = "vi"

# --- Decree 30/2020 formulae (fixed Vietnamese text of the form) -------------------------------------------------
NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOCUMENT_KIND = "BÁO CÁO"
NUMBER_PREFIX = "Số: "
RECIPIENTS_HEADING = "Nơi nhận:"
FILED = "Lưu: VT."
NAME_PLACEHOLDER = "……………………………"

# --- defaults of the letterhead (names of bodies: data, overridable by the doc_* query parameters) --------------
PROVINCIAL_ISSUER = "LIÊN HIỆP CÁC TỔ CHỨC HỮU NGHỊ"
PROVINCIAL_NUMBER = "      /BC-LHHN"
NATIONAL_ISSUER = "LIÊN HIỆP CÁC TỔ CHỨC HỮU NGHỊ VIỆT NAM"
NATIONAL_NUMBER = "      /BC-LHHNVN"
NATIONAL_PLACE = "Hà Nội"
SIGNER_FOR = "TM. BAN THƯỜNG TRỰC"
SIGNER_TITLE = "CHỦ TỊCH"
NATIONAL_RECIPIENTS = (
    "Bộ Ngoại giao;",
    "Ủy ban Công tác về các tổ chức phi chính phủ nước ngoài;",
    FILED,
)

# --- page and type (Decree 30/2020, appendix I) ------------------------------------------------------------------
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15
LEFT_COLUMN_MM = 65  # issuing body and number
FONT = "Times New Roman"
BODY_SIZE = Pt(14)
HEADING_SIZE = Pt(13)
TABLE_SIZE = Pt(12)
RECIPIENTS_SIZE = Pt(11)
FIRST_LINE_INDENT = Mm(12.7)

MAX_TEXT_PARAMETER = 300
DOC_PARAMETERS = (
    "doc_parent",
    "doc_issuer",
    "doc_number",
    "doc_place",
    "doc_date",
    "doc_subject",
    "doc_signer_for",
    "doc_signer_title",
    "doc_signer_name",
    "doc_recipients",
)


@dataclass(frozen=True)
class Letterhead:
    """What the document says about itself: who issues it, its number, place and date, subject and signer."""

    parent_body: str  # the managing body (cơ quan chủ quản), e.g. “UBND THÀNH PHỐ HẢI PHÒNG”; may be empty
    issuer: str
    number: str
    place: str
    date: date
    signer_for: str
    signer_title: str
    signer_name: str = ""
    subject: str = ""  # empty: from the period
    recipients: tuple[str, ...] = ()


def default_letterhead(province: AdministrativeUnit | None, *, today: date) -> Letterhead:
    """A province's union of friendship organizations reporting, or the national union without a province."""
    if province is None:
        return Letterhead(
            parent_body="",
            issuer=NATIONAL_ISSUER,
            number=NATIONAL_NUMBER,
            place=NATIONAL_PLACE,
            date=today,
            signer_for=SIGNER_FOR,
            signer_title=SIGNER_TITLE,
            recipients=NATIONAL_RECIPIENTS,
        )
    full_name = province.full_name_vi  # “Thành phố Hải Phòng”, “Tỉnh Sơn La”
    return Letterhead(
        parent_body=f"UBND {full_name.upper()}",
        issuer=PROVINCIAL_ISSUER,
        number=PROVINCIAL_NUMBER,
        place=province.name_vi,
        date=today,
        signer_for=SIGNER_FOR,
        signer_title=SIGNER_TITLE,
        recipients=(
            "Bộ Ngoại giao;",
            "Liên hiệp các tổ chức hữu nghị Việt Nam;",
            f"UBND {full_name[:1].lower()}{full_name[1:]};",
            FILED,
        ),
    )


def letterhead_province(
    spec: ReportSpec, user: Any, published: PublishedReport | None = None
) -> AdministrativeUnit | None:
    """Whose report this is: the published report's province, the spec's current-era province filter, the
    user's only province; else national."""
    if published is not None and published.province_id:
        return published.province
    code = spec.filters.get("province", "")
    if code and spec.era == "2025":
        return AdministrativeUnit.objects.filter(era="2025", level="province", code=code).first()
    if user is not None and getattr(user, "is_authenticated", False):
        provinces: list[AdministrativeUnit] = list(user.jurisdictions.all()[:2])
        if len(provinces) == 1:
            return provinces[0]
    return None


def letterhead_from_params(params: Mapping[str, str], default: Letterhead) -> Letterhead:
    """The default letterhead with the `doc_*` query parameters applied; SpecError names any bad one."""
    errors: dict[str, str] = {}
    for name in DOC_PARAMETERS:
        if len(params.get(name, "")) > MAX_TEXT_PARAMETER:
            errors[name] = _("At most %(count)d characters.") % {"count": MAX_TEXT_PARAMETER}
    on = default.date
    if params.get("doc_date"):
        try:
            on = date.fromisoformat(params["doc_date"])
        except ValueError:
            errors["doc_date"] = _("Enter a date as YYYY-MM-DD.")
    if errors:
        raise SpecError(errors)
    changes: dict[str, Any] = {"date": on}
    for name, attribute in (
        ("doc_parent", "parent_body"),
        ("doc_issuer", "issuer"),
        ("doc_number", "number"),
        ("doc_place", "place"),
        ("doc_subject", "subject"),
        ("doc_signer_for", "signer_for"),
        ("doc_signer_title", "signer_title"),
        ("doc_signer_name", "signer_name"),
    ):
        if name in params:
            changes[attribute] = params[name].strip()
    if params.get("doc_recipients"):
        lines = params["doc_recipients"].replace("|", "\n").splitlines()
        changes["recipients"] = tuple(line.strip().lstrip("-").strip() for line in lines if line.strip())
    return replace(default, **changes)


def comparison_spec(params: Mapping[str, str], spec: ReportSpec) -> ReportSpec | None:
    """The period to compare with: `compare=previous` (the period of the same length just before) or
    `compare_from` and `compare_to`; None when no comparison is asked for."""
    if params.get("compare_from") or params.get("compare_to"):
        errors: dict[str, str] = {}
        bounds: list[date | None] = []
        for name in ("compare_from", "compare_to"):
            try:
                bounds.append(date.fromisoformat(params.get(name, "")))
            except ValueError:
                errors[name] = _("Enter a date as YYYY-MM-DD.")
                bounds.append(None)
        if not errors and bounds[0] and bounds[1] and bounds[0] > bounds[1]:
            errors["compare_to"] = _("The end of the period is before its start.")
        if errors:
            raise SpecError(errors)
        return spec.with_period(bounds[0], bounds[1])
    if params.get("compare") == "previous":
        if spec.date_from is None or spec.date_to is None:
            raise SpecError({"compare": _("A comparison needs a period with both ends.")})
        return spec.previous_period()
    if params.get("compare"):
        raise SpecError({"compare": _("Unknown value “%(value)s”.") % {"value": params["compare"]}})
    return None


# --- words and numbers ------------------------------------------------------------------------------------------


def document_date(place: str, on: date) -> str:
    """“Hải Phòng, ngày 05 tháng 02 năm 2026”: the day always with two digits, the month with two below 3."""
    month = f"{on.month:02d}" if on.month < 3 else str(on.month)
    return f"{place}, ngày {on.day:02d} tháng {month} năm {on.year}"


def number_text(value: Decimal | int, places: int | None = None) -> str:
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def amount_text(value: Decimal | int, currency: str) -> str:
    return f"{number_text(value, money_places(currency))} {currency}"


def rounded_text(value: Decimal | int, currency: str) -> str:
    """“about 5.84 million USD”, for amounts of a million and more."""
    amount = abs(Decimal(value))
    if amount >= Decimal(10) ** 9:
        scaled = (Decimal(value) / Decimal(10) ** 9).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return _("about %(amount)s billion %(currency)s") % {"amount": number_text(scaled), "currency": currency}
    if amount >= Decimal(10) ** 6:
        scaled = (Decimal(value) / Decimal(10) ** 6).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return _("about %(amount)s million %(currency)s") % {"amount": number_text(scaled), "currency": currency}
    return ""


def period_name(spec: ReportSpec) -> str:
    """The period as a noun: “the year 2024”, “the period 2018–2024”, “the period from 01/01/2024 to
    30/06/2024”; empty for all dates."""
    start, end = spec.date_from, spec.date_to
    if start and end and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        if start.year == end.year:
            return _("the year %(year)s") % {"year": start.year}
        return _("the period %(start)s–%(end)s") % {"start": start.year, "end": end.year}
    short = "SHORT_DATE_FORMAT"
    if start and end:
        return _("the period from %(start)s to %(end)s") % {
            "start": formats.date_format(start, short),
            "end": formats.date_format(end, short),
        }
    if start:
        return _("the period from %(start)s") % {"start": formats.date_format(start, short)}
    if end:
        return _("the period until %(end)s") % {"end": formats.date_format(end, short)}
    return _("all recorded dates")


def subject_line(spec: ReportSpec) -> str:
    return _("Results of mobilising and using foreign non-governmental aid in %(period)s") % {
        "period": period_name(spec)
    }


def comparisons(result: ReportResult, previous: ReportResult | None) -> list[Comparison]:
    if previous is None:
        return []
    return [
        Comparison(m, result.totals.get(m, 0), previous.totals.get(m, 0), result.spec, previous.spec)
        for m in result.spec.measures
        if m.is_money
    ]


# --- the document ---------------------------------------------------------------------------------------------


def write_docx(
    result: ReportResult,
    context: ExportContext,
    stream: IO[bytes],
    *,
    letterhead: Letterhead,
    province: AdministrativeUnit | None = None,
    previous: ReportResult | None = None,
) -> None:
    """Write the document to a binary stream. `result` (and `previous`) should have been computed under
    `translation.override("vi")` so that their labels are Vietnamese too."""
    with translation.override(LANGUAGE):
        document = Document()
        page_setup(document)
        letterhead_table(document, letterhead)
        title_block(document, letterhead.subject or subject_line(result.spec))
        _body(document, result, context, scope_phrase(result, context, province), comparisons(result, previous))
        signature_block(document, letterhead)
        document.core_properties.title = xml_text(letterhead.subject or subject_line(result.spec))
        document.core_properties.author = xml_text(context.generated_by) or "Amity"
        document.core_properties.language = LANGUAGE
        document.save(stream)


# --- the layout for other reports of the same form (the union's period report, amity.diplomacy.report) ------------


def layout_start(letterhead: Letterhead, subject: str) -> Any:
    """A new document in this layout: page, letterhead and title. Build it under `translation.override("vi")`."""
    document = Document()
    page_setup(document)
    letterhead_table(document, letterhead)
    title_block(document, subject)
    return document


def layout_table(document: Any, headers: list[str], rows: list[list[Any]], kinds: list[str]) -> None:
    """A numbered table of texts and numbers (`kinds`: TEXT, COUNT or MONEY per column), as the figures table."""
    table = document.add_table(rows=1, cols=len(headers) + 1)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    number_mm = 12
    widths = [number_mm] + [(TEXT_WIDTH_MM - number_mm) / len(headers)] * len(headers)
    set_widths(table, widths)
    for cell, header in zip(table.rows[0].cells, [_("No."), *headers], strict=True):
        _cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    twips = [round(width / 25.4 * 1440) for width in widths]
    lines = [
        _row_xml([str(index), *_cell_texts(values, kinds, 2)], twips, kinds)
        for index, values in enumerate(rows, start=1)
    ]
    table._tbl.extend(parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(lines)}</w:tbl>").findall(qn("w:tr")))
    document.add_paragraph()


def layout_finish(document: Any, letterhead: Letterhead, stream: IO[bytes], *, title: str, author: str) -> None:
    """The recipients and signature, the document's properties, then save it to `stream`."""
    signature_block(document, letterhead)
    document.core_properties.title = xml_text(title)
    document.core_properties.author = xml_text(author) or "Amity"
    document.core_properties.language = LANGUAGE
    document.save(stream)


# The pieces of the layout below are public: other administrative documents (a consultation's summary of comments,
# amity/documents/summary.py) are built from them, so that there is one rendering of the decree's form.


def page_setup(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    # Page numbers from the second page on, centred in the top margin; none on the first page.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number.add_run())


def _page_field(run: Any) -> None:
    run.font.size = BODY_SIZE
    begin, instruction, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = "PAGE"
    end.set(qn("w:fldCharType"), "end")
    run._r.extend([begin, instruction, end])


def add_text(
    paragraph: Paragraph,
    text: str,
    *,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    run = paragraph.add_run(xml_text(text))  # every text of the document passes here or through _row_xml
    run.font.size = size
    run.font.name = FONT
    run.bold, run.italic, run.underline = bold, italic, underline


def centred(paragraph: Paragraph) -> Paragraph:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _rule(paragraph: Paragraph, *, width_mm: float, column_mm: float) -> None:
    """A short solid line centred under the text above (the decree's line under the issuer and subject)."""
    indent = Mm(max((column_mm - width_mm) / 2, 0))
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.line_spacing = Pt(3)  # exact: the line sits just under the text above
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attribute, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(attribute), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def set_widths(table: Table, widths_mm: list[float]) -> None:
    """Fixed column widths, in the grid and in every cell (Word reads one, LibreOffice the other)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def letterhead_table(document: Any, letterhead: Letterhead) -> None:
    right_mm = TEXT_WIDTH_MM - LEFT_COLUMN_MM
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, [LEFT_COLUMN_MM, right_mm])
    bodies, heading = table.cell(0, 0), table.cell(0, 1)
    first = bodies.paragraphs[0]
    if letterhead.parent_body:
        add_text(centred(first), letterhead.parent_body.upper(), size=HEADING_SIZE)
        first = bodies.add_paragraph()
    add_text(centred(first), letterhead.issuer.upper(), size=HEADING_SIZE, bold=True)
    _rule(bodies.add_paragraph(), width_mm=LEFT_COLUMN_MM / 3, column_mm=LEFT_COLUMN_MM)
    add_text(centred(heading.paragraphs[0]), NATIONAL_HEADING, size=HEADING_SIZE, bold=True)
    add_text(centred(heading.add_paragraph()), MOTTO, size=BODY_SIZE, bold=True, underline=True)
    number, place = table.cell(1, 0).paragraphs[0], table.cell(1, 1).paragraphs[0]
    add_text(centred(number), NUMBER_PREFIX + letterhead.number, size=HEADING_SIZE)
    add_text(centred(place), document_date(letterhead.place, letterhead.date), italic=True)
    document.add_paragraph()


def title_block(document: Any, subject: str, kind: str = DOCUMENT_KIND) -> None:
    """The document's kind ("BÁO CÁO") and subject, centred, with the decree's short line under them."""
    add_text(centred(document.add_paragraph()), kind, bold=True)
    add_text(centred(document.add_paragraph()), subject, bold=True)
    _rule(document.add_paragraph(), width_mm=TEXT_WIDTH_MM / 4, column_mm=TEXT_WIDTH_MM)


def body_paragraph(document: Any, text: str = "", *, bold: bool = False, indent: bool = True) -> Paragraph:
    paragraph: Paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.space_after = Pt(6)
    if indent:
        paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    if text:
        add_text(paragraph, text, bold=bold)
    return paragraph


def scope_phrase(result: ReportResult, context: ExportContext, province: AdministrativeUnit | None) -> str:
    """Where the figures are from: the filters, else the report's province, else the whole country when the
    figures are a national report's (a published one without a province, or a user who sees every province)."""
    filters = filter_descriptions(result.spec, context.user)
    if filters:
        return "; ".join(
            _("in %(province)s") % {"province": value} if key == "province" else f"{label}: {value}"
            for key, label, value in filters
        )
    if province is not None:
        return _("in %(province)s") % {"province": province.full_name_vi}
    if context.published is not None or is_national(context.user):
        return _("nationwide")
    return _("in the provinces of your jurisdiction")


def _body(document: Any, result: ReportResult, context: ExportContext, scope: str, compared: list[Comparison]) -> None:
    spec, currency = result.spec, result.currency
    period = period_name(spec)
    body_paragraph(
        document,
        _(
            "According to the records in Amity, the results of mobilising and using foreign non-governmental aid "
            "in %(period)s (%(scope)s) are as follows:"
        )
        % {"period": period, "scope": scope},
    )
    body_paragraph(document, _("I. OVERALL RESULTS"), bold=True)
    for measure in spec.measures:
        value = result.totals.get(measure, 0)
        if measure.is_money:
            text = _("%(measure)s: %(amount)s") % {"measure": measure.label, "amount": amount_text(value, currency)}
            rounded = rounded_text(value, currency)
            if rounded:
                text += f" ({rounded})"
        else:
            text = _("%(measure)s: %(count)s") % {"measure": measure.label, "count": number_text(value)}
        body_paragraph(document, f"- {text};")
    for comparison in compared:
        body_paragraph(document, "- " + _comparison_text(comparison, currency))
    body_paragraph(
        document,
        _("Amounts are in %(currency)s, converted at %(basis)s.")
        % {
            "currency": currency,
            "basis": result.basis_label,
        },
    )
    body_paragraph(document, _("The figures count %(statuses)s.") % {"statuses": result.status_basis_label})
    if context.published is not None:
        published = context.published
        body_paragraph(
            document,
            _(
                "These are the figures published on %(date)s under the title “%(title)s” (content hash "
                "%(hash)s); later edits of the records do not change them."
            )
            % {
                "date": formats.date_format(timezone.localtime(published.published_at), "SHORT_DATE_FORMAT"),
                "title": published.title,
                "hash": published.content_hash[:16],
            },
        )
    if result.spec.group_by:
        body_paragraph(document, _("II. DETAILED FIGURES"), bold=True)
        _figures_table(document, result)
    notes = export_notes(result)
    if notes:
        body_paragraph(document, _("Notes:"), bold=True)
        for note in notes:
            body_paragraph(document, f"- {note}")


def _comparison_text(comparison: Comparison, currency: str) -> str:
    previous_period = period_name(comparison.previous_spec)
    if comparison.ratio is None:
        return _("%(measure)s: nothing recorded in %(period)s to compare with.") % {
            "measure": comparison.measure.label,
            "period": previous_period,
        }
    difference = Decimal(comparison.difference)
    sign = "+" if difference >= 0 else "-"
    return _(
        "%(measure)s compared with %(period)s (%(previous)s): %(ratio)s times, %(sign)s%(difference)s "
        "(%(sign)s%(percent)s%%)."
    ) % {
        "measure": comparison.measure.label,
        "period": previous_period,
        "previous": amount_text(comparison.previous, currency),
        "ratio": number_text(comparison.ratio, 2),
        "sign": sign,
        "difference": amount_text(abs(difference), currency),
        "percent": number_text(abs(comparison.percent or Decimal(0)), 1),
    }


def _figures_table(document: Any, result: ReportResult) -> None:
    columns = table_columns(result)
    kinds = [column.kind for column in columns]
    places = money_places(result.currency)
    table = document.add_table(rows=1, cols=len(columns) + 1)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Fixed widths: the grid, the header cells and (below) every body cell.
    number_mm = 12
    widths = [number_mm] + [(TEXT_WIDTH_MM - number_mm) / len(columns)] * len(columns)
    set_widths(table, widths)
    headers = [_("No.")] + [column.header for column in columns]
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    # Body rows are written as XML and parsed once: python-docx's per-run formatting costs about 3 ms a row.
    twips = [round(width / 25.4 * 1440) for width in widths]
    lines = [
        _row_xml([str(index), *_cell_texts(values, kinds, places)], twips, kinds)
        for index, values in enumerate(table_rows(result), start=1)
    ]
    lines.append(_row_xml(["", *_cell_texts(totals_row(result), kinds, places)], twips, kinds, bold=True))
    table._tbl.extend(parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(lines)}</w:tbl>").findall(qn("w:tr")))
    document.add_paragraph()


_ALIGN = {TEXT: "left", MONEY: "right", COUNT: "right"}


def _cell_texts(values: list[Any], kinds: list[str], places: int) -> list[str]:
    return [
        str(value) if kind == TEXT else number_text(value, places if kind == MONEY else None)
        for value, kind in zip(values, kinds, strict=True)
    ]


def _row_xml(texts: list[str], twips: list[int], kinds: list[str], *, bold: bool = False) -> str:
    """One table row in WordprocessingML: the row number centred, text left, numbers right, 12 pt."""
    size = int(TABLE_SIZE.pt * 2)
    run_properties = f'{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    cells = []
    for text, width, align in zip(texts, twips, ["center", *(_ALIGN[kind] for kind in kinds)], strict=True):
        content = escape(xml_text(text))
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>'
            f'<w:r><w:rPr>{run_properties}</w:rPr><w:t xml:space="preserve">{content}</w:t></w:r></w:p></w:tc>'
        )
    return f"<w:tr>{''.join(cells)}</w:tr>"


def _cell_text(cell: _Cell, text: str, *, bold: bool, align: Any) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    add_text(paragraph, text, size=TABLE_SIZE, bold=bold)


def signature_block(document: Any, letterhead: Letterhead) -> None:
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left_mm = TEXT_WIDTH_MM * 0.45
    set_widths(table, [left_mm, TEXT_WIDTH_MM - left_mm])
    recipients, signer = table.cell(0, 0), table.cell(0, 1)
    add_text(recipients.paragraphs[0], RECIPIENTS_HEADING, size=Pt(12), bold=True, italic=True)
    for line in letterhead.recipients:
        add_text(recipients.add_paragraph(), f"- {line}", size=RECIPIENTS_SIZE)
    first = signer.paragraphs[0]
    if letterhead.signer_for:
        add_text(centred(first), letterhead.signer_for.upper(), bold=True)
        first = signer.add_paragraph()
    add_text(centred(first), letterhead.signer_title.upper(), bold=True)
    for _blank in range(4):  # room for the signature and the seal
        signer.add_paragraph()
    add_text(centred(signer.add_paragraph()), letterhead.signer_name or NAME_PLACEHOLDER, bold=True)
