"""Open data downloads at national scale: each dataset of the public information page written in each format
(CSV streamed, XLSX to a temporary file, IATI streamed) from the database of DATABASE_URL, read-only.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_bench   # loaded by generate.py (50,000 items)
    .venv/bin/python benchmarks/opendata_bench.py --datasets aid-items,transactions,ngos --formats csv,xlsx

For each case: rows, bytes, seconds, the number of queries and the peak of Python's traced memory (tracemalloc),
which must not grow with the rows (each download holds one chunk of rows at a time)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from amity.interop.iati.export import iter_activities  # noqa: E402
from amity.portal.opendata import DATASETS, dataset_rows, published_aid_items  # noqa: E402
from amity.portal.opendata_views import iter_csv, write_xlsx  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.rows = 0

    def wrap(self, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            self.rows += 1
            yield row


def run(slug: str, fmt: str, limit: int | None, memory: bool) -> dict[str, object]:
    dataset = DATASETS[slug]
    counter = Counter()
    size = 0
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        rows = counter.wrap(islice(dataset_rows(dataset, {}), limit) if limit else dataset_rows(dataset, {}))
        if fmt == "csv":
            for piece in iter_csv(dataset, rows):
                size += len(piece)
        elif fmt == "xlsx":
            with tempfile.TemporaryFile() as stream:
                write_xlsx(dataset, rows, stream, source_url="bench")
                size = stream.tell()
        else:
            for piece in iter_activities(published_aid_items({}), public=True):
                size += len(piece)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    tracemalloc.stop()
    return {
        "case": f"{slug}.{fmt}",
        "rows": counter.rows,
        "MB": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "queries": len(queries),
        "peak_MB": round(peak / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="aid-items,transactions,ngos")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--memory", action="store_true", help="trace Python's memory (slower: times not comparable)")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many rows (0: all)")
    args = parser.parse_args()
    connection.force_debug_cursor = True  # count queries outside DEBUG
    with translation.override("vi"):
        for slug in args.datasets.split(","):
            for fmt in args.formats.split(","):
                print(run(slug, fmt, args.limit or None, args.memory), flush=True)


if __name__ == "__main__":
    main()
