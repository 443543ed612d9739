"""Reading an uploaded workbook safely: the zip is inspected before openpyxl opens it (no zip bomb, no XML
entity declarations), openpyxl reads in read-only mode with formulas kept as formulas (so that a formula where
a value belongs is refused, never silently replaced by a cached result), and each sheet stops at a row limit
with one clear problem instead of a long wait. Nothing here touches the database."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import openpyxl
from openpyxl.utils import get_column_letter

from . import problems as P
from .problems import Problem, problem
from .templates import FIRST_DATA_ROW, KEY_ROW, KIND_NAME, MAX_DATA_ROWS, PERCENT, SheetSpec, WorkbookSpec

MB = 1024 * 1024
MAX_FILE_BYTES = 30 * MB  # a full 20,000-row template is about 2 MB
MAX_UNCOMPRESSED_BYTES = 400 * MB  # declared sizes of all parts together; zipfile enforces each declared size
MAX_PARTS = 1000
MAX_RATIO = 200  # real sheets compress 5–40 times; deflate bombs about 1,000 times
RATIO_CHECKED_FROM = 1 * MB  # tiny parts may compress well without harm
TRAILING_BLANK_ROWS = 10_000  # blank rows read past the row limit before the sheet is taken as too long

FileInput = str | os.PathLike[str] | IO[bytes] | bytes


@dataclass
class RawRow:
    number: int  # the Excel row number
    values: dict[str, Any]  # column key → cell value (None for an empty cell)


@dataclass
class SheetData:
    spec: SheetSpec
    title: str  # the sheet's name as in the file
    letters: dict[str, str]  # column key → Excel column letter in this file
    rows: list[RawRow] = field(default_factory=list)


@dataclass
class ReadResult:
    sheets: dict[str, SheetData] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets.values())


def _bytes(source: FileInput) -> bytes | None:
    """The file's bytes, or None when it is larger than allowed (read no further than the limit)."""
    if isinstance(source, bytes):
        return source if len(source) <= MAX_FILE_BYTES else None
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_FILE_BYTES + 1)
    return data if len(data) <= MAX_FILE_BYTES else None


def _size(source: FileInput) -> int:
    """The size of a file found too large (for the message; at least one byte over the limit)."""
    try:
        if isinstance(source, bytes):
            return len(source)
        if isinstance(source, str | os.PathLike):
            return Path(source).stat().st_size
        size = getattr(source, "size", None)  # an uploaded file knows its size
        if size:
            return int(size)
        return int(source.seek(0, io.SEEK_END))
    except (OSError, ValueError, TypeError):
        return MAX_FILE_BYTES + 1


def inspect_zip(data: bytes) -> list[Problem]:
    """Refuse what is not a zip, or a zip that would unpack to far more than a workbook ever does. Runs before
    openpyxl sees the file; Python's zipfile then never unpacks more than a part's declared size (it stops
    there and fails the CRC check), so checking the declared sizes bounds the whole read."""
    if not data.startswith(b"PK\x03\x04"):
        return [problem(P.NOT_XLSX, reason="it does not start like a zip file")]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        return [problem(P.NOT_XLSX, reason=str(exc) or type(exc).__name__)]
    if len(infos) > MAX_PARTS:
        return [problem(P.ZIP_TOO_MANY_PARTS, count=len(infos))]
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return [problem(P.ZIP_TOO_BIG, size=total // MB, limit=MAX_UNCOMPRESSED_BYTES // MB)]
    for info in infos:
        if info.file_size >= RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return [problem(P.ZIP_RATIO, part=info.filename, ratio=info.file_size // max(info.compress_size, 1))]
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return [problem(P.NOT_XLSX, reason="it is a zip file but not a workbook")]
    try:
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    return [problem(P.XML_DOCTYPE, part=info.filename)]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        return [problem(P.NOT_XLSX, reason=str(exc) or type(exc).__name__)]
    return []


def read_workbook(spec: WorkbookSpec, source: FileInput) -> ReadResult:
    """Read every sheet of `spec` from the file, or say why the file cannot be read."""
    result = ReadResult()
    data = _bytes(source)
    if data is None:
        result.problems.append(problem(P.FILE_TOO_LARGE, size=_size(source) // MB, limit=MAX_FILE_BYTES // MB))
        return result
    result.problems.extend(inspect_zip(data))
    if result.problems:
        return result
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on a broken file; none may become a 500
        result.problems.append(problem(P.NOT_XLSX, reason=str(exc)[:200] or type(exc).__name__))
        return result
    try:
        _read_sheets(spec, workbook, result)
    except Exception as exc:  # a part that is malformed XML is found only while rows are read
        result.problems.append(problem(P.NOT_XLSX, reason=str(exc)[:200] or type(exc).__name__))
    finally:
        workbook.close()
    return result


def _template_kind(workbook: Any) -> str | None:
    name = workbook.defined_names.get(KIND_NAME)
    if name is None or not name.attr_text:
        return None
    return str(name.attr_text).strip('"').split(":", 1)[0]


def _sheet_title(workbook: Any, sheet: SheetSpec) -> str | None:
    name = workbook.defined_names.get(sheet.defined_name)
    if name is not None:
        try:
            for title, _cells in name.destinations:
                if title in workbook.sheetnames:
                    return str(title)
        except Exception:  # a name the user broke: look the sheet up by its title instead
            pass
    return str(sheet.title) if str(sheet.title) in workbook.sheetnames else None


def _read_sheets(spec: WorkbookSpec, workbook: Any, result: ReadResult) -> None:
    kind = _template_kind(workbook)
    if kind is None:
        result.problems.append(problem(P.NOT_TEMPLATE, kind=str(spec.title)))
        return
    if kind != spec.kind:
        result.problems.append(problem(P.WRONG_KIND, found=kind, kind=spec.kind))
        return
    for sheet in spec.sheets:
        title = _sheet_title(workbook, sheet)
        if title is None:
            result.problems.append(problem(P.MISSING_SHEET, name=str(sheet.title)))
            continue
        data = _read_sheet(sheet, title, workbook[title], result.problems)
        if data is not None:
            result.sheets[sheet.key] = data
    if not result.problems and result.row_count == 0:
        result.problems.append(problem(P.NO_ROWS))


def _read_sheet(sheet: SheetSpec, title: str, worksheet: Any, found: list[Problem]) -> SheetData | None:
    limit_row = FIRST_DATA_ROW + MAX_DATA_ROWS - 1
    declared = worksheet.max_row  # from the sheet's <dimension>, when the writer gave one
    if declared is not None and declared > limit_row + TRAILING_BLANK_ROWS:
        found.append(problem(P.TOO_MANY_ROWS, sheet=title, limit=MAX_DATA_ROWS))
        return None
    rows = _rows(worksheet)
    keys: dict[int, str] = {}
    for number, cells in rows:
        if number == KEY_ROW:
            keys = {index: str(cell.value).strip() for index, cell in enumerate(cells) if cell.value is not None}
            break
        if number > KEY_ROW:
            break
    known = {column.key: column for column in sheet.columns}
    keys = {index: key for index, key in keys.items() if key in known}
    if not keys:
        found.append(problem(P.MISSING_KEY_ROW, sheet=title, row=KEY_ROW))
        return None
    letters = {key: get_column_letter(index + 1) for index, key in keys.items()}
    missing = [
        column for column in sheet.columns if column.key not in letters and (column.required or column.key == "id")
    ]
    for column in missing:
        found.append(problem(P.MISSING_COLUMN, sheet=title, field=column.key, name=str(column.label)))
    if missing:
        return None
    data = SheetData(spec=sheet, title=title, letters=letters)
    for number, cells in rows:
        if number < FIRST_DATA_ROW:
            continue
        values: dict[str, Any] = {}
        for index, key in keys.items():
            if index >= len(cells):
                continue
            value = _cell_value(cells[index], known[key].type, title, number, letters[key], key, found)
            if value is not None:
                values[key] = value
        if not values:
            if number > limit_row + TRAILING_BLANK_ROWS:
                found.append(problem(P.TOO_MANY_ROWS, sheet=title, limit=MAX_DATA_ROWS))
                return None
            continue
        if number > limit_row:
            found.append(problem(P.TOO_MANY_ROWS, sheet=title, limit=MAX_DATA_ROWS))
            return None
        data.rows.append(RawRow(number, values))
    return data


def _rows(worksheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) for every row the sheet stores; a shared iterator, so reading resumes after row 2."""
    for cells in worksheet.iter_rows():
        number = next((cell.row for cell in cells if getattr(cell, "row", None)), None)
        if number is not None:
            yield number, cells


class _Formula:
    """Marks a cell that held a formula (already reported): the checks treat it as given but unreadable."""


FORMULA = _Formula()


def _cell_value(cell: Any, kind: str, sheet: str, row: int, letter: str, key: str, found: list[Problem]) -> Any:
    value = cell.value
    if value is None:
        return None
    data_type = getattr(cell, "data_type", None)
    if data_type == "f":
        text = value if isinstance(value, str) else getattr(value, "text", "") or "="
        found.append(problem(P.FORMULA, sheet=sheet, row=row, column=letter, field=key, formula=str(text)[:80]))
        return FORMULA
    if data_type == "e":
        found.append(problem(P.CELL_ERROR, sheet=sheet, row=row, column=letter, field=key, value=str(value)))
        return FORMULA
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if kind == PERCENT and isinstance(value, int | float) and "%" in (getattr(cell, "number_format", "") or ""):
        return Decimal(repr(value)) * 100  # a cell formatted as a percentage holds 0.5 for 50 %
    if isinstance(value, datetime | date | time):
        return value
    return value


__all__ = ["FORMULA", "FileInput", "RawRow", "ReadResult", "SheetData", "inspect_zip", "read_workbook"]
