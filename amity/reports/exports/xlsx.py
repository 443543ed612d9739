"""A report as an Excel workbook: a cover sheet (title, parameters, basis, who and when, notes) and the figures
table with a totals row; written in openpyxl's write-only mode, so memory stays flat for large tables.

Amounts are written as numbers. openpyxl writes a Decimal through a double with 16 significant digits, which
is what Excel keeps anyway: exact for VND amounts below 9·10^15 đồng and for USD amounts with cents below
10^13 dollars, far above any national total (about 2·10^9 USD a year).
"""

from __future__ import annotations

import re
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from amity.core.text import set_cell, xml_text

from ..selectors import ReportResult
from .base import (
    COUNT,
    MONEY,
    TEXT,
    Column,
    ExportContext,
    export_notes,
    parameter_lines,
    table_columns,
    table_rows,
    totals_row,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSION = "xlsx"

COUNT_FORMAT = "#,##0"
MONEY_FORMATS = {"VND": "#,##0", "USD": "#,##0.00"}
SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
TEXT_WIDTH_MAX = 60
NUMBER_WIDTH = 18

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_RULE = Side(style="thin")
_HEADER_BORDER = Border(bottom=_RULE)
_TOTAL_BORDER = Border(top=_RULE)
_WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_name(name: str) -> str:
    """A valid sheet name: no []:*?/\\ and at most 31 characters (Excel refuses the file otherwise)."""
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", name).strip().strip("'") or "Sheet"
    return cleaned[:SHEET_NAME_MAX]


def write_xlsx(result: ReportResult, context: ExportContext, stream: IO[bytes]) -> None:
    """Write the workbook to a binary stream, in the active language."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = xml_text(context.display_title())
    workbook.properties.creator = xml_text(context.generated_by) or "Amity"
    right_to_left = translation.get_language_bidi()
    _cover(workbook.create_sheet(sheet_name(_("Report"))), result, context, right_to_left)
    _table(workbook.create_sheet(sheet_name(_("Figures"))), result, right_to_left)
    workbook.save(stream)


def _cell(sheet: WriteOnlyWorksheet, value: Any, **style: Any) -> WriteOnlyCell:
    """Every value reaches the workbook through here: text as a text cell, never a formula (`set_cell`)."""
    cell = set_cell(WriteOnlyCell(sheet), value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _cover(sheet: WriteOnlyWorksheet, result: ReportResult, context: ExportContext, right_to_left: bool) -> None:
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    sheet.append([_cell(sheet, context.display_title(), font=_TITLE)])
    sheet.append([])
    for label, value in parameter_lines(result, context):
        sheet.append([_cell(sheet, label, font=_BOLD, alignment=_WRAP), _cell(sheet, value, alignment=_WRAP)])
    notes = export_notes(result)
    if notes:
        sheet.append([])
        sheet.append([_cell(sheet, _("Notes"), font=_BOLD)])
        for note in notes:
            sheet.append(["", _cell(sheet, note, alignment=_WRAP)])


def _number_format(column: Column, currency: str) -> str | None:
    if column.kind == MONEY:
        return MONEY_FORMATS.get(currency, MONEY_FORMATS["USD"])
    if column.kind == COUNT:
        return COUNT_FORMAT
    return None


def _table(sheet: WriteOnlyWorksheet, result: ReportResult, right_to_left: bool) -> None:
    columns = table_columns(result)
    formats = [_number_format(column, result.currency) for column in columns]
    sheet.sheet_view.rightToLeft = right_to_left
    # Column widths, the frozen header and the filter must be set before the first row is written.
    text_widths = _text_widths(result, columns)
    for index, column in enumerate(columns, start=1):
        width = text_widths[index - 1] if column.kind == TEXT else max(NUMBER_WIDTH, len(column.header) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if result.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(result.rows) + 1}"

    sheet.append([_cell(sheet, column.header, font=_BOLD, border=_HEADER_BORDER) for column in columns])
    # One styled prototype cell per column; copying its style array is much cheaper than styling each cell.
    prototypes = [_cell(sheet, None, number_format=fmt) if fmt else None for fmt in formats]
    for values in table_rows(result):
        sheet.append(
            [_styled_like(sheet, value, prototype) for value, prototype in zip(values, prototypes, strict=True)]
        )
    sheet.append(
        [
            _cell(sheet, value, font=_BOLD, border=_TOTAL_BORDER, **({"number_format": fmt} if fmt else {}))
            for value, fmt in zip(totals_row(result), formats, strict=True)
        ]
    )


def _styled_like(sheet: WriteOnlyWorksheet, value: Any, prototype: WriteOnlyCell | None) -> Any:
    cell = _cell(sheet, value)
    if prototype is None:
        return cell
    cell._style = prototype._style  # the same (immutable once written) style array: one number format
    return cell


def _text_widths(result: ReportResult, columns: list[Column]) -> list[int]:
    widths = [len(column.header) + 2 for column in columns]
    for row in result.rows:
        for index, key in enumerate(row.keys):
            widths[index] = max(widths[index], len(key.label) + 2)
    return [min(width, TEXT_WIDTH_MAX) for width in widths]
