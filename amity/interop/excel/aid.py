"""The aid items (with their sector and location sheets) and transactions sheets: each row read, mapped to what
the aid services take and matched to the records it names. The rules of aid data are the services' own, applied
in a dry run of the write (`saving.save_planned`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from amity.aid import rules
from amity.aid.choices import Modality, ParticipantRole, TransactionType
from amity.aid.models import AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from amity.aid.services import (
    AidItemParts,
    LocationShare,
    Participation,
    SectorShare,
)
from amity.core.scoping import Action
from amity.core.services import chunks
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, Currency

from . import problems as P
from .cells import INVALID, blank_texts, cell_text, code_of, row_fields, uuid_of
from .matching import Matcher
from .reader import FORMULA, RawRow, SheetData
from .saving import Place, Planned

# --- aid items -----------------------------------------------------------------------------------------------


MODALITY_CODES = frozenset(Modality.values)
ERA_CODES = frozenset(Era.values)
TRANSACTION_TYPE_CODES = frozenset(TransactionType.values)


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


class AidItemChecker(Matcher):
    """Reads the aid items of a file with their sector and location shares, and matches them to those stored;
    the rules of aid items are the service's (`aid_items_save`, in a dry run)."""

    model = AidItem
    checked_by_service = True

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["aid_items"]
        ids = {uid for row in sheet.rows if (uid := uuid_of(row.values.get("id"))) is not None}
        records, changeable = self.existing(ids)
        iatis = {cell_text(row.values["iati_identifier"]) for row in sheet.rows if row.values.get("iati_identifier")}
        references = {cell_text(row.values["reference"]) for row in sheet.rows if row.values.get("reference")}
        # One instance per record, however the file names it (by id, IATI identifier or reference): its parts are
        # prefetched once, in three queries for the file.
        instances: dict[int, AidItem] = {record.pk: record for record in records.values()}

        def one(found: AidItem) -> AidItem:
            return instances.setdefault(found.pk, found)

        by_iati = {
            i.iati_identifier: one(i)
            for chunk in chunks(iatis)
            for i in AidItem.all_objects.filter(iati_identifier__in=chunk)
        }
        by_reference: dict[tuple[int | None, str], list[AidItem]] = defaultdict(list)  # by province (None: the centre)
        for chunk in chunks(references):
            for found in AidItem.all_objects.filter(reference__in=chunk):
                by_reference[(found.owning_province_id, found.reference)].append(one(found))
        changeable |= self.changeable_pks(
            {i.pk for i in by_iati.values()} | {i.pk for group in by_reference.values() for i in group}
        )
        self.stored_parts = StoredParts(instances)
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
            data = row_fields(values)
            item = _ItemRow(row, record, data or {}, version, donor if donor is not INVALID else None)
            for key in (
                cell_text(row.values.get("id") or ""),
                cell_text(row.values.get("iati_identifier") or ""),
                cell_text(row.values.get("reference") or ""),
            ):
                if key:
                    keys[key.casefold()].append(item)
            items.append(item)
            if data is None or not usable or donor is INVALID:
                item.broken = True
                continue
            blank_texts(data, ("reference", "iati_identifier", "title_en", "description"))
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
        for chunk in chunks({code for _era, code in wanted}):
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
                    self.report(
                        sheet, row, "unit", P.UNKNOWN_UNIT, value=cell_text(row.values.get("unit"))[:40], era=era
                    )
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
            stored = self.stored_parts
            if sectors is not None and stored.sectors[record.pk] == {
                (s.sector.pk, s.percentage.normalize()) for s in sectors
            }:
                sectors = None
            if locations is not None and stored.locations[record.pk] == {
                (s.unit.pk, s.percentage.normalize()) for s in locations
            }:
                locations = None
        participants = None
        if item.donor is not None:
            current = self.stored_parts.participants[record.pk] if record is not None else []
            funders = {p.organisation.pk for p in current if p.role == ParticipantRole.FUNDING}
            if item.donor.pk not in funders:
                others = [p for p in current if p.role != ParticipantRole.FUNDING]
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


class StoredParts:
    """The stored shares and participants of the aid items a file names, read as rows in three queries per chunk
    (not a model instance each): what a row's parts are compared with."""

    def __init__(self, items: Mapping[int, AidItem]) -> None:
        self.sectors: dict[int, set[tuple[int, Decimal]]] = defaultdict(set)
        self.locations: dict[int, set[tuple[int, Decimal]]] = defaultdict(set)
        self.participants: dict[int, list[Participation]] = defaultdict(list)
        for chunk in chunks(items):
            for item_id, sector_id, percentage in SectorSplit.objects.filter(aid_item_id__in=chunk).values_list(
                "aid_item_id", "sector_id", "percentage"
            ):
                self.sectors[item_id].add((sector_id, percentage.normalize()))
            for item_id, unit_id, percentage in LocationSplit.objects.filter(aid_item_id__in=chunk).values_list(
                "aid_item_id", "unit_id", "percentage"
            ):
                self.locations[item_id].add((unit_id, percentage.normalize()))
            participants = AidParticipant.objects.filter(aid_item_id__in=chunk).select_related("organisation")
            for participant in participants.order_by("pk"):
                self.participants[participant.aid_item_id].append(
                    Participation(participant.organisation, participant.role)
                )


# --- transactions --------------------------------------------------------------------------------------------


class TransactionChecker(Matcher):
    """Reads the transactions of a file and matches them to those stored (by id, else as the same transaction
    uploaded again); the rules of transactions are the service's (`transactions_save`, in a dry run)."""

    model = Transaction
    checked_by_service = True

    def run(self) -> list[Planned]:
        sheet = self.read.sheets["transactions"]
        ids = {uid for row in sheet.rows if (uid := uuid_of(row.values.get("id"))) is not None}
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
            data = row_fields(values)
            if data is None or not usable or aid_item is None:
                continue
            blank_texts(data, ("description",))
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
            # Named by its aid item as an office knows it (a transaction has no name of its own), with its amount.
            identifier = aid_item.reference or aid_item.iati_identifier or aid_item.title_vi
            planned_row = self.plan(sheet, row, record, {"aid_item": aid_item, **data}, version, identifier=identifier)
            planned_row.amount = (data["amount"], data["currency"].code)
            planned.append(planned_row)
        return planned

    def _aid_items(self, sheet: SheetData) -> tuple[dict[str, AidItem], set[int]]:
        """Aid items the file names (by id, IATI identifier or reference) among those the user may see."""
        names = {
            cell_text(row.values["aid_item"]) for row in sheet.rows if row.values.get("aid_item") not in (None, FORMULA)
        }
        uuids = {uid for name in names if (uid := uuid_of(name)) is not None}
        texts = names - {str(uid) for uid in uuids}
        found: dict[int, AidItem] = {}
        visible = AidItem.objects.restrict(self.user, Action.VIEW)
        for chunk in chunks(uuids):
            found.update({i.pk: i for i in visible.filter(public_id__in=chunk)})
        for chunk in chunks(texts):
            found.update({i.pk: i for i in visible.filter(Q(iati_identifier__in=chunk) | Q(reference__in=chunk))})
        by_name: dict[str, list[AidItem]] = defaultdict(list)
        for item in found.values():
            for key in {str(item.public_id), item.iati_identifier, item.reference} - {""}:
                by_name[key.casefold()].append(item)
        self._ambiguous = {key for key, group in by_name.items() if len(group) > 1}
        return {key: group[0] for key, group in by_name.items()}, self._changeable_items(found)

    def _changeable_items(self, found: dict[int, AidItem]) -> set[int]:
        allowed: set[int] = set()
        for chunk in chunks(found):
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
        for chunk in chunks(item_pks):
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
