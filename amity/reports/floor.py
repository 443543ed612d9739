"""The SQL floor of the report benchmarks: for each benchmark case, one hand-written SQL query over the base
tables (transactions, aid items, sector and location shares, reference tables; never the report facts) that
returns the same figures as `amity.reports.selectors.report`, to the last cent or đồng.

The query reproduces `amity.reports.facts` exactly, in integer arithmetic (cents for USD and original amounts,
đồng for VND), with window functions that PostgreSQL and SQLite both have:

1. sectors: bp = ROUND(percentage × 100) (basis points, 10,000 for an item without sectors, which has one
   unnamed sector); floor = units × bp / 10,000, remainder = units × bp mod 10,000; the leftover
   units − Σ floor go one each to the parts with the largest remainder, ties to the lower sector code;
2. locations: each sector part the same way over the item's locations, ties by unit era then unit code (an item
   without locations is nationwide: one part with no province).

Only alive aid items and transactions count (`deleted_at IS NULL`), as in the facts. The donor of a part is
the transaction's provider, else the item's first funding participant.

The cases (see `benchmarks/bench.py`): the national dashboard and a province's dashboard (`DASHBOARD`: the
yearly series of commitments and disbursements, then for one year the disbursements by sector category, by
donor country, the top 10 donors and by province), and the grouped report year × sector category × province
in VND at value-date rates. Each floor function returns figures keyed like `report_figures` keys the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from amity.aid.choices import COMMITMENT_TYPES, DISBURSEMENT_TYPES
from amity.core.bulk import member_of

from .spec import Dimension, Measure, ReportSpec

# (committed, disbursed); None where the measure is not asked.
Pair = tuple[Decimal | None, Decimal | None]
Figures = dict[str, dict[Any, Pair]]

COMMITTED_SQL = ", ".join(f"'{t}'" for t in sorted(COMMITMENT_TYPES))
DISBURSED_SQL = ", ".join(f"'{t}'" for t in sorted(DISBURSEMENT_TYPES))
TOP_DONORS = 10


@dataclass(frozen=True)
class Amount:
    """One allocated amount: `name` in the parts, taken from the transaction's `column` in `scale` units
    (100: cents; 1: đồng)."""

    name: str
    column: str
    scale: int


USD = Amount("units", "amount_usd", 100)
VND = Amount("units", "amount_vnd", 1)
# The facts' three amounts (original currency and USD in cents, VND in đồng).
FACT_AMOUNTS = (
    Amount("amount", "amount", 100),
    Amount("amount_usd", "amount_usd", 100),
    Amount("amount_vnd", "amount_vnd", 1),
)


def _year(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _units(expression: str, scale: int) -> str:
    """A stored decimal as integer units (exact on PostgreSQL; SQLite keeps decimals as REAL, hence ROUND)."""
    return f"CAST(ROUND({expression} * {scale}) AS BIGINT)"


def _counted_units(expression: str, scale: int) -> str:
    """The size of Viet Nam's share of a stored amount in integer units: |units| × share in basis points /
    10,000, rounded half-even (`amity.core.money.percentage_of`); the whole size at 100 %."""
    size = f"ABS({_units(expression, scale)})"
    points = _units("t.viet_nam_share", 100)
    whole, rest = f"({size} * {points} / 10000)", f"({size} * {points} %% 10000)"
    return (
        f"CASE WHEN {points} = 10000 THEN {size} ELSE {whole} + CASE WHEN 2 * {rest} > 10000"
        f" OR (2 * {rest} = 10000 AND {whole} %% 2 = 1) THEN 1 ELSE 0 END END"
    )


def parts_cte(
    vendor: str,
    amounts: Sequence[Amount],
    *,
    reported_only: bool = True,
    date_from: date | None = None,
    date_to: date | None = None,
    province_id: int | None = None,
    with_donor: bool = True,
    with_attributes: bool = False,
    item_ids: Sequence[int] | None = None,
) -> tuple[str, list[Any]]:
    """`WITH … parts AS (…)`: one row per (transaction, sector, location) part with the allocated amounts.

    `reported_only` keeps commitments and disbursements (what the benchmark's reports sum); `province_id`
    keeps the transactions of aid items located in that province (all their parts are still computed, as
    the allocation needs every location); `with_attributes` adds what a fact stores besides the figures;
    `item_ids` keeps only those aid items (the facts of a batch, `amity.reports.facts.facts_insert_sql`).
    """
    params: list[Any] = []
    item_where = ["i.deleted_at IS NULL"]
    # The item filter is repeated in each CTE that reads a whole table, so that no plan scans it.
    sector_where = location_where = ""
    item_params: list[Any] = []
    if item_ids is not None:
        membership, item_params = member_of(item_ids, vendor)
        item_where.append(membership.format(column="i.id"))
        params += item_params
        sector_where = " WHERE " + membership.format(column="s.aid_item_id")
        location_where = " WHERE " + membership.format(column="l.aid_item_id")
    if province_id is not None:
        item_where.append(
            "EXISTS (SELECT 1 FROM aid_locationsplit pl WHERE pl.aid_item_id = i.id AND pl.current_province_id = %s)"
        )
        params.append(province_id)
    item_columns = ["i.id AS item_id"]
    if with_donor:
        item_columns.append(
            "(SELECT p.organisation_id FROM aid_aidparticipant p WHERE p.aid_item_id = i.id AND p.role = '1'"
            " ORDER BY p.id LIMIT 1) AS first_donor"
        )
    if with_attributes:
        item_columns += ["i.modality", "i.status", "i.is_relief"]
    tx_where = ["t.deleted_at IS NULL"]
    if reported_only:
        tx_where.append(f"t.transaction_type IN ({COMMITTED_SQL}, {DISBURSED_SQL})")
    if date_from is not None:
        tx_where.append("t.value_date >= %s")
        params.append(date_from)
    if date_to is not None:
        tx_where.append("t.value_date <= %s")
        params.append(date_to)
    tx_columns = [
        "t.id AS tx_id",
        "t.aid_item_id AS item_id",
        "t.transaction_type AS type",
        f"{_year(vendor, 't.value_date')} AS year",
    ]
    if with_donor:
        tx_columns.append("COALESCE(t.provider_id, items.first_donor) AS donor_id")
    if with_attributes:
        tx_columns += ["t.value_date", "t.currency_id", "items.modality", "items.status", "items.is_relief"]
    # Carried to the parts: the sign of each amount. The split works on sizes (a reversal is split like the
    # amount it reverses, with the sign put back on each part), of Viet Nam's share only.
    tx_columns += [f"CASE WHEN t.{a.column} < 0 THEN -1 ELSE 1 END AS {a.name}_sg" for a in amounts]
    tx_columns += [f"{_counted_units(f't.{a.column}', a.scale)} AS {a.name}" for a in amounts]
    carried = [column.split(" AS ")[-1].split(".")[-1] for column in tx_columns[2 : len(tx_columns) - len(amounts)]]
    old_province = (
        ", CASE WHEN u.era = 'pre2025' THEN CASE WHEN u.level = 'province' THEN u.id ELSE u.province_id END END"
        " AS old_province_id"
        if with_attributes
        else ""
    )
    extra = ", old_province_id" if with_attributes else ""

    def cols(prefix: str, names: Sequence[str]) -> str:
        return ", ".join(f"{prefix}{name}" for name in names)

    def split(total: str, share: str) -> str:
        """floor and remainder of each amount's part."""
        return ", ".join(
            f"{total.format(a=a.name)} * {share}.bp / 10000 AS {a.name}_fl,"
            f" {total.format(a=a.name)} * {share}.bp %% 10000 AS {a.name}_rm"
            for a in amounts
        )

    def largest_remainder(partition: str, order: str, total: str, out: str, *, signed: bool = False) -> str:
        """floor + 1 for the parts with the largest remainders, as many as the floors left over; `signed`: times
        the amount's sign (the last split)."""
        return ", ".join(
            f"({a.name}_fl + CASE WHEN ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {a.name}_rm DESC, {order})"
            f" <= {total.format(a=a.name)} - CAST(SUM({a.name}_fl) OVER (PARTITION BY {partition}) AS BIGINT)"
            f" THEN 1 ELSE 0 END){f' * {a.name}_sg' if signed else ''}"
            f" AS {out.format(a=a.name)}"
            for a in amounts
        )

    unsectored_where = sector_where.replace(" WHERE ", " AND ").replace("s.aid_item_id", "i.id")
    unlocated_where = location_where.replace(" WHERE ", " AND ").replace("l.aid_item_id", "i.id")
    # sectors, items without sectors, locations, items without locations (nationwide): in the order of the text
    params += item_params * 4
    totals = [a.name for a in amounts]
    sector_totals = [f"{a.name}_s" for a in amounts]
    sql = f"""WITH items AS (
  SELECT {", ".join(item_columns)} FROM aid_aiditem i WHERE {" AND ".join(item_where)}
), tx AS (
  SELECT {", ".join(tx_columns)}
  FROM aid_transaction t JOIN items ON items.item_id = t.aid_item_id
  WHERE {" AND ".join(tx_where)}
), sectors AS (
  SELECT s.aid_item_id AS item_id, s.sector_id, COALESCE(c.category_id, c.id) AS category_id, c.code AS sector_code,
         {_units("s.percentage", 100)} AS bp
  FROM aid_sectorsplit s JOIN reference_codelistitem c ON c.id = s.sector_id{sector_where}
  UNION ALL
  SELECT i.id, NULL, NULL, '', 10000 FROM aid_aiditem i
  WHERE NOT EXISTS (SELECT 1 FROM aid_sectorsplit s WHERE s.aid_item_id = i.id){unsectored_where}
), s1 AS (
  SELECT tx.tx_id, tx.item_id, {cols("tx.", carried)}, {cols("tx.", totals)},
         sectors.sector_id, sectors.category_id, sectors.sector_code, {split("tx.{a}", "sectors")}
  FROM tx JOIN sectors ON sectors.item_id = tx.item_id
), s1a AS (
  SELECT tx_id, item_id, {cols("", carried)}, sector_id, category_id, sector_code,
         {largest_remainder("tx_id", "sector_code", "{a}", "{a}_s")}
  FROM s1
), locs AS (
  SELECT l.aid_item_id AS item_id, l.current_province_id AS province_id, u.era, u.code AS unit_code,
         {_units("l.percentage", 100)} AS bp{old_province}
  FROM aid_locationsplit l JOIN reference_administrativeunit u ON u.id = l.unit_id{location_where}
  UNION ALL
  SELECT i.id, NULL, '', '', 10000{", NULL" if with_attributes else ""} FROM aid_aiditem i
  WHERE NOT EXISTS (SELECT 1 FROM aid_locationsplit l WHERE l.aid_item_id = i.id){unlocated_where}
), s2 AS (
  SELECT s1a.tx_id, s1a.item_id, {cols("s1a.", carried)}, s1a.sector_id, s1a.category_id, s1a.sector_code,
         {cols("s1a.", sector_totals)}, locs.province_id, locs.era, locs.unit_code{extra.replace(", ", ", locs.")},
         {split("s1a.{a}_s", "locs")}
  FROM s1a JOIN locs ON locs.item_id = s1a.item_id
), parts AS (
  SELECT tx_id, item_id, {cols("", carried)}, sector_id, category_id, province_id{extra},
         {largest_remainder("tx_id, sector_code", "era, unit_code", "{a}_s", "{a}", signed=True)}
  FROM s2
)"""
    return sql, params


# --- the cases ------------------------------------------------------------------------------------------------


def _execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()  # DB-API cursors are untyped
        return rows


def _money(units: Any, scale: int) -> Decimal | None:
    if units is None:
        return None
    return Decimal(int(units)) / scale if scale != 1 else Decimal(int(units))


def dashboard_sql(*, year: int, province_id: int | None = None, currency: str = "USD") -> tuple[str, list[Any]]:
    """One query for every figure of a dashboard: (panel, key, committed, disbursed) rows. The parts are summed
    once by (year, sector category, province, donor); each panel is a sum of those sums."""
    amount = VND if currency == "VND" else USD
    cte, params = parts_cte(connection.vendor, [amount], province_id=province_id)
    where = ""
    if province_id is not None:
        where = "WHERE province_id = %s"
        params.append(province_id)
    sql = f"""{cte}, sums AS (
  SELECT year, category_id, province_id, donor_id,
         SUM(CASE WHEN type IN ({COMMITTED_SQL}) THEN units ELSE 0 END) AS committed,
         SUM(CASE WHEN type IN ({DISBURSED_SQL}) THEN units ELSE 0 END) AS disbursed
  FROM parts {where} GROUP BY year, category_id, province_id, donor_id
), of_year AS (
  SELECT * FROM sums WHERE year = %s
), by_donor AS (
  SELECT donor_id, SUM(committed) AS committed, SUM(disbursed) AS disbursed FROM of_year GROUP BY donor_id
)
SELECT 'year' AS panel, year AS k, SUM(committed), SUM(disbursed) FROM sums GROUP BY year
UNION ALL
SELECT 'sector_category', category_id, SUM(committed), SUM(disbursed) FROM of_year GROUP BY category_id
UNION ALL
SELECT 'province', province_id, SUM(committed), SUM(disbursed) FROM of_year GROUP BY province_id
UNION ALL
SELECT 'donor_country', o.country_id, SUM(b.committed), SUM(b.disbursed)
FROM by_donor b LEFT JOIN organisations_organisation o ON o.id = b.donor_id GROUP BY o.country_id
UNION ALL
SELECT * FROM (
  SELECT 'donor', donor_id, committed, disbursed FROM by_donor ORDER BY disbursed DESC LIMIT {TOP_DONORS}
) top_donors"""
    return sql, [*params, year]


def dashboard(*, year: int, province_id: int | None = None, currency: str = "USD") -> Figures:
    """The floor's figures of a dashboard: panel → key → (committed, disbursed)."""
    scale = VND.scale if currency == "VND" else USD.scale
    figures: Figures = {panel: {} for panel in DASHBOARD}
    for panel, key, committed, disbursed in _execute(
        *dashboard_sql(year=year, province_id=province_id, currency=currency)
    ):
        figures[panel][key] = (_money(committed, scale), _money(disbursed, scale))
    return figures


def grouped_sql(*, currency: str = "VND") -> tuple[str, list[Any]]:
    """Year × sector category × current province, committed and disbursed, all years."""
    amount = VND if currency == "VND" else USD
    cte, params = parts_cte(connection.vendor, [amount], with_donor=False)
    sql = f"""{cte}
SELECT year, category_id, province_id,
       SUM(CASE WHEN type IN ({COMMITTED_SQL}) THEN units ELSE 0 END) AS committed,
       SUM(CASE WHEN type IN ({DISBURSED_SQL}) THEN units ELSE 0 END) AS disbursed
FROM parts GROUP BY year, category_id, province_id"""
    return sql, params


def grouped_rows_sql(*, currency: str = "VND") -> tuple[str, list[Any]]:
    """The grouped report with its labels, ordered, ready to write as a table (the export's floor)."""
    sql, params = grouped_sql(currency=currency)
    head, _, select = sql.rpartition("\nSELECT year, category_id, province_id,")
    labelled = f"""{head}, grouped AS (
SELECT year, category_id, province_id,{select}
)
SELECT g.year, c.code, c.name_en, p.code, p.name_vi, g.committed, g.disbursed
FROM grouped g
LEFT JOIN reference_codelistitem c ON c.id = g.category_id
LEFT JOIN reference_administrativeunit p ON p.id = g.province_id
ORDER BY g.year, c.code, p.code"""
    return labelled, params


def grouped(*, currency: str = "VND") -> dict[Any, Pair]:
    scale = VND.scale if currency == "VND" else USD.scale
    return {
        (year, category, province): (_money(committed, scale), _money(disbursed, scale))
        for year, category, province, committed, disbursed in _execute(*grouped_sql(currency=currency))
    }


# --- the stored floor: the same figures from the maintained rollups -----------------------------------------
# The fastest hand-written SQL that returns the report's numbers reads the tables Amity itself maintains (the
# yearly rollups, `amity.reports.rollups`), not the base tables. The benchmark measures Amity against both: the
# base floor says what the maintained tables save, the stored floor what Amity's own layer (ORM, labels,
# links, sorting) costs on top of the database.


def _rollup_sums(money: str) -> str:
    return (
        f"SUM(CASE WHEN transaction_type IN ({COMMITTED_SQL}) THEN {money} ELSE 0 END),"
        f" SUM(CASE WHEN transaction_type IN ({DISBURSED_SQL}) THEN {money} ELSE 0 END)"
    )


def dashboard_stored_sql(*, year: int, province_id: int | None = None, currency: str = "USD") -> tuple[str, list[Any]]:
    """The dashboard's panels from the smallest rollup grain that has each panel's column."""
    from .rollups import GRAINS

    sums = _rollup_sums("amount_vnd" if currency == "VND" else "amount_usd")
    grain_of = {columns: grain for grain, columns in GRAINS.items()}
    types = f"transaction_type IN ({COMMITTED_SQL}, {DISBURSED_SQL})"
    scope = " AND province_id = %s" if province_id is not None else ""
    scope_params = [province_id] if province_id is not None else []
    base = grain_of[("year", "transaction_type", "province_id")]
    by_category = grain_of[("year", "transaction_type", "province_id", "sector_category_id")]
    by_donor = grain_of[("year", "transaction_type", "province_id", "donor_country_id", "donor_id")]

    def panel(name: str, column: str, grain: int, one_year: bool) -> tuple[str, list[Any]]:
        year_filter = " AND year = %s" if one_year else ""
        sql = (
            f"SELECT '{name}' AS panel, {column} AS k, {sums} FROM reports_reportrollup"
            f" WHERE grain = %s AND {types}{scope}{year_filter} GROUP BY {column} HAVING SUM(parts) > 0"
        )
        return sql, [grain, *scope_params, *([year] if one_year else [])]

    parts = [
        panel("year", "year", base, False),
        panel("sector_category", "sector_category_id", by_category, True),
        panel("province", "province_id", base, True),
        panel("donor_country", "donor_country_id", by_donor, True),
    ]
    top_sql, top_params = panel("donor", "donor_id", by_donor, True)
    parts.append((f"SELECT * FROM ({top_sql} ORDER BY 4 DESC LIMIT {TOP_DONORS}) top_donors", top_params))
    return "\nUNION ALL\n".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


def grouped_stored_sql(*, currency: str = "VND") -> tuple[str, list[Any]]:
    """Year × sector category × current province from the rollup grain that has exactly those columns."""
    from .rollups import GRAINS

    grain = next(
        g
        for g, columns in GRAINS.items()
        if set(columns) == {"year", "transaction_type", "province_id", "sector_category_id"}
    )
    sums = _rollup_sums("amount_vnd" if currency == "VND" else "amount_usd")
    sql = (
        f"SELECT year, sector_category_id, province_id, {sums} FROM reports_reportrollup"
        f" WHERE grain = %s AND transaction_type IN ({COMMITTED_SQL}, {DISBURSED_SQL})"
        " GROUP BY year, sector_category_id, province_id HAVING SUM(parts) > 0"
    )
    return sql, [grain]


def grouped_stored_rows_sql(*, currency: str = "VND") -> tuple[str, list[Any]]:
    """The stored floor of the export: (c) from the rollups with its labels, ordered."""
    sql, params = grouped_stored_sql(currency=currency)
    labelled = f"""SELECT g.year, c.code, c.name_en, p.code, p.name_vi, g.committed, g.disbursed
FROM ({sql}) AS g (year, category_id, province_id, committed, disbursed)
LEFT JOIN reference_codelistitem c ON c.id = g.category_id
LEFT JOIN reference_administrativeunit p ON p.id = g.province_id
ORDER BY g.year, c.code, p.code"""
    return labelled, params


def dashboard_stored(*, year: int, province_id: int | None = None, currency: str = "USD") -> Figures:
    figures: Figures = {panel: {} for panel in DASHBOARD}
    rows = _execute(*dashboard_stored_sql(year=year, province_id=province_id, currency=currency))
    for panel, key, committed, disbursed in rows:
        figures[panel][key] = (_decimal(committed), _decimal(disbursed))
    return figures


def grouped_stored(*, currency: str = "VND") -> dict[Any, Pair]:
    return {
        (year, category, province): (_decimal(committed), _decimal(disbursed))
        for year, category, province, committed, disbursed in _execute(*grouped_stored_sql(currency=currency))
    }


def _decimal(value: Any) -> Decimal:
    """A rollup sum as the report shows it (SQLite returns REAL for decimal sums; two places are exact there)."""
    return Decimal(value) if isinstance(value, Decimal | int) else Decimal(str(round(value, 2)))


# --- the same figures from Amity ------------------------------------------------------------------------------

# What `amity.reports.dashboard.dashboard` shows, panel → (dimension, for the dashboard's year only?, the top
# donors by disbursement?): commitments and disbursements of every year, then for one year (the latest with
# figures unless chosen) both by sector category, by province, by donor country and for the top 10 donors.
DASHBOARD: dict[str, tuple[Dimension, bool, bool]] = {
    "year": (Dimension.YEAR, False, False),
    "sector_category": (Dimension.SECTOR_CATEGORY, True, False),
    "province": (Dimension.PROVINCE, True, False),
    "donor_country": (Dimension.DONOR_COUNTRY, True, False),
    "donor": (Dimension.DONOR, True, True),
}
DASHBOARD_MEASURES = (Measure.DISBURSED, Measure.COMMITTED)  # disbursed first: the top donors are by it
GROUPED = (Dimension.YEAR, Dimension.SECTOR_CATEGORY, Dimension.PROVINCE)


def dashboard_specs(year: int, currency: str = "USD") -> dict[str, tuple[ReportSpec, dict[str, Any]]]:
    """`report()` calls giving a dashboard's figures, one per panel (the scope decides national or provincial).
    The dashboard itself groups by two dimensions at once and sums over one (`dashboard.rollup`): the same
    figures, as the parts are exactly allocated."""
    specs = {}
    for panel, (dimension, one_year, top) in DASHBOARD.items():
        spec = ReportSpec(measures=DASHBOARD_MEASURES, group_by=(dimension,), currency=currency)
        if one_year:
            spec = spec.with_period(date(year, 1, 1), date(year, 12, 31))
        specs[panel] = (spec, {"order_by_value": True, "limit": TOP_DONORS} if top else {})
    return specs


def grouped_spec(currency: str = "VND") -> ReportSpec:
    return ReportSpec(measures=(Measure.COMMITTED, Measure.DISBURSED), group_by=GROUPED, currency=currency)


class KeyIds:
    """Maps the report's key values (codes, public ids) to the database ids the floor groups by."""

    def __init__(self) -> None:
        from amity.organisations.models import Organisation
        from amity.reference.models import AdministrativeUnit, CodelistItem, Country

        self.maps: dict[Dimension, dict[Any, int]] = {
            Dimension.PROVINCE: dict(
                AdministrativeUnit.objects.filter(era="2025", level="province").values_list("code", "pk")
            ),
            Dimension.SECTOR_CATEGORY: dict(CodelistItem.objects.of("SectorCategory").values_list("code", "pk")),
            Dimension.DONOR_COUNTRY: dict(Country.objects.values_list("code", "pk")),
            Dimension.DONOR: {str(u): pk for u, pk in Organisation.all_objects.values_list("public_id", "pk")},
        }

    def __call__(self, dimension: Dimension, value: Any) -> Any:
        if value is None or dimension == Dimension.YEAR:
            return value
        return self.maps[dimension][value]


def report_figures(result: Any, ids: KeyIds) -> dict[Any, Pair]:
    """A `ReportResult`'s rows keyed like the floor: one id (or a tuple of ids) → (committed, disbursed)."""
    figures: dict[Any, Pair] = {}
    for row in result.rows:
        keys = tuple(ids(key.dimension, key.value) for key in row.keys)
        figures[keys[0] if len(keys) == 1 else keys] = (
            row.values.get(Measure.COMMITTED) if Measure.COMMITTED in result.spec.measures else None,
            row.values.get(Measure.DISBURSED),
        )
    return figures


def differences(amity: dict[Any, Pair], floor: dict[Any, Pair], *, label: str = "") -> list[str]:
    """Where two sets of figures differ (a missing row counts as zero)."""
    out = []
    for key in sorted(set(amity) | set(floor), key=repr):
        a = tuple(v or 0 for v in amity.get(key, (None, None)))
        f = tuple(v or 0 for v in floor.get(key, (None, None)))
        if a != f:
            out.append(f"{label} {key!r}: Amity {a} ≠ floor {f}")
    return out
