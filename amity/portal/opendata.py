"""Open data: the datasets of published data — aid items and their transactions at the published level, and the
directory of licensed foreign NGOs — as rows of named columns, read in chunks with a fixed number of queries each.

The downloads (`opendata_views.py`: CSV, XLSX, IATI 2.03) and the public API (`api/`) both read the rows here, so
a column means the same everywhere and is described once (`DATASETS`, shown on the data dictionary page).

**The published level.** Anonymous visitors have no scope (`restrict` gives them nothing but published reports),
so this module reads aid with `unscoped()` and narrows it itself, in one place (`published_facts`,
`published_aid_items`): aid items whose status is one official figures count (approved, in progress, completed,
closed: `amity.aid.choices.OFFICIAL_STATUSES`, the one definition), not deleted, and their live transactions — the
very parts every published report sums. Proposed, under appraisal, rejected, cancelled and revoked aid is never
published. Amounts come from the report facts (`reports.models.ReportFact`: Viet Nam's share of each transaction,
split over sectors and provinces by largest remainder), grouped by transaction and province, so the dataset's
totals are the published reports' totals to the cent, and no aggregation is written twice.

**No personal data.** Individual donors are named "Individual donor" (no name, no identifier); transaction
descriptions, decision notes, contacts (e-mail, phone, address of organisations, visitors, volunteers, users) are
never part of a dataset; a publisher is named by office, never by the person who pressed the button.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django import forms
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.aid.choices import (
    COMMITMENT_TYPES,
    DISBURSEMENT_TYPES,
    EXPENDITURE_TYPES,
    OFFICIAL_STATUSES,
    AidStatus,
    Modality,
    TransactionType,
)
from amity.aid.models import AidItem, LocationSplit, SectorSplit, Transaction
from amity.core.text import check_text
from amity.organisations.choices import OrganisationKind, RegistrationKind
from amity.organisations.models import Organisation, Registration
from amity.organisations.selectors import registration_valid_on_q
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import shared_rate_book
from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency
from amity.reports.models import ReportFact
from amity.reports.selectors import NATIONWIDE
from amity.reports.spec import Basis, StatusBasis

from .selectors import directory_organisations

CHUNK_SIZE = 1000  # rows per round trip: one query per related table per chunk
NATIONWIDE_CODE = "nationwide"  # the province filter's value for aid not located in a province
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# Text, decimal, integer, date, boolean: what a column holds (the dictionary says it; the API's schema too).
TEXT, DECIMAL, INTEGER, DATE, BOOLEAN = "text", "decimal", "integer", "date", "boolean"
KIND_LABELS = {
    TEXT: gettext_lazy("text"),
    DECIMAL: gettext_lazy("decimal number"),
    INTEGER: gettext_lazy("whole number"),
    DATE: gettext_lazy("date (YYYY-MM-DD)"),
    BOOLEAN: gettext_lazy("yes/no (true/false)"),
}


@dataclass(frozen=True)
class Column:
    key: str  # stable, in English: the CSV header and the API's field name
    label: Promise  # in the reader's language: the XLSX header and the dictionary
    description: Promise
    kind: str = TEXT


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    description: Promise
    columns: tuple[Column, ...]
    iati: bool = True  # offered as an IATI 2.03 file
    filters: tuple[str, ...] = ("year", "province", "sector", "donor")  # the filters its API list and rows take

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]


def _c(key: str, label: str | Promise, description: str | Promise, kind: str = TEXT) -> Column:
    return Column(key, label, description, kind)  # type: ignore[arg-type]  # lazy strings are Promises


_BASIS_COLUMNS = (
    _c(
        "status_basis",
        gettext_lazy("Status basis"),
        gettext_lazy(
            "Which aid is counted: approved aid (approved, in progress, completed, closed), as in every published "
            "report."
        ),
    ),
    _c(
        "conversion_basis",
        gettext_lazy("Conversion basis"),
        gettext_lazy("How the amounts in USD and VND were converted: at the rates of each transaction's value date."),
    ),
)
_SECTOR_COLUMNS = (
    _c(
        "sector_codes",
        gettext_lazy("Sector codes"),
        gettext_lazy(
            "OECD DAC sector codes (5 digits) or categories (3 digits) with their percentages, separated by “; ”."
        ),
    ),
    _c(
        "sectors",
        gettext_lazy("Sectors"),
        gettext_lazy("The sectors named in the reader's language, with their percentages."),
    ),
)
_DONOR_COLUMNS = (
    _c(
        "donor_id",
        gettext_lazy("Donor identifier"),
        gettext_lazy("The donor's stable identifier in Amity (empty for an individual donor)."),
    ),
    _c(
        "donor",
        gettext_lazy("Donor"),
        gettext_lazy("The organisation that provides the money; an individual donor is not named."),
    ),
    _c("donor_country", gettext_lazy("Donor country"), gettext_lazy("ISO 3166-1 code of the donor's country.")),
)

TRANSACTIONS = Dataset(
    slug="transactions",
    title=gettext_lazy("Aid transactions"),
    description=gettext_lazy(
        "Commitments, disbursements and expenditure of approved aid, one row per transaction and recipient "
        "province (an item located in two provinces is split between them; aid not located in a province is "
        "nationwide). Amounts are Viet Nam's share, in the original currency, USD and VND."
    ),
    columns=(
        _c(
            "transaction_id",
            gettext_lazy("Transaction identifier"),
            gettext_lazy("The transaction's stable identifier in Amity."),
        ),
        _c(
            "aid_item_id",
            gettext_lazy("Aid item identifier"),
            gettext_lazy("The stable identifier of the aid item the transaction belongs to."),
        ),
        _c(
            "iati_identifier",
            gettext_lazy("IATI identifier"),
            gettext_lazy("The aid item's IATI activity identifier, when the donor gave one."),
        ),
        _c(
            "aid_item_title",
            gettext_lazy("Aid item"),
            gettext_lazy(
                "The aid item's title (in English when the reader reads English and it has one, else in Vietnamese)."
            ),
        ),
        _c(
            "transaction_type",
            gettext_lazy("Transaction type code"),
            gettext_lazy("IATI TransactionType code (2 commitment, 3 disbursement, 4 expenditure…)."),
        ),
        _c(
            "transaction_type_name",
            gettext_lazy("Transaction type"),
            gettext_lazy("The transaction type in the reader's language."),
        ),
        _c("date", gettext_lazy("Date"), gettext_lazy("The date of the transaction."), DATE),
        _c(
            "value_date",
            gettext_lazy("Value date"),
            gettext_lazy("The date whose exchange rates value the amount."),
            DATE,
        ),
        _c(
            "year",
            gettext_lazy("Year"),
            gettext_lazy("The year of the value date: the year a report counts it in."),
            INTEGER,
        ),
        _c(
            "province_code",
            gettext_lazy("Recipient province code"),
            gettext_lazy(
                "GSO code of the recipient province (34 provinces since 1 July 2025); empty for nationwide aid."
            ),
        ),
        _c(
            "province",
            gettext_lazy("Recipient province"),
            gettext_lazy("The recipient province's name, or “Nationwide / not allocated to a province”."),
        ),
        *_SECTOR_COLUMNS,
        *_DONOR_COLUMNS,
        _c("currency", gettext_lazy("Currency"), gettext_lazy("ISO 4217 code of the original currency.")),
        _c(
            "amount",
            gettext_lazy("Amount"),
            gettext_lazy(
                "Viet Nam's share of the transaction in this province, in the original currency; negative for a "
                "reversal or refund."
            ),
            DECIMAL,
        ),
        _c("amount_usd", gettext_lazy("Amount (USD)"), gettext_lazy("The same amount in US dollars."), DECIMAL),
        _c("amount_vnd", gettext_lazy("Amount (VND)"), gettext_lazy("The same amount in Vietnamese đồng."), DECIMAL),
        _c(
            "viet_nam_share",
            gettext_lazy("Viet Nam's share (%)"),
            gettext_lazy(
                "The percentage of the transaction counted for Viet Nam (100 for almost all; less for multi-country "
                "activities)."
            ),
            DECIMAL,
        ),
        _c(
            "usd_per_unit",
            gettext_lazy("USD per unit"),
            gettext_lazy("The rate used: US dollars per unit of the original currency."),
            DECIMAL,
        ),
        _c(
            "vnd_per_unit",
            gettext_lazy("VND per unit"),
            gettext_lazy("The rate used: Vietnamese đồng per unit of the original currency."),
            DECIMAL,
        ),
        _c("rate_date", gettext_lazy("Rate date"), gettext_lazy("The first day of the period of the rate used."), DATE),
        _c(
            "rate_note",
            gettext_lazy("Rate"),
            gettext_lazy("Which rate valued the amount (its period and source), in the reader's language."),
        ),
        *_BASIS_COLUMNS,
    ),
)

AID_ITEMS = Dataset(
    slug="aid-items",
    title=gettext_lazy("Aid items"),
    description=gettext_lazy(
        "Approved programmes, projects and non-project aid with their provinces, sectors, donor and the sums of "
        "their transactions (Viet Nam's share) in USD and VND. With a province, sector, donor or year chosen, the "
        "sums are the part that matches."
    ),
    columns=(
        _c(
            "aid_item_id",
            gettext_lazy("Aid item identifier"),
            gettext_lazy("The aid item's stable identifier in Amity."),
        ),
        _c(
            "iati_identifier",
            gettext_lazy("IATI identifier"),
            gettext_lazy("The IATI activity identifier, when the donor gave one."),
        ),
        _c(
            "reference",
            gettext_lazy("Reference number"),
            gettext_lazy("The reference number the office gave the aid item."),
        ),
        _c("title_vi", gettext_lazy("Title (Vietnamese)"), gettext_lazy("The title in Vietnamese.")),
        _c("title_en", gettext_lazy("Title (English)"), gettext_lazy("The title in English, when recorded.")),
        _c("status", gettext_lazy("Status code"), gettext_lazy("approved, in_progress, completed or closed.")),
        _c("status_name", gettext_lazy("Status"), gettext_lazy("The status in the reader's language.")),
        _c(
            "modality",
            gettext_lazy("Modality"),
            gettext_lazy("Programme, project or non-project aid, in the reader's language."),
        ),
        _c("is_relief", gettext_lazy("Relief aid"), gettext_lazy("Whether the aid is emergency relief."), BOOLEAN),
        _c(
            "province_codes",
            gettext_lazy("Recipient province codes"),
            gettext_lazy("GSO codes of the recipient provinces with their percentages; empty for nationwide aid."),
        ),
        _c(
            "provinces",
            gettext_lazy("Recipient provinces"),
            gettext_lazy(
                "The recipient provinces' names with their percentages, or “Nationwide / not allocated to a province”."
            ),
        ),
        *_SECTOR_COLUMNS,
        *_DONOR_COLUMNS,
        _c("planned_start", gettext_lazy("Planned start"), gettext_lazy("The planned start date."), DATE),
        _c("planned_end", gettext_lazy("Planned end"), gettext_lazy("The planned end date."), DATE),
        _c("actual_start", gettext_lazy("Actual start"), gettext_lazy("The actual start date."), DATE),
        _c("actual_end", gettext_lazy("Actual end"), gettext_lazy("The actual end date."), DATE),
        _c(
            "decision_date",
            gettext_lazy("Approval decision date"),
            gettext_lazy("The date of the approval decision."),
            DATE,
        ),
        _c(
            "committed_usd",
            gettext_lazy("Committed (USD)"),
            gettext_lazy("The sum of commitments (Viet Nam's share), in US dollars."),
            DECIMAL,
        ),
        _c(
            "committed_vnd",
            gettext_lazy("Committed (VND)"),
            gettext_lazy("The sum of commitments (Viet Nam's share), in đồng."),
            DECIMAL,
        ),
        _c(
            "disbursed_usd",
            gettext_lazy("Disbursed (USD)"),
            gettext_lazy("The sum of disbursements (Viet Nam's share), in US dollars."),
            DECIMAL,
        ),
        _c(
            "disbursed_vnd",
            gettext_lazy("Disbursed (VND)"),
            gettext_lazy("The sum of disbursements (Viet Nam's share), in đồng."),
            DECIMAL,
        ),
        _c(
            "expenditure_usd",
            gettext_lazy("Expenditure (USD)"),
            gettext_lazy("The sum of expenditure (Viet Nam's share), in US dollars."),
            DECIMAL,
        ),
        _c(
            "expenditure_vnd",
            gettext_lazy("Expenditure (VND)"),
            gettext_lazy("The sum of expenditure (Viet Nam's share), in đồng."),
            DECIMAL,
        ),
        *_BASIS_COLUMNS,
    ),
)

NGOS = Dataset(
    slug="ngos",
    title=gettext_lazy("Directory of licensed foreign NGOs"),
    description=gettext_lazy(
        "Foreign non-governmental organisations holding a registration certificate (Decree 58/2022) valid today: "
        "name, country, licence, the provinces and sectors it covers and the organisation's website. No personal "
        "contact is published."
    ),
    columns=(
        _c(
            "organisation_id",
            gettext_lazy("Organisation identifier"),
            gettext_lazy("The organisation's stable identifier in Amity."),
        ),
        _c("name", gettext_lazy("Name"), gettext_lazy("The name in the organisation's own language.")),
        _c("name_vi", gettext_lazy("Vietnamese name"), gettext_lazy("The Vietnamese name.")),
        _c("acronym", gettext_lazy("Acronym"), gettext_lazy("The acronym.")),
        _c(
            "iati_identifier",
            gettext_lazy("IATI organisation identifier"),
            gettext_lazy("The organisation's IATI identifier, when known."),
        ),
        _c(
            "country_code",
            gettext_lazy("Country code"),
            gettext_lazy("ISO 3166-1 code of the country where the organisation is based."),
        ),
        _c("country", gettext_lazy("Country"), gettext_lazy("The country, in the reader's language.")),
        _c(
            "licence_kinds",
            gettext_lazy("Licence"),
            gettext_lazy("The kind of each valid certificate (operation, representative office, project office)."),
        ),
        _c("licence_numbers", gettext_lazy("Licence numbers"), gettext_lazy("The numbers of the valid certificates.")),
        _c(
            "licence_issued",
            gettext_lazy("Issue date"),
            gettext_lazy("The issue date of the certificate that expires last."),
            DATE,
        ),
        _c(
            "licence_expires",
            gettext_lazy("Valid until"),
            gettext_lazy("The latest expiry date of its valid certificates."),
            DATE,
        ),
        _c(
            "province_codes",
            gettext_lazy("Province codes"),
            gettext_lazy("GSO codes of the provinces its certificates cover."),
        ),
        _c(
            "provinces",
            gettext_lazy("Provinces covered"),
            gettext_lazy("The provinces its certificates cover, in the reader's language."),
        ),
        _c(
            "sectors",
            gettext_lazy("Sectors covered"),
            gettext_lazy("The sector categories its certificates cover, in the reader's language."),
        ),
        _c("website", gettext_lazy("Website"), gettext_lazy("The organisation's website: its public contact.")),
    ),
    filters=("province", "sector"),  # the directory page's: a province and a sector category its licences cover
)

DATASETS: dict[str, Dataset] = {dataset.slug: dataset for dataset in (AID_ITEMS, TRANSACTIONS, NGOS)}

# --- filters -----------------------------------------------------------------------------------------------------


class DataFilterForm(forms.Form):
    """The filters every dataset and API list takes: year, province (or "nationwide"), sector, donor. A value that is
    not one is an error naming its field (a 400), never an unfiltered answer."""

    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=1950, max_value=2100)
    province = forms.CharField(label=gettext_lazy("Province"), required=False, max_length=20)
    sector = forms.CharField(label=gettext_lazy("Sector"), required=False, max_length=10)
    donor = forms.CharField(label=gettext_lazy("Donor"), required=False, max_length=40)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for name in ("province", "sector", "donor"):
            value = cleaned.get(name)
            if value:
                try:
                    check_text(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def clean_province(self) -> str:
        code: str = self.cleaned_data.get("province", "").strip()
        if code and code != NATIONWIDE_CODE and code not in province_names():
            raise forms.ValidationError(_("Unknown province: give a current province's code or “nationwide”."))
        return code

    def clean_sector(self) -> str:
        code: str = self.cleaned_data.get("sector", "").strip()
        if (
            code
            and not CodelistItem.objects.filter(codelist__name__in=("Sector", "SectorCategory"), code=code).exists()
        ):
            raise forms.ValidationError(_("Unknown sector: give a DAC sector (5 digits) or category (3 digits)."))
        return code

    def clean_donor(self) -> str:
        value: str = self.cleaned_data.get("donor", "").strip()
        if value:
            try:
                uuid.UUID(value)
            except ValueError:
                raise forms.ValidationError(_("Not an organisation's identifier.")) from None
        return value


def read_filters(params: Any, dataset: Dataset | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The valid filters, or the errors by field (each a list of messages in the reader's language). With a
    dataset, a filter it does not take is an error too (never silently ignored)."""
    form = DataFilterForm(params)
    errors: dict[str, list[str]] = {}
    if not form.is_valid():
        errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    if dataset is not None:
        for name in DataFilterForm.base_fields:
            if name not in dataset.filters and params.get(name):
                errors.setdefault(name, []).append(_("Not a filter of this dataset."))
        if dataset is NGOS and params.get("province") == NATIONWIDE_CODE:
            errors.setdefault("province", []).append(_("Give a province's code: every licence covers provinces."))
    if errors:
        return {}, errors
    return {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}, {}


# --- the published level -----------------------------------------------------------------------------------------


def published_facts(filters: dict[str, Any] | None = None) -> QuerySet[ReportFact]:
    """The report facts of published aid (see the module's docstring), narrowed by the filters."""
    facts = ReportFact.objects.unscoped().filter(status__in=OFFICIAL_STATUSES)
    f = filters or {}
    if f.get("year"):
        facts = facts.filter(year=f["year"])
    if f.get("province") == NATIONWIDE_CODE:
        facts = facts.filter(province__isnull=True)
    elif f.get("province"):
        facts = facts.filter(province__code=f["province"])
    if f.get("sector"):
        sector = f["sector"]
        facts = facts.filter(sector_category__code=sector) if len(sector) == 3 else facts.filter(sector__code=sector)
    if f.get("donor"):
        facts = facts.filter(donor__public_id=f["donor"])
    return facts


def published_aid_items(filters: dict[str, Any] | None = None) -> QuerySet[AidItem]:
    """Aid items at the published level; with filters, those with published facts that match them."""
    items = AidItem.objects.unscoped().filter(status__in=OFFICIAL_STATUSES)  # `objects` leaves deleted items out
    if filters:
        items = items.filter(pk__in=published_facts(filters).values("aid_item_id"))
    return items.order_by("pk")


def licensed_ngos(filters: dict[str, Any] | None = None, *, today: date | None = None) -> QuerySet[Organisation]:
    """Foreign NGOs holding a registration in force and valid today (Decree 58/2022), narrowed by province and
    sector exactly as the directory page narrows them (its selector, `selectors.directory_organisations`)."""
    f = filters or {}
    return directory_organisations(
        today=today or timezone.localdate(), sector=f.get("sector", ""), province_code=f.get("province", "")
    ).order_by("name", "pk")


# --- shared lookups ----------------------------------------------------------------------------------------------


def province_names() -> dict[str, AdministrativeUnit]:
    """Current-era provinces by code (34 rows; one query)."""
    units = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.PROVINCE).order_by("code")
    return {unit.code: unit for unit in units}


class _Lookups:
    """What many rows share, read once per download (provinces, sectors, currencies, countries) or once per chunk
    and only what was not seen yet (organisations)."""

    def __init__(self) -> None:
        self.provinces = {unit.pk: unit for unit in province_names().values()}
        self.sectors = {
            item.pk: item for item in CodelistItem.objects.filter(codelist__name__in=("Sector", "SectorCategory"))
        }
        self.currencies = dict(Currency.objects.values_list("pk", "code"))
        self.countries = dict(Country.objects.values_list("pk", "code"))
        self.organisations: dict[int, tuple[str, str, int | None]] = {}  # id → (public id, name, country id)
        self.rates = shared_rate_book()
        self.status_basis = StatusBasis.OFFICIAL.label
        self.conversion_basis = Basis().label()
        self.nationwide = str(NATIONWIDE)
        self.individual = _("Individual donor")
        self.transaction_types = {code: str(label) for code, label in TransactionType.choices}
        self._rate_notes: dict[tuple[str, date, date], str] = {}
        self._donors: dict[int, dict[str, str]] = {}

    def rate_note(self, currency: str, value_date: date, rate_date: date) -> str:
        """The rate's note, said once per currency and dates (many transactions share them)."""
        key = (currency, value_date, rate_date)
        if key not in self._rate_notes:
            note = self.rates.note(currency, value_date, rate_date)
            self._rate_notes[key] = str(note) if note is not None else ""
        return self._rate_notes[key]

    def load_organisations(self, ids: Iterable[int | None]) -> None:
        missing = {pk for pk in ids if pk} - self.organisations.keys()
        if not missing:
            return
        rows = Organisation.all_objects.filter(pk__in=missing).values_list(
            "pk", "public_id", "name", "kind", "country_id"
        )
        for pk, public_id, name, kind, country_id in rows:
            if kind == OrganisationKind.INDIVIDUAL:  # a person: never named in public data
                self.organisations[pk] = ("", self.individual, None)
            else:
                self.organisations[pk] = (str(public_id), name, country_id)

    def donor(self, pk: int | None) -> dict[str, str]:
        """The donor's columns, made once per organisation (rows share a few thousand donors at most)."""
        if not pk or pk not in self.organisations:
            return _NO_DONOR
        if pk not in self._donors:
            public_id, name, country_id = self.organisations[pk]
            self._donors[pk] = {
                "donor_id": public_id,
                "donor": name,
                "donor_country": self.countries.get(country_id, "") if country_id else "",
            }
        return self._donors[pk]

    def sector_columns(self, splits: list[tuple[int, Decimal]]) -> dict[str, str]:
        parts = [(self.sectors[pk], share) for pk, share in splits if pk in self.sectors]
        return {
            "sector_codes": "; ".join(f"{item.code} ({_percent(share)}%)" for item, share in parts),
            "sectors": "; ".join(f"{item.name} ({_percent(share)}%)" for item, share in parts),
        }


CENT, DONG = Decimal("0.01"), Decimal(1)
_NO_DONOR = {"donor_id": "", "donor": "", "donor_country": ""}


def _money(value: Any, unit: Decimal = CENT) -> Decimal:
    """A sum as stored (SQLite sums decimals through floats): to the cent, or the đồng."""
    return Decimal(value or 0).quantize(unit)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _chunks(iterable: Iterable[Any], size: int = CHUNK_SIZE) -> Iterator[list[Any]]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _ids(field: str, ids: Iterable[int]) -> Q:
    """The rows whose `field` is one of `ids` — as a range when the ids are dense (the rows of a chunk in key
    order), which the database reads as fast and the driver binds without a thousand parameters (binding them
    cost more than the query on PostgreSQL). Callers look rows up by id, so the few extra rows are ignored."""
    wanted = set(ids)
    if not wanted:
        return Q(pk__in=[])
    low, high = min(wanted), max(wanted)
    if high - low < 2 * len(wanted):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": sorted(wanted)})


def _item_sectors(item_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal]]]:
    sectors: dict[int, list[tuple[int, Decimal]]] = {}
    rows = SectorSplit.objects.filter(_ids("aid_item_id", item_ids)).order_by("aid_item_id", "-percentage", "sector_id")
    for item_id, sector_id, share in rows.values_list("aid_item_id", "sector_id", "percentage"):
        sectors.setdefault(item_id, []).append((sector_id, share))
    return sectors


def _title(title_vi: str, title_en: str, language: str | None = None) -> str:
    language = (language or translation.get_language() or "vi")[:2]
    return title_en if language != "vi" and title_en else title_vi


# --- transactions ------------------------------------------------------------------------------------------------


def transaction_groups(filters: dict[str, Any] | None = None) -> QuerySet[Any]:
    """One row per transaction and recipient province: Viet Nam's share located there, summed from the facts (so
    over sectors). Ordered, so that pages and downloads are stable."""
    return (
        published_facts(filters)
        .values("transaction_id", "province_id")
        .annotate(
            part_amount=Sum("amount"),
            part_usd=Sum("amount_usd"),
            part_vnd=Sum("amount_vnd"),
            part_donor=Max("donor_id"),
        )
        .order_by("transaction_id", "province_id")
    )


def transaction_rows(groups: Iterable[dict[str, Any]], lookups: _Lookups | None = None) -> Iterator[dict[str, Any]]:
    """The dataset's rows for these groups (`transaction_groups`), in chunks: 3 queries per chunk at most
    (transactions, sector splits, organisations not seen yet)."""
    look = lookups or _Lookups()
    for chunk in _chunks(groups):
        ids = {group["transaction_id"] for group in chunk}
        transactions = {
            row["pk"]: row
            for row in Transaction.all_objects.filter(_ids("pk", ids)).values(
                "pk",
                "public_id",
                "aid_item_id",
                "aid_item__public_id",
                "aid_item__iati_identifier",
                "aid_item__title_vi",
                "aid_item__title_en",
                "transaction_type",
                "date",
                "value_date",
                "currency_id",
                "viet_nam_share",
                "usd_per_unit",
                "vnd_per_unit",
                "rate_date",
            )
        }
        sectors = _item_sectors({row["aid_item_id"] for row in transactions.values()})
        look.load_organisations(group["part_donor"] for group in chunk)
        language = translation.get_language() or "vi"
        sector_columns: dict[int, dict[str, str]] = {}  # per aid item: its transactions share them
        for group in chunk:
            tx = transactions[group["transaction_id"]]
            item_id = tx["aid_item_id"]
            if item_id not in sector_columns:
                sector_columns[item_id] = look.sector_columns(sectors.get(item_id, []))
            province = look.provinces.get(group["province_id"]) if group["province_id"] else None
            currency = look.currencies[tx["currency_id"]]
            yield {
                "transaction_id": str(tx["public_id"]),
                "aid_item_id": str(tx["aid_item__public_id"]),
                "iati_identifier": tx["aid_item__iati_identifier"],
                "aid_item_title": _title(tx["aid_item__title_vi"], tx["aid_item__title_en"], language),
                "transaction_type": tx["transaction_type"],
                "transaction_type_name": look.transaction_types.get(tx["transaction_type"], tx["transaction_type"]),
                "date": tx["date"],
                "value_date": tx["value_date"],
                "year": tx["value_date"].year,
                "province_code": province.code if province else "",
                "province": province.name if province else look.nationwide,
                **sector_columns[item_id],
                **look.donor(group["part_donor"]),
                "currency": currency,
                "amount": _money(group["part_amount"]),
                "amount_usd": _money(group["part_usd"]),
                "amount_vnd": _money(group["part_vnd"], DONG),
                "viet_nam_share": tx["viet_nam_share"],
                "usd_per_unit": tx["usd_per_unit"],
                "vnd_per_unit": tx["vnd_per_unit"],
                "rate_date": tx["rate_date"],
                "rate_note": look.rate_note(currency, tx["value_date"], tx["rate_date"]),
                "status_basis": look.status_basis,
                "conversion_basis": look.conversion_basis,
            }


# --- aid items ---------------------------------------------------------------------------------------------------

_MEASURE_TYPES = {"committed": COMMITMENT_TYPES, "disbursed": DISBURSEMENT_TYPES, "expenditure": EXPENDITURE_TYPES}


def aid_item_rows(
    items: Iterable[AidItem], filters: dict[str, Any] | None = None, lookups: _Lookups | None = None
) -> Iterator[dict[str, Any]]:
    """The dataset's rows for these aid items (from `published_aid_items`), in chunks: 4 queries per chunk at most
    (sums of the facts, sector splits, location splits, organisations not seen yet)."""
    look = lookups or _Lookups()
    sums_of = {
        f"{measure}_{currency}": Sum(f"amount_{currency}", filter=Q(transaction_type__in=types))
        for measure, types in _MEASURE_TYPES.items()
        for currency in ("usd", "vnd")
    }
    for chunk in _chunks(items):
        ids = [item.pk for item in chunk]
        facts = published_facts(filters).filter(_ids("aid_item_id", ids)).values("aid_item_id")
        sums: dict[int, dict[str, Any]] = {
            row["aid_item_id"]: dict(row) for row in facts.annotate(**sums_of, item_donor=Max("donor_id")).order_by()
        }
        sectors = _item_sectors(ids)
        locations: dict[int, dict[int | None, Decimal]] = {}
        for item_id, province_id, share in (
            LocationSplit.objects.filter(_ids("aid_item_id", ids))
            .order_by("aid_item_id", "current_province_id")
            .values_list("aid_item_id", "current_province_id", "percentage")
        ):
            shares = locations.setdefault(item_id, {})
            shares[province_id] = shares.get(province_id, Decimal(0)) + share
        look.load_organisations(row["item_donor"] for row in sums.values())
        for item in chunk:
            summed: dict[str, Any] = sums.get(item.pk, {})
            provinces = [
                (look.provinces[pk], share) for pk, share in locations.get(item.pk, {}).items() if pk in look.provinces
            ]
            yield {
                "aid_item_id": str(item.public_id),
                "iati_identifier": item.iati_identifier,
                "reference": item.reference,
                "title_vi": item.title_vi,
                "title_en": item.title_en,
                "status": item.status,
                "status_name": str(AidStatus(item.status).label),
                "modality": str(Modality(item.modality).label),
                "is_relief": item.is_relief,
                "province_codes": "; ".join(f"{unit.code} ({_percent(share)}%)" for unit, share in provinces),
                "provinces": "; ".join(f"{unit.name} ({_percent(share)}%)" for unit, share in provinces)
                or look.nationwide,
                **look.sector_columns(sectors.get(item.pk, [])),
                **look.donor(summed.get("item_donor")),
                "planned_start": item.planned_start,
                "planned_end": item.planned_end,
                "actual_start": item.actual_start,
                "actual_end": item.actual_end,
                "decision_date": item.decision_date,
                **{key: _money(summed.get(key), DONG if key.endswith("vnd") else CENT) for key in sums_of},
                "status_basis": look.status_basis,
                "conversion_basis": look.conversion_basis,
            }


AID_ITEM_FIELDS = (
    "pk",
    "public_id",
    "iati_identifier",
    "reference",
    "title_vi",
    "title_en",
    "status",
    "modality",
    "is_relief",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "decision_date",
)


# --- the NGO directory -------------------------------------------------------------------------------------------


def ngo_rows(organisations: Iterable[Organisation], *, today: date | None = None) -> Iterator[dict[str, Any]]:
    """The directory's rows: 2 queries per chunk (the valid registrations with their provinces and sectors are
    prefetched: 3 more)."""
    day = today or timezone.localdate()
    look_countries = {country.pk: country for country in Country.objects.all()}
    provinces = {unit.pk: unit for unit in province_names().values()}
    sectors = {item.pk: item for item in CodelistItem.objects.filter(codelist__name="SectorCategory")}
    kinds = dict(RegistrationKind.choices)
    for chunk in _chunks(organisations):
        registrations: dict[int, list[Registration]] = {}
        valid = (
            Registration.objects.unscoped()
            .filter(registration_valid_on_q(day), organisation_id__in=[o.pk for o in chunk])
            .order_by("organisation_id", "expiry_date", "pk")
            .prefetch_related("provinces", "sectors")
        )
        for registration in valid:
            registrations.setdefault(registration.organisation_id, []).append(registration)
        for organisation in chunk:
            held = registrations.get(organisation.pk, [])
            last = held[-1] if held else None
            province_units = sorted(
                {unit.pk: provinces.get(unit.pk, unit) for r in held for unit in r.provinces.all()}.values(),
                key=lambda unit: unit.code,
            )
            sector_items = sorted(
                {item.pk: sectors.get(item.pk, item) for r in held for item in r.sectors.all()}.values(),
                key=lambda item: item.code,
            )
            country = look_countries.get(organisation.country_id) if organisation.country_id else None
            yield {
                "organisation_id": str(organisation.public_id),
                "name": organisation.name,
                "name_vi": organisation.name_vi,
                "acronym": organisation.acronym,
                "iati_identifier": organisation.iati_identifier,
                "country_code": country.code if country else "",
                "country": country.name if country else "",
                "licence_kinds": "; ".join(dict.fromkeys(str(kinds.get(r.kind, r.kind)) for r in held)),
                "licence_numbers": "; ".join(r.number for r in held),
                "licence_issued": last.issue_date if last else None,
                "licence_expires": last.expiry_date if last else None,
                "province_codes": "; ".join(unit.code for unit in province_units),
                "provinces": "; ".join(unit.name for unit in province_units),
                "sectors": "; ".join(f"{item.code} {item.name}" for item in sector_items),
                "website": organisation.website,
            }


NGO_FIELDS = ("pk", "public_id", "name", "name_vi", "acronym", "iati_identifier", "country_id", "website")


# --- one entry point for the downloads ------------------------------------------------------------------------------


def dataset_rows(dataset: Dataset, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every row of a dataset, streamed (the queries run as the rows are read)."""
    if dataset is TRANSACTIONS:
        return transaction_rows(transaction_groups(filters).iterator(chunk_size=CHUNK_SIZE))
    if dataset is AID_ITEMS:
        items = published_aid_items(filters).only(*AID_ITEM_FIELDS).iterator(chunk_size=CHUNK_SIZE)
        return aid_item_rows(items, filters)
    return ngo_rows(licensed_ngos(filters).only(*NGO_FIELDS).iterator(chunk_size=CHUNK_SIZE))


def dataset_size(dataset: Dataset, filters: dict[str, Any]) -> int:
    """How many rows a download would have (one query)."""
    if dataset is TRANSACTIONS:
        return transaction_groups(filters).count()
    if dataset is AID_ITEMS:
        return published_aid_items(filters).count()
    return licensed_ngos(filters).count()
