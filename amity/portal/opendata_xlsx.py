"""The open data workbooks' cells and sheets, written by XlsxWriter in constant-memory mode (each row goes to disk
as the next begins: flat memory however many rows). Why XlsxWriter here and openpyxl for every other workbook:
docs/ARCHITECTURE.md, "Text in and out".

The project's rules for a cell hold here as in `core.text.set_cell`: text is always a text cell, never a formula,
a link or a number (a text starting with "=" stays text), without the characters a workbook cannot hold
(`xml_text`); dates show as dates (YYYY-MM-DD); numbers are written with 16 significant digits (Excel keeps 15:
an amount in dong up to 10^15, or in dollars with cents up to 10^13, reads back exactly)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from amity.core.text import xml_text
from amity.reports.exports.xlsx import sheet_name

OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    # Text stays text: XlsxWriter would otherwise write "=…" as a formula, "http://…" as a link, "12" as a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
    "use_zip64": True,  # only where needed: a sheet of a million rows may pass 4 GB of XML
}
_AS_WRITTEN = frozenset({int, Decimal, date, bool, float})  # what XlsxWriter writes as a number, date or boolean


def open_workbook(target: IO[bytes], *, tmpdir: str | None = None) -> Workbook:
    """A workbook written into `target` when closed (use it as a context manager). The rows wait in temporary files
    in `tmpdir` (the system's temporary folder if None) until then."""
    return Workbook(target, {**OPTIONS, "tmpdir": tmpdir})


def add_sheet(
    workbook: Workbook,
    title: str,
    *,
    right_to_left: bool = False,
    frozen_rows: int = 0,
    widths: Sequence[float] = (),
) -> Worksheet:
    """A sheet whose rows are then written in order (`write_rows`); `widths` of the first columns, in characters."""
    sheet = workbook.add_worksheet(sheet_name(title))
    if right_to_left:
        sheet.right_to_left()
    if frozen_rows:
        sheet.freeze_panes(frozen_rows, 0)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    return sheet


def cell_value(value: Any) -> Any:
    """`value` as it goes to XlsxWriter: text cleaned (`cell_text`); a date and time as its date (the open data's
    columns hold dates); numbers, dates, booleans and None (an empty cell) as they are; anything else (a lazy
    translation) as its text."""
    kind = value.__class__
    if kind is str:
        return cell_text(value)
    if value is None or kind in _AS_WRITTEN:
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | float | Decimal | date):
        return value
    return cell_text(str(value))


def cell_text(text: str) -> str:
    """`text` without the characters a workbook cannot hold (`xml_text`), its line breaks as line feeds: XlsxWriter
    writes a carriage return as "_x000D_", which Excel reads back but openpyxl and pandas show as it is."""
    text = xml_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def write_rows(
    sheet: Worksheet, rows: Iterable[Iterable[Any]], *, first_row: int = 0, cell_format: Format | None = None
) -> int:
    """Write `rows` from row `first_row` (0 is the first; after the rows already written); returns the next row."""
    number = first_row
    for values in rows:
        sheet.write_row(number, 0, [cell_value(value) for value in values], cell_format)
        number += 1
    return number
