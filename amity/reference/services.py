"""Writes for reference data: `reference_load` reads the files of `data/` and upserts them atomically."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import babel
from babel.numbers import get_currency_precision
from django.db import models, transaction
from django.utils.translation import gettext as _
from lxml import etree

from .choices import CodeStatus, Era, RateFrequency, UnitLevel
from .fx import IMF_ANNUAL_SOURCE
from .models import AdministrativeUnit, Codelist, CodelistItem, Country, Currency, ExchangeRate, UnitMapping
from .signals import rates_changed

# Paths are relative to the data directory (settings.AMITY_REFERENCE_DATA_DIR); the NOTICE file there names
# the source, version and licence of each.
CODELIST_DIR = "iati/codelists"
TRANSLATIONS = "translations/codelists.csv"
PROVINCE_NAMES_AR = "translations/provinces_ar.csv"
CLDR_GAPS = "translations/cldr_gaps.csv"
PROVINCES_PRE2025 = "vn/admin_pre2025/provinces_63.csv"
DISTRICTS_PRE2025 = "vn/admin_pre2025/districts_696.csv"
COMMUNES_PRE2025 = "vn/admin_pre2025/wards_10035.csv"
PROVINCES_2025 = "vn/admin_2025/provinces_34.csv"
COMMUNES_2025 = "vn/admin_2025/wards_3321.csv"
PROVINCE_MAPPING = "vn/mapping_2025/province_63_to_34.csv"
DISTRICT_MAPPING = "vn/mapping_2025/district_old_to_new.csv"
COMMUNE_MAPPING = "vn/mapping_2025/ward_old_to_new.csv"
FX_ANNUAL = "fx/imf_usd_annual_average.csv"

# Files of the codelist folder that are not codelists (kept for IATI validation).
NOT_CODELISTS = frozenset({"mapping.xml"})
# Codelists the application relies on: a missing one is an error rather than a silently shorter list.
REQUIRED_CODELISTS = (
    "ActivityStatus",
    "AidType",
    "AidType-category",
    "BudgetType",
    "Country",
    "Currency",
    "DocumentCategory",
    "DocumentCategory-category",
    "FinanceType",
    "FinanceType-category",
    "FlowType",
    "Language",
    "LocationType",
    "LocationType-category",
    "OrganisationRole",
    "OrganisationType",
    "Region",
    "Sector",
    "SectorCategory",
    "TransactionType",
)
# Codelists whose items users see (pages, exports, Excel drop-downs, the API): translations/codelists.csv
# names every item of each in Vietnamese and Arabic; `load_reference` notes any item left in English.
TRANSLATED_CODELISTS = (
    "ActivityStatus",
    "TransactionType",
    "OrganisationRole",
    "OrganisationType",
    "SectorCategory",
    "Sector",
    "FlowType",
    "AidType-category",
    "AidType",
    "FinanceType-category",
    "FinanceType",
    "BudgetType",
    "BudgetStatus",
)
# Codelists whose names CLDR (through Babel) has in every interface language, with Babel's attribute.
CLDR_CODELISTS = {"Country": "territories", "Currency": "currencies", "Language": "languages"}
CLDR_LANGUAGES = ("vi", "en", "ar", "fr")

# dvhcvn (the old→new commune mapping) and thanglequoc v3.0.2 (the 2025 commune list) disagree on two new
# commune codes; names and provinces match, so the mapping's codes are read as thanglequoc's. Applied only
# when the mapping's code is not itself a 2025 commune, so that a corrected file needs no change here.
NEW_COMMUNE_CODE_FIXES = {"06970": "06978", "23737": "23938"}  # Ba Chẽ (Quảng Ninh), Ia Mơ (Gia Lai)
# Old commune codes of dvhcvn's mapping that thanglequoc's pre-2025 list (state of 1 Mar 2025) does not have:
# communes merged into neighbours before that date, so there is no unit to map from. Their rows are skipped;
# any other row that does not resolve is an error.
OLD_COMMUNES_GONE_BEFORE_CUTOFF = frozenset(
    {
        "07693",
        "07732",
        "07744",
        "16387",
        "16411",
        "18448",
        "20176",
        "20674",
        "25102",
        "25174",
        "25177",
        "25186",
    }
)

FX_SOURCE = IMF_ANNUAL_SOURCE  # stored in English as data with each rate; readers see it named (`fx.RateNote`)
# The IMF file repeats a shared currency once per country. The euro area aggregate (U2) is the euro's rate;
# for other currencies the issuing country is the one whose ISO code starts the currency code (GBP → GB).
FX_PREFERRED_COUNTRY = {"EUR": "U2"}
HISTORY_REASON = "load_reference"
BATCH_SIZE = 1000

# Plain strings, as the database gives them back, for the natural keys of units.
PRE2025, CURRENT = Era.PRE2025.value, Era.CURRENT.value
PROVINCE, DISTRICT, COMMUNE = UnitLevel.PROVINCE.value, UnitLevel.DISTRICT.value, UnitLevel.COMMUNE.value
CODE_LENGTH = {PROVINCE: 2, DISTRICT: 3, COMMUNE: 5}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# SQLite keeps 15 significant digits of a decimal; storing no more keeps re-runs idempotent on both databases.
RATE_CONTEXT = Context(prec=15)
RATE_DECIMAL_PLACES: int = ExchangeRate._meta.get_field("rate").decimal_places
RATE_QUANTUM = Decimal(1).scaleb(-RATE_DECIMAL_PLACES)
# Rates so small that the column's decimal places would keep fewer significant digits than this are not
# loaded: pre-1993 rates of currencies re-denominated since (BRL 1950: 8.2E-15 per USD), of no use for aid.
RATE_MIN_SIGNIFICANT_DIGITS = 6

UnitKey = tuple[str, str, str]  # (era, level, code): the natural key of an administrative unit
ModelT = TypeVar("ModelT", bound=models.Model)


class ReferenceDataError(Exception):
    """A reference file is missing or wrong. The message is one line naming the file (and the line)."""

    def __init__(self, source: str, problem: str, *, line: int | None = None, **params: Any) -> None:
        if params:
            problem = problem % params
        where = source if line is None else _("%(file)s, line %(line)s") % {"file": source, "line": line}
        super().__init__(" ".join(f"{where}: {problem}".split()))
        self.source = source
        self.line = line


@dataclass
class TableCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadReport:
    """What one load did, per model, and what in the data deserved a remark."""

    tables: dict[type[models.Model], TableCounts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def table(self, model: type[models.Model]) -> TableCounts:
        return self.tables.setdefault(model, TableCounts())

    @property
    def created(self) -> int:
        return sum(counts.created for counts in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.tables.values())


# --- reading and checking ---------------------------------------------------------------------------------


@dataclass
class ParsedItem:
    code: str
    name_en: str
    name_fr: str
    description: str
    status: str
    category: str
    line: int
    name_vi: str = ""
    name_ar: str = ""


@dataclass
class ParsedCodelist:
    name: str
    title: str
    embedded: bool
    category_codelist: str
    source: str
    items: dict[str, ParsedItem]


@dataclass
class ParsedUnit:
    values: dict[str, str]
    parent: UnitKey | None
    province: UnitKey | None


@dataclass
class ParsedMapping:
    level: str
    old: UnitKey
    new: UnitKey
    old_split_count: int


@dataclass
class ReferenceData:
    codelists: dict[str, ParsedCodelist]
    countries: dict[str, dict[str, Any]]
    currencies: dict[str, dict[str, Any]]
    units: dict[UnitKey, ParsedUnit]
    mappings: dict[tuple[UnitKey, UnitKey], ParsedMapping]
    rates: dict[tuple[str, int], Decimal]
    notes: list[str]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _check_lengths(model: type[models.Model], values: Mapping[str, Any], source: str, line: int) -> None:
    """PostgreSQL refuses a value longer than its column and SQLite keeps it: check before either sees it."""
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise ReferenceDataError(
                source,
                _("%(field)s is %(length)s characters long, more than the %(limit)s allowed"),
                line=line,
                field=name,
                length=len(value),
                limit=limit,
            )


def _existing_file(data_dir: Path, source: str) -> Path:
    path = data_dir / source
    if not path.is_file():
        raise ReferenceDataError(source, _("file not found in %(directory)s"), directory=data_dir)
    return path


def _read_csv(data_dir: Path, source: str, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, {column: stripped value}) for the named columns; other columns are ignored."""
    path = _existing_file(data_dir, source)
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in columns if column not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceDataError(
                    source, _("missing column(s): %(columns)s"), line=1, columns=", ".join(missing)
                )
            for row in reader:
                line = reader.line_num
                if None in row:
                    raise ReferenceDataError(source, _("more fields than the header has columns"), line=line)
                if any(row[column] is None for column in columns):
                    raise ReferenceDataError(source, _("fewer fields than the header has columns"), line=line)
                rows.append((line, {column: row[column].strip() for column in columns}))
    except csv.Error as exc:
        raise ReferenceDataError(source, _("not a valid CSV file (%(error)s)"), line=line, error=exc) from exc
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(source, _("not UTF-8 text"), line=line) from exc
    return rows


def _required(values: Mapping[str, str], column: str, source: str, line: int) -> str:
    value = values[column]
    if not value:
        raise ReferenceDataError(source, _("column %(column)s is empty"), line=line, column=column)
    return value


def _unit_code(values: Mapping[str, str], column: str, level: str, source: str, line: int) -> str:
    value = _required(values, column, source, line)
    if not (value.isdigit() and len(value) == CODE_LENGTH[level]):
        raise ReferenceDataError(
            source,
            _("%(column)s %(value)s is not a %(digits)s-digit code"),
            line=line,
            column=column,
            value=value,
            digits=CODE_LENGTH[level],
        )
    return value


def _positive_int(values: Mapping[str, str], column: str, source: str, line: int) -> int:
    value = _required(values, column, source, line)
    if not value.isdigit() or int(value) < 1:
        raise ReferenceDataError(
            source,
            _("%(column)s %(value)s is not a positive whole number"),
            line=line,
            column=column,
            value=value,
        )
    return int(value)


def _parse_xml(path: Path, source: str) -> Any:
    # No entity expansion, no DTD and no network: the files are data, never instructions to fetch anything.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise ReferenceDataError(source, _("malformed XML (%(error)s)"), line=exc.lineno, error=exc.msg) from exc


def _narratives(element: Any, default_language: str) -> dict[str, str]:
    """The element's narratives by language; the first one of each language wins."""
    texts: dict[str, str] = {}
    if element is None:
        return texts
    for narrative in element.findall("narrative"):
        text = _clean(narrative.text)
        language = narrative.get(XML_LANG) or default_language
        if text and language not in texts:
            texts[language] = text
    return texts


def _read_codelist(path: Path, source: str, notes: list[str]) -> ParsedCodelist:
    root = _parse_xml(path, source)
    if root.tag != "codelist" or not root.get("name"):
        raise ReferenceDataError(
            source, _("not an IATI codelist (root element <%(tag)s>)"), line=root.sourceline, tag=root.tag
        )
    name = root.get("name")
    if name != path.stem:
        raise ReferenceDataError(
            source, _("the codelist is named %(name)s, unlike its file"), line=root.sourceline, name=name
        )
    default_language = root.get(XML_LANG) or "en"
    container = root.find("codelist-items")
    if container is None:
        raise ReferenceDataError(source, _("no <codelist-items> element"), line=root.sourceline)
    title = _narratives(root.find("metadata/name"), default_language).get("en", name)
    _check_lengths(Codelist, {"name": name, "title": title}, source, root.sourceline)
    items: dict[str, ParsedItem] = {}
    repeats = 0
    for element in container.iterchildren("codelist-item"):
        line = element.sourceline
        code = _clean(element.findtext("code"))
        if not code:
            raise ReferenceDataError(source, _("an item has no code"), line=line)
        status = element.get("status") or CodeStatus.ACTIVE.value
        if status not in CodeStatus.values:
            raise ReferenceDataError(
                source,
                _("item %(code)s has an unknown status %(status)s"),
                line=line,
                code=code,
                status=status,
            )
        names = _narratives(element.find("name"), default_language)
        item = ParsedItem(
            code=code,
            name_en=names.get("en", code),  # FileFormat and Version have codes only: the code is the name
            name_fr=names.get("fr", ""),
            description=_narratives(element.find("description"), default_language).get("en", ""),
            status=status,
            category=_clean(element.findtext("category")),
            line=line,
        )
        lengths = {"code": code, "name_en": item.name_en, "name_fr": item.name_fr}
        _check_lengths(CodelistItem, lengths, source, line)
        earlier = items.get(code)
        if earlier is None:
            items[code] = item
        elif (earlier.name_en, earlier.name_fr, earlier.description, earlier.status, earlier.category) == (
            item.name_en,
            item.name_fr,
            item.description,
            item.status,
            item.category,
        ):
            repeats += 1  # FileFormat lists two media types twice, verbatim
        else:
            raise ReferenceDataError(source, _("item %(code)s appears twice, differently"), line=line, code=code)
    if repeats:
        notes.append(
            _("%(file)s: %(count)s repeated item(s) ignored (identical to an earlier one).")
            % {"file": source, "count": repeats}
        )
    return ParsedCodelist(
        name=name,
        title=title,
        embedded=root.get("embedded") == "1",
        category_codelist=root.get("category-codelist", ""),
        source=source,
        items=items,
    )


def _read_codelists(data_dir: Path, notes: list[str]) -> dict[str, ParsedCodelist]:
    if not (data_dir / CODELIST_DIR).is_dir():
        raise ReferenceDataError(CODELIST_DIR, _("folder not found in %(directory)s"), directory=data_dir)
    for name in REQUIRED_CODELISTS:
        _existing_file(data_dir, f"{CODELIST_DIR}/{name}.xml")
    codelists: dict[str, ParsedCodelist] = {}
    for path in sorted((data_dir / CODELIST_DIR).glob("*.xml")):
        if path.name not in NOT_CODELISTS:
            codelist = _read_codelist(path, f"{CODELIST_DIR}/{path.name}", notes)
            codelists[codelist.name] = codelist
    # IATI names the grouping list either in the `category-codelist` attribute or as "<Name>-category".
    for codelist in codelists.values():
        if not codelist.category_codelist and f"{codelist.name}-category" in codelists:
            codelist.category_codelist = f"{codelist.name}-category"
    return codelists


def category_target(
    codelists: Mapping[str, ParsedCodelist], codelist: ParsedCodelist, item: ParsedItem
) -> tuple[str, str] | None:
    """The (codelist, code) an item's category points to: its category list first, then its own list, whose
    items some lists use as parents (AidType B021 → B02, CRSChannelCode 11001 → 11000)."""
    if not item.category:
        return None
    for name in (codelist.category_codelist, codelist.name):
        if name in codelists and item.category in codelists[name].items:
            return name, item.category
    return None


@cache
def _locale(language: str) -> babel.Locale:
    return babel.Locale(language)


def _cldr_names(kind: str, code: str, gaps: Mapping[tuple[str, str], Mapping[str, str]]) -> dict[str, str]:
    """A country's, currency's or language's names from CLDR, the names it lacks from translations/cldr_gaps.csv."""
    names = {language: getattr(_locale(language), kind).get(code, "") for language in CLDR_LANGUAGES}
    for language, name in gaps.get((kind, code), {}).items():
        names[language] = names[language] or name
    return names


def _read_cldr_gaps(data_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Vietnamese and Arabic names that CLDR does not have (funds codes, Bitcoin, withdrawn countries), by
    (Babel attribute, code)."""
    kinds = {"country": "territories", "currency": "currencies"}
    gaps: dict[tuple[str, str], dict[str, str]] = {}
    for line, row in _read_csv(data_dir, CLDR_GAPS, ("kind", "code", "name_vi", "name_ar")):
        kind = kinds.get(row["kind"])
        if kind is None:
            raise ReferenceDataError(CLDR_GAPS, _("unknown kind %(kind)s"), line=line, kind=row["kind"])
        gaps[(kind, _required(row, "code", CLDR_GAPS, line))] = {
            "vi": _required(row, "name_vi", CLDR_GAPS, line),
            "ar": _required(row, "name_ar", CLDR_GAPS, line),
        }
    return gaps


def _read_translations(
    data_dir: Path, codelists: Mapping[str, ParsedCodelist], gaps: Mapping[tuple[str, str], Mapping[str, str]]
) -> None:
    """Vietnamese and Arabic names of the codelists users see (IATI publishes English and French only)."""
    for line, row in _read_csv(data_dir, TRANSLATIONS, ("codelist", "code", "name_vi", "name_ar")):
        codelist = codelists.get(_required(row, "codelist", TRANSLATIONS, line))
        item = codelist.items.get(row["code"]) if codelist is not None else None
        if item is None:
            raise ReferenceDataError(
                TRANSLATIONS,
                _("no item %(code)s in codelist %(codelist)s"),
                line=line,
                code=row["code"],
                codelist=row["codelist"],
            )
        item.name_vi = _required(row, "name_vi", TRANSLATIONS, line)
        item.name_ar = _required(row, "name_ar", TRANSLATIONS, line)
        _check_lengths(CodelistItem, {"name_vi": item.name_vi, "name_ar": item.name_ar}, TRANSLATIONS, line)
    for codelist_name, kind in CLDR_CODELISTS.items():
        for item in codelists[codelist_name].items.values():
            names = _cldr_names(kind, item.code, gaps)
            item.name_vi = item.name_vi or names["vi"]
            item.name_ar = item.name_ar or names["ar"]


def _countries_and_currencies(
    codelists: Mapping[str, ParsedCodelist], gaps: Mapping[tuple[str, str], Mapping[str, str]]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Names in the interface languages come from CLDR (and, where it has none, translations/cldr_gaps.csv); the
    IATI English name is the fall-back."""
    countries: dict[str, dict[str, Any]] = {}
    for item in codelists["Country"].items.values():
        names = _cldr_names("territories", item.code, gaps)
        countries[item.code] = {
            "code": item.code,
            "status": item.status,
            "name_en": names["en"] or item.name_en,
            "name_vi": names["vi"],
            "name_ar": names["ar"],
            "name_fr": names["fr"] or item.name_fr,
        }
        _check_lengths(Country, countries[item.code], codelists["Country"].source, item.line)
    currencies: dict[str, dict[str, Any]] = {}
    for item in codelists["Currency"].items.values():
        names = _cldr_names("currencies", item.code, gaps)
        currencies[item.code] = {
            "code": item.code,
            "status": item.status,
            "minor_units": get_currency_precision(item.code),
            "name_en": names["en"] or item.name_en,
            "name_vi": names["vi"],
            "name_ar": names["ar"],
            "name_fr": names["fr"] or item.name_fr,
        }
        _check_lengths(Currency, currencies[item.code], codelists["Currency"].source, item.line)
    return countries, currencies


UNIT_COLUMNS = ("code", "name", "name_en", "full_name", "full_name_en", "unit_type")


def _add_unit(
    units: dict[UnitKey, ParsedUnit],
    key: UnitKey,
    row: Mapping[str, str],
    parents: tuple[UnitKey | None, UnitKey | None],
    source: str,
    line: int,
) -> None:
    if key in units:
        raise ReferenceDataError(source, _("code %(code)s appears twice"), line=line, code=key[2])
    values = {
        "name_vi": _required(row, "name", source, line),
        "name_en": _required(row, "name_en", source, line),
        "full_name_vi": _required(row, "full_name", source, line),
        "full_name_en": _required(row, "full_name_en", source, line),
        "name_ar": "",
        "full_name_ar": "",
        "unit_type": row["unit_type"],
    }
    _check_lengths(AdministrativeUnit, values, source, line)
    units[key] = ParsedUnit(values=values, parent=parents[0], province=parents[1])


def _known(units: Mapping[UnitKey, ParsedUnit], key: UnitKey, column: str, source: str, line: int) -> UnitKey:
    if key not in units:
        raise ReferenceDataError(
            source, _("%(column)s %(code)s is not a known unit"), line=line, column=column, code=key[2]
        )
    return key


def _read_units(data_dir: Path) -> dict[UnitKey, ParsedUnit]:
    """Units of both eras, parents before children, each child's parent and province checked to exist."""
    units: dict[UnitKey, ParsedUnit] = {}
    for era, source in ((PRE2025, PROVINCES_PRE2025), (CURRENT, PROVINCES_2025)):
        for line, row in _read_csv(data_dir, source, UNIT_COLUMNS):
            code = _unit_code(row, "code", PROVINCE, source, line)
            _add_unit(units, (era, PROVINCE, code), row, (None, None), source, line)

    source = DISTRICTS_PRE2025
    for line, row in _read_csv(data_dir, source, (*UNIT_COLUMNS, "province_code")):
        code = _unit_code(row, "code", DISTRICT, source, line)
        province_code = _unit_code(row, "province_code", PROVINCE, source, line)
        province = _known(units, (PRE2025, PROVINCE, province_code), "province_code", source, line)
        _add_unit(units, (PRE2025, DISTRICT, code), row, (province, province), source, line)

    source = COMMUNES_PRE2025
    for line, row in _read_csv(data_dir, source, (*UNIT_COLUMNS, "district_code", "province_code")):
        code = _unit_code(row, "code", COMMUNE, source, line)
        district_code = _unit_code(row, "district_code", DISTRICT, source, line)
        province_code = _unit_code(row, "province_code", PROVINCE, source, line)
        district = _known(units, (PRE2025, DISTRICT, district_code), "district_code", source, line)
        province = _known(units, (PRE2025, PROVINCE, province_code), "province_code", source, line)
        if units[district].province != province:
            raise ReferenceDataError(
                source,
                _("district %(district)s does not lie in province %(province)s"),
                line=line,
                district=district_code,
                province=province_code,
            )
        _add_unit(units, (PRE2025, COMMUNE, code), row, (district, province), source, line)

    source = COMMUNES_2025
    for line, row in _read_csv(data_dir, source, (*UNIT_COLUMNS, "province_code")):
        code = _unit_code(row, "code", COMMUNE, source, line)
        province_code = _unit_code(row, "province_code", PROVINCE, source, line)
        province = _known(units, (CURRENT, PROVINCE, province_code), "province_code", source, line)
        _add_unit(units, (CURRENT, COMMUNE, code), row, (province, province), source, line)
    return units


# (file, level of the old unit, its column, level of the new unit, its column, split-count column)
MAPPING_FILES = (
    (PROVINCE_MAPPING, PROVINCE, "old_code", PROVINCE, "new_code", None),
    (DISTRICT_MAPPING, DISTRICT, "old_district_code", COMMUNE, "new_ward_code", "old_district_split_count"),
    (COMMUNE_MAPPING, COMMUNE, "old_ward_code", COMMUNE, "new_ward_code", "old_ward_split_count"),
)


def _read_mappings(
    data_dir: Path, units: Mapping[UnitKey, ParsedUnit], notes: list[str]
) -> dict[tuple[UnitKey, UnitKey], ParsedMapping]:
    mappings: dict[tuple[UnitKey, UnitKey], ParsedMapping] = {}
    gone = fixed = 0
    for source, old_level, old_column, new_level, new_column, count_column in MAPPING_FILES:
        rows_per_old: Counter[UnitKey] = Counter()
        declared: dict[UnitKey, tuple[int, int]] = {}  # old unit → (split count the file gives, its line)
        columns = [old_column, new_column] + ([count_column] if count_column else [])
        for line, row in _read_csv(data_dir, source, columns):
            old_code = _unit_code(row, old_column, old_level, source, line)
            new_code = _unit_code(row, new_column, new_level, source, line)
            old_key: UnitKey = (PRE2025, old_level, old_code)
            if old_code in OLD_COMMUNES_GONE_BEFORE_CUTOFF and old_level == COMMUNE and old_key not in units:
                gone += 1
                continue
            if (CURRENT, new_level, new_code) not in units and new_code in NEW_COMMUNE_CODE_FIXES:
                new_code = NEW_COMMUNE_CODE_FIXES[new_code]
                fixed += 1
            old = _known(units, old_key, old_column, source, line)
            new = _known(units, (CURRENT, new_level, new_code), new_column, source, line)
            if (old, new) in mappings:
                raise ReferenceDataError(
                    source,
                    _("the pair %(old)s → %(new)s appears twice"),
                    line=line,
                    old=old_code,
                    new=new_code,
                )
            rows_per_old[old] += 1
            if count_column:
                count = _positive_int(row, count_column, source, line)
                first_count, first_line = declared.setdefault(old, (count, line))
                if count != first_count:
                    raise ReferenceDataError(
                        source,
                        _("%(column)s %(count)s differs from line %(first)s for unit %(code)s"),
                        line=line,
                        column=count_column,
                        count=count,
                        first=first_line,
                        code=old_code,
                    )
            mappings[(old, new)] = ParsedMapping(level=old_level, old=old, new=new, old_split_count=0)
        for old, (count, line) in declared.items():
            if count != rows_per_old[old]:
                raise ReferenceDataError(
                    source,
                    _("%(column)s says %(count)s but unit %(code)s has %(rows)s row(s)"),
                    line=line,
                    column=count_column,
                    count=count,
                    code=old[2],
                    rows=rows_per_old[old],
                )
        for mapping in mappings.values():
            if mapping.old in rows_per_old:
                mapping.old_split_count = rows_per_old[mapping.old]
    if gone:
        notes.append(
            _(
                "%(file)s: %(count)s row(s) skipped for old communes merged away before 1 March 2025 "
                "(not in the pre-2025 list)."
            )
            % {"file": COMMUNE_MAPPING, "count": gone}
        )
    if fixed:
        notes.append(
            _("%(file)s: %(count)s row(s) read with a corrected new commune code (%(fixes)s).")
            % {
                "file": COMMUNE_MAPPING,
                "count": fixed,
                "fixes": ", ".join(f"{old} → {new}" for old, new in NEW_COMMUNE_CODE_FIXES.items()),
            }
        )
    _note_mappings_across_provinces(mappings, units, notes)
    return mappings


def _note_mappings_across_provinces(
    mappings: Mapping[tuple[UnitKey, UnitKey], ParsedMapping],
    units: Mapping[UnitKey, ParsedUnit],
    notes: list[str],
) -> None:
    """A unit below province level should land in the new province its old province became; say where not
    (the commune links were extracted with an LLM upstream, so this is the cheap plausibility check)."""
    new_province_of: dict[UnitKey | None, UnitKey] = {
        mapping.old: mapping.new for mapping in mappings.values() if mapping.level == PROVINCE
    }
    odd = [
        f"{mapping.old[2]} → {mapping.new[2]}"
        for mapping in mappings.values()
        if mapping.level != PROVINCE and new_province_of.get(units[mapping.old].province) != units[mapping.new].province
    ]
    if odd:
        notes.append(
            _("%(count)s mapping row(s) lead outside the new province of the old unit's province: %(pairs)s.")
            % {"count": len(odd), "pairs": ", ".join(odd)}
        )


def normalise_rate(value: Decimal) -> Decimal:
    """At most 15 significant digits and the column's decimal places: what SQLite gives back as stored."""
    value = RATE_CONTEXT.plus(value)
    if int(value.as_tuple().exponent) < -RATE_DECIMAL_PLACES:
        value = value.quantize(RATE_QUANTUM)
    return value


def _read_rate_row(row: Mapping[str, str], source: str, line: int) -> tuple[str, int, Decimal]:
    try:
        year = date.fromisoformat(_required(row, "Date", source, line)).year
    except ValueError as exc:
        raise ReferenceDataError(source, _("Date %(value)s is not a date"), line=line, value=row["Date"]) from exc
    if row["Frequency"] != RateFrequency.ANNUAL:
        raise ReferenceDataError(source, _("Frequency %(value)s is not A (annual)"), line=line, value=row["Frequency"])
    currency = _required(row, "Currency", source, line)
    if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        raise ReferenceDataError(source, _("Currency %(value)s is not an ISO 4217 code"), line=line, value=currency)
    try:
        rate = Decimal(_required(row, "Rate", source, line))
    except InvalidOperation as exc:
        raise ReferenceDataError(source, _("Rate %(value)s is not a number"), line=line, value=row["Rate"]) from exc
    if not rate.is_finite() or rate <= 0:
        raise ReferenceDataError(source, _("Rate %(value)s is not above zero"), line=line, value=row["Rate"])
    return currency, year, rate


def _read_rates(
    data_dir: Path, currencies: Mapping[str, dict[str, Any]], notes: list[str]
) -> dict[tuple[str, int], Decimal]:
    source = FX_ANNUAL
    chosen: dict[tuple[str, int], tuple[str, Decimal]] = {}  # (currency, year) → (country, rate)
    years: set[int] = set()
    unknown: Counter[str] = Counter()
    tiny = 0
    for line, row in _read_csv(data_dir, source, ("Date", "Rate", "Currency", "Frequency", "Country code")):
        currency, year, rate = _read_rate_row(row, source, line)
        years.add(year)
        if currency not in currencies:
            unknown[currency] += 1
            continue
        if rate.adjusted() + RATE_DECIMAL_PLACES + 1 < RATE_MIN_SIGNIFICANT_DIGITS:
            tiny += 1
            continue
        country, key = row["Country code"], (currency, year)
        preferred = FX_PREFERRED_COUNTRY.get(currency, currency[:2])
        if key not in chosen or (country == preferred and chosen[key][0] != preferred):
            chosen[key] = (country, normalise_rate(rate))
    rates = {key: rate for key, (_country, rate) in chosen.items()}
    # One US dollar is one US dollar. The file's USD rows also carry dollarised countries' earlier national
    # currencies (Ecuador's sucre), so USD is set by definition for every year of the file.
    rates.update({("USD", year): Decimal(1) for year in years})
    if unknown:
        notes.append(
            _("%(file)s: %(count)s currencies not in the IATI Currency codelist skipped (%(rows)s rows): %(codes)s.")
            % {
                "file": source,
                "count": len(unknown),
                "rows": unknown.total(),
                "codes": ", ".join(sorted(unknown)),
            }
        )
    if tiny:
        notes.append(
            _("%(file)s: %(count)s rates too small to keep %(digits)s significant digits skipped (all before 1993).")
            % {"file": source, "count": tiny, "digits": RATE_MIN_SIGNIFICANT_DIGITS}
        )
    return rates


# The Arabic word for each kind of unit (by its Vietnamese unit type), written before the unit's name in its
# Arabic full name: "مقاطعة توين كوانغ" for Tuyen Quang Province, "بلدية Tân An" for Tân An commune.
ARABIC_UNIT_KINDS = {
    "Tỉnh": "مقاطعة",  # province
    "Thành phố trực thuộc trung ương": "مدينة",  # centrally governed city
    "Huyện": "مديرية",  # rural district (before 2025)
    "Quận": "منطقة",  # urban district (before 2025)
    "Thị xã": "بلدة",  # district-level town (before 2025)
    "Thành phố thuộc tỉnh": "مدينة",  # provincial city (before 2025)
    "Thành phố thuộc thành phố trực thuộc trung ương": "مدينة",  # Thủ Đức (before 2025)
    "Xã": "بلدية",  # commune
    "Phường": "حي",  # ward
    "Thị trấn": "بلدة",  # township (before 2025)
    "Đặc khu tại hải đảo": "منطقة خاصة",  # island special zone (from 2025)
}


def _read_unit_names_ar(data_dir: Path, units: Mapping[UnitKey, ParsedUnit]) -> None:
    """Arabic names: a province's is a transliteration, read by its Vietnamese name (a code may name another
    province in the other era); every province needs one. A district or commune keeps its official Vietnamese
    name, after the Arabic word for its kind ("بلدية Tân An"): 14,000 names have no Arabic form anyone uses, a
    transliteration would lose the diacritics that tell namesakes apart, and the Vietnamese name is the one on
    every document. Its `name_ar` stays empty, so its Arabic name is its Vietnamese one (`AdministrativeUnit`)."""
    names: dict[str, str] = {}
    for line, row in _read_csv(data_dir, PROVINCE_NAMES_AR, ("name_vi", "name_ar")):
        name_vi = _required(row, "name_vi", PROVINCE_NAMES_AR, line)
        if name_vi in names:
            raise ReferenceDataError(PROVINCE_NAMES_AR, _("%(name)s appears twice"), line=line, name=name_vi)
        names[name_vi] = _required(row, "name_ar", PROVINCE_NAMES_AR, line)
    provinces = {key: unit for key, unit in units.items() if key[1] == PROVINCE}
    unknown = set(names) - {unit.values["name_vi"] for unit in provinces.values()}
    if unknown:
        raise ReferenceDataError(
            PROVINCE_NAMES_AR, _("no province is named %(names)s"), line=None, names=", ".join(sorted(unknown))
        )
    for (era, level, code), unit in units.items():
        kind = ARABIC_UNIT_KINDS.get(unit.values["unit_type"])
        if level != PROVINCE:
            if kind is None:
                raise ReferenceDataError(
                    "amity.reference.services.ARABIC_UNIT_KINDS",
                    _("no Arabic word for the unit type %(type)s (%(code)s, %(era)s)"),
                    line=None,
                    type=unit.values["unit_type"],
                    code=code,
                    era=era,
                )
            unit.values["full_name_ar"] = f"{kind} {unit.values['name_vi']}"
            continue
        name_ar = names.get(unit.values["name_vi"])
        if name_ar is None or kind is None:
            raise ReferenceDataError(
                PROVINCE_NAMES_AR, _("no Arabic name for province %(code)s (%(era)s)"), line=None, code=code, era=era
            )
        unit.values["name_ar"] = name_ar
        unit.values["full_name_ar"] = f"{kind} {name_ar}"


def reference_read(*, data_dir: Path) -> ReferenceData:
    """Read and check every file; raise ReferenceDataError at the first problem. Writes nothing."""
    notes: list[str] = []
    codelists = _read_codelists(data_dir, notes)
    gaps = _read_cldr_gaps(data_dir)
    _read_translations(data_dir, codelists, gaps)
    untranslated = Counter(
        name
        for name in TRANSLATED_CODELISTS
        if name in codelists
        for item in codelists[name].items.values()
        if not (item.name_vi and item.name_ar)
    )
    if untranslated:
        notes.append(
            _("Codelist items without a Vietnamese or Arabic name (shown in English): %(lists)s.")
            % {"lists": ", ".join(f"{name} {count}" for name, count in sorted(untranslated.items()))}
        )
    countries, currencies = _countries_and_currencies(codelists, gaps)
    units = _read_units(data_dir)
    _read_unit_names_ar(data_dir, units)
    mappings = _read_mappings(data_dir, units, notes)
    rates = _read_rates(data_dir, currencies, notes)
    unresolved = Counter(
        codelist.name
        for codelist in codelists.values()
        for item in codelist.items.values()
        if item.category and category_target(codelists, codelist, item) is None
    )
    if unresolved:
        notes.append(
            _("Item categories found in no codelist, left empty: %(lists)s.")
            % {"lists": ", ".join(f"{name} {count}" for name, count in sorted(unresolved.items()))}
        )
    return ReferenceData(
        codelists=codelists,
        countries=countries,
        currencies=currencies,
        units=units,
        mappings=mappings,
        rates=rates,
        notes=notes,
    )


# --- writing ----------------------------------------------------------------------------------------------


@dataclass
class Upserted:
    saved: dict[Any, Any]
    created: list[Any]
    updated: list[Any]


def _upsert(
    *,
    model: type[ModelT],
    rows: Mapping[Any, Mapping[str, Any]],
    existing: Mapping[Any, ModelT],
    key_fields: Iterable[str],
    counts: TableCounts,
) -> Upserted:
    """Create the rows missing from `existing`, update those that differ, leave the rest. No history yet: the
    caller writes it once every field, foreign keys included, has its final value."""
    saved: dict[Any, ModelT] = {}
    to_create: list[ModelT] = []
    to_update: list[ModelT] = []
    changed_fields: set[str] = set()
    for key, values in rows.items():
        instance = existing.get(key)
        if instance is None:
            instance = model(**values)
            to_create.append(instance)
        else:
            changed = [name for name, value in values.items() if getattr(instance, name) != value]
            for name in changed:
                setattr(instance, name, values[name])
            if changed:
                changed_fields.update(changed)
                to_update.append(instance)
            else:
                counts.unchanged += 1
        saved[key] = instance
    # The new rows' ids come back from the insert (PostgreSQL; SQLite since 3.35).
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        fields = sorted(changed_fields - set(key_fields))
        model._default_manager.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return Upserted(saved=saved, created=to_create, updated=to_update)


def _write_history(model: type[models.Model], created: Iterable[Any], updated: Iterable[Any]) -> None:
    history = model.history  # type: ignore[attr-defined]  # HistoricalRecords' manager, not in the model's type
    history.bulk_history_create(list(created), batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON)
    history.bulk_history_create(list(updated), batch_size=BATCH_SIZE, update=True, default_change_reason=HISTORY_REASON)


def _write_codelists(data: ReferenceData, report: LoadReport) -> None:
    lists = _upsert(
        model=Codelist,
        rows={
            codelist.name: {
                "name": codelist.name,
                "title": codelist.title,
                "embedded": codelist.embedded,
                "category_codelist": codelist.category_codelist,
            }
            for codelist in data.codelists.values()
        },
        existing={codelist.name: codelist for codelist in Codelist.objects.all()},
        key_fields=["name"],
        counts=report.table(Codelist),
    )
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for codelist in data.codelists.values():
        codelist_id = lists.saved[codelist.name].pk
        for item in codelist.items.values():
            rows[(codelist_id, item.code)] = {
                "codelist_id": codelist_id,
                "code": item.code,
                "name_en": item.name_en,
                "name_fr": item.name_fr,
                "name_vi": item.name_vi,
                "name_ar": item.name_ar,
                "description": item.description,
                "status": item.status,
            }
    counts = report.table(CodelistItem)
    items = _upsert(
        model=CodelistItem,
        rows=rows,
        existing={(item.codelist_id, item.code): item for item in CodelistItem.objects.all()},
        key_fields=["codelist_id", "code"],
        counts=counts,
    )
    # A category may be an item created a moment ago, so categories are set once every item has an id.
    by_name = {
        (codelist.name, code): items.saved[(lists.saved[codelist.name].pk, code)]
        for codelist in data.codelists.values()
        for code in codelist.items
    }
    created = {id(instance) for instance in items.created}
    updated = {id(instance): instance for instance in items.updated}
    recategorised = []
    for codelist in data.codelists.values():
        for item in codelist.items.values():
            target = category_target(data.codelists, codelist, item)
            category_id = by_name[target].pk if target else None
            instance = by_name[(codelist.name, item.code)]
            if instance.category_id != category_id:
                instance.category_id = category_id
                recategorised.append(instance)
                if id(instance) not in created and id(instance) not in updated:
                    counts.unchanged -= 1
                    counts.updated += 1
                    updated[id(instance)] = instance
    CodelistItem.objects.bulk_update(recategorised, ["category"], batch_size=BATCH_SIZE)
    _write_history(CodelistItem, items.created, updated.values())


def _write_countries_and_currencies(data: ReferenceData, report: LoadReport) -> dict[str, int]:
    countries = _upsert(
        model=Country,
        rows=data.countries,
        existing={country.code: country for country in Country.objects.all()},
        key_fields=["code"],
        counts=report.table(Country),
    )
    _write_history(Country, countries.created, countries.updated)
    currencies = _upsert(
        model=Currency,
        rows=data.currencies,
        existing={currency.code: currency for currency in Currency.objects.all()},
        key_fields=["code"],
        counts=report.table(Currency),
    )
    _write_history(Currency, currencies.created, currencies.updated)
    return {code: currency.pk for code, currency in currencies.saved.items()}


def _write_units(data: ReferenceData, report: LoadReport) -> dict[UnitKey, int]:
    existing = {(unit.era, unit.level, unit.code): unit for unit in AdministrativeUnit.objects.all()}
    ids: dict[UnitKey, int] = {}
    created: list[AdministrativeUnit] = []
    updated: list[AdministrativeUnit] = []
    # Parents first, so that each level's foreign keys point at rows that already have ids.
    for level in (PROVINCE, DISTRICT, COMMUNE):
        rows = {
            key: {
                "era": key[0],
                "level": key[1],
                "code": key[2],
                **unit.values,
                "parent_id": ids[unit.parent] if unit.parent else None,
                "province_id": ids[unit.province] if unit.province else None,
            }
            for key, unit in data.units.items()
            if key[1] == level
        }
        result = _upsert(
            model=AdministrativeUnit,
            rows=rows,
            existing=existing,
            key_fields=["era", "level", "code"],
            counts=report.table(AdministrativeUnit),
        )
        ids.update({key: unit.pk for key, unit in result.saved.items()})
        created += result.created
        updated += result.updated
    _write_history(AdministrativeUnit, created, updated)
    return ids


def _write_mappings(data: ReferenceData, report: LoadReport, unit_ids: Mapping[UnitKey, int]) -> None:
    rows = {
        (unit_ids[old], unit_ids[new]): {
            "old_unit_id": unit_ids[old],
            "new_unit_id": unit_ids[new],
            "level": mapping.level,
            "old_split_count": mapping.old_split_count,
        }
        for (old, new), mapping in data.mappings.items()
    }
    result = _upsert(
        model=UnitMapping,
        rows=rows,
        existing={(row.old_unit_id, row.new_unit_id): row for row in UnitMapping.objects.all()},
        key_fields=["old_unit_id", "new_unit_id"],
        counts=report.table(UnitMapping),
    )
    _write_history(UnitMapping, result.created, result.updated)


def _write_rates(data: ReferenceData, report: LoadReport, currency_ids: Mapping[str, int]) -> None:
    annual = RateFrequency.ANNUAL.value
    rows = {
        (currency_ids[currency], annual, date(year, 1, 1)): {
            "currency_id": currency_ids[currency],
            "frequency": annual,
            "period_start": date(year, 1, 1),
            "period_end": date(year, 12, 31),
            "rate": rate,
            "source": FX_SOURCE,
        }
        for (currency, year), rate in data.rates.items()
    }
    # Only annual rates are this file's; monthly and daily rates loaded by a deployment are left alone.
    existing = {
        (rate.currency_id, rate.frequency, rate.period_start): rate
        for rate in ExchangeRate.objects.filter(frequency=annual)
    }
    result = _upsert(
        model=ExchangeRate,
        rows=rows,
        existing=existing,
        key_fields=["currency_id", "frequency", "period_start"],
        counts=report.table(ExchangeRate),
    )
    _write_history(ExchangeRate, result.created, result.updated)
    changed_ids = {rate.currency_id for rate in [*result.created, *result.updated]}
    if changed_ids:
        codes = [code for code, pk in currency_ids.items() if pk in changed_ids]
        rates_changed.send(sender=ExchangeRate, currencies=sorted(codes))


def reference_load(*, data_dir: Path, log: Callable[[str], None] | None = None) -> LoadReport:
    """Load every reference file into the database, all or nothing. Re-running with the same files changes
    nothing: rows are matched on their natural keys and only differing ones are written, with history."""
    started = time.perf_counter()

    def step(label: str) -> None:
        if log is not None:
            log(f"{time.perf_counter() - started:6.2f} s  {label}")

    data = reference_read(data_dir=data_dir)
    step(_("files read and checked"))
    report = LoadReport(notes=list(data.notes))
    with transaction.atomic():
        _write_codelists(data, report)
        step(_("codelists written"))
        currency_ids = _write_countries_and_currencies(data, report)
        step(_("countries and currencies written"))
        unit_ids = _write_units(data, report)
        step(_("administrative units written"))
        _write_mappings(data, report, unit_ids)
        step(_("unit mapping written"))
        _write_rates(data, report, currency_ids)
        step(_("exchange rates written"))
    report.seconds = time.perf_counter() - started
    return report
