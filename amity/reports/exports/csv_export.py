"""A report as CSV for accounting staff: one clean table (header, one line per row, the totals line), UTF-8 with
a byte-order mark so that Excel reads Vietnamese and Arabic, comma-separated, amounts as plain decimals with a
dot and no grouping.

The conversion and status bases cannot sit above the header (CSV readers take the first line as the header),
so they are in the file name (`…-value-date.csv`, `…-value-date-all-statuses.csv`) and in lines after the
totals (then the notes, one per line), where a pivot or a SUM over the body lines does not meet them.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from amity.core.text import CsvWriter

from ..selectors import ReportResult
from .base import ExportContext, export_notes, table_columns, table_rows, totals_row

CONTENT_TYPE = "text/csv; charset=utf-8"
EXTENSION = "csv"
BOM = "\ufeff"


def _plain(value: Any) -> Any:
    # `:f` never writes an exponent (Decimal("1E+3") would otherwise be written as 1E+3).
    return f"{value:f}" if isinstance(value, Decimal) else value


def csv_text(result: ReportResult, context: ExportContext) -> str:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)  # a label starting with "=" (a donor's name) reaches a spreadsheet as text
    buffer.write(BOM)
    writer.writerow([column.header for column in table_columns(result)])
    for values in table_rows(result):
        writer.writerow([_plain(value) for value in values])
    writer.writerow([_plain(value) for value in totals_row(result)])
    writer.writerow([_("Conversion basis"), result.basis_label])
    writer.writerow([_("Status basis"), result.status_basis_label])
    for note in export_notes(result):
        writer.writerow([_("Note"), note])
    return buffer.getvalue()


def csv_bytes(result: ReportResult, context: ExportContext) -> bytes:
    return csv_text(result, context).encode("utf-8")
