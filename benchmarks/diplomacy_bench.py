"""People's diplomacy at national scale: generate a register (34 provinces, 400 associations, 100,000 events,
50,000 delegations, 200,000 visitors and volunteers) and time the calendar month, the lists, the national
dashboard and the union's period report DOCX as a central officer sees them (pages through the test client,
with the queries each runs counted).

    createdb -h 127.0.0.1 -U postgres amity_diplomacy_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_diplomacy_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_reference
    .venv/bin/python benchmarks/diplomacy_bench.py --generate --repeat 15

The generated rows are written with `bulk_create` (no history rows: they are not what the pages read)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def generate(*, associations: int, events: int, delegations: int, visitors: int, seed: int = 14) -> dict[str, float]:
    from django.db import transaction

    from amity.diplomacy.choices import Direction, EventType, PersonKind, UnitKind
    from amity.diplomacy.models import Delegation, Event, MemberCount, Union, UnionUnit, Visitor
    from amity.reference.models import AdministrativeUnit, Country

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    provinces = list(AdministrativeUnit.objects.filter(level="province", era="2025").order_by("code"))
    countries = list(Country.objects.order_by("code")[:60])
    first, days = date(2018, 1, 1), (date(2026, 12, 31) - date(2018, 1, 1)).days
    started = time.perf_counter()
    with transaction.atomic():
        unions = Union.objects.bulk_create(
            Union(name=f"Liên hiệp các tổ chức hữu nghị {p.name_vi}", province=p, owning_province=p) for p in provinces
        )
        units = []
        for index in range(associations):
            union = unions[index % len(unions)]
            units.append(
                UnionUnit(
                    union=union,
                    owning_province_id=union.owning_province_id,
                    kind=UnitKind.ASSOCIATION,
                    name=f"Hội hữu nghị {index}",
                    partner_country=countries[index % len(countries)],
                )
            )
        units = UnionUnit.objects.bulk_create(units, batch_size=2000)
        MemberCount.objects.bulk_create(
            (MemberCount(unit=u, year=y, members=rng.randint(30, 400)) for u in units for y in range(2018, 2027)),
            batch_size=5000,
        )
        types = list(EventType)

        def day() -> date:
            return first + timedelta(days=rng.randrange(days))

        def rows(count: int, make: Any) -> Any:
            for n in range(count):
                union = unions[rng.randrange(len(unions))]
                yield make(n, union)

        def event(n: int, union: Any) -> Event:
            start = day()
            return Event(
                union=union,
                owning_province_id=union.owning_province_id,
                event_type=types[n % len(types)],
                title=f"Sự kiện {n}",
                start_date=start,
                end_date=start + timedelta(days=rng.choice([0, 0, 1, 2])),
                vietnamese_participants=rng.randint(10, 300),
                foreign_participants=rng.randint(0, 50),
            )

        def delegation(n: int, union: Any) -> Delegation:
            start = day()
            return Delegation(
                union=union,
                owning_province_id=union.owning_province_id,
                direction=Direction.INCOMING if n % 3 else Direction.OUTGOING,
                country=countries[n % len(countries)],
                counterpart=f"Đối tác {n}",
                size=rng.randint(2, 20),
                start_date=start,
                end_date=start + timedelta(days=4),
            )

        def visitor(n: int, union: Any) -> Visitor:
            start = day()
            return Visitor(
                union=union,
                owning_province_id=union.owning_province_id,
                kind=PersonKind.VOLUNTEER if n % 2 else PersonKind.VISITOR,
                full_name=f"Person {n}",
                nationality=countries[n % len(countries)],
                start_date=start,
                end_date=start + timedelta(days=rng.randint(5, 200)),
            )

        Event.objects.bulk_create(rows(events, event), batch_size=5000)
        Delegation.objects.bulk_create(rows(delegations, delegation), batch_size=5000)
        Visitor.objects.bulk_create(rows(visitors, visitor), batch_size=5000)
    timings["generate"] = time.perf_counter() - started
    from amity.diplomacy.rollups import rollups_rebuild

    started = time.perf_counter()
    rollups_rebuild()  # the rows were written in bulk, beside the services that keep the rollups
    timings["rollups"] = time.perf_counter() - started
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return timings


def bench(repeat: int) -> list[dict[str, Any]]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from amity.accounts.choices import Role
    from amity.accounts.models import User
    from amity.diplomacy import rollups
    from amity.diplomacy.models import Union

    central, _ = User.objects.get_or_create(username="bench_central", defaults={"role": Role.CENTRAL_OFFICER})
    client = Client()
    client.force_login(central)
    union = Union.objects.order_by("pk").first()
    assert union is not None
    cases = {
        "calendar month (national)": ("/diplomacy/calendar/", {"month": "2024-05"}),
        "events list (national)": ("/diplomacy/events/", {}),
        "delegations list (national)": ("/diplomacy/delegations/", {}),
        "visitors list (national)": ("/diplomacy/visitors/", {}),
        "dashboard (national, 2018–2024)": ("/diplomacy/", {"date_from": "2018-01-01", "date_to": "2024-12-31"}),
        "dashboard (national, 2018–2024, from the records)": (
            "/diplomacy/",
            {"date_from": "2018-01-01", "date_to": "2024-12-31"},
        ),
        "dashboard (one province, 2018–2024)": (
            "/diplomacy/",
            {"date_from": "2018-01-01", "date_to": "2024-12-31", "province": union.owning_province.code},
        ),
        "dashboard XLSX export (national, 2018–2024)": (
            "/diplomacy/export/",
            {"date_from": "2018-01-01", "date_to": "2024-12-31", "format": "xlsx"},
        ),
        "renewals list (national)": ("/diplomacy/renewals/", {}),
        "period report DOCX (one union)": (f"/diplomacy/unions/{union.public_id}/report/", {}),
    }
    results = []
    for name, (url, params) in cases.items():
        # "from the records": the same page with the rollups switched off, the figures read as before them.
        switch = mock.patch.object(rollups, "readable", return_value=False) if "from the records" in name else None
        if switch is not None:
            switch.start()
        for _warm in range(2):
            assert client.get(url, params).status_code == 200, name
        times = []
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params)
        queries = len(captured.captured_queries)
        for _round in range(repeat):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        if switch is not None:
            switch.stop()
        results.append(
            {
                "case": name,
                "median_ms": round(statistics.median(times), 1),
                "p90_ms": round(sorted(times)[int(0.9 * (len(times) - 1))], 1),
                "queries": queries,
            }
        )
        found = results[-1]
        print(f"{name:<52} median {found['median_ms']:>8} ms  p90 {found['p90_ms']:>8} ms  {queries} queries")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", action="store_true", help="first generate the national register")
    parser.add_argument("--associations", type=int, default=400)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--delegations", type=int, default=50_000)
    parser.add_argument("--visitors", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    setup_django()
    timings: dict[str, float] = {}
    if args.generate:
        timings = generate(
            associations=args.associations, events=args.events, delegations=args.delegations, visitors=args.visitors
        )
        print(f"generated in {timings['generate']:.1f} s, rollups in {timings['rollups']:.1f} s")
    results = bench(args.repeat)
    if args.json:
        args.json.write_text(json.dumps({"timings": timings, "results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
