"""IATI import benchmark: Amity's importer against a bare lxml pass (the floor) and iatikit, on one file.

    .venv/bin/python benchmarks/iati_generate.py --activities 100000 --out var/iati-100k.xml
    .venv/bin/python benchmarks/iati_bench.py var/iati-100k.xml --repeat 3 --json var/iati-bench.json

Cases, each run in its own subprocess (so the peak memory reported is that case's alone: the child's `VmHWM`,
else `ru_maxrss` from `os.wait4`), interleaved over `--repeat` rounds:

  floor    `lxml.etree.iterparse` over the whole file, reading every element's tag, text and attributes and
           clearing each activity once read (no entity resolution, no network): what just reading costs;
  iatikit  the published IATI library (`iatikit.Dataset(path).activities`; for each activity the identifier,
           titles, descriptions, locations and start/end dates through iatikit's own accessors). iatikit parses
           the whole file into one tree (`etree.parse`), so its memory grows with the file;
  amity    `amity.interop.iati.importer.import_file(path, …)` on the database of DATABASE_URL (default: a
           dedicated `var/iati-bench.sqlite3`, never the dev database), migrated and with reference data:
               DATABASE_URL=sqlite:///var/iati-bench.sqlite3 .venv/bin/python manage.py migrate
               DATABASE_URL=sqlite:///var/iati-bench.sqlite3 .venv/bin/python manage.py load_reference
           The first round creates the aid items, later rounds re-import the same file (updates); both are
           reported. `--dry-run` passes dry_run=True (parse, validate, roll back). With `--fresh-from URL`
           (repeatable: SQLite and PostgreSQL in one run) each round clones that template database, imports
           twice (first import, re-import) and drops the clone, so every round measures both.

Times exclude the interpreter's start-up and imports (the child times its own work); activities/s is the
number of activities in the file over that time. Ratios are to the floor's median.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ("floor", "iatikit", "amity")
SKIP = 3  # a child's exit code for "this case cannot run here" (its JSON says why)
IATIKIT_HINT = (
    "iatikit is not installed in {python}. It is in the project's `dev` extra: after the lead re-locks, "
    "`make install` (pip install --require-hashes -r requirements.lock) installs it; or point --iatikit-python "
    "at an interpreter that has it (e.g. a scratch venv: python3 -m venv /tmp/ikv && /tmp/ikv/bin/pip install "
    "iatikit, then --iatikit-python /tmp/ikv/bin/python)."
)
DEFAULT_DB = f"sqlite:///{ROOT / 'var' / 'iati-bench.sqlite3'}"


# -- children: each measures one case in a fresh process and prints one JSON line ------------------------------
def proc_status(field: str) -> int | None:
    """A /proc/self/status field in KiB (VmRSS, VmHWM), or None where there is no /proc."""
    with contextlib.suppress(OSError), open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def child_floor(path: str, _args: argparse.Namespace) -> dict[str, Any]:
    from lxml import etree

    rss_start = proc_status("VmRSS")
    activities = elements = transactions = attributes = chars = 0
    started = time.perf_counter()
    for _event, element in etree.iterparse(path, events=("end",), resolve_entities=False, no_network=True):
        elements += 1
        tag = element.tag
        text = element.text
        if text:
            chars += len(text)
        attributes += len(element.items())
        if tag == "transaction":
            transactions += 1
        elif tag == "iati-activity":
            activities += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds, "activities": activities, "rss_start_kb": rss_start,
        "extra": {"elements": elements, "transactions": transactions, "attributes": attributes, "text_chars": chars},
    }  # fmt: skip


def child_iatikit(path: str, _args: argparse.Namespace) -> dict[str, Any]:
    import logging

    try:
        import iatikit
    except ImportError:
        return {"skip": IATIKIT_HINT.format(python=sys.executable)}
    logging.getLogger("iatikit").setLevel(logging.ERROR)  # "no metadata for dataset": a local file has none

    rss_start = proc_status("VmRSS")
    activities = titles = locations = 0
    started = time.perf_counter()
    dataset = iatikit.Dataset(path)
    for activity in dataset.activities:
        activities += 1
        _ = activity.iati_identifier
        titles += len(activity.title)
        _ = activity.description
        locations += len(activity.location)
        _ = activity.start, activity.end
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds, "activities": activities, "rss_start_kb": rss_start,
        "extra": {"iatikit": iatikit.__version__, "version": dataset.version, "titles": titles,
                  "locations": locations},
    }  # fmt: skip


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif not isinstance(value, dict | list | tuple | str | int | float | bool | type(None)) and hasattr(
        value, "__dict__"
    ):
        value = {k: v for k, v in vars(value).items() if not k.startswith("_")}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        items = list(value)
        return items if len(items) <= 5 and all(isinstance(i, str | int | float) for i in items) else len(items)
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    return str(value)


def child_amity(path: str, args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log: as in production
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        from amity.interop.iati.importer import import_file
    except ImportError as error:
        return {"skip": f"amity.interop.iati.importer.import_file is not there yet ({error})."}
    database = f"{connection.vendor} {connection.settings_dict.get('NAME')}"
    fix = (
        f"DATABASE_URL={os.environ.get('DATABASE_URL', '')} .venv/bin/python manage.py migrate && "
        f"DATABASE_URL={os.environ.get('DATABASE_URL', '')} .venv/bin/python manage.py load_reference"
    )
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return {"skip": f"the database ({database}) has unapplied migrations; run: {fix}"}
    from amity.reference.models import AdministrativeUnit, Currency

    if not (Currency.objects.exists() and AdministrativeUnit.objects.exists()):
        return {"skip": f"the database ({database}) has no reference data; run: {fix}"}
    owning_province = None
    if args.owning_province:
        owning_province = AdministrativeUnit.objects.get(era="2025", level="province", code=args.owning_province)

    rss_start = proc_status("VmRSS")
    started = time.perf_counter()
    result = import_file(
        path,
        user=None,
        owning_province=owning_province,
        vn_only=args.vn_only,
        dry_run=args.dry_run,
        progress=None,
        plan_ahead=False if args.no_plan_ahead else None,
    )
    seconds = time.perf_counter() - started
    if getattr(result, "refused", None):
        return {"error": f"the importer refused the file: {result.refused}"}
    problems: collections.Counter[str] = collections.Counter()  # by message template, with a first example
    examples: dict[str, str] = {}
    for problem in getattr(result, "problems", None) or []:
        template = str(getattr(problem, "message", problem))
        example = template
        with contextlib.suppress(Exception):
            example = template % problem.params
        problems[template] += 1
        examples.setdefault(template, f"line {getattr(problem, 'line', '?')}: {example}"[:300])
    problems = {t: {"count": n, "example": examples[t]} for t, n in problems.most_common(10)}  # type: ignore[assignment]
    import resource

    # The importer reads the file in a forked child process: its peak is reported beside this process's.
    reader_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds, "activities": args.activities, "rss_start_kb": rss_start, "reader_kb": reader_kb,
        "extra": {"database": database, "result": jsonable(result), "problems": problems},
    }  # fmt: skip


def child_main(case: str, path: str, args: argparse.Namespace) -> int:
    runner = {"floor": child_floor, "iatikit": child_iatikit, "amity": child_amity}[case]
    outcome = runner(path, args)
    outcome["hwm_kb"] = proc_status("VmHWM")
    print(json.dumps(outcome))
    return SKIP if "skip" in outcome else 1 if "error" in outcome else 0


# -- parent ---------------------------------------------------------------------------------------------------
def run_child(case: str, args: argparse.Namespace, activities: int, database_url: str = "") -> dict[str, Any]:
    python = args.iatikit_python if case == "iatikit" and args.iatikit_python else sys.executable
    command = [python, str(Path(__file__).resolve()), str(args.file), "--child", case, "--activities", str(activities)]
    if case == "amity":
        command += ["--vn-only"] * args.vn_only + ["--dry-run"] * args.dry_run
        command += ["--no-plan-ahead"] * args.no_plan_ahead
        if args.owning_province:
            command += ["--owning-province", args.owning_province]
    env = dict(os.environ)
    if case == "amity":
        env["DATABASE_URL"] = database_url or args.database_url
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, cwd=ROOT, env=env)
        assert process.stdout is not None
        stdout = process.stdout.read()  # to EOF: the child has exited or closed it
        process.stdout.close()
        # wait4, not wait: the rusage of this child alone (RUSAGE_CHILDREN would be the max over all of them)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    wall = time.perf_counter() - started
    lines = stdout.decode().strip().splitlines()
    outcome = {}
    with contextlib.suppress(ValueError, IndexError):
        outcome = json.loads(lines[-1])
    if "error" in outcome:
        return outcome
    if process.returncode not in (0, SKIP) or not outcome:
        return {"error": f"exit {process.returncode}: {stderr.decode(errors='replace')[-2000:]}", "wall": wall}
    # The child's own high-water mark (VmHWM, reset by exec) when it gives one: `ru_maxrss` also counts the
    # moment between fork and exec, when the child is a copy of this (larger) process.
    outcome["maxrss_kb"] = outcome.get("hwm_kb") or usage.ru_maxrss  # KiB on Linux
    outcome["wall"] = wall
    return outcome


@contextlib.contextmanager
def fresh_copy(template_url: str) -> Any:
    """A scratch database cloned from `template_url` (migrated, with reference data, never written), dropped
    after: every round's first import creates, whatever ran before."""
    import shutil

    if template_url.startswith("sqlite:///"):
        source = Path(template_url.removeprefix("sqlite:///"))
        scratch = source.with_name(f"{source.stem}-scratch-{os.getpid()}{source.suffix}")
        shutil.copyfile(source, scratch)
        try:
            yield f"sqlite:///{scratch}"
        finally:
            for path in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
                path.unlink(missing_ok=True)
        return
    import psycopg

    server, _, name = template_url.rpartition("/")
    scratch = f"{name}_scratch_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{name}"')
    try:
        yield f"{server}/{scratch}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def vendor_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def record(
    case: str,
    round_: int,
    outcome: dict[str, Any],
    runs: dict[str, list[dict[str, Any]]],
    skipped: dict[str, str],
    errors: dict[str, str],
    activities: int,
) -> None:
    if "skip" in outcome:
        skipped[case] = outcome["skip"]
        print(f"  {case}: SKIPPED: {outcome['skip']}", file=sys.stderr)
    elif "error" in outcome:
        errors[case] = outcome["error"]
        print(f"  {case}: FAILED: {outcome['error']}", file=sys.stderr)
    else:
        runs[case].append(outcome)
        print(
            f"  round {round_} {case}: {outcome['seconds']:.2f} s, "
            f"{activities / outcome['seconds']:,.0f} activities/s, peak {outcome['maxrss_kb'] / 1024:,.0f} MB",
            file=sys.stderr,
        )


def count_activities(path: Path) -> int:
    """Activities in the file (the floor's count is the same; this is a cheap pre-pass for the amity case)."""
    from lxml import etree

    count = 0
    for _event, element in etree.iterparse(
        str(path), events=("end",), tag="iati-activity", resolve_entities=False, no_network=True
    ):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return count


def spread(values: list[float]) -> float:
    return (max(values) - min(values)) / statistics.median(values) if values and statistics.median(values) else 0.0


def summarise(name: str, runs: list[dict[str, Any]], floor_median: float | None) -> dict[str, Any]:
    times = [r["seconds"] for r in runs]
    median = statistics.median(times)
    activities = runs[0]["activities"] or 0
    peaks = [r["maxrss_kb"] / 1024 for r in runs]
    starts = [r["rss_start_kb"] / 1024 for r in runs if r.get("rss_start_kb")]
    return {
        "case": name, "runs": len(runs), "activities": activities,
        "median_s": median, "min_s": min(times), "max_s": max(times), "spread": spread(times),
        "activities_per_s": activities / median if median else None,
        "peak_mb": statistics.median(peaks), "peak_mb_max": max(peaks),
        "start_mb": statistics.median(starts) if starts else None,
        "reader_mb": max((r.get("reader_kb") or 0) / 1024 for r in runs) or None,
        "ratio_to_floor": median / floor_median if floor_median else None,
        "times_s": times, "extra": runs[-1].get("extra"),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="an IATI activity file (see benchmarks/iati_generate.py)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each runs every case once, in turn")
    parser.add_argument("--cases", default=",".join(CASES), help="which cases to run (floor,iatikit,amity)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--iatikit-python", help="the interpreter for the iatikit case (default: this one)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DB,
                        help=f"the amity case's database (default: $DATABASE_URL, else {DEFAULT_DB})")  # fmt: skip
    parser.add_argument("--fresh-from", action="append", default=[], metavar="TEMPLATE_URL",
                        help="amity case: clone this database (PostgreSQL template or SQLite file; migrated, with "
                             "reference data) for each round, import twice (first import, re-import), drop the "
                             "clone; repeat the option to measure SQLite and PostgreSQL in one run")  # fmt: skip
    parser.add_argument("--owning-province", help="amity case: code of the (2025) province that owns the items")
    parser.add_argument("--vn-only", action="store_true", help="amity case: vn_only=True")
    parser.add_argument("--dry-run", action="store_true", help="amity case: dry_run=True (changes nothing)")
    parser.add_argument("--no-plan-ahead", action="store_true", help="amity case: plan each batch in one thread")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--activities", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, str(args.file), args)

    if not args.file.is_file():
        parser.error(f"{args.file} does not exist; make one with benchmarks/iati_generate.py")
    wanted = [c for c in CASES if c in set(args.cases.split(","))]
    size_mb = args.file.stat().st_size / 2**20
    print(f"counting activities in {args.file} ({size_mb:,.1f} MiB)…", file=sys.stderr)
    try:
        activities = count_activities(args.file)
    except Exception as error:  # lxml's XMLSyntaxError and the like: the file must be readable
        parser.error(f"{args.file} is not a well-formed IATI file ({error}); benchmark a valid one")
    print(f"{activities:,} activities; cases {', '.join(wanted)}; {args.repeat} round(s)", file=sys.stderr)

    runs: dict[str, list[dict[str, Any]]] = {c: [] for c in wanted}
    skipped: dict[str, str] = {}
    errors: dict[str, str] = {}
    # With --fresh-from, the amity case runs on a clone of each template: a first import and a re-import a round.
    templates = list(dict.fromkeys(args.fresh_from)) if "amity" in wanted else []
    fresh = {f"amity {vendor_of(url)} {step}": url for url in templates for step in ("first", "again")}
    if fresh:
        wanted = [c for c in wanted if c != "amity"]
        runs = {**{c: [] for c in wanted}, **{name: [] for name in fresh}}
    for round_ in range(1, args.repeat + 1):
        for case in wanted:
            if case in skipped or case in errors:
                continue
            record(case, round_, run_child(case, args, activities), runs, skipped, errors, activities)
        for url in templates:
            with fresh_copy(url) as scratch:
                for step in ("first", "again"):
                    outcome = run_child("amity", args, activities, scratch)
                    record(f"amity {vendor_of(url)} {step}", round_, outcome, runs, skipped, errors, activities)

    floor_median = statistics.median(r["seconds"] for r in runs["floor"]) if runs.get("floor") else None
    results = []
    for case in runs:
        if not runs.get(case):
            continue
        if case in fresh:
            step = "first import: creates" if case.endswith("first") else "re-import, same file"
            results.append(summarise(f"{case.rsplit(' ', 1)[0]} ({step})", runs[case], floor_median))
            continue
        if case == "amity" and len(runs[case]) > 1 and not args.dry_run:
            results.append(summarise("amity (first import: creates)", runs[case][:1], floor_median))
            results.append(summarise("amity (re-import, same file)", runs[case][1:], floor_median))
        else:
            results.append(summarise(case, runs[case], floor_median))

    print(f"\n{args.file}: {size_mb:,.1f} MiB, {activities:,} activities, {args.repeat} round(s)")
    header = (
        f"{'case':<42} {'median s':>9} {'spread':>7} {'act/s':>9} {'peak MB':>8} {'start MB':>8} {'reader MB':>9}"
        f" {'× floor':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = f"{r['ratio_to_floor']:.2f}" if r["ratio_to_floor"] else "–"
        start = f"{r['start_mb']:,.0f}" if r["start_mb"] else "–"
        reader = f"{r['reader_mb']:,.0f}" if r.get("reader_mb") else "–"
        print(
            f"{r['case']:<42} {r['median_s']:>9.2f} {r['spread']:>6.0%} {r['activities_per_s']:>9,.0f} "
            f"{r['peak_mb']:>8,.0f} {start:>8} {reader:>9} {ratio:>8}"
        )
    for case, why in skipped.items():
        print(f"{case:<42} skipped: {why}")
    for case, why in errors.items():
        print(f"{case:<42} FAILED: {why.strip().splitlines()[-1] if why.strip() else why}")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "file": str(args.file), "size_mb": size_mb, "activities": activities, "repeat": args.repeat,
                    "machine": {"python": platform.python_version(), "platform": platform.platform(),
                                "cpus": os.cpu_count()},
                    "database": args.database_url.split("@")[-1] if "amity" in wanted else None,
                    "fresh_from": [url.split("@")[-1] for url in templates],
                    "results": results, "skipped": skipped, "errors": errors,
                },
                indent=2,
            )
        )  # fmt: skip
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
