"""Report benchmarks against their SQL floor, on a database loaded by `benchmarks/generate.py`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_bench .venv/bin/python benchmarks/bench.py --repeat 15

Cases, each timed against two floors (`amity.reports.floor`), hand-written SQL returning the same figures:
the *base floor*, one query over the base tables that allocates every transaction in SQL (what a report costs
without maintained aggregates), and the *stored floor*, one query over the yearly rollups Amity maintains (the
fastest SQL there is on this database; Amity's ratio to it is what its own layer costs):

  a  national dashboard: the dashboard page (`reports:dashboard` through the Django test client, logged in as a
     central officer) and the function it calls (`reports.dashboard.dashboard`);
  b  a province's dashboard, the same for a provincial viewer of one province;
  c  the grouped report year × sector category × province in VND at value-date rates (`selectors.report`);
  d  the XLSX export of (c): the export page and `report()` + `exports.xlsx.write_xlsx`; its floor is (c)'s
     query with labels plus the rows written with openpyxl in write-only mode.

All cases run in one process, interleaved (every round runs each case once), after warm-up rounds. Each
case's figures are checked against its floor's, to the last cent or đồng. The floors count aid of every status;
the cases time the default, official figures (one more condition, on the rollups' `is_official` flag), and the
check computes them on the status basis “all”, which the floors' figures are.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log, no debug pages: as in production
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


@dataclass
class Case:
    name: str
    run: Callable[[], Any]
    floor_of: str = ""  # the case whose time is this case's base floor
    stored_floor_of: str = ""  # the case whose time is this case's stored floor (over the rollups)
    times: list[float] = field(default_factory=list)
    queries: int | None = None

    def timed(self) -> Any:
        started = time.perf_counter()
        result = self.run()
        self.times.append(time.perf_counter() - started)
        return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = (len(ordered) - 1) * p
    low, high = int(index), min(int(index) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def ensure_users(province_code: str) -> tuple[Any, Any, Any]:
    from amity.accounts.choices import Role
    from amity.accounts.models import User
    from amity.reference.models import AdministrativeUnit

    province = AdministrativeUnit.objects.get(era="2025", level="province", code=province_code)
    central, _ = User.objects.get_or_create(username="bench_central", defaults={"role": Role.CENTRAL_OFFICER})
    viewer, _ = User.objects.get_or_create(
        username=f"bench_viewer_{province_code}", defaults={"role": Role.PROVINCIAL_VIEWER}
    )
    viewer.jurisdictions.set([province])
    return central, viewer, province


def write_floor_xlsx(rows: list[tuple[Any, ...]], stream: io.BytesIO) -> None:
    """The export's floor: the rows as they come, one header, openpyxl write-only."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Figures")
    sheet.append(["Year", "Sector category", "Province", "Committed (VND)", "Disbursed (VND)"])
    for year, category, category_name, _province, province_name, committed, disbursed in rows:
        sheet.append([year, f"{category} {category_name}" if category else "", province_name, committed, disbursed])
    workbook.save(stream)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed rounds (each runs every case once)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--province", default="01", help="code of the province whose dashboard is case b")
    parser.add_argument("--cases", default="a,b,c,d", help="which cases to run (a,b,c,d)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after start-up, as a pre-forking server can (full collections skip Django's own objects)",
    )
    args = parser.parse_args(argv)
    setup_django()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from amity.reports import floor
    from amity.reports.dashboard import dashboard
    from amity.reports.exports import ExportContext, xlsx
    from amity.reports.selectors import report
    from amity.reports.spec import ReportSpec

    central, viewer, province = ensure_users(args.province)
    today = timezone.localdate()
    clients = {}
    for user in (central, viewer):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    grouped_spec = floor.grouped_spec("VND")
    export_params = {**grouped_spec.to_params(), "format": "xlsx"}
    wanted = set(args.cases.split(","))

    def page(user: Any, url: str, params: dict[str, str] | None = None) -> Callable[[], Any]:
        def get() -> Any:
            response = clients[user.pk].get(url, params or {})
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    def floor_xlsx(sql: tuple[str, list[Any]]) -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(*sql)
            rows = cursor.fetchall()
        stream = io.BytesIO()
        write_floor_xlsx(rows, stream)
        return stream.getvalue()

    def amity_xlsx() -> bytes:
        stream = io.BytesIO()
        xlsx.write_xlsx(report(central, grouped_spec), ExportContext(user=central), stream)
        return stream.getvalue()

    national_year = dashboard(central, ReportSpec(), today=today).year
    province_year = dashboard(viewer, ReportSpec(), today=today).year
    cases = []
    if "a" in wanted:
        cases += [
            Case("a national dashboard: page", page(central, reverse("reports:dashboard")), "a floor", "a stored"),
            Case(
                "a national dashboard: dashboard()",
                lambda: dashboard(central, ReportSpec(), today=today),
                "a floor",
                "a stored",
            ),
            Case("a floor", lambda: floor.dashboard(year=national_year)),
            Case("a stored", lambda: floor.dashboard_stored(year=national_year)),
        ]
    if "b" in wanted:
        cases += [
            Case(
                f"b province {province.code} dashboard: page",
                page(viewer, reverse("reports:dashboard")),
                "b floor",
                "b stored",
            ),
            Case(
                f"b province {province.code} dashboard: dashboard()",
                lambda: dashboard(viewer, ReportSpec(), today=today),
                "b floor",
                "b stored",
            ),
            Case("b floor", lambda: floor.dashboard(year=province_year, province_id=province.pk)),
            Case("b stored", lambda: floor.dashboard_stored(year=province_year, province_id=province.pk)),
        ]
    if "c" in wanted:
        cases += [
            Case(
                "c year × sector category × province, VND: report()",
                lambda: report(central, grouped_spec),
                "c floor",
                "c stored",
            ),
            Case("c floor", lambda: floor.grouped(currency="VND")),
            Case("c stored", lambda: floor.grouped_stored(currency="VND")),
        ]
    if "d" in wanted:
        cases += [
            Case(
                "d XLSX export of c: page",
                page(central, reverse("reports:export"), export_params),
                "d floor",
                "d stored",
            ),
            Case("d XLSX export of c: report() + write_xlsx", amity_xlsx, "d floor", "d stored"),
            Case("d floor", lambda: floor_xlsx(floor.grouped_rows_sql(currency="VND"))),
            Case("d stored", lambda: floor_xlsx(floor.grouped_stored_rows_sql(currency="VND"))),
        ]

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; dashboard years: national"
          f" {national_year}, province {province.code} {province_year}", flush=True)  # fmt: skip
    # Correctness first: every case's figures against its floor's.
    problems = check_figures(wanted, central, viewer, province, national_year, province_year, today)
    print("figures equal to the floor's" if not problems else "\n".join(["FIGURES DIFFER:", *problems[:20]]))

    for case in cases:  # query counts, from one run each
        with CaptureQueriesContext(connection) as captured:
            case.run()
        case.queries = len(captured)
    for _ in range(args.warmup):
        for case in cases:
            case.run()
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    for round_ in range(args.repeat):
        for case in cases:
            case.timed()
        print(f"round {round_ + 1}/{args.repeat} done", file=sys.stderr, flush=True)

    results = summarise(cases)
    print_table(results)
    if args.json:
        report = {"machine": machine(), "gc_freeze": args.gc_freeze, "results": results, "problems": problems}
        args.json.write_text(json.dumps(report, indent=2))
    if problems:
        sys.exit(1)


def check_figures(
    wanted: set[str], central: Any, viewer: Any, province: Any, national_year: int, province_year: int, today: date
) -> list[str]:
    from amity.reports import floor
    from amity.reports.dashboard import dashboard
    from amity.reports.selectors import report
    from amity.reports.spec import ReportSpec, StatusBasis

    every_status = ReportSpec(statuses=StatusBasis.ALL)
    ids = floor.KeyIds()
    problems: list[str] = []
    boards = []
    if "a" in wanted:
        boards.append(("national", central, national_year, None))
    if "b" in wanted:
        boards.append((f"province {province.code}", viewer, province_year, province.pk))
    for label, user, year, province_id in boards:
        board = dashboard(user, every_status, today=today)
        figures = floor.dashboard(year=year, province_id=province_id)
        stored = floor.dashboard_stored(year=year, province_id=province_id)
        panels = {
            "year": board.years,
            "sector_category": board.sectors,
            "province": board.provinces,
            "donor_country": board.donor_countries,
            "donor": board.donors,
        }
        for panel, result in panels.items():
            amity = floor.report_figures(result, ids)
            if not amity:
                problems.append(f"{label} {panel}: no figures")
            problems += floor.differences(amity, figures[panel], label=f"{label} {panel}")
            problems += floor.differences(amity, stored[panel], label=f"{label} {panel} (stored floor)")
    if "c" in wanted or "d" in wanted:
        grouped = floor.grouped_spec("VND")
        amity = floor.report_figures(report(central, replace(grouped, statuses=StatusBasis.ALL)), ids)
        problems += floor.differences(amity, floor.grouped(currency="VND"), label="grouped")
        problems += floor.differences(amity, floor.grouped_stored(currency="VND"), label="grouped (stored floor)")
    return problems


def summarise(cases: list[Case]) -> list[dict[str, Any]]:
    medians = {case.name: statistics.median(case.times) for case in cases}
    results = []
    for case in cases:
        median = medians[case.name]
        results.append(
            {
                "case": case.name,
                "runs": len(case.times),
                "median_ms": round(median * 1000, 1),
                "p10_ms": round(percentile(case.times, 0.1) * 1000, 1),
                "p90_ms": round(percentile(case.times, 0.9) * 1000, 1),
                "min_ms": round(min(case.times) * 1000, 1),
                "max_ms": round(max(case.times) * 1000, 1),
                "ratio_to_floor": round(median / medians[case.floor_of], 3) if case.floor_of else None,
                "ratio_to_stored_floor": (
                    round(median / medians[case.stored_floor_of], 3) if case.stored_floor_of else None
                ),
                "queries": case.queries,
            }
        )
    return results


def print_table(results: list[dict[str, Any]]) -> None:
    print()
    print("| case | runs | median ms | p10–p90 ms | min–max ms | ÷ base floor | ÷ stored floor | queries |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = f"{r['ratio_to_floor']:.3f}" if r["ratio_to_floor"] is not None else "floor"
        stored = f"{r['ratio_to_stored_floor']:.2f}" if r["ratio_to_stored_floor"] is not None else "floor"
        print(
            f"| {r['case']} | {r['runs']} | {r['median_ms']:.1f} | {r['p10_ms']:.1f}–{r['p90_ms']:.1f} |"
            f" {r['min_ms']:.1f}–{r['max_ms']:.1f} | {ratio} | {stored} | {r['queries']} |"
        )


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        version = connection.vendor
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    memory = ""
    with contextlib.suppress(OSError):
        memory = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "database": version, "memory": memory}


if __name__ == "__main__":
    main()
