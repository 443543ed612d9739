"""The open data workbooks written through XlsxWriter (`opendata_xlsx`), read back by openpyxl: text (never a
formula, a link or a number), numbers, dates, booleans, empty cells, bold headers, widths, a frozen header, right
to left."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from amity.portal.opendata_xlsx import add_sheet, open_workbook, write_rows


def _written(*rows: list[Any]) -> io.BytesIO:
    stream = io.BytesIO()
    with open_workbook(stream) as book:
        bold = book.add_format({"bold": True})
        about = add_sheet(book, "Giới thiệu: [x]", right_to_left=True, widths=(24, 100))
        about.write(0, 0, "Nguồn", bold)
        about.write(0, 1, "https://example.org/?a=1&b=<2>")
        data = add_sheet(book, "Data", frozen_rows=2)
        write_rows(data, [["Tên", "Số tiền"]], cell_format=bold)
        write_rows(data, [["name", "amount"], *rows], first_row=1)
    stream.seek(0)
    return stream


def _data_row(*values: Any) -> list[Any]:
    return [cell.value for cell in load_workbook(_written(list(values)))["Data"][3]][: len(values)]


def test_values_read_back_as_written_and_text_is_never_a_formula() -> None:
    stream = _written(
        ['=HYPERLINK("http://evil.example")', Decimal("-1234.50"), date(2024, 5, 1), True, None, "x\x01y\ud800"],
        ["ٱلعربية", 7, datetime(2024, 1, 2, 3, 4), False, "", "after an empty cell"],
    )
    sheet = load_workbook(stream)["Data"]
    first = [cell.value for cell in sheet[3]]
    assert first == ['=HYPERLINK("http://evil.example")', -1234.5, datetime(2024, 5, 1), True, None, "xy"]
    assert sheet.cell(row=3, column=1).data_type == "s" and sheet.cell(row=3, column=3).number_format == "yyyy-mm-dd"
    second = [cell.value for cell in sheet[4]]
    assert second == ["ٱلعربية", 7, datetime(2024, 1, 2), False, None, "after an empty cell"]


def test_text_that_looks_like_a_link_or_a_number_stays_text() -> None:
    assert _data_row("https://example.org/a", "0123", "+84 24 3825 1234", "1E5") == [
        "https://example.org/a",
        "0123",
        "+84 24 3825 1234",
        "1E5",
    ]


def test_amounts_in_dong_and_in_dollars_with_cents_read_back_exactly() -> None:
    values = _data_row(Decimal("987654321098765"), Decimal("1234567890123.45"), Decimal("0.10"), Decimal("0E-2"))
    assert values == [987654321098765, 1234567890123.45, 0.1, 0]
    assert values[0].__class__ is int


def test_line_breaks_read_back_as_line_feeds() -> None:
    assert _data_row("one\r\ntwo\rthree\nfour") == ["one\ntwo\nthree\nfour"]


def test_a_lazy_translation_is_written_as_its_text() -> None:
    with translation.override("vi"):
        assert _data_row(gettext_lazy("Data")) == [str(gettext_lazy("Data"))]


def test_headers_widths_frozen_rows_and_right_to_left() -> None:
    book = load_workbook(_written())
    about, data = book.worksheets
    assert about.title == "Giới thiệu   x" and about.sheet_view.rightToLeft
    # XlsxWriter stores a width as Excel does (with the cell's padding): 100 characters are 100.71.
    assert about.column_dimensions["B"].width == pytest.approx(100, abs=1)
    assert about["A1"].font.b and not about["B1"].font.b
    assert about["B1"].value == "https://example.org/?a=1&b=<2>"
    assert data.freeze_panes == "A3" and data["A1"].font.b and not data["A2"].font.b and not data.sheet_view.rightToLeft


def test_the_read_only_reader_reads_it_too() -> None:
    rows = list(load_workbook(_written([1, 2]), read_only=True)["Data"].iter_rows(values_only=True))
    assert rows == [("Tên", "Số tiền"), ("name", "amount"), (1, 2)]
