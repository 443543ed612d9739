"""Yearly rollups of the report facts (`ReportRollup`): the aggregate tables that keep national reports
interactive at 1,000,000 transactions (2.8 million facts) and beyond.

A grain is a set of fact columns; its rows are the facts summed by those columns. `report()` reads the
smallest grain that has every column the report groups or filters by, when the report allows it: whole-year
periods (or none), money measures only (distinct counts need the facts), value-date or fixed-rate basis (the
rates of a date need each currency), no beneficiary filter, and a user whose scope is a province or everything
(an NGO representative's scope goes through the aid item). Anything else reads the facts.

Maintenance is by differences, in the same transaction as the facts (`facts_refresh`): the facts an item had are
added with a minus sign, the facts it now has with a plus sign, one `INSERT … SELECT … GROUP BY` per grain
(`rollup_deltas`; an import adds its new items to the finest grains a batch at a time, `rollups_sent_ahead`,
and to the coarse ones once, at its end). So writers never update a shared row
(no lock contention, the same SQL on SQLite and PostgreSQL), a key may have several rows, and `parts` (the facts
counted) tells a key whose facts are all gone (a report keeps only groups with parts > 0). `rollups_rebuild`
rebuilds them from the facts, which also compacts the differences (after bulk loads; periodically, e.g. nightly).

Every row of every grain also says whether its facts are official (`is_official`: the item's status is one of
`OFFICIAL_STATUSES`, DESIGN.md invariant 11), derived from the facts' status as they are summed. The default,
official figures read a grain's rows with `is_official` true; a report of every status reads the same grain
without the condition. A flag rather than the status keeps grains 1–4 at most twice as long (docs/ARCHITECTURE.md,
Reports); a report filtering by one status reads grain 5, which has the status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection, transaction

from amity.aid.choices import OFFICIAL_STATUSES
from amity.core.bulk import grouping_memory, member_of, send_ahead
from amity.reference.choices import Era

from .models import ReportFact, ReportRollup
from .spec import BasisKind, Dimension, ReportSpec

_FINEST = (
    "year",
    "transaction_type",
    "province_id",
    "old_province_id",
    "sector_id",
    "sector_category_id",
    "donor_id",
    "donor_country_id",
    "modality",
    "status",
    "is_relief",
)
DELTA_CHUNK = 5000  # items per statement on SQLite (fewer where it takes fewer parameters)
# Smallest first; every grain has the year, the type and the province (the scope of provincial users).
GRAINS: dict[int, tuple[str, ...]] = {
    1: ("year", "transaction_type", "province_id"),
    2: ("year", "transaction_type", "province_id", "sector_category_id"),
    3: ("year", "transaction_type", "province_id", "old_province_id", "sector_category_id"),
    4: ("year", "transaction_type", "province_id", "donor_country_id", "donor_id"),
    5: _FINEST,
}
_DIMENSION_COLUMNS = {
    Dimension.YEAR: "year",
    Dimension.SECTOR: "sector_id",
    Dimension.SECTOR_CATEGORY: "sector_category_id",
    Dimension.DONOR: "donor_id",
    Dimension.DONOR_COUNTRY: "donor_country_id",
    Dimension.MODALITY: "modality",
    Dimension.STATUS: "status",
}
_FILTER_COLUMNS = {
    "donor": "donor_id",
    "donor_country": "donor_country_id",
    "modality": "modality",
    "status": "status",
    "is_relief": "is_relief",
}


def _whole_years(start: date | None, end: date | None) -> bool:
    return (start is None or (start.month, start.day) == (1, 1)) and (end is None or (end.month, end.day) == (12, 31))


def rollup_grain(user: Any, spec: ReportSpec) -> int | None:
    """The grain `report()` may read for this user and spec, or None for the facts."""
    if not ReportRollup.scope_policy.allows(user, "view"):
        return None
    if not all(measure.is_money for measure in spec.measures) or spec.basis.kind == BasisKind.RATES_ON:
        return None
    if not _whole_years(spec.date_from, spec.date_to) or spec.filters.get("beneficiary"):
        return None
    if Dimension.BENEFICIARY in spec.group_by:  # beneficiary groups live on the aid item, not in the rollups
        return None
    province_column = "province_id" if spec.era == Era.CURRENT else "old_province_id"
    needed = {province_column if d == Dimension.PROVINCE else _DIMENSION_COLUMNS[d] for d in spec.group_by}
    for key, value in spec.filters.items():
        if not value:
            continue
        if key == "province":
            needed.add(province_column)
        elif key == "sector":
            needed.add("sector_category_id" if len(value) == 3 else "sector_id")
        elif key in _FILTER_COLUMNS:
            needed.add(_FILTER_COLUMNS[key])
    return next(grain for grain, columns in GRAINS.items() if needed <= set(columns))


def _grain_statements(
    sign: int, where: str, params: Sequence[Any], grains: Iterable[int]
) -> list[tuple[str, list[Any]]]:
    """One `INSERT … SELECT … GROUP BY` per grain: the sums of the facts `where` says (all: empty), times `sign`,
    appended to the rollups, so the sums never travel through Python."""
    quote = connection.ops.quote_name
    facts, rollup = quote(ReportFact._meta.db_table), quote(ReportRollup._meta.db_table)
    condition = f" WHERE {where}" if where else ""
    official = sorted(OFFICIAL_STATUSES)
    flagged = (
        f"(SELECT *, {quote('status')} IN ({', '.join(['%s'] * len(official))}) AS is_official"
        f" FROM {facts}{condition}) flagged"
    )
    statements = []
    for grain in grains:
        names = ", ".join(quote(column) for column in (*GRAINS[grain], "is_official"))
        statements.append(
            (
                f"INSERT INTO {rollup} (grain, {names}, amount_usd, amount_vnd, parts)"
                f" SELECT %s, {names}, %s * ROUND(SUM(amount_usd), 2), %s * ROUND(SUM(amount_vnd), 0),"
                f" %s * COUNT(*) FROM {flagged} GROUP BY {names}",
                [grain, sign, sign, sign, *official, *params],
            )
        )
    return statements


def _sum_into_grains(
    cursor: Any, sign: int, where: str = "", params: Sequence[Any] = (), grains: Iterable[int] = GRAINS
) -> int:
    """Every grain's (or the `grains'`) sums of the facts `where` says, times `sign`, appended to the rollups;
    returns the rows written."""
    written = 0
    with grouping_memory():  # the facts hashed in memory, not sorted on disk
        for sql, statement_params in _grain_statements(sign, where, params, grains):
            cursor.execute(sql, statement_params)
            written += max(cursor.rowcount, 0)
    return written


def rollup_deltas(aid_item_ids: Sequence[int], sign: int, grains: Iterable[int] = GRAINS) -> int:
    """Add (sign 1) or subtract (sign -1) the current facts of these aid items to every grain (or the `grains`
    given); returns the rows written. Call with -1 before the items' facts are deleted and with 1 after the new
    ones are written (an import adds the rollups of all its new items at its end, this way)."""
    ids = list(aid_item_ids)
    grains = list(grains)
    # PostgreSQL takes the ids as one array: one statement per grain sums the keys an import's items share.
    if connection.vendor == "postgresql":
        chunk = max(len(ids), 1)
    else:
        chunk = min(DELTA_CHUNK, (connection.features.max_query_params or DELTA_CHUNK) - 10)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), chunk):
            membership, params = member_of(ids[start : start + chunk])
            written += _sum_into_grains(cursor, sign, membership.format(column="aid_item_id"), params, grains)
    return written


def rollups_sent_ahead(aid_item_ids: Sequence[int], grains: Iterable[int]) -> None:
    """`rollup_deltas(aid_item_ids, 1, grains)` sent without waiting for it (`core.bulk.writes_sent_ahead`):
    an import adds the grains whose keys its batches hardly share (the finest, the donors') a batch at a time,
    summed by the server while the next batch is made, and the others once, at its end."""
    if not aid_item_ids:
        return
    if connection.vendor != "postgresql":  # nothing is sent ahead there: added now, in chunks of ids
        rollup_deltas(aid_item_ids, 1, grains)
        return
    membership, params = member_of(list(aid_item_ids))
    for sql, statement_params in _grain_statements(1, membership.format(column="aid_item_id"), params, grains):
        send_ahead(sql, statement_params)


def rollups_rebuild() -> int:
    """Every grain summed again from the facts (compacting the differences); returns the rows written. In one
    transaction that, on PostgreSQL, holds back writers of the facts until it commits (readers go on)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {quote(ReportFact._meta.db_table)} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {quote(ReportRollup._meta.db_table)}")
        return _sum_into_grains(cursor, 1)
