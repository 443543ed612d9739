"""Checking an uploaded workbook completely, without writing: every cell, every row against the records it
would change, every aid item's percentages, every identifier against what the user may change. The result is
the list of problems (by sheet, row and column) and, when there are none, the plan the confirmed write
carries out.

Queries are per file, not per row: the codes, the records named by identifier or natural key and the
user's scope are each read once (in chunks), so a 10,000-row file is checked in a few seconds.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils import translation

from amity.aid import rules
from amity.aid.choices import Modality, ParticipantRole, TransactionType
from amity.aid.models import AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from amity.aid.services import (
    AidItemParts,
    LocationShare,
    Participation,
    SectorShare,
)
from amity.core.breaches import BatchRefused
from amity.core.models import BaseModel
from amity.core.money import HUNDRED
from amity.core.scoping import Action
from amity.core.services import check_version
from amity.organisations.choices import OrganisationKind, OrganisationStatus, RegistrationKind
from amity.organisations.models import Organisation, Registration
from amity.organisations.names import normalise_name
from amity.organisations.services import check_registration_dates
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency

from . import problems as P
from .problems import Problem, problem
from .reader import FORMULA, FileInput, RawRow, ReadResult, SheetData, read_workbook
from .saving import CREATE, SAVERS, UNCHANGED, UPDATE, Place, Planned, refused_problems, save_planned
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
    spec_for,
)

MAX_AMOUNT = Decimal(10) ** 18  # amounts are DecimalField(max_digits=20, decimal_places=2)
CHUNK = 900  # identifiers per IN (...) query, below SQLite's parameter limit with room for the rest

# Allowed codes of the choice columns, computed once (an enum's `.values` builds a new list on every call).
ORGANISATION_KIND_CODES = frozenset(OrganisationKind.values)
ORGANISATION_STATUS_CODES = frozenset(OrganisationStatus.values)
REGISTRATION_KIND_CODES = frozenset(RegistrationKind.values)
MODALITY_CODES = frozenset(Modality.values)
ERA_CODES = frozenset(Era.values)
TRANSACTION_TYPE_CODES = frozenset(TransactionType.values)
_SPACES = re.compile(r"\s+")
_PLAIN_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_YES = {"1", "yes", "y", "true", "x", "có", "co", "نعم"}
_NO = {"0", "no", "n", "false", "không", "khong", "لا"}


@dataclass
class ExcelCheck:
    """What `check_workbook` found: the problems, or else the plan of the write and its counts."""

    kind: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def _count(self, action: str) -> int:
        return sum(1 for item in self.planned if item.action == action)

    @property
    def created_count(self) -> int:
        return self._count(CREATE)

    @property
    def updated_count(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged_count(self) -> int:
        return self._count(UNCHANGED)

    @property
    def skipped_count(self) -> int:
        return 0  # a file is written whole or not at all; no row is skipped

    def counts(self) -> dict[str, int]:
        return {
            "created_count": self.created_count,
            "updated_count": self.updated_count,
            "unchanged_count": self.unchanged_count,
            "skipped_count": self.skipped_count,
        }


def check_workbook(kind: str, source: FileInput, user: Any) -> ExcelCheck:
    """Read and check a workbook of `kind` for `user`, writing nothing."""
    spec = spec_for(kind)
    read = read_workbook(spec, source)
    result = ExcelCheck(kind=kind, rows=read.row_count, problems=list(read.problems))
    if result.problems:
        return result
    checker = CHECKERS[kind](spec, read, user)
    with translation.override(None):  # texts from models and services are stored in English, as sources
        result.planned = checker.run()
        if kind in SAVERS:  # the rules of the records: the service's own, in a dry run of the write
            try:
                save_planned(kind, result.planned, user, dry_run=True)
            except BatchRefused as refused:
                checker.problems += refused_problems(result.planned, refused)
    result.problems = sorted(checker.problems, key=checker.sort_key)
    if result.problems:
        result.planned = []
    return result


# --- reading typed values ------------------------------------------------------------------------------------


class _Invalid:
    """A value that was given but could not be read (the problem is recorded)."""


INVALID = _Invalid()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value).strip()


def code_of(value: Any) -> str:
    """The code of a `code – label` cell (or of a bare code, typed or pasted)."""
    return _text(value).split(SEPARATOR, 1)[0].strip()


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class Checker:
    """Shared machinery: typed cell reading with problems by sheet, row and column; identifiers; scope."""

    model: ClassVar[type[BaseModel]]
    foreign_keys: ClassVar[tuple[str, ...]] = ()
    # The kinds written by a batch service check their rows in its dry run (`saving.save_planned`): versions,
    # the records' rules and their fields; the others here.
    checked_by_service: ClassVar[bool] = False

    def __init__(self, spec: WorkbookSpec, read: ReadResult, user: Any) -> None:
        self.spec = spec
        self.read = read
        self.user = user
        self._may_hold: dict[int | None, bool] = {}
        self.problems: list[Problem] = []
        self.sheet_order = {sheet.key: index for index, sheet in enumerate(spec.sheets)}
        self.title_order = {data.title: self.sheet_order[key] for key, data in read.sheets.items()}
        self._organisations: dict[str, list[Organisation]] | None = None

    def sort_key(self, item: Problem) -> tuple[int, int, str]:
        return (self.title_order.get(item["sheet"], -1), item["row"] or 0, item["column"].rjust(3))

    def run(self) -> list[Planned]:
        raise NotImplementedError

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
        text = _text(raw)
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
            self.report(sheet, row, column.key, P.NOT_A_DATE, value=_text(raw)[:40])
        return INVALID

    def _read_decimal(self, sheet: SheetData, row: RawRow, column: Column, raw: Any, places: int = 2) -> Any:
        if isinstance(raw, bool | datetime | date):
            self.report(sheet, row, column.key, P.NOT_A_NUMBER, value=_text(raw)[:40])
            return INVALID
        if isinstance(raw, int | Decimal):
            number = Decimal(raw)
        elif isinstance(raw, float):
            number = Decimal(repr(raw))  # the shortest decimal that reads back as this double: what Excel shows
        else:
            text = _text(raw).replace(" ", "")
            if not _PLAIN_DECIMAL.match(text):
                self.report(sheet, row, column.key, P.NOT_A_NUMBER, value=_text(raw)[:40])
                return INVALID
            number = Decimal(text)
        try:
            exponent = number.normalize().as_tuple().exponent
        except InvalidOperation:
            self.report(sheet, row, column.key, P.NOT_A_NUMBER, value=_text(raw)[:40])
            return INVALID
        if isinstance(exponent, int) and -exponent > places:
            self.report(sheet, row, column.key, P.TOO_MANY_DECIMALS, value=_text(raw)[:40], places=places)
            return INVALID
        if abs(number) >= MAX_AMOUNT:
            self.report(sheet, row, column.key, P.TOO_LARGE, value=_text(raw)[:40])
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
        self.report(sheet, row, column.key, P.NOT_A_BOOL, value=_text(raw)[:40])
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
        self.report(sheet, row, column.key, P.UNKNOWN_CODE, value=_text(raw)[:60])
        return INVALID

    def _read_codes(
        self, sheet: SheetData, row: RawRow, column: Column, raw: Any, allowed: Any = None, pad: int = 0
    ) -> Any:
        values = []
        for part in re.split(r"[,;]", _text(raw)):
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
        text = _text(raw)
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
            return uuid.UUID(_text(raw))
        except ValueError:
            self.report(sheet, row, column.key, P.BAD_ID, value=_text(raw)[:60])
            return INVALID

    def _read_version(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        text = _text(raw)
        if not text.isdigit():
            self.report(sheet, row, column.key, P.BAD_VERSION, value=text[:20])
            return INVALID
        return int(text)

    def _read_reference(self, sheet: SheetData, row: RawRow, column: Column, raw: Any) -> Any:
        return _text(raw)

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

    def may_hold(self, province: AdministrativeUnit | None) -> bool:
        """Whether a record owned by `province` (None: the centre) is one the user may write: the scope
        policy's answer for such a record, asked once per province of the file."""
        key = getattr(province, "pk", None)
        if key not in self._may_hold:
            model = self.model
            if not issubclass(model, (Organisation, AidItem)):
                raise TypeError(f"{model.__name__} records have no owning province.")
            record = model(owning_province=province)
            self._may_hold[key] = model.scope_policy.allows(self.user, Action.ADD, record)
        return self._may_hold[key]

    def existing(self, ids: Iterable[uuid.UUID], select: Sequence[str] = ()) -> tuple[dict[uuid.UUID, Any], set[int]]:
        """Records named by identifier that the user may see (deleted ones too, to say so) and the pks the user
        may change. A record the user may not see is unknown: an upload never tells what exists elsewhere."""
        records: dict[uuid.UUID, Any] = {}
        changeable: set[int] = set()
        manager = self.model.all_objects
        for chunk in _chunks(ids):
            for record in manager.restrict(self.user, Action.VIEW).filter(public_id__in=chunk).select_related(*select):
                records[record.public_id] = record
        for chunk in _chunks(record.pk for record in records.values()):
            changeable.update(
                manager.restrict(self.user, Action.CHANGE).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        return records, changeable

    def changeable_pks(self, pks: Iterable[int]) -> set[int]:
        allowed: set[int] = set()
        manager = self.model.all_objects
        for chunk in _chunks(pks):
            allowed.update(manager.restrict(self.user, Action.CHANGE).filter(pk__in=chunk).values_list("pk", flat=True))
        return allowed

    def identify(
        self,
        sheet: SheetData,
        row: RawRow,
        records: dict[uuid.UUID, Any],
        changeable: set[int],
        seen: dict[uuid.UUID, int],
    ) -> tuple[Any, bool]:
        """(the record the row's id names, whether the id was readable and usable)."""
        record_id = self.value(sheet, row, "id")
        if record_id is INVALID:
            return None, False
        if record_id is None:
            return None, True
        if record_id in seen:
            self.report(sheet, row, "id", P.DUPLICATE_ID, other=seen[record_id])
            return None, False
        seen[record_id] = row.number
        record = records.get(record_id)
        if record is None:
            self.report(sheet, row, "id", P.UNKNOWN_ID)
            return None, False
        if record.deleted_at is not None:
            self.report(sheet, row, "id", P.DELETED)
            return None, False
        if record.pk not in changeable:
            self.report(sheet, row, "id", P.NOT_CHANGEABLE)
            return None, False
        return record, True

    def matched(self, sheet: SheetData, row: RawRow, key: str, record: Any, changeable: set[int], value: str) -> Any:
        """A row without id that names an existing record by its natural key updates it, if the user may."""
        if record.deleted_at is not None:
            self.report(sheet, row, key, P.DELETED)
            return INVALID
        if record.pk not in changeable:
            self.report(sheet, row, key, P.MATCHED_NOT_CHANGEABLE, value=value[:100])
            return INVALID
        return record

    def validate_instance(self, sheet: SheetData, row: RawRow, instance: Model) -> bool:
        """The model's own field rules (lengths, e-mail, URL…), without queries: foreign keys were resolved from
        the look-ups and uniqueness is checked against the file and the look-ups."""
        try:
            instance.full_clean(exclude=list(self.foreign_keys), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                key = name if name in sheet.letters else ""
                for message in messages:
                    self.report(sheet, row, key, P.INVALID, error=message)
            return False
        return True

    def stale(self, sheet: SheetData, row: RawRow, record: Any, version: Any) -> bool:
        try:
            check_version(stored=record.version, expected=version if isinstance(version, int) else None)
        except rules.Breach as breach:
            self.report_breach(sheet, row, breach)
            return True
        return False

    def plan(
        self,
        sheet: SheetData,
        row: RawRow,
        record: Any,
        data: dict[str, Any],
        version: Any,
        *,
        parts: AidItemParts | None = None,
        identifier: str = "",
        extra_changed: bool = False,
    ) -> Planned:
        """Compare the row with the record: an unchanged row is left alone (no history, no version bump)."""
        if record is None:
            instance = self.model()
            for name, value in data.items():
                if not self.model._meta.get_field(name).many_to_many:
                    setattr(instance, name, value)
            return Planned(sheet.title, row.number, CREATE, instance, data, None, parts, identifier, sheet.letters)
        changed = (
            extra_changed or parts is not None or any(_differs(record, name, value) for name, value in data.items())
        )
        if not changed:
            return Planned(sheet.title, row.number, UNCHANGED, record, data, None, None, identifier, sheet.letters)
        if self.checked_by_service:  # the write claims the version the file was made from
            expected = version if isinstance(version, int) else record.version
        else:
            self.stale(sheet, row, record, version)
            expected = record.version
        instance = copy.copy(record)
        for name, value in data.items():
            if not self.model._meta.get_field(name).many_to_many:
                setattr(instance, name, value)
        return Planned(sheet.title, row.number, UPDATE, instance, data, expected, parts, identifier, sheet.letters)


def _differs(record: Any, name: str, value: Any) -> bool:
    field_ = record._meta.get_field(name)
    if field_.many_to_many:
        current = {item.pk for item in getattr(record, name).all()}
        return current != {item.pk for item in value}
    if field_.is_relation:
        return getattr(record, field_.attname) != (value.pk if value is not None else None)
    current = getattr(record, name)
    if isinstance(current, Decimal) and isinstance(value, Decimal):
        return current.compare(value) != 0
    return bool(current != value)


_READERS: dict[str, Callable[..., Any]] = {
    TEXT: Checker._read_text,
    LONG_TEXT: Checker._read_text,
    DATE: Checker._read_date,
    DECIMAL: Checker._read_decimal,
    PERCENT: Checker._read_percent,
    BOOL: Checker._read_bool,
    CODE: Checker._read_code,
    CODES: Checker._read_codes,
    ORGANISATION: Checker._read_organisation,
    UUID: Checker._read_uuid,
    VERSION: Checker._read_version,
    AID_ITEM: Checker._read_reference,
}


def _fields(values: dict[str, Any], defaults: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The row's model values, or None when one of them was unreadable. Empty text becomes ""."""
    if any(value is INVALID for value in values.values()):
        return None
    data = {name: value for name, value in values.items()}
    for name, default in (defaults or {}).items():
        if data.get(name) is None:
            data[name] = default
    return data


def _clean_texts(data: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if data.get(name) is None:
            data[name] = ""


# --- organisations -------------------------------------------------------------------------------------------


class OrganisationChecker(Checker):
    model = Organisation
    foreign_keys = ("owning_province", "country", "iati_type")
    texts = ("name_vi", "acronym", "iati_identifier", "website", "email", "phone", "address", "description")

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["organisations"]
        ids = self._ids(sheet)
        records, changeable = self.existing(ids, select=())
        by_iati, by_name = self._natural_keys(sheet)
        changeable |= self.changeable_pks(
            {r.pk for r in by_iati.values()} | {r.pk for group in by_name.values() for r in group}
        )
        provinces = self.provinces()
        countries = {country.code: country for country in Country.objects.all()}
        types = self.codelist("OrganisationType")
        seen_ids: dict[uuid.UUID, int] = {}
        seen_iati: dict[str, int] = {}
        seen_names: dict[str, int] = {}
        may_add = Organisation.scope_policy.allows(self.user, Action.ADD)
        planned = []
        for row in sheet.rows:
            record, usable = self.identify(sheet, row, records, changeable, seen_ids)
            values = {
                "name": self.value(sheet, row, "name"),
                "name_vi": self.value(sheet, row, "name_vi"),
                "acronym": self.value(sheet, row, "acronym"),
                "kind": self.value(sheet, row, "kind", allowed=ORGANISATION_KIND_CODES),
                "iati_identifier": self.value(sheet, row, "iati_identifier"),
                "iati_type": self.value(sheet, row, "iati_type", allowed=types),
                "country": self.value(sheet, row, "country", allowed=countries),
                "website": self.value(sheet, row, "website"),
                "email": self.value(sheet, row, "email"),
                "phone": self.value(sheet, row, "phone"),
                "address": self.value(sheet, row, "address"),
                "status": self.value(sheet, row, "status", allowed=ORGANISATION_STATUS_CODES),
                "owning_province": self.value(sheet, row, "owning_province", allowed=provinces, pad=2),
                "description": self.value(sheet, row, "description"),
            }
            version = self.value(sheet, row, "version")
            data = _fields(values)
            if data is None or not usable:
                continue
            _clean_texts(data, self.texts)
            if data["status"] is None:
                data["status"] = record.status if record else OrganisationStatus.ACTIVE
            iati = data["iati_identifier"]
            name = normalise_name(data["name"])
            if iati and iati in seen_iati:
                self.report(sheet, row, "iati_identifier", P.DUPLICATE_IATI, other=seen_iati[iati])
                continue
            if name in seen_names:
                self.report(sheet, row, "name", P.DUPLICATE_NAME, other=seen_names[name])
                continue
            if iati:
                seen_iati[iati] = row.number
            seen_names[name] = row.number
            if record is None:  # no id: the same IATI identifier or name is an update of that record
                match = by_iati.get(iati) if iati else None
                key = "iati_identifier"
                if match is None and len(by_name.get(name, [])) == 1:
                    match, key = by_name[name][0], "name"
                if match is not None:
                    record = self.matched(
                        sheet, row, key, match, changeable, iati if key == "iati_identifier" else data["name"]
                    )
                    if record is INVALID:
                        continue
            elif iati and iati in by_iati and by_iati[iati].pk != record.pk:
                self.report(sheet, row, "iati_identifier", P.IATI_TAKEN, value=iati)
                continue
            if record is None and not may_add:
                self.report(sheet, row, "", P.NOT_ADDABLE)
                continue
            if (record is None or record.owning_province_id != getattr(data["owning_province"], "pk", None)) and not (
                self.may_hold(data["owning_province"])
            ):
                province = data["owning_province"]
                self.report(
                    sheet, row, "owning_province", P.OUTSIDE_JURISDICTION, province=province.code if province else "—"
                )
                continue
            item = self.plan(sheet, row, record, data, version, identifier=iati or data["name"])
            if item.action == UNCHANGED or self.validate_instance(sheet, row, item.instance):
                planned.append(item)
        return planned

    def _ids(self, sheet: SheetData) -> set[uuid.UUID]:
        return {uid for row in sheet.rows if (uid := _uuid(row.values.get("id"))) is not None}

    def _natural_keys(self, sheet: SheetData) -> tuple[dict[str, Organisation], dict[str, list[Organisation]]]:
        """Existing organisations (deleted too) with an IATI identifier or a name found in the file."""
        iatis = {_text(row.values["iati_identifier"]) for row in sheet.rows if row.values.get("iati_identifier")}
        names = {normalise_name(_text(row.values["name"])) for row in sheet.rows if row.values.get("name")}
        by_iati: dict[str, Organisation] = {}
        for chunk in _chunks(iatis):
            for organisation in Organisation.all_objects.filter(iati_identifier__in=chunk):
                by_iati[organisation.iati_identifier] = organisation
        by_name: dict[str, list[Organisation]] = defaultdict(list)
        # Names are compared normalised, which SQL cannot do on both databases alike: read the names (a few
        # thousand short rows nationally) and compare here.
        for organisation in Organisation.all_objects.only(
            "pk", "name", "deleted_at", "owning_province_id", "version", "public_id"
        ):
            key = normalise_name(organisation.name)
            if key in names:
                by_name[key].append(organisation)
        full = {o.pk: o for o in Organisation.all_objects.filter(pk__in=[o.pk for g in by_name.values() for o in g])}
        return by_iati, {key: [full[o.pk] for o in group] for key, group in by_name.items()}


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or value is FORMULA:
        return None
    try:
        return uuid.UUID(_text(value))
    except ValueError:
        return None


# --- registrations -------------------------------------------------------------------------------------------


class RegistrationChecker(Checker):
    model = Registration
    foreign_keys = ("organisation",)

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["registrations"]
        ids = {uid for row in sheet.rows if (uid := _uuid(row.values.get("id"))) is not None}
        records, changeable = self.existing(ids)
        numbers = {code_of(row.values.get("number", "")) for row in sheet.rows}
        by_number = {
            (r.kind, r.number): r
            for chunk in _chunks(numbers)
            for r in Registration.all_objects.filter(number__in=chunk)
        }
        changeable |= self.changeable_pks(r.pk for r in by_number.values())
        everything = list(records.values()) + list(by_number.values())
        _prefetch_m2m(everything, ("provinces", "sectors"))
        provinces = self.provinces()
        categories = self.codelist("SectorCategory")
        may_add = Registration.scope_policy.allows(self.user, Action.ADD)
        seen_ids: dict[uuid.UUID, int] = {}
        seen_numbers: dict[tuple[str, str], int] = {}
        planned = []
        for row in sheet.rows:
            record, usable = self.identify(sheet, row, records, changeable, seen_ids)
            values = {
                "organisation": self.value(sheet, row, "organisation"),
                "kind": self.value(sheet, row, "kind", allowed=REGISTRATION_KIND_CODES),
                "number": self.value(sheet, row, "number"),
                "issuing_body": self.value(sheet, row, "issuing_body"),
                "issue_date": self.value(sheet, row, "issue_date"),
                "expiry_date": self.value(sheet, row, "expiry_date"),
                "provinces": self.value(sheet, row, "provinces", allowed=provinces, pad=2),
                "sectors": self.value(sheet, row, "sectors", allowed=categories),
                "note": self.value(sheet, row, "note"),
            }
            version = self.value(sheet, row, "version")
            data = _fields(values)
            if data is None or not usable:
                continue
            _clean_texts(data, ("note",))
            data["provinces"] = data["provinces"] or []
            data["sectors"] = data["sectors"] or []
            if not data["issuing_body"]:
                data["issuing_body"] = (
                    record.issuing_body if record else Registration._meta.get_field("issuing_body").default
                )
            key = (data["kind"], data["number"])
            if key in seen_numbers:
                self.report(sheet, row, "number", P.DUPLICATE_NUMBER, other=seen_numbers[key])
                continue
            seen_numbers[key] = row.number
            if data["organisation"].kind not in {OrganisationKind.FOREIGN_NGO, OrganisationKind.FOUNDATION}:
                self.report(sheet, row, "organisation", P.NOT_REGISTRANT)
                continue
            match = by_number.get(key)
            if record is None and match is not None:
                record = self.matched(sheet, row, "number", match, changeable, data["number"])
                if record is INVALID:
                    continue
            elif record is not None and match is not None and match.pk != record.pk:
                self.report(sheet, row, "number", P.NUMBER_TAKEN, value=data["number"])
                continue
            if record is None and not may_add:
                self.report(sheet, row, "", P.NOT_ADDABLE)
                continue
            try:
                check_registration_dates(
                    kind=data["kind"], issue_date=data["issue_date"], expiry_date=data["expiry_date"]
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("expiry_date", exc.messages):
                    self.report(sheet, row, "expiry_date", P.INVALID, error=message)
                continue
            if record is not None and data["expiry_date"] != record.expiry_date:
                self.report(sheet, row, "expiry_date", P.EXPIRY_CHANGE)
                continue
            item = self.plan(sheet, row, record, data, version, identifier=data["number"])
            if item.action == UNCHANGED or self.validate_instance(sheet, row, item.instance):
                planned.append(item)
        return planned


def _prefetch_m2m(records: Sequence[Model], names: Sequence[str]) -> None:
    from django.db.models import prefetch_related_objects

    unique = list({record.pk: record for record in records}.values())
    if unique:
        prefetch_related_objects(unique, *names)


# --- aid items -----------------------------------------------------------------------------------------------


@dataclass
class _ItemRow:
    row: RawRow
    record: AidItem | None
    data: dict[str, Any]
    version: Any
    donor: Organisation | None
    sectors: list[tuple[RawRow, SectorShare]] = field(default_factory=list)
    locations: list[tuple[RawRow, LocationShare]] = field(default_factory=list)
    broken: bool = False


class AidItemChecker(Checker):
    """Reads the aid items of a file with their sector and location shares, and matches them to those stored;
    the rules of aid items are the service's (`aid_items_save`, in a dry run)."""

    model = AidItem
    checked_by_service = True

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["aid_items"]
        ids = {uid for row in sheet.rows if (uid := _uuid(row.values.get("id"))) is not None}
        records, changeable = self.existing(ids)
        iatis = {_text(row.values["iati_identifier"]) for row in sheet.rows if row.values.get("iati_identifier")}
        references = {_text(row.values["reference"]) for row in sheet.rows if row.values.get("reference")}
        by_iati = {
            i.iati_identifier: i
            for chunk in _chunks(iatis)
            for i in AidItem.all_objects.filter(iati_identifier__in=chunk)
        }
        by_reference: dict[tuple[int | None, str], list[AidItem]] = defaultdict(list)  # by province (None: the centre)
        for chunk in _chunks(references):
            for found in AidItem.all_objects.filter(reference__in=chunk):
                by_reference[(found.owning_province_id, found.reference)].append(found)
        changeable |= self.changeable_pks(
            {i.pk for i in by_iati.values()} | {i.pk for group in by_reference.values() for i in group}
        )
        # Every instance read (by id, IATI identifier or reference: one record may be read as several
        # instances, and any of them may become the row's record) gets its parts, in three queries.
        everything = {
            id(i): i for i in [*records.values(), *by_iati.values(), *(i for g in by_reference.values() for i in g)]
        }
        _prefetch_parts(list(everything.values()))
        provinces = self.provinces()
        may_add = AidItem.scope_policy.allows(self.user, Action.ADD)
        seen_ids: dict[uuid.UUID, int] = {}
        seen_iati: dict[str, int] = {}
        seen_refs: dict[tuple[int | None, str], int] = {}
        items: list[_ItemRow] = []
        keys: dict[str, list[_ItemRow]] = defaultdict(list)  # how split sheets name an item → its rows
        for row in sheet.rows:
            record, usable = self.identify(sheet, row, records, changeable, seen_ids)
            values = {
                "reference": self.value(sheet, row, "reference"),
                "iati_identifier": self.value(sheet, row, "iati_identifier"),
                "title_vi": self.value(sheet, row, "title_vi"),
                "title_en": self.value(sheet, row, "title_en"),
                "modality": self.value(sheet, row, "modality", allowed=MODALITY_CODES),
                "is_relief": self.value(sheet, row, "is_relief"),
                "owning_province": self.value(sheet, row, "owning_province", allowed=provinces, pad=2),
                "planned_start": self.value(sheet, row, "planned_start"),
                "planned_end": self.value(sheet, row, "planned_end"),
                "description": self.value(sheet, row, "description"),
            }
            donor = self.value(sheet, row, "donor")
            version = self.value(sheet, row, "version")
            data = _fields(values)
            item = _ItemRow(row, record, data or {}, version, donor if donor is not INVALID else None)
            for key in (
                _text(row.values.get("id") or ""),
                _text(row.values.get("iati_identifier") or ""),
                _text(row.values.get("reference") or ""),
            ):
                if key:
                    keys[key.casefold()].append(item)
            items.append(item)
            if data is None or not usable or donor is INVALID:
                item.broken = True
                continue
            _clean_texts(data, ("reference", "iati_identifier", "title_en", "description"))
            data["is_relief"] = bool(data["is_relief"])
            iati, reference, province = data["iati_identifier"], data["reference"], data["owning_province"]
            province_id = getattr(province, "pk", None)  # None: kept by the centre (nationwide aid)
            if iati and iati in seen_iati:
                self.report(sheet, row, "iati_identifier", P.DUPLICATE_IATI, other=seen_iati[iati])
                item.broken = True
                continue
            if reference and (province_id, reference) in seen_refs:
                self.report(sheet, row, "reference", P.DUPLICATE_REFERENCE, other=seen_refs[(province_id, reference)])
                item.broken = True
                continue
            if iati:
                seen_iati[iati] = row.number
            if reference:
                seen_refs[(province_id, reference)] = row.number
            if record is None:
                match, key = (by_iati.get(iati), "iati_identifier") if iati else (None, "")
                if match is None and reference and len(by_reference.get((province_id, reference), [])) == 1:
                    match, key = by_reference[(province_id, reference)][0], "reference"
                if match is not None:
                    record = self.matched(
                        sheet, row, key, match, changeable, iati if key == "iati_identifier" else reference
                    )
                    if record is INVALID:
                        item.broken = True
                        continue
                    item.record = record
            elif iati and iati in by_iati and by_iati[iati].pk != record.pk:
                self.report(sheet, row, "iati_identifier", P.IATI_TAKEN, value=iati)
                item.broken = True
                continue
            if record is None and not may_add:
                self.report(sheet, row, "", P.NOT_ADDABLE)
                item.broken = True
            elif (record is None or record.owning_province_id != province_id) and not self.may_hold(province):
                self.report(
                    sheet, row, "owning_province", P.OUTSIDE_JURISDICTION, province=getattr(province, "code", "—")
                )
                item.broken = True
        self._read_sectors(keys)
        self._read_locations(keys)
        planned = []
        for item in items:
            if item.broken:
                continue
            parts = self._parts(item)
            result = self.plan(
                sheet,
                item.row,
                item.record,
                item.data,
                item.version,
                parts=parts,
                identifier=item.data["iati_identifier"] or item.data["reference"] or item.data["title_vi"],
            )
            for what, rows in (("sectors", item.sectors), ("locations", item.locations)):
                if rows:
                    part_sheet = self.read.sheets[what]
                    result.part_places[what] = Place(part_sheet.title, rows[0][0].number, part_sheet.letters)
            planned.append(result)
        return planned

    def _item_for(self, sheet: SheetData, row: RawRow, keys: dict[str, list[_ItemRow]]) -> _ItemRow | None:
        name = self.value(sheet, row, "aid_item")
        if name is INVALID or name is None:
            return None
        found = keys.get(name.casefold(), [])
        if not found:
            self.report(sheet, row, "aid_item", P.SPLIT_NOT_IN_FILE, value=name[:100])
            return None
        if len({id(item) for item in found}) > 1:
            self.report(sheet, row, "aid_item", P.SPLIT_AMBIGUOUS, value=name[:100])
            return None
        return found[0]

    def _read_sectors(self, keys: dict[str, list[_ItemRow]]) -> None:
        sheet = self.read.sheets.get("sectors")
        if sheet is None:
            return
        sectors = self.codelist("Sector", "SectorCategory")
        for row in sheet.rows:
            item = self._item_for(sheet, row, keys)
            sector = self.value(sheet, row, "sector", allowed=sectors)
            percentage = self.value(sheet, row, "percentage")
            if item is None or sector is INVALID or percentage is INVALID:
                if item is not None:
                    item.broken = True
                continue
            item.sectors.append((row, SectorShare(sector, percentage)))

    def _read_locations(self, keys: dict[str, list[_ItemRow]]) -> None:
        sheet = self.read.sheets.get("locations")
        if sheet is None:
            return
        wanted = {
            (code_of(row.values.get("era") or Era.CURRENT), _unit_code(row.values.get("unit"))) for row in sheet.rows
        }
        units: dict[tuple[str, str], AdministrativeUnit] = {}
        for chunk in _chunks({code for _era, code in wanted}):
            for found in AdministrativeUnit.objects.filter(code__in=chunk).select_related("province"):
                units[(found.era, found.code)] = found
        for row in sheet.rows:
            item = self._item_for(sheet, row, keys)
            era = self.value(sheet, row, "era", allowed=ERA_CODES) or Era.CURRENT
            percentage = self.value(sheet, row, "percentage")
            code = self.value(sheet, row, "unit")
            unit: AdministrativeUnit | None = None
            if code is not INVALID and era is not INVALID:
                unit = units.get((era, _unit_code(row.values.get("unit"))))
                if unit is None:
                    self.report(sheet, row, "unit", P.UNKNOWN_UNIT, value=_text(row.values.get("unit"))[:40], era=era)
            if item is None or unit is None or percentage is INVALID:
                if item is not None:
                    item.broken = True
                continue
            item.locations.append((row, LocationShare(unit, percentage)))

    def _parts(self, item: _ItemRow) -> AidItemParts | None:
        """The item's parts to write (None where the file leaves them as they are)."""
        record = item.record
        sectors = [share for _row, share in item.sectors] or None
        locations = [share for _row, share in item.locations] or None
        if record is not None:
            current_sectors = {(s.sector_id, s.percentage.normalize()) for s in record.sectors.all()}
            if sectors is not None and current_sectors == {(s.sector.pk, s.percentage.normalize()) for s in sectors}:
                sectors = None
            current_locations = {(loc.unit_id, loc.percentage.normalize()) for loc in record.locations.all()}
            if locations is not None and current_locations == {
                (s.unit.pk, s.percentage.normalize()) for s in locations
            }:
                locations = None
        participants = None
        if item.donor is not None:
            current = list(record.participants.all()) if record is not None else []
            funders = {p.organisation_id for p in current if p.role == ParticipantRole.FUNDING}
            if item.donor.pk not in funders:
                others = [Participation(p.organisation, p.role) for p in current if p.role != ParticipantRole.FUNDING]
                participants = [*others, Participation(item.donor, ParticipantRole.FUNDING)]
        if record is None:
            return AidItemParts(sectors=sectors or [], locations=locations or [], participants=participants or [])
        if sectors is None and locations is None and participants is None:
            return None
        return AidItemParts(sectors=sectors, locations=locations, participants=participants)


def _unit_code(value: Any) -> str:
    code = code_of(value) if value is not None else ""
    if isinstance(value, int | float) or (code.isdigit() and len(code) in (1, 4)):
        code = code.zfill(2 if len(code) <= 2 else 5)
    return code


def _prefetch_parts(items: Sequence[AidItem]) -> None:
    from django.db.models import Prefetch, prefetch_related_objects

    if items:
        prefetch_related_objects(
            items,
            Prefetch("sectors", queryset=SectorSplit.objects.all()),
            Prefetch("locations", queryset=LocationSplit.objects.all()),
            Prefetch("participants", queryset=AidParticipant.objects.select_related("organisation")),
        )


# --- transactions --------------------------------------------------------------------------------------------


class TransactionChecker(Checker):
    """Reads the transactions of a file and matches them to those stored (by id, else as the same transaction
    uploaded again); the rules of transactions are the service's (`transactions_save`, in a dry run)."""

    model = Transaction
    checked_by_service = True

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["transactions"]
        ids = {uid for row in sheet.rows if (uid := _uuid(row.values.get("id"))) is not None}
        records, changeable = self.existing(ids)
        items, item_changeable = self._aid_items(sheet)
        currencies = {currency.code: currency for currency in Currency.objects.all()}
        item_pks = {item.pk for item in items.values()}
        existing_by_key = self._natural_keys(item_pks)
        seen_ids: dict[uuid.UUID, int] = {}
        claimed: set[int] = set()
        planned = []
        for row in sheet.rows:
            record, usable = self.identify(sheet, row, records, changeable, seen_ids)
            aid_item = self._aid_item(sheet, row, items, item_changeable)
            values = {
                "transaction_type": self.value(sheet, row, "transaction_type", allowed=TRANSACTION_TYPE_CODES),
                "date": self.value(sheet, row, "date"),
                "value_date": self.value(sheet, row, "value_date"),
                "amount": self.value(sheet, row, "amount"),
                "currency": self.value(sheet, row, "currency", allowed=currencies),
                "provider": self.value(sheet, row, "provider"),
                "receiver": self.value(sheet, row, "receiver"),
                "description": self.value(sheet, row, "description"),
            }
            version = self.value(sheet, row, "version")
            data = _fields(values)
            if data is None or not usable or aid_item is None:
                continue
            _clean_texts(data, ("description",))
            # Compared with the stored value date, which is the date when none was given.
            data["value_date"] = rules.value_date_of(data["date"], data["value_date"])
            if record is None:
                key = (
                    aid_item.pk,
                    data["transaction_type"],
                    data["date"],
                    data["amount"].normalize(),
                    data["currency"].pk,
                    getattr(data["provider"], "pk", None),
                )
                for candidate in existing_by_key.get(key, []):
                    if candidate.pk not in claimed:
                        record = candidate  # the same transaction uploaded again: an update, never a duplicate
                        break
            if record is not None:
                claimed.add(record.pk)
            identifier = str(record.public_id) if record else ""
            planned.append(
                self.plan(sheet, row, record, {"aid_item": aid_item, **data}, version, identifier=identifier)
            )
        return planned

    def _aid_items(self, sheet: SheetData) -> tuple[dict[str, AidItem], set[int]]:
        """Aid items the file names (by id, IATI identifier or reference) among those the user may see."""
        names = {
            _text(row.values["aid_item"]) for row in sheet.rows if row.values.get("aid_item") not in (None, FORMULA)
        }
        uuids = {uid for name in names if (uid := _uuid(name)) is not None}
        texts = names - {str(uid) for uid in uuids}
        found: dict[int, AidItem] = {}
        visible = AidItem.objects.restrict(self.user, Action.VIEW)
        for chunk in _chunks(uuids):
            found.update({i.pk: i for i in visible.filter(public_id__in=chunk)})
        for chunk in _chunks(texts):
            found.update({i.pk: i for i in visible.filter(Q(iati_identifier__in=chunk) | Q(reference__in=chunk))})
        by_name: dict[str, list[AidItem]] = defaultdict(list)
        for item in found.values():
            for key in {str(item.public_id), item.iati_identifier, item.reference} - {""}:
                by_name[key.casefold()].append(item)
        self._ambiguous = {key for key, group in by_name.items() if len(group) > 1}
        return {key: group[0] for key, group in by_name.items()}, self._changeable_items(found)

    def _changeable_items(self, found: dict[int, AidItem]) -> set[int]:
        allowed: set[int] = set()
        for chunk in _chunks(found):
            allowed.update(
                AidItem.objects.restrict(self.user, Action.CHANGE).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        return allowed

    def _aid_item(
        self, sheet: SheetData, row: RawRow, items: dict[str, AidItem], changeable: set[int]
    ) -> AidItem | None:
        name = self.value(sheet, row, "aid_item")
        if name is None or name is INVALID:
            return None
        key = name.casefold()
        if key in self._ambiguous:
            self.report(sheet, row, "aid_item", P.SPLIT_AMBIGUOUS, value=name[:100])
            return None
        item = items.get(key)
        if item is None:
            self.report(sheet, row, "aid_item", P.AID_ITEM_UNKNOWN, value=name[:100])
            return None
        if item.pk not in changeable:
            self.report(sheet, row, "aid_item", P.AID_ITEM_NOT_CHANGEABLE, value=name[:100])
            return None
        return item

    def _natural_keys(self, item_pks: set[int]) -> dict[tuple[Any, ...], list[Transaction]]:
        by_key: dict[tuple[Any, ...], list[Transaction]] = defaultdict(list)
        for chunk in _chunks(item_pks):
            for tx in Transaction.objects.filter(aid_item_id__in=chunk).order_by("pk"):
                key = (
                    tx.aid_item_id,
                    tx.transaction_type,
                    tx.date,
                    tx.amount.normalize(),
                    tx.currency_id,
                    tx.provider_id,
                )
                by_key[key].append(tx)
        return by_key


CHECKERS: dict[str, type[Checker]] = {
    "organisations": OrganisationChecker,
    "registrations": RegistrationChecker,
    "aid_items": AidItemChecker,
    "transactions": TransactionChecker,
}

__all__ = ["CREATE", "UNCHANGED", "UPDATE", "ExcelCheck", "Planned", "check_workbook", "code_of"]
