"""Reading the cells of an uploaded workbook as typed values: text, dates, numbers, percentages, yes/no, codes
of a drop-down, organisations by name or IATI identifier, identifiers and versions written by Amity. A cell
that cannot be read becomes `INVALID` and a problem on its sheet, row and column; the look-ups it needs (codes,
organisations the user may see) are read once per file."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from amity.aid import rules
from amity.core.money import HUNDRED
from amity.core.scoping import Action
from amity.organisations.models import Organisation
from amity.organisations.names import normalise_name
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem

from . import problems as P
from .problems import Problem, problem
from .reader import FORMULA, RawRow, ReadResult, SheetData
from .templates import (
    AID_ITEM,
    BOOL,
    CODE,
    CODES,
    DATE,
    DECIMAL,
    LONG_TEXT,
    ORGANISATION,
    PERCENT,
    SEPARATOR,
    TEXT,
    UUID,
    VERSION,
    Column,
    WorkbookSpec,
)

MAX_AMOUNT = Decimal(10) ** 18  # amounts are DecimalField(max_digits=20, decimal_places=2)

_PLAIN_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_YES = {"1", "yes", "y", "true", "x", "có", "co", "نعم"}
_NO = {"0", "no", "n", "false", "không", "khong", "لا"}


# --- reading typed values ------------------------------------------------------------------------------------


class _Invalid:
    """A value that was given but could not be read (the problem is recorded)."""


INVALID = _Invalid()


def cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value).strip()


def code_of(value: Any) -> str:
    """The code of a `code – label` cell (or of a bare code, typed or pasted)."""
    return cell_text(value).split(SEPARATOR, 1)[0].strip()


class CellReader:
    """Typed reading of a workbook's cells, each problem placed on its sheet, row and column."""

    def __init__(self, spec: WorkbookSpec, read: ReadResult, user: Any) -> None:
        self.spec = spec
        self.read = read
        self.user = user
        self.problems: list[Problem] = []
        self.sheet_order = {sheet.key: index for index, sheet in enumerate(spec.sheets)}
        self.title_order = {data.title: self.sheet_order[key] for key, data in read.sheets.items()}
        self._organisations: dict[str, list[Organisation]] | None = None

    def sort_key(self, item: Problem) -> tuple[int, int, str]:
        return (self.title_order.get(item["sheet"], -1), item["row"] or 0, item["column"].rjust(3))

    # problems

    def report(self, sheet: SheetData, row: RawRow | None, key: str, message: str, **params: Any) -> None:
        self.problems.append(
            problem(
                message,
                sheet=sheet.title,
                row=row.number if row else None,
                column=sheet.letters.get(key, ""),
                field=key,
                **params,
            )
        )

    def report_breach(self, sheet: SheetData, row: RawRow | None, breach: rules.Breach, key: str | None = None) -> None:
        """A rule of the aid register broken by a row (`amity.aid.rules`), on the rule's column or `key`."""
        self.report(sheet, row, breach.field if key is None else key, breach.message, **breach.params)

    # typed values: None when empty, INVALID when given but unreadable (the problem is recorded)

    def value(self, sheet: SheetData, row: RawRow, key: str, **lookup: Any) -> Any:
        column = sheet.spec.column(key)
        raw = row.values.get(key)
        if raw is FORMULA:
            return INVALID
        if raw is None:
            if column.required:
                self.report(sheet, row, key, P.REQUIRED)
                return INVALID
            return None
        reader = _READERS[column.type]
        return reader(self, sheet, row, column, raw, **lookup)

    def _read_text(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        text = cell_text(raw)
        if column.max_length and len(text) > column.max_length:
            self.report(sheet, row, column.key, P.TOO_LONG, limit=column.max_length, length=len(text))
            return INVALID
        return text

    def _read_date(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str):
            self.report(sheet, row, column.key, P.DATE_TEXT, value=raw[:40])
        else:
            self.report(sheet, row, column.key, P.NOT_A_DATE, value=cell_text(raw)[:40])
        return INVALID

    def _read_decimal(self, sheet: SheetData, row: RawRow, column: Column, raw: Any, places: int = 2) -> Any:
        if isinstance(raw, bool | datetime | date):
            self.report(sheet, row, column.key, P.NOT_A_NUMBER, value=cell_text(raw)[:40])
            return INVALID
        if isinstance(raw, int | Decimal):
            number = Decimal(raw)
        elif isinstance(raw, float):
            number = Decimal(repr(raw))  # the shortest decimal that reads back as this double: what Excel shows
        else:
            text = cell_text(raw).replace(" ", "")
            if not _PLAIN_DECIMAL.match(text):
                self.report(sheet, row, column.key, P.NOT_A_NUMBER, value=cell_text(raw)[:40])
                return INVALID
            number = Decimal(text)
        try:
            exponent = number.normalize().as_tuple().exponent
        except InvalidOperation:
            self.report(sheet, row, column.key, P.NOT_A_NUMBER, value=cell_text(raw)[:40])
            return INVALID
        if isinstance(exponent, int) and -exponent > places:
            self.report(sheet, row, column.key, P.TOO_MANY_DECIMALS, value=cell_text(raw)[:40], places=places)
            return INVALID
        if abs(number) >= MAX_AMOUNT:
            self.report(sheet, row, column.key, P.TOO_LARGE, value=cell_text(raw)[:40])
            return INVALID
        return number

    def _read_percent(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        number = self._read_decimal(sheet, row, column, raw)
        if number is INVALID:
            return INVALID
        if not Decimal(0) < number <= HUNDRED:
            self.report(sheet, row, column.key, P.PERCENT_RANGE, value=f"{number:f}")
            return INVALID
        return number

    def _read_bool(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        if isinstance(raw, bool):
            return raw
        text = code_of(raw).casefold()
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.report(sheet, row, column.key, P.NOT_A_BOOL, value=cell_text(raw)[:40])
        return INVALID

    def _read_code(
        self, sheet: SheetData, row: RawRow, column: Column, raw: Any, allowed: Any = None, pad: int = 0
    ) -> Any:
        code = code_of(raw)
        if pad and isinstance(raw, int | float):
            code = code.zfill(pad)
        if allowed is None:
            return code
        if code in allowed:
            return allowed[code] if isinstance(allowed, dict) else code
        self.report(sheet, row, column.key, P.UNKNOWN_CODE, value=cell_text(raw)[:60])
        return INVALID

    def _read_codes(
        self, sheet: SheetData, row: RawRow, column: Column, raw: Any, allowed: Any = None, pad: int = 0
    ) -> Any:
        values = []
        for part in re.split(r"[,;]", cell_text(raw)):
            code = code_of(part)
            if not code:
                continue
            if pad and code.isdigit():
                code = code.zfill(pad)
            if code not in allowed:
                self.report(sheet, row, column.key, P.UNKNOWN_CODE, value=part.strip()[:60])
                return INVALID
            values.append(allowed[code])
        return values

    def _read_organisation(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        text = cell_text(raw)
        index = self.organisation_index()
        found = index.get(text) or index.get(normalise_name(text), [])
        if not found:
            self.report(sheet, row, column.key, P.ORGANISATION_UNKNOWN, value=text[:100])
            return INVALID
        if len(found) > 1:
            self.report(sheet, row, column.key, P.ORGANISATION_AMBIGUOUS, value=text[:100])
            return INVALID
        return found[0]

    def _read_uuid(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        try:
            return uuid.UUID(cell_text(raw))
        except ValueError:
            self.report(sheet, row, column.key, P.BAD_ID, value=cell_text(raw)[:60])
            return INVALID

    def _read_version(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        text = cell_text(raw)
        if not text.isdigit():
            self.report(sheet, row, column.key, P.BAD_VERSION, value=text[:20])
            return INVALID
        return int(text)

    def _read_reference(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        return cell_text(raw)

    # look-ups, once per file

    def organisation_index(self) -> dict[str, list[Organisation]]:
        """Organisations the user may see, by IATI identifier and by normalised name and Vietnamese name."""
        if self._organisations is None:
            index: dict[str, list[Organisation]] = defaultdict(list)
            for organisation in Organisation.objects.restrict(self.user, Action.VIEW).only(
                "pk", "name", "name_vi", "iati_identifier", "kind", "public_id"
            ):
                if organisation.iati_identifier:
                    index[organisation.iati_identifier].append(organisation)
                names = {normalise_name(organisation.name), normalise_name(organisation.name_vi)} - {""}
                for name in names:
                    index[name].append(organisation)
            self._organisations = dict(index)
        return self._organisations

    def provinces(self) -> dict[str, AdministrativeUnit]:
        units = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.PROVINCE)
        return {unit.code: unit for unit in units}

    def codelist(self, *names: str) -> dict[str, CodelistItem]:
        items = CodelistItem.objects.filter(codelist__name__in=names).select_related("codelist")
        return {item.code: item for item in items}


_READERS: dict[str, Callable[..., Any]] = {
    TEXT: CellReader._read_text,
    LONG_TEXT: CellReader._read_text,
    DATE: CellReader._read_date,
    DECIMAL: CellReader._read_decimal,
    PERCENT: CellReader._read_percent,
    BOOL: CellReader._read_bool,
    CODE: CellReader._read_code,
    CODES: CellReader._read_codes,
    ORGANISATION: CellReader._read_organisation,
    UUID: CellReader._read_uuid,
    VERSION: CellReader._read_version,
    AID_ITEM: CellReader._read_reference,
}


def row_fields(values: dict[str, Any], defaults: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The row's model values, or None when one of them was unreadable. Empty text becomes ""."""
    if any(value is INVALID for value in values.values()):
        return None
    data = {name: value for name, value in values.items()}
    for name, default in (defaults or {}).items():
        if data.get(name) is None:
            data[name] = default
    return data


def blank_texts(data: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if data.get(name) is None:
            data[name] = ""


def uuid_of(value: Any) -> uuid.UUID | None:
    if value is None or value is FORMULA:
        return None
    try:
        return uuid.UUID(cell_text(value))
    except ValueError:
        return None
