"""Deterministic generator of a national-scale aid register, bulk-loaded for the report benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_bench \\
        .venv/bin/python benchmarks/generate.py --items 50000 --transactions 1000000

The database must be migrated and hold the reference data (`manage.py migrate`, `manage.py load_reference`).
Rows are appended (ids after the current maximum), so run it on an empty register. PostgreSQL is loaded with
COPY; SQLite (the small size used by `amity/reports/tests/test_floor.py`) with executemany.

What it builds (seeded, so the same arguments give the same rows):

- organisations: foreign NGOs, foundations, governments, multilaterals, companies and individuals from 25
  countries (some without a country), and Vietnamese agencies;
- aid items over 2010–2026: 0–5 sectors (about 8 % without any), 1–6 locations that are whole provinces or
  communes; items starting before 1 July 2025 are mostly located in pre-2025 units (63 provinces, old
  communes), later ones in current units; percentages with two decimals adding up to exactly 100; one or two
  funding participants and an implementing agency; a few items and transactions soft-deleted;
- transactions (commitments, disbursements, expenditures, incoming funds and commitments) in the donor's
  currency (11 currencies), sometimes USD or VND, valued in USD and VND by
  `amity.aid.services.value_transaction` with one `RateBook`, exactly as the services store them (2025–2026
  use the latest rate carried forward);
- the report facts, by default with one INSERT … SELECT that allocates by largest remainder in SQL
  (`amity.reports.floor.parts_cte`, the same arithmetic as `amity.reports.facts`; the test proves the rows
  equal what `facts_rebuild_all()` writes), or with `--facts python` through `facts_rebuild_all()` itself.

Each phase's time is printed. History rows are not written (reports never read them).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
import uuid
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

D = Decimal
CENT = D("0.01")
FIRST_DAY = date(2010, 1, 1)
LAST_DAY = date(2026, 10, 31)
ERA_CHANGE = date(2025, 7, 1)

# (country, currency) of foreign donors; the weights make a few countries give most of the aid.
DONOR_COUNTRIES = [
    ("US", "USD", 16),
    ("JP", "JPY", 10),
    ("KR", "KRW", 10),
    ("FR", "EUR", 7),
    ("DE", "EUR", 7),
    ("GB", "GBP", 6),
    ("AU", "AUD", 6),
    ("NL", "EUR", 4),
    ("BE", "EUR", 3),
    ("CA", "CAD", 4),
    ("CH", "CHF", 3),
    ("SE", "SEK", 3),
    ("NO", "NOK", 2),
    ("DK", "DKK", 2),
    ("IT", "EUR", 2),
    ("ES", "EUR", 1),
    ("IE", "EUR", 1),
    ("FI", "EUR", 1),
    ("AT", "EUR", 1),
    ("NZ", "NZD", 2),
    ("SG", "SGD", 2),
    ("TW", "TWD", 2),
    ("HK", "HKD", 1),
    ("TH", "THB", 1),
    ("CN", "CNY", 1),
]
FOREIGN_KINDS = [
    ("foreign_ngo", 74),
    ("foundation", 10),
    ("foreign_government", 4),
    ("multilateral", 2),
    ("company", 6),
    ("individual", 4),
]
VIETNAMESE_SHARE = 0.12  # of the organisations: agencies and friendship associations (aid owners)
# Transaction types after the first commitment: disbursement, expenditure, incoming funds, incoming commitment.
LATER_TYPES = [("3", 75), ("4", 17), ("1", 5), ("11", 3)]
MODALITIES = [("project", 60), ("non_project", 30), ("programme", 10)]
BENEFICIARY_GROUPS = [
    "poor_households",
    "ethnic_minorities",
    "children",
    "students",
    "people_with_disabilities",
    "women",
    "elderly",
    "disaster_affected",
    "patients",
    "farmers",
    "community",
]
TITLES = [
    "Nước sạch và vệ sinh môi trường nông thôn",
    "Hỗ trợ sinh kế cho phụ nữ nghèo",
    "Phòng chống thiên tai dựa vào cộng đồng",
    "Chăm sóc sức khỏe ban đầu",
    "Xây dựng trường mầm non",
    "Dạy nghề cho thanh niên",
    "Cứu trợ khẩn cấp sau bão lũ",
    "Dinh dưỡng cho trẻ em dưới 5 tuổi",
    "Phát triển nông nghiệp bền vững",
    "Học bổng cho học sinh nghèo vượt khó",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


# --- small helpers ------------------------------------------------------------------------------------------


class Weighted:
    """rng.choices for one item, with the cumulative weights computed once."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]


def shares(rng: random.Random, count: int) -> list[Decimal]:
    """`count` percentages with two decimals, each > 0, adding up to exactly 100 (uneven, often ragged)."""
    from amity.core.money import allocate

    weights = [D(rng.choice([1, 1, 2, 3, 5, 7, 11])) for _ in range(count)]
    return allocate(D(100), weights, CENT)


def split_count(rng: random.Random, total: int, sizes: Sequence[float]) -> list[int]:
    """`total` spread over as many slots as `sizes`, each at least 1, in proportion to the sizes times a random
    (exponential) factor, summing to `total`."""
    slots = len(sizes)
    if total < slots:
        raise SystemExit(f"Ask for at least one transaction per aid item ({slots} items, {total} transactions).")
    weights = [size * rng.expovariate(1.0) for size in sizes]
    extra = total - slots
    scale = extra / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for index in sorted(range(slots), key=lambda i: -(weights[i] * scale % 1))[: total - sum(counts)]:
        counts[index] += 1
    return counts


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def stamp(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


# --- reference data -------------------------------------------------------------------------------------------


@dataclass
class Reference:
    currencies: dict[str, tuple[int, int]]  # code -> (id, minor units)
    countries: dict[str, int]
    sectors: list[int]
    provinces: list[int]  # current era
    old_provinces: list[int]
    successor: dict[int, int]  # old province id -> current province id
    old_communes: dict[int, list[int]]  # old province id -> commune ids
    communes: dict[int, list[int]]  # current province id -> commune ids

    @classmethod
    def load(cls) -> Reference:
        from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency, UnitMapping

        units = AdministrativeUnit.objects.order_by("pk")
        provinces = list(units.filter(era="2025", level="province").values_list("pk", flat=True))
        old_provinces = list(units.filter(era="pre2025", level="province").values_list("pk", flat=True))
        if len(provinces) != 34 or len(old_provinces) != 63:
            raise SystemExit("Load the reference data first: manage.py load_reference")
        successor: dict[int, int] = {}
        for old_id, new_id in (
            UnitMapping.objects.filter(level="province")
            .order_by("level", "old_unit__code")
            .values_list("old_unit_id", "new_unit_id")
        ):
            successor.setdefault(old_id, new_id)  # what services.current_province_of takes (.first())
        old_communes: dict[int, list[int]] = {p: [] for p in old_provinces}
        communes: dict[int, list[int]] = {p: [] for p in provinces}
        for pk, era, province_id in units.filter(level="commune").values_list("pk", "era", "province_id"):
            (old_communes if era == "pre2025" else communes)[province_id].append(pk)
        return cls(
            currencies={c.code: (c.pk, c.minor_units) for c in Currency.objects.all()},
            countries=dict(Country.objects.values_list("code", "pk")),
            sectors=list(CodelistItem.objects.of("Sector").active().order_by("code").values_list("pk", flat=True)),
            provinces=provinces,
            old_provinces=old_provinces,
            successor=successor,
            old_communes=old_communes,
            communes=communes,
        )


# --- the rows -------------------------------------------------------------------------------------------------

ORGANISATION_FIELDS = [
    "id", "public_id", "created_at", "updated_at", "deleted_at", "is_demo", "version", "name", "name_vi",
    "acronym", "kind", "iati_identifier", "website", "email", "phone", "address", "description", "status",
    "country", "owning_province",
]  # fmt: skip
ITEM_FIELDS = [
    "id", "public_id", "created_at", "updated_at", "deleted_at", "is_demo", "version", "modality", "is_relief",
    "reference", "iati_identifier", "title_vi", "title_en", "description", "status", "planned_start",
    "planned_end", "actual_start", "actual_end", "decision_number", "decision_date", "decision_authority",
    "status_note", "owning_province", "aid_owner", "managing_agency",
]  # fmt: skip
PARTICIPANT_FIELDS = ["id", "aid_item", "organisation", "role"]
SECTOR_FIELDS = ["id", "aid_item", "sector", "percentage"]
LOCATION_FIELDS = ["id", "aid_item", "unit", "percentage", "current_province"]
BENEFICIARY_FIELDS = ["id", "aid_item", "group"]
TRANSACTION_FIELDS = [
    "id", "public_id", "created_at", "updated_at", "deleted_at", "is_demo", "version", "aid_item",
    "transaction_type", "date", "value_date", "amount", "currency", "provider", "receiver", "description",
    "amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source",
]  # fmt: skip


@dataclass
class ItemPlan:
    """What the transactions of one aid item need to know."""

    id: int
    start: date
    end: date
    currency: str
    provider: int | None
    receiver: int | None
    size_usd: Decimal
    count: int


@dataclass
class Build:
    organisations: list[tuple[Any, ...]] = field(default_factory=list)
    items: list[tuple[Any, ...]] = field(default_factory=list)
    participants: list[tuple[Any, ...]] = field(default_factory=list)
    sectors: list[tuple[Any, ...]] = field(default_factory=list)
    locations: list[tuple[Any, ...]] = field(default_factory=list)
    beneficiaries: list[tuple[Any, ...]] = field(default_factory=list)
    plans: list[ItemPlan] = field(default_factory=list)


class Generator:
    def __init__(self, ref: Reference, *, seed: int, first_ids: dict[str, int]) -> None:
        self.ref = ref
        self.rng = random.Random(seed)
        self.ids = dict(first_ids)
        self.build = Build()
        self.kinds = Weighted(FOREIGN_KINDS)
        self.countries = Weighted([((code, currency), w) for code, currency, w in DONOR_COUNTRIES])
        self.modalities = Weighted(MODALITIES)
        self.later_types = Weighted(LATER_TYPES)
        self.donors: list[tuple[int, str]] = []  # (organisation id, currency)
        self.agencies: list[int] = []

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # organisations ------------------------------------------------------------------------------------------

    def organisations(self, count: int) -> None:
        rng = self.rng
        vietnamese = max(1, round(count * VIETNAMESE_SHARE))
        created = stamp(date(2009, 12, 1))
        for n in range(count):
            pk = self.next_id("organisation")
            if n < vietnamese:
                province = self.ref.provinces[n % len(self.ref.provinces)]
                kind = "vietnamese_agency" if n % 4 else "friendship_association"
                name, country_id = f"Cơ quan tiếp nhận viện trợ {n + 1:04}", None
                self.agencies.append(pk)
            else:
                province = None
                kind = self.kinds.pick(rng)
                country, currency = self.countries.pick(rng)
                country_id = None if rng.random() < 0.04 else self.ref.countries[country]
                name = f"{kind.replace('_', ' ').title()} {country}-{n + 1:04}"
                self.donors.append((pk, currency))
            identity = (pk, self.uuid(), created, created, None, False, 1)
            blank = ("",) * 4  # IATI identifier, website, email, phone
            self.build.organisations.append(
                (*identity, name, "", f"O{n + 1:04}", kind, *blank, "", "", "active", country_id, province)
            )
        # A few donors give most of the aid (Zipf-like popularity).
        self.popular = Weighted([(d, 1 / (rank + 1) ** 0.8) for rank, d in enumerate(self.donors)])

    # aid items ----------------------------------------------------------------------------------------------

    def locations(self, item_id: int, old_era: bool) -> int:
        """Write the item's locations; return the current province of the first (the owning province)."""
        rng, ref = self.rng, self.ref
        count = Weighted([(1, 55), (2, 25), (3, 12), (4, 4), (5, 2), (6, 2)]).pick(rng)
        provinces = ref.old_provinces if old_era else ref.provinces
        communes = ref.old_communes if old_era else ref.communes
        units: dict[int, int] = {}  # unit -> current province
        if rng.random() < 0.45:  # whole provinces
            for province in rng.sample(provinces, count):
                units[province] = ref.successor[province] if old_era else province
        else:  # communes of one province, sometimes of two
            homes = rng.sample(provinces, 1 if count == 1 or rng.random() < 0.7 else 2)
            while len(units) < count:
                province = rng.choice(homes)
                units[rng.choice(communes[province])] = ref.successor[province] if old_era else province
        for (unit, current), percentage in zip(units.items(), shares(rng, count), strict=True):
            self.build.locations.append((self.next_id("location"), item_id, unit, percentage, current))
        return next(iter(units.values()))

    def items(self, count: int, transactions: int) -> None:
        rng, ref = self.rng, self.ref
        years = Weighted([(year, 1 + (year - 2010) / 25) for year in range(2010, 2027)])
        for n in range(count):
            pk = self.next_id("item")
            year = years.pick(rng)
            start = random_day(rng, date(year, 1, 1), min(date(year, 12, 31), LAST_DAY - timedelta(days=60)))
            end = min(start + timedelta(days=rng.randint(90, 1800)), LAST_DAY)
            old_era = start < ERA_CHANGE and rng.random() < 0.65
            owner = self.locations(pk, old_era)
            sector_count = Weighted([(0, 8), (1, 55), (2, 22), (3, 10), (4, 3), (5, 2)]).pick(rng)
            for sector, percentage in zip(
                rng.sample(ref.sectors, sector_count), shares(rng, sector_count) if sector_count else [], strict=True
            ):
                self.build.sectors.append((self.next_id("sector"), pk, sector, percentage))
            donor, currency = self.popular.pick(rng)
            agency = rng.choice(self.agencies)
            funders = [donor]
            if rng.random() < 0.1:
                other = self.popular.pick(rng)[0]
                if other != donor:
                    funders.append(other)
            if rng.random() < 0.01:
                funders = []  # no funding participant recorded: its facts have no donor unless a provider is
            for organisation in funders:
                self.build.participants.append((self.next_id("participant"), pk, organisation, "1"))
            self.build.participants.append((self.next_id("participant"), pk, agency, "4"))
            for group in sorted(set(rng.sample(BENEFICIARY_GROUPS, rng.randint(1, 3)))):
                self.build.beneficiaries.append((self.next_id("beneficiary"), pk, group))
            status = (
                ("closed" if rng.random() < 0.7 else "completed")
                if end < date(2025, 6, 30)
                else ("in_progress" if rng.random() < 0.9 else "approved")
            )
            if rng.random() < 0.02:
                status = "cancelled"
            created = stamp(start - timedelta(days=30))
            deleted = stamp(end) if rng.random() < 0.004 else None
            title = f"{rng.choice(TITLES)} ({year}) #{n + 1}"
            actual = (start if status != "approved" else None, end if status in ("closed", "completed") else None)
            decision = (f"{rng.randint(100, 2999)}/QĐ-UBND", start - timedelta(days=20), "Chủ tịch UBND tỉnh")
            identity = (pk, self.uuid(), created, created, deleted, False, 1)
            kind = (self.modalities.pick(rng), rng.random() < 0.1, f"BENCH-{n + 1:06}", "", title, "", "")
            self.build.items.append(
                (*identity, *kind, status, start, end, *actual, *decision, "", owner, agency, agency)
            )
            size = D(min(max(rng.lognormvariate(math.log(60000), 1.2), 1000), 20_000_000)).quantize(CENT)
            provider = None if rng.random() < 0.05 else donor
            self.build.plans.append(ItemPlan(pk, start, end, currency, provider, agency, size, 0))
        # Longer aid has more transactions (so the current, unfinished year is not crowded).
        durations = [(plan.end - plan.start).days + 60 for plan in self.build.plans]
        for plan, transactions_of_item in zip(self.build.plans, split_count(rng, transactions, durations), strict=True):
            plan.count = transactions_of_item

    # transactions -------------------------------------------------------------------------------------------

    def transactions(self, valuer: Callable[[Decimal, str, date], tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """The transactions' rows, item by item (a generator: streamed into COPY)."""
        rng = self.rng
        for plan in self.build.plans:
            days = sorted(random_day(rng, plan.start, plan.end) for _ in range(plan.count - 1))
            extra_commitment = plan.count >= 4 and rng.random() < 0.3
            for index, day in enumerate([plan.start, *days]):
                if index == 0:
                    kind, usd = "2", plan.size_usd
                elif index == 1 and extra_commitment:
                    kind, usd = ("11" if rng.random() < 0.2 else "2"), plan.size_usd * D(rng.uniform(0.1, 0.4))
                else:
                    kind = self.later_types.pick(rng)
                    usd = plan.size_usd * D(rng.uniform(0.5, 1.5)) / (plan.count - 1)
                roll = rng.random()
                currency = plan.currency if roll < 0.9 else ("USD" if roll < 0.97 else "VND")
                value_day = day if rng.random() < 0.9 else max(FIRST_DAY, day - timedelta(days=rng.randint(1, 20)))
                created = stamp(day)
                deleted = stamp(day) if rng.random() < 0.005 else None
                provider = plan.provider if kind != "1" else None
                identity = (self.next_id("transaction"), self.uuid(), created, created, deleted, False, 1)
                values = valuer(usd, currency, value_day)
                yield (*identity, plan.id, kind, day, value_day, *values, provider, plan.receiver, "")


class Valuer:
    """Draws the amount in the transaction's currency from a USD figure (at the value-date rate, like the
    demo data), then stores the USD and VND values with `value_transaction`, as the services do."""

    def __init__(self, ref: Reference) -> None:
        from amity.aid.services import value_transaction
        from amity.core.money import quantize
        from amity.reference.fx import RateBook

        self.book = RateBook()
        self.value_transaction = value_transaction
        self.quantize = quantize
        self.currencies = {
            code: (pk, D(1).scaleb(-minor), SimpleNamespace(code=code)) for code, (pk, minor) in ref.currencies.items()
        }

    def __call__(self, usd: Decimal, currency: str, value_date: date) -> tuple[Any, ...]:
        pk, quantum, namespace = self.currencies[currency]
        rate = self.book.rate(currency, value_date).units_per_usd
        amount = max(self.quantize(usd * rate, quantum), quantum)
        tx = SimpleNamespace(amount=amount, currency=namespace, value_date=value_date)
        self.value_transaction(tx, self.book)
        stored = (tx.amount_usd, tx.amount_vnd, tx.usd_per_unit, tx.vnd_per_unit, tx.rate_date, tx.rate_source)
        return (amount, pk, *stored)


# --- writing --------------------------------------------------------------------------------------------------

TRANSACTION_COLUMNS = [
    *TRANSACTION_FIELDS[:11],
    "amount",
    "currency",
    "amount_usd",
    "amount_vnd",
    "usd_per_unit",
    "vnd_per_unit",
    "rate_date",
    "rate_source",
    "provider",
    "receiver",
    "description",
]


def _models() -> dict[str, Any]:
    from amity.aid.models import AidBeneficiary, AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
    from amity.organisations.models import Organisation

    return {
        "organisation": Organisation,
        "item": AidItem,
        "participant": AidParticipant,
        "sector": SectorSplit,
        "location": LocationSplit,
        "beneficiary": AidBeneficiary,
        "transaction": Transaction,
    }


def write_rows(model: Any, field_names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY on PostgreSQL; executemany with Django's own value adaptation elsewhere."""
    from django.db import connection

    fields = [model._meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch: list[list[Any]] = []
        for row in rows:
            batch.append([f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)])
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                written, batch = written + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def reset_sequences(models: Iterable[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def last_ids() -> dict[str, int]:
    """The largest id of each table (0 when empty): the generated rows come after."""
    from django.db.models import Max

    return {key: model._base_manager.aggregate(last=Max("pk"))["last"] or 0 for key, model in _models().items()}


# --- facts ----------------------------------------------------------------------------------------------------

FACT_COLUMNS = [
    "transaction_id", "aid_item_id", "transaction_type", "value_date", "year", "sector_id", "sector_category_id",
    "province_id", "old_province_id", "donor_id", "donor_country_id", "modality", "status", "is_relief",
    "currency_id", "amount", "amount_usd", "amount_vnd",
]  # fmt: skip


def facts_build_sql() -> int:
    """Every fact in one INSERT … SELECT (`amity.reports.facts.facts_insert_sql`): the allocation of
    `amity.reports.floor.parts_cte` for the original amount, USD and VND at once. Equal to what
    `facts_rebuild_all()` writes (test_floor proves it)."""
    from django.db import connection

    from amity.reports.facts import facts_insert_sql
    from amity.reports.models import ReportFact

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")  # the window functions' sorts stay in memory
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(ReportFact._meta.db_table)}")
    return facts_insert_sql()


# --- the run --------------------------------------------------------------------------------------------------


@dataclass
class Timings:
    phases: list[tuple[str, float, str]] = field(default_factory=list)

    def run(self, name: str, function: Callable[[], Any], describe: Callable[[Any], str] = str) -> Any:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        self.phases.append((name, elapsed, describe(result) if result is not None else ""))
        print(f"{name:<44} {elapsed:8.1f} s  {self.phases[-1][2]}", flush=True)
        return result

    def add(self, name: str, elapsed: float) -> None:
        self.phases.append((name, elapsed, ""))
        print(f"{name:<44} {elapsed:8.1f} s", flush=True)


def generate(
    *,
    items: int,
    transactions: int,
    organisations: int = 2000,
    seed: int = 2025,
    facts: str = "sql",
    analyze: bool = True,
) -> Timings:
    """Load the register (and its facts) into the default database; returns each phase's time."""
    from django.db import connection, transaction

    from amity.reports.facts import facts_rebuild_all
    from amity.reports.rollups import rollups_rebuild

    timings = Timings()
    models = _models()
    ref = timings.run("read reference data", Reference.load, lambda r: f"{len(r.sectors)} sectors")
    generator = Generator(ref, seed=seed, first_ids={key: last + 1 for key, last in last_ids().items()})
    timings.run(
        "build organisations and aid items in memory", lambda: _build(generator, organisations, items, transactions)
    )
    build = generator.build
    with transaction.atomic():
        for key, rows, names in (
            ("organisation", build.organisations, ORGANISATION_FIELDS),
            ("item", build.items, ITEM_FIELDS),
            ("participant", build.participants, PARTICIPANT_FIELDS),
            ("sector", build.sectors, SECTOR_FIELDS),
            ("location", build.locations, LOCATION_FIELDS),
            ("beneficiary", build.beneficiaries, BENEFICIARY_FIELDS),
        ):
            timings.run(
                f"write {models[key]._meta.db_table}",
                lambda m=models[key], r=rows, n=names: write_rows(m, n, r),
                lambda n: f"{n:,} rows",
            )
        valuer = Valuer(ref)
        timings.run(
            "value and write aid_transaction",
            lambda: write_rows(models["transaction"], TRANSACTION_COLUMNS, generator.transactions(valuer)),
            lambda n: f"{n:,} rows (generated, valued with RateBook and copied in one stream)",
        )
        timings.run("reset id sequences", lambda: reset_sequences(models.values()))
        committing = time.perf_counter()
    timings.add("commit (deferred foreign-key checks)", time.perf_counter() - committing)
    if analyze and connection.vendor == "postgresql":
        timings.run("ANALYZE base tables", lambda: _analyze([m._meta.db_table for m in models.values()]))
    with transaction.atomic():
        if facts == "sql":
            timings.run("build report facts (INSERT … SELECT)", facts_build_sql, lambda n: f"{n:,} facts")
            timings.run("build report rollups (rollups_rebuild)", rollups_rebuild, lambda n: f"{n:,} rows")
        elif facts == "python":
            timings.run("build facts and rollups (facts_rebuild_all)", facts_rebuild_all, lambda n: f"{n:,} facts")
        committing = time.perf_counter()
    if facts != "none":
        timings.add("commit (deferred foreign-key checks)", time.perf_counter() - committing)
    if analyze and connection.vendor == "postgresql" and facts != "none":
        timings.run(
            "VACUUM ANALYZE facts and rollups",
            lambda: _analyze(["reports_reportfact", "reports_reportrollup"], vacuum=True),
        )
    return timings


def _build(generator: Generator, organisations: int, items: int, transactions: int) -> str:
    generator.organisations(organisations)
    generator.items(items, transactions)
    build = generator.build
    return (
        f"{len(build.organisations):,} organisations, {len(build.items):,} items, {len(build.sectors):,} sector and"
        f" {len(build.locations):,} location shares"
    )


def _analyze(tables: Sequence[str], *, vacuum: bool = False) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {connection.ops.quote_name(table)}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--facts",
        choices=["sql", "python", "none"],
        default="sql",
        help="build the report facts in SQL (default), with facts_rebuild_all(), or not at all",
    )
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    print(f"Loading into {connection.vendor} database {connection.settings_dict['NAME']}", flush=True)
    started = time.perf_counter()
    generate(
        items=args.items,
        transactions=args.transactions,
        organisations=args.organisations,
        seed=args.seed,
        facts=args.facts,
    )
    print(f"{'total':<44} {time.perf_counter() - started:8.1f} s")


if __name__ == "__main__":
    main()
