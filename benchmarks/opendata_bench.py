"""Open data at national scale, from the database of DATABASE_URL.

Two modes:

* `--mode write` (default): each dataset written in each format as the builder writes it (CSV streamed, XLSX
  row by row, IATI streamed) to a throw-away stream, read-only — rows, bytes, seconds, queries and the peak of
  Python's traced memory (tracemalloc), which must not grow with the rows:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_bench   # loaded by generate.py (50,000 items)
    .venv/bin/python benchmarks/opendata_bench.py --datasets aid-items,transactions,ngos --formats csv,xlsx

* `--mode build`: the ready files built for real (`opendata_files.open_data_files_build`, into the storage,
  recorded in `OpenDataFile`: this writes), then each one downloaded through the view as a visitor does
  (`/data/<dataset>.<format>`, the whole body read) and asked again with its ETag (a 304) — build seconds per
  file, then download seconds, MB/s and the 304's time:

    .venv/bin/python benchmarks/opendata_bench.py --mode build --datasets aid-items,transactions,ngos \
        --formats csv,xlsx,xml --provinces national,01 --languages vi
"""

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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from amity.interop.iati.export import iter_activities  # noqa: E402
from amity.portal.opendata import DATASETS, dataset_rows, published_aid_items  # noqa: E402
from amity.portal.opendata_files import all_targets, iter_csv, open_data_files_build, write_xlsx  # noqa: E402


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


def build_and_download(datasets: list[str], formats: list[str], provinces: list[str], languages: list[str]) -> None:
    """Build each file (timed, with its queries), then download it through the view and ask again with its ETag."""
    scopes = ["" if code == "national" else code for code in provinces]
    targets = all_targets(datasets=datasets, formats=formats, provinces=scopes, langs=languages)
    client = Client(HTTP_HOST="localhost")
    for target in targets:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = open_data_files_build(targets=[target])
        build_seconds = time.perf_counter() - started
        if result.busy or result.failed:
            print({"case": str(target), "error": "busy" if result.busy else result.failed[0][1]}, flush=True)
            continue
        record = (result.built or result.too_large)[0]
        case: dict[str, object] = {
            "case": f"{target.dataset}.{target.fmt} {target.province or 'national'} {target.language or '-'}",
            "rows": record.rows,
            "MB": round(record.size / 1e6, 1),
            "build_s": round(build_seconds, 1),
            "build_queries": len(queries),
        }
        if record.status == record.READY:
            query = {name: value for name, value in (("province", target.province), ("lang", target.language)) if value}
            path = f"/data/{target.dataset}.{target.fmt}"
            started = time.perf_counter()
            response = client.get(path, query)
            size = sum(len(piece) for piece in response.streaming_content)  # type: ignore[attr-defined,misc]
            download = time.perf_counter() - started
            started = time.perf_counter()
            again = client.get(path, query, HTTP_IF_NONE_MATCH=response["ETag"])
            case |= {
                "download_s": round(download, 2),
                "MB_per_s": round(size / 1e6 / download, 1) if download else None,
                "status": response.status_code,
                "304_ms": round((time.perf_counter() - started) * 1000, 1) if again.status_code == 304 else None,
            }
        else:
            case["note"] = "too many rows for a workbook: not written"
        print(case, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("write", "build"), default="write")
    parser.add_argument("--datasets", default="aid-items,transactions,ngos")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--provinces", default="national", help="build mode: `national` and/or province codes")
    parser.add_argument("--languages", default="vi", help="build mode: the files' languages")
    parser.add_argument("--memory", action="store_true", help="trace Python's memory (slower: times not comparable)")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many rows (0: all)")
    args = parser.parse_args()
    connection.force_debug_cursor = True  # count queries outside DEBUG
    if args.mode == "build":
        build_and_download(
            args.datasets.split(","), args.formats.split(","), args.provinces.split(","), args.languages.split(",")
        )
        return
    with translation.override("vi"):
        for slug in args.datasets.split(","):
            for fmt in args.formats.split(","):
                print(run(slug, fmt, args.limit or None, args.memory), flush=True)


if __name__ == "__main__":
    main()
