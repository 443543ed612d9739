"""A minimal streaming writer of XLSX workbooks for the open data files: the sheets' XML written as text straight
into the zip, row after row.

Why not openpyxl, the project's XLSX library (docs/ARCHITECTURE.md, "Open data files")? Its write-only mode costs
about 1.9 ms a row of 33 columns (a cell object and an XML element per value): the province workbooks of the
national transactions alone (1.35 million rows, three languages) took over two hours a night. Written as text this
is about 30 times faster, and memory stays flat. It writes only what the open data needs — text (inline strings,
never formulas: a text starting with "=" stays text), numbers, dates, booleans and empty cells; bold headers; column
widths; a frozen header; right-to-left sheets — and the tests read every file back with openpyxl."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from amity.core.text import xml_text

_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (with its 1900 leap-year quirk, as every writer does)
PLAIN, BOLD, DATE = 0, 1, 2  # the cell styles of `_STYLES`

_CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(value: Any, style: int = PLAIN) -> str:
    """One cell's XML: text inline (never a formula), numbers, dates as day numbers with the date style."""
    kind = value.__class__
    styled = f' s="{style}"' if style else ""
    if value is None:
        return "<c/>" if not style else f"<c{styled}/>"
    if kind is str:
        return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{escape(xml_text(value))}</t></is></c>'
    if kind is bool:
        return f'<c t="b"{styled}><v>{int(value)}</v></c>'
    if kind is Decimal:
        return f"<c{styled}><v>{value:f}</v></c>"
    if kind is int or kind is float:
        return f"<c{styled}><v>{value!r}</v></c>"
    if kind is date:
        return f'<c s="{DATE}"><v>{value.toordinal() - _EPOCH}</v></c>'
    if kind is datetime:
        return f'<c s="{DATE}"><v>{value.date().toordinal() - _EPOCH}</v></c>'
    return _cell(str(value), style)


@dataclass
class _Sheet:
    title: str
    path: str
    right_to_left: bool = False
    widths: dict[int, float] = field(default_factory=dict)
    frozen_rows: int = 0


class StreamingWorkbook:
    """Sheets written one after the other into `stream` (any writable binary file):

    with StreamingWorkbook(stream) as book:
        sheet = book.sheet("Data", right_to_left=True, frozen_rows=2, widths={1: 24})
        sheet.row(["Name", "Amount"], style=BOLD)
        sheet.rows(([name, amount] for name, amount in data))
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._sheets: list[_Sheet] = []
        self._open: _SheetWriter | None = None

    def __enter__(self) -> StreamingWorkbook:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._zip.close()

    def sheet(
        self, title: str, *, right_to_left: bool = False, frozen_rows: int = 0, widths: dict[int, float] | None = None
    ) -> _SheetWriter:
        if self._open is not None:
            self._open.close()
        for forbidden in "[]:*?/\\":
            title = title.replace(forbidden, " ")
        sheet = _Sheet(title.strip()[:31] or "Sheet", f"xl/worksheets/sheet{len(self._sheets) + 1}.xml")
        sheet.right_to_left, sheet.frozen_rows, sheet.widths = right_to_left, frozen_rows, dict(widths or {})
        self._sheets.append(sheet)
        self._open = _SheetWriter(self._zip, sheet)
        return self._open

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
        count = len(self._sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for number in range(1, count + 1)
        )
        self._zip.writestr("[Content_Types].xml", _CONTENT_TYPES_HEAD + overrides + "</Types>")
        self._zip.writestr("_rels/.rels", _ROOT_RELS)
        sheets = "".join(
            f'<sheet name={quoteattr(sheet.title)} sheetId="{number}" r:id="rId{number}"/>'
            for number, sheet in enumerate(self._sheets, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>{sheets}</sheets></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{number}" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet{number}.xml"/>'
            for number in range(1, count + 1)
        )
        relations += f'<Relationship Id="rId{count + 1}" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relations}</Relationships>",
        )
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()


class _SheetWriter:
    _BATCH = 500  # rows joined before each write into the zip

    def __init__(self, archive: zipfile.ZipFile, sheet: _Sheet) -> None:
        self._out = archive.open(sheet.path, "w", force_zip64=True)  # a sheet may pass 4 GB of XML
        self._number = 0
        self._closed = False
        view = ' rightToLeft="1"' if sheet.right_to_left else ""
        pane = (
            f'<pane ySplit="{sheet.frozen_rows}" topLeftCell="A{sheet.frozen_rows + 1}" activePane="bottomLeft" '
            'state="frozen"/>'
            if sheet.frozen_rows
            else ""
        )
        columns = "".join(
            f'<col min="{number}" max="{number}" width="{width}" customWidth="1"/>'
            for number, width in sorted(sheet.widths.items())
        )
        self._write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            f'<sheetViews><sheetView workbookViewId="0"{view}>{pane}</sheetView></sheetViews>'
            + (f"<cols>{columns}</cols>" if columns else "")
            + "<sheetData>"
        )

    def _write(self, text: str) -> None:
        self._out.write(text.encode("utf-8"))

    def row(self, values: Sequence[Any], *, style: int = PLAIN, styles: Sequence[int] = ()) -> None:
        """One row; `style` for every cell, or `styles` cell by cell."""
        self._number += 1
        if styles:
            cells = "".join(_cell(value, cell_style) for value, cell_style in zip(values, styles, strict=False))
        else:
            cells = "".join(_cell(value, style) for value in values)
        self._write(f'<row r="{self._number}">{cells}</row>')

    def rows(self, values: Iterable[Sequence[Any]]) -> int:
        """Many plain rows, written in batches; returns how many."""
        batch: list[str] = []
        written = 0
        number = self._number
        for row in values:
            number += 1
            batch.append(f'<row r="{number}">{"".join(map(_cell, row))}</row>')
            if len(batch) == self._BATCH:
                self._write("".join(batch))
                written += len(batch)
                batch = []
        if batch:
            self._write("".join(batch))
            written += len(batch)
        self._number = number
        return written

    def close(self) -> None:
        if not self._closed:
            self._write("</sheetData></worksheet>")
            self._out.close()
            self._closed = True
