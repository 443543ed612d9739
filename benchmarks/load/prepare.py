"""Prepare the load test: users of each kind with signed-in sessions and API tokens, and the requests they make;
or, with `--public`, the requests of anonymous visitors to the public pages.

    DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=… DATABASE_URL=postgres://…/amity_load \\
        .venv/bin/python benchmarks/load/prepare.py --out var/load/requests.tsv [--public]

Run by `run.sh` (README.md), on a database loaded by `benchmarks/generate.py` at national scale, with the same
settings and secret key as the server under test (a session is signed with it). Idempotent: the users are made
once (`load-*`), their sessions and tokens each time.

Users: central officers (with a confirmed authenticator, and sessions that passed the second step, as after a real
sign-in: the OTP middleware loads the device on every request), provincial editors and viewers of the provinces
with the most aid, and API clients with tokens (a central officer and provincial editors). Each line of the output
is one request — `<kind>\\t<header>\\t<path>` — of one of them, drawn with the weights below from what that user may
see (the scope policy chooses the records, so no request is refused): the load is realistic and has no 403/404.

Public visitors (`--public`, kind `public`, no cookie): every kind of public page — the national home and each
province's, news and articles, events, the calendar and event pages, the NGO directory (searches, filters, NGO
pages), published figures (the list, each province's, reports), open data, the data dictionary and the public API's
documentation — each in Vietnamese, English and Arabic (`?lang=`), drawn with the weights of `PUBLIC_WEIGHTS` from
what the database has published.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# kind → weight: what offices open most (lists and records), dashboards, and machine clients of the API.
WEIGHTS = {"dashboard": 15, "list": 30, "detail": 30, "api": 25}
SAMPLE = 300  # records per user to draw detail pages from
# Public visitors: what people open most (homes, the directory, figures), then news, events and the data pages.
PUBLIC_WEIGHTS = {"home": 20, "news": 15, "events": 10, "directory": 20, "figures": 20, "data": 15}
LANGUAGES = ("vi", "en", "ar")


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()


def provinces_with_most_aid(count: int) -> list[Any]:
    from django.db.models import Count

    from amity.aid.models import LocationSplit
    from amity.reference.models import AdministrativeUnit

    ranked = (
        LocationSplit.objects.values("current_province")
        .annotate(n=Count("aid_item", distinct=True))
        .order_by("-n")[:count]
    )
    return [AdministrativeUnit.objects.get(pk=row["current_province"]) for row in ranked if row["current_province"]]


def ensure_user(name: str, role: str, provinces: Sequence[Any] = ()) -> Any:
    from amity.accounts.models import User

    user, created = User.objects.get_or_create(username=name, defaults={"role": role})
    if created:
        user.set_unusable_password()
        user.save()
        user.jurisdictions.set(provinces)
    return user


def session_cookie(user: Any, verified: bool) -> str:
    """A signed-in session of `user`, as after Amity's sign-in steps (the second one too if `verified`)."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    if verified:
        from importlib import import_module

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="Authenticator", defaults={"confirmed": True})
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.save()
    return f"Cookie: {settings.SESSION_COOKIE_NAME}={key}"


def token_header(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return f"Authorization: Token {token.key}"


def requests_of(user: Any, header: str, api_header: str | None) -> dict[str, list[str]]:
    """The paths each kind of request of `user` draws from: what they may see (records sampled by the database at
    random, so two preparations differ in the records, not in the mix)."""
    from amity.aid.models import AidItem
    from amity.organisations.models import Organisation

    items = list(AidItem.objects.restrict(user, "view").order_by("?").values_list("public_id", flat=True)[:SAMPLE])
    organisations = list(
        Organisation.objects.restrict(user, "view").order_by("?").values_list("public_id", flat=True)[:SAMPLE]
    )
    years = [str(year) for year in range(2015, 2026)]
    paths: dict[str, list[str]] = {
        "dashboard": [
            "/reports/",
            *(f"/reports/?year={year}" for year in years[-4:]),
            "/reports/table/?rows=sector_category&columns=year",
        ],
        "list": [
            "/aid/",
            *(f"/aid/?page={page}" for page in range(2, 12)),
            *(f"/aid/?year={year}" for year in years),
            "/aid/?status=approved&status=in_progress",
            "/organisations/",
            "/organisations/?page=3",
        ],
        "detail": [f"/aid/{i}/" for i in items] + [f"/organisations/{o}/" for o in organisations[:50]],
        "api": [],
    }
    if api_header:
        paths["api"] = [
            "/api/v1/aid-items/",
            *(f"/api/v1/aid-items/?page={page}" for page in range(2, 12)),
            *(f"/api/v1/aid-items/?year={year}" for year in years),
            *(f"/api/v1/aid-items/{i}/" for i in items[:100]),
            *(f"/api/v1/transactions/?aid_item={i}" for i in items[:50]),
            "/api/v1/organisations/",
            "/api/v1/reports/?group_by=province",
            "/api/v1/reports/?group_by=sector_category&year=2023",
        ]
    return {
        kind: [f"{kind}\t{api_header if kind == 'api' else header}\t{path}" for path in found]
        for kind, found in paths.items()
    }


def public_paths(rng: random.Random) -> dict[str, list[str]]:
    """The public pages by kind, from what the database has published (any language: `?lang=` is added after)."""
    from django.utils import timezone

    from amity.diplomacy.selectors import public_events
    from amity.portal import selectors
    from amity.portal.figures import published_reports

    today = timezone.localdate()
    codes = list(selectors.provinces().values_list("code", flat=True))
    articles = list(selectors.published_news().values_list("public_id", flat=True)[:SAMPLE])
    events = list(public_events().order_by("-start_date").values_list("public_id", flat=True)[:SAMPLE])
    ngos = [entry.organisation.public_id for entry in selectors.directory(today=today)][:SAMPLE]
    reports = list(published_reports().values_list("public_id", flat=True)[:SAMPLE])
    months = [f"{year}-{month:02d}" for year in (today.year - 1, today.year) for month in range(1, 13)]
    words = ["foundation", "children", "viet", "tre em", "giao duc", "health", "water", "hoc bong"]
    return {
        "home": ["/", *(f"/p/{code}/" for code in codes)],
        "news": [
            "/news/",
            "/news/?page=2",
            *(f"/p/{code}/news/" for code in codes),
            *(f"/news/{i}/" for i in articles),
        ],
        "events": [
            "/events/",
            *(f"/events/?month={month}" for month in months),
            *(f"/p/{code}/events/" for code in codes),
            *(f"/events/{i}/" for i in events),
        ],
        "directory": [
            "/ngos/",
            "/ngos/?page=2",
            *(f"/ngos/?q={word.replace(' ', '+')}" for word in words),
            *(f"/ngos/?province={code}" for code in rng.sample(codes, min(10, len(codes)))),
            *(f"/ngos/{i}/" for i in ngos),
        ],
        "figures": [
            "/figures/",
            *(f"/figures/?province={code}" for code in codes),
            *(f"/figures/{i}/" for i in reports),
        ],
        "data": ["/data/", "/data/?year=2024", "/data/dictionary/", "/api/public/v1/docs/"],
    }


def write_public(args: argparse.Namespace, rng: random.Random) -> None:
    """The anonymous visitors' requests: kind `public`, no header, each page in one of the three languages."""
    pools = public_paths(rng)
    kinds, weights = list(PUBLIC_WEIGHTS), list(PUBLIC_WEIGHTS.values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as out:
        for kind in rng.choices(kinds, weights, k=args.requests):
            path = rng.choice(pools[kind])
            out.write(f"public\t\t{path}{'&' if '?' in path else '?'}lang={rng.choice(LANGUAGES)}\n")
    sizes = ", ".join(f"{kind} {len(pool)}" for kind, pool in pools.items())
    print(f"public pages to draw from (each in {len(LANGUAGES)} languages): {sizes}")
    print(f"wrote {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load" / "requests.tsv")
    parser.add_argument("--requests", type=int, default=20000, help="lines to write (wrk draws from them)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--public", action="store_true", help="anonymous visitors of the public pages instead")
    args = parser.parse_args()
    setup()
    if args.public:
        write_public(args, random.Random(args.seed))
        return
    from amity.accounts.choices import Role

    rng = random.Random(args.seed)
    provinces = provinces_with_most_aid(10)
    people: list[tuple[Any, bool]] = [(ensure_user(f"load-central-{n}", Role.CENTRAL_OFFICER), True) for n in range(5)]
    for n, province in enumerate(provinces):
        people.append((ensure_user(f"load-editor-{n}", Role.PROVINCIAL_EDITOR, [province]), False))
        people.append((ensure_user(f"load-viewer-{n}", Role.PROVINCIAL_VIEWER, [province]), False))
    clients = [ensure_user("load-api-central", Role.CENTRAL_OFFICER)] + [
        ensure_user(f"load-api-{n}", Role.PROVINCIAL_EDITOR, [province]) for n, province in enumerate(provinces[:4])
    ]

    pools: dict[str, list[str]] = {kind: [] for kind in WEIGHTS}
    for user, verified in people:
        for kind, lines in requests_of(user, session_cookie(user, verified), None).items():
            pools[kind] += lines
    for user in clients:
        pools["api"] += requests_of(user, "", token_header(user))["api"]

    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as out:
        for kind in rng.choices(kinds, weights, k=args.requests):
            out.write(rng.choice(pools[kind]) + "\n")
    for kind in kinds:  # one file per kind, for the runs of one kind alone
        with args.out.with_name(f"requests-{kind}.tsv").open("w") as out:
            for _ in range(max(1000, args.requests // 10)):
                out.write(rng.choice(pools[kind]) + "\n")
    sizes = ", ".join(f"{kind} {len(pool)}" for kind, pool in pools.items())
    print(f"{len(people)} users with sessions, {len(clients)} API clients; requests to draw from: {sizes}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
