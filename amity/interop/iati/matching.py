"""Matching what an IATI file names to what Amity has: reference data (currencies, sectors, provinces by
name — tolerant of damaged characters —, units by code), organisations by IATI reference or normalised name
(those to create are pending until their batch is written), the aid items an activity updates (by IATI
identifier, else by the public id Amity's own export gives) and the parts and transactions they already have."""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType

from amity.aid.choices import TransactionType
from amity.aid.models import (
    AidItem,
    AidParticipant,
    Budget,
    LocationSplit,
    SectorSplit,
    Transaction,
)
from amity.core.bulk import create_records
from amity.organisations.choices import OrganisationKind
from amity.organisations.models import Organisation
from amity.organisations.names import normalise_name
from amity.organisations.selectors import registration_spans
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import shared_rate_book
from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency

from ..models import ImportRun, RecordSource
from .export import OTHER_ID_INTERNAL
from .parser import (
    OrgRef,
    ParsedActivity,
)

KIND_FROM_IATI_TYPE = {
    "10": OrganisationKind.FOREIGN_GOVERNMENT,
    "11": OrganisationKind.FOREIGN_GOVERNMENT,
    "15": OrganisationKind.FOREIGN_GOVERNMENT,
    "21": OrganisationKind.FOREIGN_NGO,
    "23": OrganisationKind.FOREIGN_NGO,
    "24": OrganisationKind.VIETNAMESE_AGENCY,
    "40": OrganisationKind.MULTILATERAL,
    "60": OrganisationKind.FOUNDATION,
    "70": OrganisationKind.COMPANY,
    "71": OrganisationKind.COMPANY,
    "72": OrganisationKind.COMPANY,
    "73": OrganisationKind.COMPANY,
}
DAMAGED = re.compile("[?\ufffd]")
PROVINCE_WORDS = ("tinh ", "thanh pho ", "tp. ", "tp ", "province of ", "city of ")
PROVINCE_SUFFIXES = (" province", " city", " municipality")


def province_key(name: str) -> str:
    key = normalise_name(name)
    for word in PROVINCE_WORDS:
        key = key.removeprefix(word)
    for suffix in PROVINCE_SUFFIXES:
        key = key.removesuffix(suffix)
    return key.replace(" ", "")


@dataclass
class PendingOrganisation:
    """An organisation the file names that Amity does not have yet; created once per import."""

    ref: str
    name: str
    kind: str
    iati_type_id: int | None
    country_id: int | None
    line: int | None = None  # where the file first names it
    instance: Organisation | None = None
    key: int | None = None  # reserved for it when planned (`core.bulk.reserve_keys`), on PostgreSQL


class Reference:
    """The reference data an import needs, read once."""

    def __init__(self) -> None:
        self.currencies = dict(Currency.objects.values_list("code", "pk"))
        self.currency_codes = {pk: code for code, pk in self.currencies.items()}
        items = CodelistItem.objects.filter(codelist__name__in=["Sector", "SectorCategory", "OrganisationType"])
        self.sectors: dict[tuple[str, str], CodelistItem] = {}
        self.org_types: dict[str, int] = {}
        for item in items.select_related("codelist"):
            if item.codelist.name == "Sector":
                self.sectors[("1", item.code)] = item
            elif item.codelist.name == "SectorCategory":
                self.sectors[("2", item.code)] = item
            else:
                self.org_types[item.code] = item.pk
        self.countries = dict(Country.objects.values_list("code", "pk"))
        self.transaction_types = set(TransactionType.values)
        self.provinces: dict[str, dict[str, AdministrativeUnit]] = {Era.CURRENT: {}, Era.PRE2025: {}}
        self.units_by_code: dict[tuple[str, str], AdministrativeUnit] = {}
        for unit in AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE):
            for name in (unit.name_vi, unit.name_en, unit.full_name_vi, unit.full_name_en):
                if name:
                    self.provinces[unit.era].setdefault(province_key(name), unit)
            self.units_by_code[(unit.era, unit.code)] = unit
        self.successors: dict[int, AdministrativeUnit] = {}
        self.book = shared_rate_book()
        self._units: dict[tuple[str, str, str], AdministrativeUnit | None] = {}
        self._currency_objects: dict[int, Currency] = {}

    def province_by_damaged_name(self, key: str, eras: Sequence[str]) -> AdministrativeUnit | None:
        """The one province whose name key matches `key` read with each damaged character ("?", or U+FFFD where a
        decoder gave up) as any single letter: "B?c Liêu" is Bạc Liêu, "Hu?" is Huế. None when no name, or more
        than one, matches in the first era that has a match."""
        if not DAMAGED.search(key):
            return None
        pattern = re.compile("".join("." if DAMAGED.fullmatch(ch) else re.escape(ch) for ch in key))
        for era in eras:
            found = {unit.pk: unit for name, unit in self.provinces[era].items() if pattern.fullmatch(name)}
            if len(found) == 1:
                return next(iter(found.values()))
            if found:
                return None
        return None

    def currency(self, pk: int, code: str) -> Currency:
        """One Currency instance per code for the whole import (valuation reads its code)."""
        found = self._currency_objects.get(pk)
        if found is None:
            found = self._currency_objects[pk] = Currency(pk=pk, code=code)
        return found

    def unit(self, era: str, level: str, code: str) -> AdministrativeUnit | None:
        """Any unit by era, level and GSO code (communes are looked up once each, as files name them)."""
        key = (era, level, code)
        if key not in self._units:
            self._units[key] = (
                AdministrativeUnit.objects.filter(era=era, level=level, code=code).select_related("province").first()
            )
        return self._units[key]


class Organisations:
    """Organisations by IATI reference and by normalised name, and those to create."""

    def __init__(self, reference: Reference, owning_province: AdministrativeUnit | None) -> None:
        self.reference = reference
        self.owning_province = owning_province
        self.by_ref: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        self.countries: dict[int, int | None] = {}  # the donor country of each fact
        self.names: dict[int, str] = {}
        for pk, ref, name, name_vi, country_id in Organisation.all_objects.values_list(
            "pk", "iati_identifier", "name", "name_vi", "country_id"
        ):
            self.countries[pk] = country_id
            self.names[pk] = name
            if ref:
                self.by_ref[ref] = pk
            for text in (name, name_vi):
                if text:
                    self.by_name.setdefault(normalise_name(text), pk)
        self.pending: list[PendingOrganisation] = []
        self.licences = registration_spans()  # every provider's, read once for the import

    def resolve(self, org: OrgRef) -> Any:
        """The organisation's id, or the pending organisation to create."""
        found = self.by_ref.get(org.ref) if org.ref else None
        if found is None and org.name:
            found = self.by_name.get(normalise_name(org.name))
        if found is not None:
            if org.ref and org.ref not in self.by_ref:
                self.by_ref[org.ref] = found
            return found
        prefix = org.ref.split("-", 1)[0].upper() if org.ref else ""
        pending = PendingOrganisation(
            ref=org.ref,
            name=(org.name or org.ref)[:300],
            kind=KIND_FROM_IATI_TYPE.get(org.type, OrganisationKind.OTHER),
            iati_type_id=self.reference.org_types.get(org.type),
            country_id=self.reference.countries.get(prefix)
            if len(prefix) == 2 and prefix not in ("XI", "XM")
            else None,
            line=org.line,
        )
        self.pending.append(pending)
        if org.ref:
            self.by_ref[org.ref] = pending
        if org.name:
            self.by_name[normalise_name(org.name)] = pending
        return pending

    def take_pending(self) -> list[PendingOrganisation]:
        """The organisations to create met since the last call (handed to the batch that first names them)."""
        taken, self.pending = self.pending, []
        return taken

    def reserved(self, pending: list[PendingOrganisation], keys: list[int]) -> None:
        """The keys reserved for these organisations (`core.bulk.reserve_keys`): known by them from now on."""
        for org, key in zip(pending, keys, strict=True):
            org.key = key
            self.countries[key] = org.country_id

    def create_pending(
        self, pending: list[PendingOrganisation], user: Any, reason: str, run: ImportRun | None = None
    ) -> int:
        """Create these organisations (with history and, for a run, their source); returns how many."""
        new = [p for p in pending if p.instance is None]
        if not new:
            return 0
        instances = [
            Organisation(
                pk=p.key,  # reserved when planned, on PostgreSQL
                name=p.name,
                kind=p.kind,
                iati_identifier=p.ref,
                iati_type_id=p.iati_type_id,
                country_id=p.country_id,
                owning_province=self.owning_province,
            )
            for p in new
        ]
        created = create_records(Organisation, instances, user=user, reason=reason)
        for org, instance in zip(new, created, strict=True):
            org.instance = instance
            self.countries[instance.pk] = instance.country_id
        if run is not None:
            kind = ContentType.objects.get_for_model(Organisation)
            RecordSource.objects.bulk_create(
                [
                    RecordSource(
                        content_type=kind,
                        object_id=p.instance.pk,
                        run=run,
                        identifier=(p.ref or p.name)[:250],
                        line=p.line,
                    )
                    for p in new
                    if p.instance is not None
                ]
            )
        return len(new)

    @staticmethod
    def id_of(found: Any) -> int:
        if not isinstance(found, PendingOrganisation):
            return int(found)
        if found.instance is None:
            if found.key is not None:
                return found.key
            raise RuntimeError(f"The organisation {found.name or found.ref} is used before it is created.")
        return found.instance.pk


def existing_items(batch: list[ParsedActivity]) -> dict[str, AidItem]:
    """The stored items of the batch's activities, by the activity's identifier: the item with that IATI
    identifier, else the item whose public id the activity gives as its internal identifier (A1) — how
    Amity's own export names an item that has no IATI identifier, so that it comes back to the same item."""
    items = AidItem.all_objects.select_related("owning_province")
    existing = {item.iati_identifier: item for item in items.filter(iati_identifier__in=[a.identifier for a in batch])}
    by_public_id: dict[uuid.UUID, str] = {}
    for activity in batch:
        if activity.identifier in existing:
            continue
        for ref, kind in activity.other_identifiers:
            public_id = uuid_or_none(ref) if kind == OTHER_ID_INTERNAL else None
            if public_id is not None:
                by_public_id[public_id] = activity.identifier
    if by_public_id:
        for item in items.filter(public_id__in=list(by_public_id)):
            existing.setdefault(by_public_id[item.public_id], item)
    return existing


# The stored transaction's columns that `transaction_key` compares, with its aid item: what a re-import reads of
# the transactions of existing items (rows, not instances; the few that are gone are fetched whole to be deleted).
TRANSACTION_KEY_COLUMNS = (
    "aid_item_id",
    "transaction_type",
    "date",
    "value_date",
    "amount",
    "currency_id",
    "provider_id",
    "receiver_id",
    "description",
    "viet_nam_share",
)


def transaction_key(tx: Any, provider_id: int | None, receiver_id: int | None) -> tuple[Any, ...]:
    """What makes a transaction the same one on the next import (IATI transactions rarely carry a reference)."""
    return (
        tx.transaction_type,
        tx.date,
        tx.value_date,
        tx.amount,
        tx.currency_id,
        provider_id,
        receiver_id,
        tx.description,
        tx.viet_nam_share,
    )


class ExistingParts:
    """The stored parts and alive transactions of the batch's existing items, read in five queries."""

    def __init__(self, item_ids: list[int]) -> None:
        self.rows: dict[int, dict[str, set[tuple[Any, ...]]]] = defaultdict(
            lambda: {"sectors": set(), "locations": set(), "participants": set(), "budgets": set()}
        )
        self.transactions: dict[int, list[Any]] = defaultdict(list)  # rows of the key's fields, not instances
        if not item_ids:
            return
        for item_id, sector_id, pct in SectorSplit.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "sector_id", "percentage"
        ):
            self.rows[item_id]["sectors"].add((sector_id, pct))
        for item_id, unit_id, pct in LocationSplit.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "unit_id", "percentage"
        ):
            self.rows[item_id]["locations"].add((unit_id, pct))
        for item_id, org_id, role in AidParticipant.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "organisation_id", "role"
        ):
            self.rows[item_id]["participants"].add((org_id, role))
        for row in Budget.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "kind", "status", "period_start", "period_end", "amount", "currency_id", "value_date"
        ):
            self.rows[row[0]]["budgets"].add(tuple(row[1:]))
        for tx in Transaction.objects.filter(aid_item_id__in=item_ids).values_list(
            "id", *TRANSACTION_KEY_COLUMNS, named=True
        ):
            self.transactions[tx.aid_item_id].append(tx)

    def differ(self, item_id: int, wanted: dict[str, set[tuple[Any, ...]]], tx_keys: Counter[tuple[Any, ...]]) -> bool:
        stored = self.rows[item_id]
        if any(stored[name] != rows for name, rows in wanted.items()):
            return True
        have = Counter(transaction_key(t, t.provider_id, t.receiver_id) for t in self.transactions.get(item_id, []))
        return have != tx_keys


def uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
