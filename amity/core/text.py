"""Text in and text out, one rule for both: which characters Amity refuses in stored text, and how every
exporter writes text into a file.

In: C0 control characters other than tab, line feed and carriage return (U+0000–U+001F but for those three),
the non-characters U+FFFE and U+FFFF and lone surrogates are refused in every text field of every record
(`check_text`, run by `CleanTextModel.clean_fields`, so by every `full_clean`: the services, model forms, the
API through the services and the Excel check), with a 400 naming the field. No XML or spreadsheet file can hold
them: XML 1.0 forbids them, openpyxl raises `IllegalCharacterError`, lxml refuses them.

Out: what is already stored (written before this rule, or by a bulk path) must never break an export, and a
cell must never become a formula (OWASP "CSV injection"). Every exporter writes text through the helper of its
format: `xml_text` (IATI XML, DOCX, the API's XML errors) drops those characters; `set_cell` (every XLSX written
with openpyxl) drops them and writes text as a text cell, so a value starting with "=" stays text and Amity's
upload reads it back unchanged (the open data workbooks, written with XlsxWriter: `portal.opendata_xlsx`);
`CsvWriter` (every CSV; `csv_value` for one cell) drops them and put a single quote before text starting with
= + - @, tab or carriage return, unless it is a plain number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

# What no XML 1.0 document (so no XLSX, DOCX or IATI file) can hold.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# A spreadsheet takes a cell starting with one of these as a formula (OWASP: = + - @, tab, carriage return).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def check_text(value: str) -> None:
    """Raise ValidationError if `value` holds a character Amity does not store (see the module's docstring)."""
    found = UNSTORABLE.search(value)
    if found is not None:
        raise ValidationError(
            _(
                "Remove the invisible control character U+%(code)s at position %(position)s: "
                "it cannot be stored or exported."
            ),
            code="control_character",
            params={"code": f"{ord(found.group()):04X}", "position": found.start() + 1},
        )


def xml_text(value: str) -> str:
    """`value` without the characters an XML file cannot hold (stored before they were refused)."""
    return UNSTORABLE.sub("", value)


def set_cell(cell: Cell, value: Any) -> Cell:
    """Put `value` in an openpyxl cell (normal or write-only): text as a text cell, never a formula, without
    the characters a workbook cannot hold; numbers, dates and empty cells as they are."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell.value = xml_text(value)
        cell.data_type = "s"  # openpyxl makes a formula of any text starting with "="
    else:
        cell.value = value
    return cell


def csv_value(value: Any) -> Any:
    """A value as a CSV cell: text cleaned and, when a spreadsheet would take it for a formula, prefixed with
    a single quote; numbers and plain numbers written as text ("-12.50") stay numbers."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = xml_text(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(value) for value in values]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class CsvWriter:
    """`csv.writer` whose every row goes through `csv_row`: what every CSV export writes with."""

    def __init__(self, file: _Writable, **options: Any) -> None:
        self._writer = csv.writer(file, **options)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row(values))
