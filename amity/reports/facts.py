"""Maintenance of the report facts: Viet Nam's share of every transaction (`Transaction.viet_nam_share`, rounded
half-even to the cent or đồng) split over its aid item's sectors, then each sector part over its locations, by
largest remainder, separately for the original amount, USD and VND. Amounts may be negative (reversals): a
negative amount is split as its size, with the sign put back on each part.

The order of the parts decides ties and is part of the definition (the SQL floor of the benchmark and the
correctness test reproduce it): sectors by code (an item without sectors has one unnamed sector), then
locations by era and unit code.

Two implementations, equal to the last cent and đồng (`reports/tests/test_floor.py`): `fact_rows` in Python,
in whole units (`allocate_units`) when the shares are whole basis points, and `facts_insert_sql`, one
`INSERT … SELECT` whose window functions allocate in the database (`floor.parts_cte`), for batch writers that
refresh items already stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from amity.aid.choices import ParticipantRole
from amity.aid.models import AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from amity.core.bulk import insert_rows
from amity.core.money import CENT, HUNDRED, allocate, allocate_checked, percentage_of
from amity.reference.choices import Era, UnitLevel

from .models import ReportFact

VND_UNIT = Decimal(1)
BATCH = 2000


@dataclass(frozen=True)
class SectorPart:
    sector_id: int | None
    category_id: int | None
    weight: Decimal


@dataclass(frozen=True)
class LocationPart:
    province_id: int | None  # None: nationwide, not allocated to a province
    old_province_id: int | None
    weight: Decimal


# An item without locations is nationwide aid (or not yet located): one part that no province has.
NATIONWIDE = LocationPart(None, None, Decimal(100))


WHOLE = 10_000  # 100 % in basis points


def _basis_points(weights: Sequence[Decimal]) -> list[int] | None:
    """The weights as whole basis points, none negative, adding up to 100 %, or None when they are not."""
    points = [int(weight * 100) for weight in weights]
    if sum(points) != WHOLE or any(p < 0 or p != w * 100 for p, w in zip(points, weights, strict=True)):
        return None
    return points


@dataclass
class ItemShape:
    """What an aid item contributes to every fact of its transactions."""

    sectors: list[SectorPart]
    locations: list[LocationPart]
    modality: str
    status: str
    is_relief: bool
    first_donor_id: int | None
    points: tuple[list[int], list[int]] | None = field(init=False)
    # The columns each part of a transaction takes from the item, in the order of `split`'s parts: sector,
    # sector category, province, province of the 63.
    cells: list[tuple[int | None, int | None, int | None, int | None]] = field(init=False)

    def __post_init__(self) -> None:
        # Shares of whole basis points adding up to 100 %, as the services keep them: split by integer
        # arithmetic (`allocate_checked`: checked here once), the same parts several times faster than with
        # Decimals.
        sector_points = _basis_points([s.weight for s in self.sectors])
        location_points = _basis_points([loc.weight for loc in self.locations])
        self.points = (sector_points, location_points) if sector_points and location_points else None
        self.cells = [
            (sector.sector_id, sector.category_id, location.province_id, location.old_province_id)
            for sector in self.sectors
            for location in self.locations
        ]


def split(total: Decimal, shape: ItemShape, quantum: Decimal) -> list[Decimal]:
    """The parts of `total`, sector-major: [s0·l0, s0·l1, …, s1·l0, …]."""
    if shape.points is not None:
        units = int(total / quantum)
        whole = quantum * units
        if whole == total:
            if len(shape.cells) == 1:  # one sector (or none) and one location (or nationwide): the whole
                return [whole]
            sector_points, location_points = shape.points  # checked: whole basis points adding up to 100 %
            by_sector = [units] if len(sector_points) == 1 else allocate_checked(units, sector_points, WHOLE)
            if len(location_points) == 1:
                return [quantum * part for part in by_sector]
            return [
                quantum * part
                for sector_units in by_sector
                for part in allocate_checked(sector_units, location_points, WHOLE)
            ]
    parts: list[Decimal] = []
    for sector_part in allocate(total, [s.weight for s in shape.sectors], quantum):
        parts.extend(allocate(sector_part, [loc.weight for loc in shape.locations], quantum))
    return parts


def shape_in_hand(
    sectors: Iterable[tuple[str, int, int | None, Decimal]],
    locations: Iterable[tuple[str, str, str, int, int | None, int, Decimal]],
    *,
    modality: str,
    status: str,
    is_relief: bool,
    first_donor_id: int | None,
) -> ItemShape:
    """An item's shape from its splits in any order: `sectors` as (code, sector id, category id, share),
    `locations` as (era, unit code, unit level, unit id, the unit's province id, current province id, share).
    Here the order of the parts is defined (sectors by code, locations by era and unit code) and the province
    of the 63 that an old-era unit lay in; `_shapes` reads the splits stored, writers pass those in hand."""
    return ItemShape(
        # A share given as a DAC 3-digit category (it has no category of its own) counts under itself.
        sectors=[
            SectorPart(sector_id, category_id or sector_id, weight)
            for _code, sector_id, category_id, weight in sorted(sectors, key=lambda s: s[0])
        ]
        or [SectorPart(None, None, Decimal(100))],
        locations=[
            LocationPart(
                province_id,
                (unit_id if level == UnitLevel.PROVINCE else unit_province_id) if era == Era.PRE2025 else None,
                weight,
            )
            for era, _code, level, unit_id, unit_province_id, province_id, weight in sorted(
                locations, key=lambda loc: loc[:2]
            )
        ]
        or [NATIONWIDE],
        modality=modality,
        status=status,
        is_relief=is_relief,
        first_donor_id=first_donor_id,
    )


def _shapes(item_ids: Sequence[int]) -> dict[int, ItemShape]:
    items = AidItem.all_objects.filter(pk__in=item_ids).values_list("pk", "modality", "status", "is_relief")
    sectors: dict[int, list[Any]] = defaultdict(list)
    for item_id, *sector in SectorSplit.objects.filter(aid_item_id__in=item_ids).values_list(
        "aid_item_id", "sector__code", "sector_id", "sector__category_id", "percentage"
    ):
        sectors[item_id].append(sector)
    locations: dict[int, list[Any]] = defaultdict(list)
    for item_id, *location in LocationSplit.objects.filter(aid_item_id__in=item_ids).values_list(
        "aid_item_id",
        "unit__era",
        "unit__code",
        "unit__level",
        "unit_id",
        "unit__province_id",
        "current_province_id",
        "percentage",
    ):
        locations[item_id].append(location)
    donors: dict[int, int] = {}
    for item_id, organisation_id in (
        AidParticipant.objects.filter(aid_item_id__in=item_ids, role=ParticipantRole.FUNDING)
        .order_by("aid_item_id", "pk")
        .values_list("aid_item_id", "organisation_id")
    ):
        donors.setdefault(item_id, organisation_id)
    return {
        pk: shape_in_hand(
            sectors[pk],
            locations[pk],
            modality=modality,
            status=status,
            is_relief=is_relief,
            first_donor_id=donors.get(pk),
        )
        for pk, modality, status, is_relief in items
    }


# The columns of a fact as `fact_rows` gives them (one tuple per fact: no model instance per row).
FACT_COLUMNS = (
    "transaction_id",
    "aid_item_id",
    "transaction_type",
    "value_date",
    "year",
    "sector_id",
    "sector_category_id",
    "province_id",
    "old_province_id",
    "donor_id",
    "donor_country_id",
    "modality",
    "status",
    "is_relief",
    "currency_id",
    "amount",
    "amount_usd",
    "amount_vnd",
)


def fact_rows(
    transactions: Iterable[Any], shapes: Mapping[int, ItemShape], countries: Mapping[int, int | None]
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for tx in transactions:
        shape = shapes[tx.aid_item_id]
        donor_id = tx.provider_id or shape.first_donor_id
        donor_country_id = countries.get(donor_id) if donor_id else None
        amount, usd, vnd = tx.amount, tx.amount_usd, tx.amount_vnd
        share = tx.viet_nam_share  # only Viet Nam's share of a multi-country transaction counts
        if share != HUNDRED:  # rare: most transactions are Viet Nam's whole
            amount, usd, vnd = (
                percentage_of(amount, share, CENT),
                percentage_of(usd, share, CENT),
                percentage_of(vnd, share, VND_UNIT),
            )
        head = (tx.id, tx.aid_item_id, tx.transaction_type, tx.value_date, tx.value_date.year)
        tail = (donor_id, donor_country_id, shape.modality, shape.status, shape.is_relief, tx.currency_id)
        rows.extend(
            (*head, *cell, *tail, original, part_usd, part_vnd)
            for cell, original, part_usd, part_vnd in zip(
                shape.cells,
                split(amount, shape, CENT),
                split(usd, shape, CENT),
                split(vnd, shape, VND_UNIT),
                strict=True,
            )
        )
    return rows


# Inside `facts_deferred()`, refreshes are collected and done once at its end (a batch of service writes).
_deferred: ContextVar[set[int] | None] = ContextVar("amity_facts_deferred", default=None)


def donor_items(donor_public_id: Any) -> QuerySet[Any]:
    """The ids of the aid items whose facts may name this donor (`fact_rows`: a transaction's provider, or else
    the item's first funding participant) — a superset, for narrowing a read of the facts to a few items through
    their index before the exact `donor` condition (the facts keep no index on the donor: every import pays for
    each index). One query, two index lookups."""
    funded = AidParticipant.objects.filter(organisation__public_id=donor_public_id, role=ParticipantRole.FUNDING)
    provided = Transaction.all_objects.filter(provider__public_id=donor_public_id)
    return funded.order_by().values("aid_item_id").union(provided.order_by().values("aid_item_id"))


@contextmanager
def facts_deferred() -> Iterator[None]:
    """Collect the facts refreshes of the writes inside and do them once, for every item touched, at the end —
    inside the caller's transaction. An upload of thousands of rows written through the per-record services
    would otherwise refresh the facts (and rollups) once per row."""
    if _deferred.get() is not None:  # already deferring: the outer block refreshes
        yield
        return
    token = _deferred.set(set())
    try:
        yield
        ids = _deferred.get() or set()
    finally:
        _deferred.reset(token)
    facts_refresh(ids)


def facts_insert_sql(aid_item_ids: Sequence[int] | None = None) -> int:
    """Insert the facts of these aid items (None: of all) with one `INSERT … SELECT` that allocates in SQL —
    the integer arithmetic of `amity.reports.floor.parts_cte`, equal to `fact_rows` to the last cent and đồng
    (test_floor proves it). For batch writers: no transaction, split or fact travels through Python."""
    from django.db import connection

    from .floor import FACT_AMOUNTS, parts_cte

    cte, params = parts_cte(
        connection.vendor, FACT_AMOUNTS, reported_only=False, with_attributes=True, item_ids=aid_item_ids
    )
    quote = connection.ops.quote_name
    # Integer units back to decimals: exact NUMERIC division on PostgreSQL; on SQLite a REAL division, which
    # stores the same value as Django's own decimal adaptation (the nearest double, or an INTEGER if whole).
    divide = "CAST(p.{name} AS NUMERIC) / {scale}" if connection.vendor == "postgresql" else "p.{name} / {scale}.0"
    amounts = ", ".join(divide.format(name=a.name, scale=a.scale) for a in FACT_AMOUNTS)
    select = (
        f"SELECT p.tx_id, p.item_id, p.type, p.value_date, p.year, p.sector_id, p.category_id, p.province_id,"
        f" p.old_province_id, p.donor_id, o.country_id, p.modality, p.status, p.is_relief, p.currency_id, {amounts}"
        f" FROM parts p LEFT JOIN {quote('organisations_organisation')} o ON o.id = p.donor_id"
    )
    table = quote(ReportFact._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(FACT_COLUMNS)}) {cte} {select}", params)
        inserted: int = cursor.rowcount  # DB-API cursors are untyped
        return max(inserted, 0)


def facts_refresh(aid_item_ids: Iterable[int], *, rollups: bool = True, in_sql: bool = False) -> int:
    """Rebuild the facts of these aid items (call inside the write's transaction); returns facts written.

    Deleted items and deleted transactions leave no facts. The yearly rollups get the difference, or are
    rebuilt when more items changed than one batch (cheaper then); without `rollups`, the caller brings them up
    to date (a rebuild). Inside `facts_deferred()`, the items are only noted. With `in_sql`, the facts are
    allocated and the rollups summed by the database (`facts_insert_sql`, `rollup_deltas`): for batch writers,
    whose items are many; the per-record services keep the Python path, cheaper for one item.
    """
    pending = _deferred.get()
    if pending is not None:
        pending.update(aid_item_ids)
        return 0
    from amity.organisations.models import Organisation

    from .rollups import rollup_deltas, rollups_rebuild

    ids = sorted(set(aid_item_ids))
    deltas = rollups and len(ids) <= BATCH
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        if deltas:
            rollup_deltas(chunk, -1)
        ReportFact.objects.filter(aid_item_id__in=chunk).delete()
        if in_sql:
            added = facts_insert_sql(chunk)
            if deltas and added:
                rollup_deltas(chunk, 1)
            written += added
            continue
        alive = list(AidItem.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        if not alive:
            continue
        shapes = _shapes(alive)
        # Named rows, listed in a second step: inside list(...) the plugin makes the row type twice, and the
        # two named tuples it makes do not match.
        selected = Transaction.objects.filter(aid_item_id__in=alive).values_list(
            "id",
            "aid_item_id",
            "transaction_type",
            "value_date",
            "provider_id",
            "currency_id",
            "amount",
            "amount_usd",
            "amount_vnd",
            "viet_nam_share",
            named=True,
        )
        transactions = list(selected)
        donor_ids = {tx.provider_id for tx in transactions} | {s.first_donor_id for s in shapes.values()}
        countries = dict(
            Organisation.all_objects.filter(pk__in=[d for d in donor_ids if d]).values_list("pk", "country_id")
        )
        rows = fact_rows(transactions, shapes, countries)
        insert_rows(ReportFact, FACT_COLUMNS, rows)  # tuples, not model instances: see amity.core.bulk
        if deltas:
            rollup_deltas(alive, 1)
        written += len(rows)
    if rollups and not deltas:
        rollups_rebuild()
    return written


class FactsKeeper:
    """The report facts and rollups as the keeper of derived rows (`amity.core.derived`)."""

    def aid_items_changed(self, aid_item_ids: Iterable[int]) -> None:
        facts_refresh(aid_item_ids)

    def organisations_changed(self, organisation_ids: Iterable[int]) -> None:
        """Facts copy the donor's country: rebuild those of the aid the organisations fund or provide."""
        from django.db.models import Q

        ids = list(organisation_ids)
        funded = AidItem.all_objects.filter(
            Q(participants__organisation_id__in=ids) | Q(transactions__provider_id__in=ids)
        ).values_list("pk", flat=True)
        facts_refresh(set(funded))


def facts_rebuild_all() -> int:
    """Rebuild every fact and the rollups (after a bulk load or to repair); returns facts written."""
    from .rollups import rollups_rebuild

    ReportFact.objects.all().delete()
    written = facts_refresh(AidItem.objects.values_list("pk", flat=True), rollups=False)
    rollups_rebuild()
    return written
