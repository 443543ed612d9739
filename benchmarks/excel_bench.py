"""Excel upload benchmark: a 10,000-row transactions workbook (or aid items), checked and written.

    DATABASE_URL=sqlite:////tmp/excel_bench.sqlite3 .venv/bin/python benchmarks/excel_bench.py --repeat 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_excel_bench .venv/bin/python benchmarks/excel_bench.py

The database needs the reference data (`manage.py migrate && manage.py load_reference`); nothing of the
benchmark stays in it: each round runs inside a transaction that is rolled back. The workbook is generated
deterministically (seeded) for aid items made in the same rolled-back transaction:

  check   `check_workbook`: read, check every cell and every row against the database, plan the write;
  upload  `write_workbook`: what the confirm button does, the check again and then the write, all or nothing;
  again   `write_workbook` of the same file once more (every row found unchanged, nothing written);
  changed (aid items) the round trip: the items exported to their template, every title edited, uploaded
          (`write_workbook`: check and write; every row an update).

Target (the data-exchange issue): 10,000 rows checked and written in under 15 s, i.e. `upload` < 15 s.
Medians are printed; no timing is asserted in the tests.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 20250701
CURRENCIES = ("USD", "EUR", "VND", "JPY", "KRW")
TYPES = ("2", "3", "3", "3", "4")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()


class Rollback(Exception):
    pass


def make_items(user: Any, count: int) -> list[Any]:
    from decimal import Decimal

    from amity.aid import services
    from amity.reference.models import AdministrativeUnit, CodelistItem

    province = AdministrativeUnit.objects.get(era="2025", level="province", code="31")
    sector = CodelistItem.objects.of("Sector").get(code="11220")
    parts = services.AidItemParts(sectors=[services.SectorShare(sector, Decimal(100))])
    return [
        services.aid_item_create(
            user=user,
            data={
                "title_vi": f"Dự án thử {n}",
                "modality": "project",
                "owning_province": province,
                "reference": f"B-{n}",
            },
            parts=parts,
        )
        for n in range(count)
    ]


def transactions_workbook(user: Any, items: list[Any], rows: int) -> bytes:
    from amity.interop.excel.templates import build_workbook, spec_for

    spec = spec_for("transactions")
    workbook = build_workbook(spec, user)
    sheet = workbook.worksheets[0]
    keys = {column.key: index for index, column in enumerate(spec.main.columns, start=1)}
    chance = random.Random(SEED)
    start = datetime(2020, 1, 1)
    for row in range(3, 3 + rows):
        values = {
            "aid_item": items[chance.randrange(len(items))].reference,
            "transaction_type": chance.choice(TYPES),
            "date": start + timedelta(days=chance.randrange(5 * 365)),
            "amount": chance.randrange(100, 5_000_000) / 100,
            "currency": chance.choice(CURRENCIES),
            "description": f"Giải ngân đợt {row - 2}",
        }
        for key, value in values.items():
            cell = sheet.cell(row=row, column=keys[key], value=value)
            if key == "date":
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def aid_items_workbook(user: Any, rows: int) -> bytes:
    from amity.interop.excel.templates import build_workbook, spec_for

    spec = spec_for("aid_items")
    workbook = build_workbook(spec, user)
    items, sectors = workbook.worksheets[0], workbook.worksheets[1]
    item_keys = {column.key: index for index, column in enumerate(spec.main.columns, start=1)}
    sector_keys = {column.key: index for index, column in enumerate(spec.sheet("sectors").columns, start=1)}
    chance = random.Random(SEED)
    for n in range(rows):
        reference = f"X-{n}"
        for key, value in {
            "reference": reference,
            "title_vi": f"Dự án {n}",
            "modality": chance.choice(("project", "programme", "non_project")),
            "owning_province": "31",
            "planned_start": datetime(2026, 1, 1) + timedelta(days=chance.randrange(365)),
        }.items():
            items.cell(row=3 + n, column=item_keys[key], value=value)
        for offset, (code, share) in enumerate((("11220", 60), ("12220", 40))):
            row = 3 + 2 * n + offset
            sectors.cell(row=row, column=sector_keys["aid_item"], value=reference)
            sectors.cell(row=row, column=sector_keys["sector"], value=code)
            sectors.cell(row=row, column=sector_keys["percentage"], value=share)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def every_title_changed(user: Any) -> bytes:
    """The aid items exported to their template (the round trip), every title edited."""
    from amity.interop.excel.export import export_workbook
    from amity.interop.excel.templates import KEY_ROW

    workbook = export_workbook("aid_items", user)
    sheet = workbook.worksheets[0]
    keys = {sheet.cell(row=KEY_ROW, column=c).value: c for c in range(1, sheet.max_column + 1)}
    for row in range(3, sheet.max_row + 1):
        title = sheet.cell(row=row, column=keys["title_vi"])
        if title.value:
            title.value = f"{title.value} (sửa)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def one_round(kind: str, rows: int, items_count: int) -> dict[str, float]:
    from django.db import transaction

    from amity.accounts.models import User
    from amity.interop.excel.check import check_workbook
    from amity.interop.excel.write import write_workbook

    times: dict[str, float] = {}
    try:
        with transaction.atomic():
            user = User.objects.create_user(username="excel-bench", role="administrator")
            if kind == "transactions":
                items = make_items(user, items_count)
                data = transactions_workbook(user, items, rows)
            else:
                data = aid_items_workbook(user, rows)
            started = time.perf_counter()
            check = check_workbook(kind, data, user)
            times["check"] = time.perf_counter() - started
            if not check.ok:
                raise SystemExit(f"the generated workbook has problems: {check.problems[:5]}")
            started = time.perf_counter()
            result = write_workbook(kind, data, user)
            times["upload"] = time.perf_counter() - started
            if not result.ok or result.created_count != check.created_count:
                raise SystemExit(f"the write failed: {result.problems[:5]}")
            started = time.perf_counter()
            again = write_workbook(kind, data, user)
            times["again"] = time.perf_counter() - started
            if again.created_count or again.updated_count:
                raise SystemExit("the same file uploaded again changed records")
            if kind == "aid_items":
                changed_data = every_title_changed(user)
                started = time.perf_counter()
                changed = write_workbook(kind, changed_data, user)
                times["changed"] = time.perf_counter() - started
                if not changed.ok or changed.updated_count != rows:
                    raise SystemExit(f"the round trip failed: {changed.problems[:5]} {changed.updated_count}")
            raise Rollback
    except Rollback:
        pass
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("transactions", "aid_items"), default="transactions")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=200, help="aid items the transactions belong to")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from amity.reference.models import AdministrativeUnit

    if not AdministrativeUnit.objects.exists():
        raise SystemExit("Load the reference data first: manage.py migrate && manage.py load_reference")
    rounds = [one_round(args.kind, args.rows, args.items) for _ in range(args.repeat)]
    print(f"{args.kind}: {args.rows} rows on {connection.vendor}, {args.repeat} rounds (medians, seconds)")
    for name in ("check", "upload", "again", "changed"):
        values = [round_[name] for round_ in rounds if name in round_]
        if not values:
            continue
        print(f"  {name:7} {statistics.median(values):7.2f}   (min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
