"""The open data files' XLSX writer: what openpyxl reads back — text (never a formula), numbers, dates, booleans,
empty cells, bold headers, widths, a frozen header, right to left."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from amity.portal.xlsx_stream import BOLD, PLAIN, StreamingWorkbook


def _written() -> io.BytesIO:
    stream = io.BytesIO()
    with StreamingWorkbook(stream) as book:
        about = book.sheet("Giới thiệu: [x]", right_to_left=True, widths={1: 24, 2: 100})
        about.row(["Nguồn", "https://example.org/?a=1&b=<2>"], styles=(BOLD, PLAIN))
        data = book.sheet("Data", frozen_rows=2)
        data.row(["Tên", "Số tiền"], style=BOLD)
        data.row(["name", "amount"])
        data.rows(
            [
                ['=HYPERLINK("http://evil.example")', Decimal("-1234.50"), date(2024, 5, 1), True, None, "x\x01y"],
                ["ٱلعربية", 7, datetime(2024, 1, 2, 3, 4), False, "", "after an empty cell"],
            ]
        )
    stream.seek(0)
    return stream


def test_values_read_back_as_written_and_text_is_never_a_formula() -> None:
    sheet = load_workbook(_written())["Data"]
    first = [cell.value for cell in sheet[3]]
    assert first == ['=HYPERLINK("http://evil.example")', -1234.5, datetime(2024, 5, 1), True, None, "xy"]
    assert sheet.cell(row=3, column=1).data_type == "s" and sheet.cell(row=3, column=3).number_format == "yyyy-mm-dd"
    second = [cell.value for cell in sheet[4]]
    assert second[:4] == ["ٱلعربية", 7, datetime(2024, 1, 2), False] and second[5] == "after an empty cell"


def test_headers_widths_frozen_rows_and_right_to_left() -> None:
    book = load_workbook(_written())
    about, data = book.worksheets
    assert about.title == "Giới thiệu   x" and about.sheet_view.rightToLeft
    assert about.column_dimensions["B"].width == 100 and about["A1"].font.b and not about["B1"].font.b
    assert about["B1"].value == "https://example.org/?a=1&b=<2>"
    assert data.freeze_panes == "A3" and data["A1"].font.b and not data.sheet_view.rightToLeft


def test_the_read_only_reader_reads_it_too() -> None:
    rows = list(load_workbook(_written(), read_only=True)["Data"].iter_rows(values_only=True))
    assert rows[1] == ("name", "amount") and len(rows) == 4
