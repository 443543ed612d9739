"""What single page requests cost, in process (Django's test client, no server): CPU and wall milliseconds per
request, database queries, size and how many `<option>`s each page renders. Cheap and quiet enough for a shared
machine (no load); run it against the load test's database, before and after a change to a page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_load \\
        .venv/bin/python benchmarks/load/pages.py [--repeat 5] [--user load-pages-central] [--profile /aid/]

Signs in a central officer (made if missing, as `prepare.py` does), asks each page once to warm up, then
`--repeat` times, and prints the median. `--profile PATH` prints cProfile's 25 costliest functions of that page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())  # the checkout it is run from (its root), which need not be this file's

PAGES = [
    "/aid/",
    "/aid/?status=approved&year=2024",
    "/reports/table/",
    "/reports/",
    "/organisations/",
    "/organisations/registrations/",
    "/documents/",
    "/diplomacy/partnerships/",
    "/diplomacy/visitors/",
    "/duties/all/",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--user", default="load-pages-central")
    parser.add_argument("--profile", default="")
    parser.add_argument("pages", nargs="*", default=PAGES)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from amity.accounts.choices import Role
    from amity.accounts.models import User

    setup_test_environment()
    user, created = User.objects.get_or_create(username=args.user, defaults={"role": Role.CENTRAL_OFFICER})
    if created:
        user.set_unusable_password()
        user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)

    if args.profile:
        client.get(args.profile)
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(args.profile)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return

    print(f"{'page':<40} {'status':>6} {'CPU ms':>8} {'wall ms':>8} {'queries':>8} {'KB':>7} {'options':>8}")
    for page in args.pages:
        client.get(page)  # warm: templates compiled, caches filled
        cpu, wall = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        body = response.content
        print(
            f"{page:<40} {response.status_code:>6} {statistics.median(cpu):>8.0f} {statistics.median(wall):>8.0f}"
            f" {len(queries.captured_queries):>8} {len(body) / 1024:>7.0f} {body.count(b'<option'):>8}"
        )


if __name__ == "__main__":
    main()
