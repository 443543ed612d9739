"""The Excel templates: one workbook spec per kind of record, and the blank (or filled) workbook built from it.

Layout of every data sheet, so that parsing never depends on the language of the headers or sheet names:

- row 1: the column headers in the user's language (frozen, bold);
- row 2: the machine-readable column keys (hidden row); the parser reads this row, so a user may reorder
  columns or add their own without breaking the upload;
- row 3 onwards: data. Column A is the hidden `id` (the record's `public_id`), column B the hidden `version`
  (the record's version when exported, so that an upload never silently overwrites a later edit).

Each data sheet is named by a workbook-level defined name `AMITY_<SHEET>` pointing at its key row (Excel
keeps defined names pointing at the right sheet when a user renames it), and `AMITY_TEMPLATE` holds the kind
and the template version. Drop-down lists read a hidden, protected "Lists" sheet of `code – label` values;
the parser keeps only the code before the dash, so a file filled in Vietnamese reads the same in Arabic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from amity.aid.choices import Modality, TransactionType
from amity.core.text import set_cell
from amity.organisations.choices import OrganisationKind, OrganisationStatus, RegistrationKind
from amity.reference.choices import CodeStatus, Era, UnitLevel

TEMPLATE_VERSION = "1"
KIND_NAME = "AMITY_TEMPLATE"
SHEET_NAME_PREFIX = "AMITY_"
HEADER_ROW = 1
KEY_ROW = 2
FIRST_DATA_ROW = 3
MAX_DATA_ROWS = 20_000  # more than any office keys in by hand; a larger file is split or sent as IATI XML
SEPARATOR = " – "  # between a code and its label in drop-down values
DATE_FORMAT = "yyyy-mm-dd"
DECIMAL_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00"

# Column types: how a cell is read and written.
TEXT = "text"
LONG_TEXT = "long_text"
DATE = "date"
DECIMAL = "decimal"
PERCENT = "percent"
BOOL = "bool"
CODE = "code"  # one value of a list, written `code – label`
CODES = "codes"  # several codes separated by commas or semicolons (no drop-down: Excel has no multi-select)
ORGANISATION = "organisation"  # an organisation by IATI identifier or name
AID_ITEM = "aid_item"  # an aid item by stable id, IATI identifier or reference number
UUID = "uuid"
VERSION = "version"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HIDDEN_FILL = PatternFill("solid", fgColor="EDEDED")


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str
    type: str = TEXT
    required: bool = False
    choices: str = ""  # the list (Lists sheet column) that feeds the drop-down and the check
    max_length: int | None = None
    width: int = 18
    hidden: bool = False
    strict: bool = True  # a drop-down that refuses other values (False: old-era unit codes are allowed too)


ID = Column("id", gettext_lazy("Identifier (do not change)"), UUID, width=38, hidden=True)
VERSION_COLUMN = Column("version", gettext_lazy("Version (do not change)"), VERSION, width=8, hidden=True)
# The aid item's title beside its identifier, for the reader; never imported.
ITEM_TITLE = Column("aid_item_title", gettext_lazy("Aid item title (not imported)"), TEXT, width=40)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: Promise | str
    columns: tuple[Column, ...]

    @property
    def defined_name(self) -> str:
        return f"{SHEET_NAME_PREFIX}{self.key.upper()}"

    @cached_property
    def _by_key(self) -> dict[str, Column]:
        return {column.key: column for column in self.columns}

    def column(self, key: str) -> Column:
        return self._by_key[key]


@dataclass(frozen=True)
class WorkbookSpec:
    kind: str
    title: Promise | str
    sheets: tuple[SheetSpec, ...]

    @property
    def main(self) -> SheetSpec:
        return self.sheets[0]

    def sheet(self, key: str) -> SheetSpec:
        return next(sheet for sheet in self.sheets if sheet.key == key)


ORGANISATIONS = WorkbookSpec(
    "organisations",
    gettext_lazy("Organisations"),
    (
        SheetSpec(
            "organisations",
            gettext_lazy("Organisations"),
            (
                ID,
                VERSION_COLUMN,
                Column("name", gettext_lazy("Name"), required=True, max_length=300, width=40),
                Column("name_vi", gettext_lazy("Vietnamese name"), max_length=300, width=40),
                Column("acronym", gettext_lazy("Acronym"), max_length=50, width=12),
                Column("kind", gettext_lazy("Kind"), CODE, required=True, choices="organisation_kinds", width=30),
                Column("iati_identifier", gettext_lazy("IATI organisation identifier"), max_length=150, width=24),
                Column(
                    "iati_type", gettext_lazy("IATI organisation type"), CODE, choices="organisation_types", width=30
                ),
                Column("country", gettext_lazy("Country of headquarters"), CODE, choices="countries", width=24),
                Column("website", gettext_lazy("Website"), max_length=200, width=28),
                Column("email", gettext_lazy("Email"), max_length=254, width=28),
                Column("phone", gettext_lazy("Phone"), max_length=50),
                Column("address", gettext_lazy("Address"), LONG_TEXT, width=40),
                Column("status", gettext_lazy("Status"), CODE, choices="organisation_statuses", width=14),
                Column("owning_province", gettext_lazy("Recorded by province"), CODE, choices="provinces", width=24),
                Column("description", gettext_lazy("Description"), LONG_TEXT, width=40),
            ),
        ),
    ),
)

REGISTRATIONS = WorkbookSpec(
    "registrations",
    gettext_lazy("Registrations"),
    (
        SheetSpec(
            "registrations",
            gettext_lazy("Registrations"),
            (
                ID,
                VERSION_COLUMN,
                Column("organisation", gettext_lazy("Organisation"), ORGANISATION, required=True, width=40),
                Column("kind", gettext_lazy("Kind"), CODE, required=True, choices="registration_kinds", width=34),
                Column("number", gettext_lazy("Number"), required=True, max_length=100, width=20),
                Column("issuing_body", gettext_lazy("Issuing body"), max_length=300, width=24),
                Column("issue_date", gettext_lazy("Issue date"), DATE, required=True, width=14),
                Column("expiry_date", gettext_lazy("Expiry date"), DATE, required=True, width=14),
                Column(
                    "provinces",
                    gettext_lazy("Provinces covered (codes, separated by commas)"),
                    CODES,
                    choices="provinces",
                    width=30,
                ),
                Column(
                    "sectors",
                    gettext_lazy("Sectors covered (DAC 3-digit codes, separated by commas)"),
                    CODES,
                    choices="sector_categories",
                    width=30,
                ),
                Column("note", gettext_lazy("Note"), LONG_TEXT, width=40),
            ),
        ),
    ),
)

AID_ITEMS = WorkbookSpec(
    "aid_items",
    gettext_lazy("Aid items"),
    (
        SheetSpec(
            "aid_items",
            gettext_lazy("Aid items"),
            (
                ID,
                VERSION_COLUMN,
                Column("reference", gettext_lazy("Reference number"), max_length=60, width=16),
                Column("iati_identifier", gettext_lazy("IATI identifier"), max_length=200, width=24),
                Column("title_vi", gettext_lazy("Title (Vietnamese)"), required=True, max_length=500, width=44),
                Column("title_en", gettext_lazy("Title (English)"), max_length=500, width=44),
                Column("modality", gettext_lazy("Modality"), CODE, required=True, choices="modalities", width=22),
                Column("is_relief", gettext_lazy("Relief aid"), BOOL, choices="yes_no", width=10),
                Column(
                    "owning_province",
                    gettext_lazy("Owning province"),
                    CODE,
                    required=True,
                    choices="provinces",
                    width=24,
                ),
                Column("donor", gettext_lazy("Donor"), ORGANISATION, choices="organisations", width=36),
                Column("planned_start", gettext_lazy("Planned start"), DATE, width=14),
                Column("planned_end", gettext_lazy("Planned end"), DATE, width=14),
                Column("description", gettext_lazy("Description"), LONG_TEXT, width=44),
            ),
        ),
        SheetSpec(
            "sectors",
            gettext_lazy("Sector shares"),
            (
                Column(
                    "aid_item",
                    gettext_lazy("Aid item (identifier, IATI identifier or reference number)"),
                    AID_ITEM,
                    required=True,
                    width=38,
                ),
                ITEM_TITLE,
                Column(
                    "sector",
                    gettext_lazy("Sector (DAC 5-digit or 3-digit)"),
                    CODE,
                    required=True,
                    choices="sectors",
                    width=44,
                ),
                Column("percentage", gettext_lazy("Percentage"), PERCENT, required=True, width=12),
            ),
        ),
        SheetSpec(
            "locations",
            gettext_lazy("Location shares"),
            (
                Column(
                    "aid_item",
                    gettext_lazy("Aid item (identifier, IATI identifier or reference number)"),
                    AID_ITEM,
                    required=True,
                    width=38,
                ),
                ITEM_TITLE,
                Column("era", gettext_lazy("Era"), CODE, choices="eras", width=30),
                Column(
                    "unit",
                    gettext_lazy("Province or commune (code)"),
                    CODE,
                    required=True,
                    choices="units",
                    width=36,
                    strict=False,
                ),
                Column("percentage", gettext_lazy("Percentage"), PERCENT, required=True, width=12),
            ),
        ),
    ),
)

TRANSACTIONS = WorkbookSpec(
    "transactions",
    gettext_lazy("Transactions"),
    (
        SheetSpec(
            "transactions",
            gettext_lazy("Transactions"),
            (
                ID,
                VERSION_COLUMN,
                Column(
                    "aid_item",
                    gettext_lazy("Aid item (identifier, IATI identifier or reference number)"),
                    AID_ITEM,
                    required=True,
                    width=38,
                ),
                ITEM_TITLE,
                Column(
                    "transaction_type", gettext_lazy("Type"), CODE, required=True, choices="transaction_types", width=24
                ),
                Column("date", gettext_lazy("Date"), DATE, required=True, width=14),
                Column("value_date", gettext_lazy("Value date"), DATE, width=14),
                Column("amount", gettext_lazy("Amount"), DECIMAL, required=True, width=16),
                Column("currency", gettext_lazy("Currency"), CODE, required=True, choices="currencies", width=24),
                Column("provider", gettext_lazy("Provider"), ORGANISATION, choices="organisations", width=36),
                Column("receiver", gettext_lazy("Receiver"), ORGANISATION, choices="organisations", width=36),
                Column("description", gettext_lazy("Description"), max_length=500, width=40),
            ),
        ),
    ),
)

SPECS: dict[str, WorkbookSpec] = {spec.kind: spec for spec in (ORGANISATIONS, REGISTRATIONS, AID_ITEMS, TRANSACTIONS)}
KINDS = tuple(SPECS)


def spec_for(kind: str) -> WorkbookSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"Unknown Excel template kind: {kind!r}") from None


# --- lists ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    code: str
    label: str

    @property
    def value(self) -> str:
        """What a drop-down shows and the cell holds."""
        return f"{self.code}{SEPARATOR}{self.label}" if self.label and self.label != self.code else self.code


def _from_choices(choices: Iterable[tuple[str, Any]]) -> list[Choice]:
    return [Choice(str(code), str(label)) for code, label in choices]


def _provinces(user: Any) -> list[Choice]:
    from amity.reference.models import AdministrativeUnit

    units = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.PROVINCE).order_by("code")
    return [Choice(unit.code, unit.name) for unit in units]


def _units(user: Any) -> list[Choice]:
    """Current-era provinces and communes; an old-era code is typed with the era `pre2025`."""
    from amity.reference.models import AdministrativeUnit

    units = (
        AdministrativeUnit.objects.filter(era=Era.CURRENT, level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
        .select_related("province")
        .order_by("code")
    )
    return [Choice(unit.code, f"{unit.name}, {unit.province.name}" if unit.province else unit.name) for unit in units]


def _codelist(*names: str) -> Callable[[Any], list[Choice]]:
    def load(user: Any) -> list[Choice]:
        from amity.reference.models import CodelistItem

        items = CodelistItem.objects.filter(codelist__name__in=names, status=CodeStatus.ACTIVE).order_by("code")
        return [Choice(item.code, item.name) for item in items]

    return load


def _countries(user: Any) -> list[Choice]:
    from amity.reference.models import Country

    return [Choice(country.code, country.name) for country in Country.objects.filter(status=CodeStatus.ACTIVE)]


def _currencies(user: Any) -> list[Choice]:
    from amity.reference.models import Currency

    return [Choice(currency.code, currency.name) for currency in Currency.objects.filter(status=CodeStatus.ACTIVE)]


def _organisations(user: Any) -> list[Choice]:
    """Organisations the user may see, by name (the IATI identifier is accepted too when typed)."""
    from amity.organisations.models import Organisation

    names = Organisation.objects.restrict(user, "view").order_by("name").values_list("name", flat=True)
    return [Choice(name, "") for name in dict.fromkeys(names)]


def _yes_no(user: Any) -> list[Choice]:
    return [Choice("1", _("yes")), Choice("0", _("no"))]


LISTS: dict[str, Callable[[Any], list[Choice]]] = {
    "provinces": _provinces,
    "units": _units,
    "eras": lambda user: _from_choices(Era.choices),
    "sectors": _codelist("Sector", "SectorCategory"),
    "sector_categories": _codelist("SectorCategory"),
    "organisation_types": _codelist("OrganisationType"),
    "countries": _countries,
    "currencies": _currencies,
    "transaction_types": lambda user: _from_choices(TransactionType.choices),
    "organisation_kinds": lambda user: _from_choices(OrganisationKind.choices),
    "organisation_statuses": lambda user: _from_choices(OrganisationStatus.choices),
    "registration_kinds": lambda user: _from_choices(RegistrationKind.choices),
    "modalities": lambda user: _from_choices(Modality.choices),
    "yes_no": _yes_no,
    "organisations": _organisations,
}


def lists_for(spec: WorkbookSpec, user: Any) -> dict[str, list[Choice]]:
    """The lists the spec's drop-downs use, in the active language (one query per list)."""
    names = dict.fromkeys(column.choices for sheet in spec.sheets for column in sheet.columns if column.choices)
    return {name: LISTS[name](user) for name in names}


# --- building the workbook -------------------------------------------------------------------------------------


def build_workbook(spec: WorkbookSpec, user: Any, lists: dict[str, list[Choice]] | None = None) -> Workbook:
    """A blank template of `spec` in the active language: headers, hidden key row and id columns, frozen
    header, drop-downs, date formats, column widths and the hidden "Lists" sheet."""
    lists = lists_for(spec, user) if lists is None else lists
    workbook = Workbook()
    default_sheet = workbook.active
    sheets = [workbook.create_sheet(title=_sheet_title(str(sheet.title))) for sheet in spec.sheets]
    workbook.remove(default_sheet)
    list_sheet = workbook.create_sheet(title=_sheet_title(_("Lists")))
    ranges = _write_lists(list_sheet, lists)
    for worksheet, sheet in zip(sheets, spec.sheets, strict=True):
        _write_headers(worksheet, sheet, ranges)
        workbook.defined_names[sheet.defined_name] = DefinedName(
            sheet.defined_name,
            attr_text=f"{quote_sheetname(worksheet.title)}!$A${KEY_ROW}:${get_column_letter(len(sheet.columns))}${KEY_ROW}",
        )
    workbook.defined_names[KIND_NAME] = DefinedName(KIND_NAME, attr_text=f'"{spec.kind}:{TEMPLATE_VERSION}"')
    workbook.active = 0
    return workbook


def _sheet_title(title: str) -> str:
    for forbidden in "[]:*?/\\":
        title = title.replace(forbidden, " ")
    return title.strip()[:31] or "Sheet"


def _write_lists(worksheet: Worksheet, lists: dict[str, list[Choice]]) -> dict[str, str]:
    """One column per list, its key in row 1; returns each list's absolute range for the drop-downs."""
    ranges: dict[str, str] = {}
    for index, (name, choices) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        set_cell(worksheet.cell(row=1, column=index), name).font = _HEADER_FONT
        for row, choice in enumerate(choices, start=2):
            set_cell(worksheet.cell(row=row, column=index), choice.value)  # names are data: text, never a formula
        last = max(2, len(choices) + 1)
        ranges[name] = f"{quote_sheetname(worksheet.title)}!${letter}$2:${letter}${last}"
        worksheet.column_dimensions[letter].width = 40
    worksheet.sheet_state = "hidden"
    worksheet.protection.sheet = True  # read-only for users; the drop-downs read it
    return ranges


def _write_headers(worksheet: Worksheet, sheet: SheetSpec, ranges: dict[str, str]) -> None:
    last_row = FIRST_DATA_ROW + MAX_DATA_ROWS - 1
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        header = set_cell(
            worksheet.cell(row=HEADER_ROW, column=index), str(column.label) + (" *" if column.required else "")
        )
        header.font = _HEADER_FONT
        header.fill = _HIDDEN_FILL if column.hidden else _HEADER_FILL
        set_cell(worksheet.cell(row=KEY_ROW, column=index), column.key)
        dimension = worksheet.column_dimensions[letter]
        dimension.width = column.width
        dimension.hidden = column.hidden
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"
        if column.type == DATE:
            dimension.number_format = DATE_FORMAT
            validation = DataValidation(
                type="date",
                operator="greaterThan",
                formula1="DATE(1900,1,1)",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Date"),
                error=_("Enter a date."),
            )
            validation.add(cells)
            worksheet.add_data_validation(validation)
        elif column.type in (DECIMAL, PERCENT):
            dimension.number_format = PERCENT_FORMAT if column.type == PERCENT else DECIMAL_FORMAT
        elif column.type in (CODE, BOOL, ORGANISATION) and column.choices in ranges:
            validation = DataValidation(
                type="list",
                formula1=ranges[column.choices],
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if column.strict and column.type != ORGANISATION else "warning",
                errorTitle=str(column.label),
                error=_("Choose a value from the list."),
            )
            validation.add(cells)
            worksheet.add_data_validation(validation)
    worksheet.row_dimensions[KEY_ROW].hidden = True
    worksheet.freeze_panes = worksheet.cell(row=FIRST_DATA_ROW, column=3 if sheet.columns[0].hidden else 1)


def column_letters(sheet: SheetSpec) -> dict[str, str]:
    return {column.key: get_column_letter(index) for index, column in enumerate(sheet.columns, start=1)}


def labels(spec: WorkbookSpec) -> dict[tuple[str, str], Promise | str]:
    """(sheet key, column key) → the column's translatable label, to show a problem's column."""
    return {(sheet.key, column.key): column.label for sheet in spec.sheets for column in sheet.columns}


def all_columns(spec: WorkbookSpec) -> Sequence[Column]:
    return [column for sheet in spec.sheets for column in sheet.columns]


__all__ = [
    "FIRST_DATA_ROW",
    "KEY_ROW",
    "KINDS",
    "MAX_DATA_ROWS",
    "SPECS",
    "Choice",
    "Column",
    "SheetSpec",
    "WorkbookSpec",
    "build_workbook",
    "lists_for",
    "spec_for",
]
