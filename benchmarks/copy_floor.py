"""The write floor of an IATI import on PostgreSQL: how long PostgreSQL alone takes to COPY the rows a first import
leaves (aid items, their parts, transactions, organisations, history rows, report facts and rollups, record
sources) into the same tables with the same indexes and constraints, in one transaction, commit included —
against Amity's own first import of the same file.

    createdb -h 127.0.0.1 -U postgres -T amity_iati amity_iati_base   # migrated, reference data, nothing imported
    .venv/bin/python benchmarks/copy_floor.py var/iati-10k.xml \\
        --template postgres://postgres@127.0.0.1:5432/amity_iati_base --owning-province 31 --vn-only --repeat 2

Each round: clone the template, import the file with Amity (timed), copy out every table the import wrote to,
clone the template again and COPY those rows back in (timed), drop both clones. The ratio Amity / floor is what
the issue's target (≤ 2 ×) speaks of.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def _clone(template: str) -> str:
    base, name = template.rsplit("/", 1)
    scratch = f"{name}_floor_{uuid.uuid4().hex[:8]}"
    with _connect(f"{base}/postgres") as admin:
        admin.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{name}"')
    return f"{base}/{scratch}"


def _checkpoint(url: str) -> None:
    """Start a timed part with no dirty pages and a fresh WAL segment: without it the checkpoint that the clone's
    copy (or the part before) calls for lands in the middle of whichever part comes next, by chance."""
    with _connect(url) as connection:
        connection.execute("CHECKPOINT")


def _drop(url: str) -> None:
    base, name = url.rsplit("/", 1)
    with _connect(f"{base}/postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _tables(connection: Any) -> list[str]:
    rows = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [name for (name,) in rows]


def _counts(connection: Any, tables: list[str]) -> dict[str, int]:
    return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _amity_import(url: str, path: str, args: argparse.Namespace) -> float:
    """Run the import in a child interpreter on `url` (Django is configured once per database)."""
    import subprocess

    code = (
        "import time, django; django.setup();"
        "from amity.interop.iati.importer import import_file;"
        "from amity.reference.models import AdministrativeUnit as U;"
        f"p = U.objects.get(era='2025', level='province', code={args.owning_province!r}) "
        f"if {args.owning_province!r} else None;"
        "t = time.perf_counter();"
        f"r = import_file({path!r}, owning_province=p, vn_only={args.vn_only});"
        "print(time.perf_counter() - t, r.created)"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    seconds, created = out.stdout.split()[-2:]
    print(f"  amity first import: {float(seconds):.2f} s, {created} aid items")
    return float(seconds)


def _copy_floor(imported: str, template: str) -> tuple[float, int]:
    """COPY every table the import wrote to, out of `imported` and into a fresh clone of `template`."""
    with _connect(template) as before:
        tables = _tables(before)
        empty = _counts(before, tables)
    buffers: dict[str, bytes] = {}
    with _connect(imported) as source:
        for table, count in _counts(source, tables).items():
            if count != empty[table]:
                if empty[table]:
                    raise SystemExit(f"{table} had rows before the import: this floor copies whole tables only")
                data = io.BytesIO()
                with source.cursor().copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                    for block in copy:
                        data.write(block)
                buffers[table] = data.getvalue()
    target = _clone(template)
    try:
        _checkpoint(target)
        with _connect(target) as connection:
            connection.autocommit = False
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for table, data in buffers.items():
                    with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                        copy.write(data)
            connection.commit()  # deferred foreign-key checks run here, as at the end of an import
            seconds = time.perf_counter() - started
        with _connect(target) as check:
            rows = sum(_counts(check, list(buffers)).values())
    finally:
        _drop(target)
    return seconds, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--template", required=True, help="postgres:// URL of a migrated database, nothing imported")
    parser.add_argument("--owning-province", default="")
    parser.add_argument("--vn-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    amity, floor = [], []
    for round_number in range(1, args.repeat + 1):
        print(f"round {round_number}")
        imported = _clone(args.template)
        try:
            _checkpoint(imported)
            amity.append(_amity_import(imported, str(args.file.resolve()), args))
            seconds, rows = _copy_floor(imported, args.template)
        finally:
            _drop(imported)
        floor.append(seconds)
        print(f"  COPY floor: {seconds:.2f} s for {rows:,} rows")
    a, f = statistics.median(amity), statistics.median(floor)
    print(f"median: Amity {a:.2f} s, COPY floor {f:.2f} s, ratio {a / f:.2f} ×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
