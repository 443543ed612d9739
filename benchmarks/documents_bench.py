"""Documents and reporting duties at national scale: generate a register of official documents with text (written
through `documents_save`, the one writer, in batches) and ~10,000 approved aid items in every province with
registered NGOs, then time the obligations' generation (first run, an idempotent run, the aid hook's run for a
few items, a rule's own run, a rule edit's preview) and the full-text search (with and without diacritics).

    # SQLite (the embedded default), a database of its own:
    export DATABASE_URL=sqlite:///var/documents-bench.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_reference
    .venv/bin/python benchmarks/documents_bench.py --generate --repeat 9

    # PostgreSQL:
    createdb -h 127.0.0.1 -U postgres amity_documents_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/amity_documents_bench
    (the same three commands)

The aid items, organisations and registrations are written with `bulk_create` (no history rows: generation reads
only their columns); documents go through `documents_save` (their history, search text and index included), so
their load time is that writer's."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_TEXT = (
    "viện trợ phi chính phủ nước ngoài quyết định phê duyệt kế hoạch chỉ thị công văn báo cáo tình hình thực hiện "
    "dự án chương trình nước sạch giáo dục y tế trường học bệnh viện đường giao thông cầu treo sinh kế phụ nữ trẻ "
    "em khuyết tật môi trường biến đổi khí hậu thiên tai lũ lụt hạn hán vận động tiếp nhận quản lý sử dụng giải ngân "
    "tỉnh huyện xã ủy ban nhân dân sở ngoại vụ liên hiệp hữu nghị hợp tác quốc tế đăng ký hoạt động văn phòng đại diện"
)
WORDS = _TEXT.split()  # the vocabulary of the generated titles and summaries
KINDS = [("QĐ-UBND", "decision"), ("KH-UBND", "plan"), ("UBND-NV", "official_letter"), ("BC-UBND", "report")]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def bench_user() -> Any:
    from amity.accounts.models import User

    user, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"role": "administrator", "is_staff": False}
    )
    return user


def generate(*, documents: int, items: int, organisations: int, batch: int, seed: int = 15) -> dict[str, float]:
    from django.db import transaction

    from amity.aid.models import AidItem
    from amity.documents.services import DocumentChange, documents_save
    from amity.organisations.models import Organisation, Registration
    from amity.reference.models import AdministrativeUnit

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    provinces = list(AdministrativeUnit.objects.filter(level="province", era="2025").order_by("code"))
    user = bench_user()

    started = time.perf_counter()
    with transaction.atomic():
        ngos = Organisation.objects.bulk_create(
            [Organisation(name=f"Bench NGO {n}", kind="foreign_ngo") for n in range(organisations)], batch_size=2000
        )
        registrations = Registration.objects.bulk_create(
            [
                Registration(
                    organisation=ngo,
                    kind="operation",
                    number=f"{n}/BNG-GĐK",
                    issue_date=date(2023, 1, 1) + timedelta(days=rng.randrange(700)),
                    expiry_date=date(2027, 12, 31),
                )
                for n, ngo in enumerate(ngos)
            ],
            batch_size=2000,
        )
        through = Registration.provinces.through
        through.objects.bulk_create(
            [
                through(registration_id=r.pk, administrativeunit_id=p.pk)
                for r in registrations
                for p in rng.sample(provinces, rng.randint(1, 3))
            ],
            batch_size=5000,
        )
        aid = []
        for n in range(items):
            start = date(2022, 1, 1) + timedelta(days=rng.randrange(1400))
            ended = start + timedelta(days=rng.randrange(200, 1500))
            aid.append(
                AidItem(
                    modality="project",
                    title_vi=f"Dự án {n} {' '.join(rng.sample(WORDS, 5))}",
                    owning_province=rng.choice(provinces),
                    aid_owner=rng.choice(ngos),
                    status="in_progress" if ended > date(2026, 6, 30) else "completed",
                    decision_date=start - timedelta(days=30),
                    actual_start=start,
                    actual_end=ended if ended <= date(2026, 6, 30) else None,
                )
            )
        AidItem.objects.bulk_create(aid, batch_size=2000)
    timings["register (organisations, registrations, aid items; bulk_create)"] = time.perf_counter() - started

    started = time.perf_counter()
    for first in range(0, documents, batch):
        rows = []
        for n in range(first, min(documents, first + batch)):
            symbol, kind = KINDS[n % len(KINDS)]
            province = provinces[n % len(provinces)]
            words = rng.choices(WORDS, k=60)
            rows.append(
                DocumentChange(
                    {
                        "kind": kind,
                        "number_symbol": f"{n // len(KINDS) + 1}/{symbol}",
                        "title": " ".join(words[:12]).capitalize(),
                        "summary": " ".join(words[12:]),
                        "issuing_body": f"Ủy ban nhân dân {province.name_vi}",
                        "issued_on": date(2018, 1, 1) + timedelta(days=n % 3200),
                        "status": "in_force",
                        "owning_province": province,
                    }
                )
            )
        documents_save(user=user, rows=rows, reason="benchmark")
    timings[f"{documents:,} documents through documents_save, {batch} a batch"] = time.perf_counter() - started
    return timings


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float, float, Any]:
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), min(runs), max(runs), result


def bench(*, repeat: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from amity.aid.models import AidItem
    from amity.documents.models import Document
    from amity.documents.selectors import documents_search
    from amity.obligations.models import DutyRule, Obligation
    from amity.obligations.services import RuleChange, duty_rules_effect, obligations_generate

    today = date(2026, 12, 6)
    out: dict[str, Any] = {"vendor": connection.vendor, "load_average": os.getloadavg(), "cases": {}}

    def record(name: str, function: Callable[[], Any], times: int) -> Any:
        median, low, high, result = timed(function, times)
        out["cases"][name] = {"median_ms": round(median, 1), "min_ms": round(low, 1), "max_ms": round(high, 1)}
        print(f"{name:<70} {median:>10.1f} ms  ({low:.1f}–{high:.1f}, n={times})  {result}")
        return result

    Obligation.all_objects.all().delete()  # the first generation from an empty table, each run the same
    first = record("obligations_generate, first run (creates every duty)", lambda: obligations_generate(today=today), 1)
    out["obligations"] = Obligation.objects.count()
    out["first_run"] = str(first)
    record(
        "obligations_generate again (idempotent: changes nothing)", lambda: obligations_generate(today=today), repeat
    )
    some = list(AidItem.objects.order_by("pk").values_list("pk", flat=True)[:100])
    record(
        "obligations_generate for 100 aid items (the aid services' hook)",
        lambda: obligations_generate(today=today, aid_item_ids=some),
        repeat,
    )
    rule = DutyRule.objects.get(code="d313-aid-owner-annual")
    record(
        "obligations_generate for one rule (after a rule's edit)",
        lambda: obligations_generate(today=today, rule_ids=[rule.pk]),
        repeat,
    )
    user = bench_user()

    def preview() -> Any:
        current = DutyRule.objects.get(pk=rule.pk)
        change = RuleChange({"due_day": 20}, pk=current.pk, expected_version=current.version)
        return duty_rules_effect(user=user, rows=[change], today=today)

    record("duty_rules_effect: a rule edit's preview (due day moved; rolled back)", preview, max(1, repeat // 5))

    documents = Document.objects.all()
    out["documents"] = documents.count()
    for query in (
        "quyết định phê duyệt",
        "quyet dinh phe duyet",
        "nước sạch trường học",
        "nuoc sach truong hoc",
        "biến đổi khí hậu hạn hán",
        "bien doi khi hau han han",
        "1234/QĐ-UBND",
        "vien",
    ):

        def search(query: str = query) -> Any:
            found = documents_search(documents, query)
            return found.count(), len(list(found.order_by("-issued_on", "-pk")[:20]))

        with transaction.atomic():
            record(f"search “{query}”: count and first page of 20", search, repeat)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    setup_django()
    results: dict[str, Any] = {}
    if args.generate:
        load = generate(documents=args.documents, items=args.items, organisations=args.organisations, batch=args.batch)
        for name, seconds in load.items():
            print(f"{name:<70} {seconds:>10.1f} s")
        results["load_seconds"] = {name: round(seconds, 1) for name, seconds in load.items()}
    results.update(bench(repeat=args.repeat))
    print(
        f"load average {results['load_average']}, {results['documents']:,} documents, {results['obligations']:,} duties"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
