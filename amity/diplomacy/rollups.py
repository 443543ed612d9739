"""Yearly rollups of the diplomacy register (`DiplomacyRollup`): the counts the national dashboard reads instead of
100,000 events, 50,000 delegations and 200,000 visitors and volunteers.

One module writes and reads them. The writers reach it through one entry point, `following(model, ids)`, which
every batch service of the register (`services._records_save`, `union_merge`, deleting and restoring) wraps around
its writes, inside its transaction: the records' stored contribution is appended with a minus sign before they
change and their new one with a plus sign after, one grouped query and one insert per chunk. So the figures never
lag behind a write, writers never update a shared row (no lock contention; the same SQL on SQLite and PostgreSQL),
and a key may have several rows that add up — `records` tells a key whose records are all gone. `rollups_rebuild`
(the command `rebuild_diplomacy_rollups`, and the migration that created the table) sums them again from the
records: after a bulk load (the benchmark's, the demo's) or to compact them.

`readable(user, date_from, date_to)` says when `selectors.figures` may read them: a period of whole years (the
rollups are yearly) and a user whose scope of the records is a province or everything (an NGO representative's
goes through the organisations taking part, which the rollups do not keep; they read the records)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Sum, Value
from django.db.models.functions import ExtractYear

from amity.core.scoping import is_national
from amity.core.services import chunks
from amity.reference.choices import Era

from .models import Delegation, DiplomacyRollup, Event, Visitor


@dataclass(frozen=True)
class Source:
    """How a kind of record is counted: its model, the field of its code, of its country, and its sums."""

    kind: str
    model: str  # the model's name in the app (a historical model in the migration)
    code: str
    country: str | None
    people: str | None
    vietnamese: str | None = None
    foreign: str | None = None


EVENTS = Source("event", "Event", "event_type", None, None, "vietnamese_participants", "foreign_participants")
DELEGATIONS = Source("delegation", "Delegation", "direction", "country_id", None)
VISITORS = Source("visitor", "Visitor", "kind", "nationality_id", "group_size")
SOURCES: dict[type[models.Model], Source] = {Event: EVENTS, Delegation: DELEGATIONS, Visitor: VISITORS}
DATE_FIELD = "start_date"  # a record counts in the year it starts, as the figures read the records
BY_PROVINCE, NATIONAL = 1, 2  # the grains (`DiplomacyRollup.grain`)


def _sum(field: str | None) -> Any:
    return Sum(field) if field else Value(0, output_field=models.IntegerField())


def _grouped(records: models.QuerySet[Any], source: Source, sign: int, rollup: type[models.Model]) -> list[Any]:
    """The live records summed by the rollups' key, as rollup rows times `sign` (one query)."""
    rows = (
        records.filter(deleted_at__isnull=True)
        .annotate(y=ExtractYear(DATE_FIELD))
        .values_list(
            "y",
            "owning_province_id",
            "old_province_id",
            source.code,
            source.country or Value(None, output_field=models.IntegerField()),
        )
        .annotate(n=Count("pk"), people=_sum(source.people), vn=_sum(source.vietnamese), foreign=_sum(source.foreign))
        .order_by()
    )
    national: dict[tuple[int, str, int | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    found = []
    for year, province, old, code, country, n, people, vn, foreign in rows:
        sums = [n, int(people or 0), int(vn or 0), int(foreign or 0)]
        found.append(_row(rollup, source, BY_PROVINCE, (year, province, old, code, country), sums, sign))
        whole = national[year, code, country]
        for index, value in enumerate(sums):
            whole[index] += value
    for (year, code, country), sums in national.items():
        found.append(_row(rollup, source, NATIONAL, (year, None, None, code, country), sums, sign))
    return found


def _row(
    rollup: type[models.Model], source: Source, grain: int, key: tuple[Any, ...], sums: list[int], sign: int
) -> Any:
    year, province, old, code, country = key
    n, people, vietnamese, foreign = (sign * value for value in sums)
    return rollup(
        grain=grain,
        kind=source.kind,
        year=year,
        owning_province_id=province,
        old_province_id=old,
        code=code,
        country_id=country,
        records=n,
        people=people,
        vietnamese=vietnamese,
        foreign=foreign,
    )


def _append(model: type[models.Model], ids: Iterable[int], sign: int) -> None:
    source = SOURCES[model]
    rows: list[DiplomacyRollup] = []
    for chunk in chunks(ids):
        rows += _grouped(model._base_manager.filter(pk__in=chunk), source, sign, DiplomacyRollup)
    DiplomacyRollup.objects.bulk_create(rows, batch_size=500)


@contextmanager
def following(model: type[models.Model], ids: Iterable[int]) -> Iterator[list[int]]:
    """Keep the rollups with a write of `model`'s records `ids` (inside the writer's transaction): their stored
    contribution is taken away now, and theirs after the write is added when the block ends — with the records
    the writer created, which it appends to the list it is given. Models not counted pass through."""
    changed = list(ids)
    if model not in SOURCES:
        yield changed
        return
    with transaction.atomic():
        # The rows are locked before their stored contribution is read, so that a writer committing in between
        # (a delete racing an update) cannot make it subtract what is no longer stored (a no-op on SQLite, which
        # writes one transaction at a time).
        for chunk in chunks(changed):
            list(model._base_manager.filter(pk__in=chunk).select_for_update().values_list("pk", flat=True))
        _append(model, changed, -1)
        yield changed
        _append(model, changed, 1)


def rollups_rebuild(get_model: Callable[[str], type[models.Model]] | None = None) -> int:
    """Every rollup summed again from the records (compacting the differences); returns the rows written. In one
    transaction that, on PostgreSQL, holds back the register's writers until it commits (readers go on).
    `get_model` gives the models by name (the migration's historical ones); the app's own by default."""
    from django.apps import apps

    def app_model(name: str) -> type[models.Model]:
        return apps.get_model("diplomacy", name)

    model_of = get_model or app_model
    rollup = model_of("DiplomacyRollup")
    quote = connection.ops.quote_name
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for source in (EVENTS, DELEGATIONS, VISITORS):
                    cursor.execute(f"LOCK TABLE {quote(model_of(source.model)._meta.db_table)} IN SHARE MODE")
        rollup._base_manager.all().delete()
        for source in (EVENTS, DELEGATIONS, VISITORS):
            rows = _grouped(model_of(source.model)._base_manager.all(), source, 1, rollup)
            rollup._base_manager.bulk_create(rows, batch_size=1000)
            written += len(rows)
    return written


# --- reading ---------------------------------------------------------------------------------------------------


def _whole_years(date_from: date, date_to: date) -> bool:
    return (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31)


def readable(user: Any, date_from: date, date_to: date) -> bool:
    """Whether the figures of this period may be read from the rollups for this user (see the module's text)."""
    return _whole_years(date_from, date_to) and DiplomacyRollup.scope_policy.allows(user, "view")


Row = tuple[str, str, int | None, int, int, int, int, int]  # kind, code, country, year, records, people, vn, foreign


def counts(user: Any, *, date_from: date, date_to: date, province: Any = None) -> list[Row]:
    """The rollups of the period (whole years) and area (a province of either era, or every one the user may see)
    summed by kind, code, country and year, keys whose records are all gone left out: one query."""
    rows = DiplomacyRollup.objects.restrict(user, "view").filter(year__gte=date_from.year, year__lte=date_to.year)
    if province is not None:
        rows = rows.filter(grain=BY_PROVINCE)
        rows = rows.filter(**{"old_province" if province.era == Era.PRE2025 else "owning_province": province})
    else:  # every province the user may see: the country's grain when that is everything
        rows = rows.filter(grain=NATIONAL if is_national(user) else BY_PROVINCE)
    grouped = (
        rows.values_list("kind", "code", "country_id", "year")
        .annotate(n=Sum("records"), p=Sum("people"), vn=Sum("vietnamese"), f=Sum("foreign"))
        .filter(n__gt=0)
        .order_by()
    )
    return [(k, c, country, y, int(n), int(p), int(vn), int(f)) for k, c, country, y, n, p, vn, f in grouped]
