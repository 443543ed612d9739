"""Fast multi-row inserts for bulk writers (imports): tuples in, one `INSERT … VALUES (…), (…)` per batch out,
values adapted once per column instead of once per field of a model instance.

Why not `QuerySet.bulk_create`: for an import of a donor's file (tens of thousands of aid items, hundreds of
thousands of transactions and their history rows) it spends most of its time building model instances and
preparing every value through the field API. These helpers keep the semantics that matter — the same columns,
the database's own constraints, primary keys returned in order (PostgreSQL and SQLite ≥ 3.35 both return
rows of a multi-row INSERT in VALUES order) — and leave validation to the caller, which must have done it.
"""

from __future__ import annotations

import gc
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from datetime import date, datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone
from psycopg import errors as psycopg_errors
from psycopg.abc import PQGen
from psycopg.copy import LibpqWriter
from psycopg.generators import fetch_many
from psycopg.pq import ExecStatus
from psycopg.waiting import Wait

Adapter = Callable[[Any], Any]

# The cyclic collector's thresholds while a bulk writer runs (`few_collections`): a young generation of 100,000
# objects instead of 700, so the millions of short-lived rows, tuples and instances of an import are freed by
# reference counting before the collector ever scans them.
BULK_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def few_collections() -> Iterator[None]:
    """Run a bulk writer (an import) with the cyclic garbage collector relaxed, as it was again at the end.

    An import allocates millions of container objects that live for one batch and are freed by reference
    counting: the collector finds next to nothing (a few objects a full collection, measured on a donor's file)
    but with the default thresholds it runs a full collection every ~70,000 allocations and scans the whole
    heap each time — a fifth of the importer's CPU. Here what is alive on entry (Django, the reference data
    loaded) is frozen, never scanned again until the end, and the young generation is collected every 100,000
    objects instead of 700. Nothing changes but when cycles are collected."""
    thresholds = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # someone else's frozen objects (a pre-forking server) stay frozen
    if freeze:
        gc.freeze()
    gc.set_threshold(*BULK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


@contextmanager
def grouping_memory(megabytes: int = 64) -> Iterator[None]:
    """PostgreSQL: let the statements inside group in memory (`work_mem`), as it was again after, within the
    caller's transaction. At the default 4 MB a `GROUP BY` over an import's hundreds of thousands of rows sorts
    them on disk; with room it hashes them in memory, measured about a quarter faster (and a larger hash spills
    to disk by itself). Elsewhere, or outside a transaction, nothing changes."""
    if connection.vendor != "postgresql" or connection.get_autocommit():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), set_config('work_mem', %s, true)", [f"{megabytes}MB"])
        (before, _set) = cursor.fetchone()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [before])


def _adapter(field: models.Field[Any, Any]) -> Adapter | None:
    """How one column's Python values reach the driver, or None when the driver takes them as they are."""
    kind = field.get_internal_type()
    if kind == "JSONField":  # so a JSONField, which has an encoder
        return lambda value: None if value is None else json.dumps(value, cls=field.encoder)  # type: ignore[attr-defined]
    if kind == "FileField":  # a stored file is its name in the storage
        return lambda value: getattr(value, "name", value) or ""
    if connection.vendor == "postgresql":
        return None  # psycopg adapts UUID, Decimal, date and aware datetimes natively
    if kind == "UUIDField":
        return lambda value: None if value is None else value.hex
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return lambda value: value.isoformat() if isinstance(value, date) else value
    return None  # SQLite: Django registers a Decimal adapter; str, int, bool and None need none


def _column(field: models.Field[Any, Any]) -> str:
    """The field's column: every concrete field has one (the stubs allow None, for fields that have none)."""
    if field.column is None:
        raise ValueError(f"{field} has no column.")
    return field.column


def _fields_and_adapters(
    model: type[models.Model], columns: Sequence[str]
) -> tuple[list[models.Field[Any, Any]], list[tuple[int, Adapter]]]:
    """The fields of `columns` (attribute names) and the adapters of those whose values need one."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    return fields, [(index, adapt) for index, field in enumerate(fields) if (adapt := _adapter(field)) is not None]


def member_of(ids: Sequence[int], vendor: str | None = None) -> tuple[str, list[Any]]:
    """SQL for "`{column}` is one of `ids`", to `.format(column=…)`, and its parameters: one array parameter
    on PostgreSQL (one plan whatever the count), one parameter per id on SQLite."""
    if (vendor or connection.vendor) == "postgresql":
        return "{column} = ANY(%s)", [list(ids)]
    return "{column} IN (" + ", ".join(["%s"] * len(ids)) + ")", list(ids)


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, returning: bool = False
) -> list[int]:
    """Insert `rows` (tuples in the order of `columns`, which are attribute names such as "aid_item_id") into
    `model`'s table; with `returning`, the new primary keys in the order of `rows`."""
    if not rows:
        return []
    fields, adapters = _fields_and_adapters(model, columns)
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, rows, adapters, returning=returning)
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(_column(f)) for f in fields)}) VALUES "
    tail = f" RETURNING {quote(_column(model._meta.pk))}" if returning else ""
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = connection.features.max_query_params or 60000
    per_statement = max(1, min(1000, limit // len(fields)))
    keys: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                if adapters:
                    row = list(row)
                    for index, adapt in adapters:
                        row[index] = adapt(row[index])
                params.extend(row)
            cursor.execute(head + ", ".join([placeholder] * len(chunk)) + tail, params)
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set `columns` (attribute names) of existing rows: `rows` are (primary key, *values). One prepared
    `UPDATE … WHERE pk = %s` run for every row (`executemany`: pipelined on PostgreSQL), where
    `QuerySet.bulk_update` builds a `CASE WHEN` per column over the whole batch, slower by far for thousands
    of rows of many columns."""
    if not rows:
        return
    fields, adapters = _fields_and_adapters(model, columns)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(_column(field))} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(_column(model._meta.pk))} = %s"
    params = []
    for key, *values in rows:
        for index, adapt in adapters:
            values[index] = adapt(values[index])
        params.append([*values, key])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def delete_rows(model: type[models.Model], ids: Sequence[int]) -> None:
    """Delete rows by primary key with no signals: for writers that record the deletion in history themselves,
    with the acting user (`QuerySet.delete()` would make django-simple-history add a second row, with none)."""
    quote = connection.ops.quote_name
    limit = (connection.features.max_query_params or 60000) - 10
    with connection.cursor() as cursor:
        for start in range(0, len(ids), limit):
            membership, params = member_of(ids[start : start + limit])
            column = quote(_column(model._meta.pk))
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} WHERE {membership.format(column=column)}", params
            )


def _copy_rows(
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    rows: Sequence[Sequence[Any]],
    adapters: list[tuple[int, Adapter]],
    *,
    returning: bool,
) -> list[int]:
    """PostgreSQL: COPY (psycopg adapts each value once; no SQL text to build and parse), the primary keys
    taken from the table's sequence beforehand when they are wanted."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    keys: list[int] = []
    if returning:
        keys = reserve_keys(model, len(rows))
        fields = [_pk(model), *fields]
        adapters = [(index + 1, adapt) for index, adapt in adapters]
        rows = [(key, *row) for key, row in zip(keys, rows, strict=True)]
    ahead = _sent_ahead()
    if ahead is not None:
        ahead.wait()  # a COPY cannot be sent while statements sent ahead are out
    columns = ", ".join(quote(_column(field)) for field in fields)
    with connection.cursor() as cursor:
        # Inside `writes_sent_ahead` the COPY's end is sent and its result read before the next statement.
        writer = None if ahead is None else _CopyEndSentAhead(cursor.cursor, ahead)
        # As Django's own statements: a unique or foreign key violation is Django's IntegrityError.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN", writer=writer) as copy,
        ):
            for row in rows:
                if adapters:
                    row = list(row)
                    for index, adapt in adapters:
                        row[index] = adapt(row[index])
                copy.write_row(row)
    return keys


def _pk(model: type[models.Model]) -> models.Field[Any, Any]:
    pk = model._meta.pk
    if pk is None:
        raise ValueError(f"{model} has no primary key.")
    return pk


def reserve_keys(model: type[models.Model], count: int) -> list[int]:
    """PostgreSQL: `count` new primary keys for `model`, taken from its sequence now on this thread's connection,
    in increasing order. A sequence stands outside transactions: keys a planner takes on its own connection are
    the writer's to use in its transaction and never anyone else's (a rollback leaves a gap, as any insert's).
    Raises elsewhere: SQLite numbers rows as it inserts them (`reserves_keys` says where this works)."""
    if not reserves_keys():
        raise NotImplementedError("Keys are reserved on PostgreSQL only.")
    if count == 0:
        return []
    with connection.cursor() as cursor:
        # The sequence looked up once (a CTE), not once per key: the lookup costs four times the `nextval`.
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq)"
            " SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
            [model._meta.db_table, _column(_pk(model)), count],
        )
        return [key for (key,) in cursor.fetchall()]


def all_reserved(keys: Sequence[int | None]) -> list[int] | None:
    """The keys of rows about to be created when every one has one reserved (`reserve_keys`), else None: the
    database gives them all."""
    if any(key is None for key in keys):
        return None
    return [key for key in keys if key is not None]


def reserves_keys() -> bool:
    """Whether `reserve_keys` works on this connection's database."""
    return connection.vendor == "postgresql"


def insert_history(
    model: type[models.Model],
    instances: Sequence[models.Model],
    *,
    history_type: str,
    user: Any,
    reason: str = "",
    when: datetime | None = None,
) -> None:
    """The django-simple-history rows of `instances` (saved: they have their pk), as `bulk_history_create`
    writes them: every field of the record, when, who, why and `+` (created), `~` (changed) or `-`."""
    tracked = _tracked(model)
    rows = [tuple(getattr(instance, name) for name in tracked) for instance in instances]
    _insert_history_rows(model, tracked, rows, history_type=history_type, user=user, reason=reason, when=when)


def _tracked(model: type[models.Model]) -> list[str]:
    # `history`: the manager HistoricalRecords adds to a tracked model, which the model's type does not show.
    history = model.history.model  # type: ignore[attr-defined]
    return [f.attname for f in history._meta.concrete_fields if not f.attname.startswith("history_")]


def _insert_history_rows(
    model: type[models.Model],
    tracked: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    history_type: str,
    user: Any,
    reason: str,
    when: datetime | None,
) -> None:
    extras = (when or timezone.now(), reason[:100] or None, history_type, getattr(user, "pk", None))
    insert_rows(
        model.history.model,  # type: ignore[attr-defined]  # HistoricalRecords' manager (see _tracked)
        [*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"],
        [(*row, *extras) for row in rows],
    )


def create_records(
    model: type[models.Model],
    instances: list[Any],
    *,
    user: Any,
    reason: str = "",
    when: datetime | None = None,
) -> list[Any]:
    """Insert new records (validated by the caller) with their history rows, stamped `when`. Records that all
    carry keys reserved for them (`reserve_keys`) are written under those; otherwise the database gives each
    instance its primary key."""
    when = when or timezone.now()
    columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    for instance in instances:
        if hasattr(instance, "updated_at"):
            instance.created_at = instance.updated_at = when
    rows = [tuple(getattr(i, c) for c in columns) for i in instances]
    keys = _insert_keyed(model, columns, rows, all_reserved([i.pk for i in instances]))
    for instance, key in zip(instances, keys, strict=True):
        instance.pk = key
        instance._state.adding = False
    _history_of_stored(model, keys, history_type="+", user=user, reason=reason, when=when)
    return instances


def update_records(
    model: type[models.Model],
    instances: Sequence[Any],
    columns: Sequence[str],
    *,
    user: Any,
    reason: str = "",
    when: datetime | None = None,
) -> None:
    """Write `columns` (attribute names) of stored records (validated by the caller; their versions claimed), the
    updated stamp set to `when`, and their `~` history rows copied by the database from the records written: a
    fixed number of statements however many records."""
    if not instances:
        return
    when = when or timezone.now()
    names = list(columns)
    if any(field.attname == "updated_at" for field in model._meta.concrete_fields):
        for instance in instances:
            instance.updated_at = when
        names = [name for name in names if name != "updated_at"] + ["updated_at"]
    update_rows(model, names, [(instance.pk, *(getattr(instance, name) for name in names)) for instance in instances])
    _history_of_stored(
        model, [instance.pk for instance in instances], history_type="~", user=user, reason=reason, when=when
    )


def _insert_keyed(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], keys: Sequence[int] | None
) -> list[int]:
    """Insert new rows under the `keys` reserved for them, or under keys the database gives; returns the keys."""
    if keys is None:
        return insert_rows(model, columns, rows, returning=True)
    if len(keys) != len(rows):
        raise ValueError(f"{len(keys)} keys reserved for {len(rows)} rows.")
    insert_rows(model, [_pk(model).attname, *columns], [(key, *row) for key, row in zip(keys, rows, strict=True)])
    return list(keys)


def create_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    user: Any,
    reason: str = "",
    when: datetime | None = None,
    keys: Sequence[int] | None = None,
) -> list[int]:
    """`create_records` for tuples (an import's hundreds of thousands of transactions: no model instance
    each): new records given as `rows` of `columns`, validated by the caller; every other field takes its
    default (new stamps for each uuid, `when` for the created and updated times), and each record gets its
    `+` history row. Returns the new primary keys in the order of `rows` (`keys`, when reserved for them)."""
    when = when or timezone.now()
    missing = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in columns]
    stamps = {"created_at", "updated_at"}
    generated = [
        f for f in missing if f.attname not in stamps and f.has_default() and callable(f.default)
    ]  # uuid4: one per row
    fixed = [f for f in missing if f not in generated]
    names = [*columns, *(f.attname for f in generated), *(f.attname for f in fixed)]
    constants = tuple(_same_in_every_row(when if f.attname in stamps else f.get_default()) for f in fixed)
    made = list(zip(*(_defaults(f.default, len(rows)) for f in generated), strict=True)) if generated else None
    full = [(*row, *extra, *constants) for row, extra in zip(rows, made or [()] * len(rows), strict=True)]
    keys = _insert_keyed(model, names, full, keys)
    _history_of_stored(model, keys, history_type="+", user=user, reason=reason, when=when)
    return keys


def _defaults(make: Callable[[], Any], count: int) -> list[Any]:
    """`count` values of a field's callable default: version-4 UUIDs from one read of the system's random source
    (what `uuid.uuid4` does once per call, a third of the time for an import's tens of thousands), any other
    default called once per row."""
    if make is uuid.uuid4:
        data = os.urandom(16 * count)
        return [uuid.UUID(bytes=data[start : start + 16], version=4) for start in range(0, 16 * count, 16)]
    return [make() for _ in range(count)]


def _same_in_every_row(value: Any) -> Any:
    """A value every row of a COPY shares, as it is sent: on PostgreSQL a time as its ISO text, formatted once
    instead of once per row (the server reads the same instant); anything else as it is."""
    if isinstance(value, datetime) and connection.vendor == "postgresql":
        return value.isoformat()
    return value


def _history_of_stored(
    model: type[models.Model],
    keys: Sequence[int],
    *,
    history_type: str,
    user: Any,
    reason: str,
    when: datetime,
) -> None:
    """The history rows of records just written in full (`keys`, in the order written), copied by the database
    from the records themselves — the rows `insert_history` would write, without sending every value a second
    time: one `INSERT … SELECT … ORDER BY` the primary key per chunk, so the history ids follow the records'."""
    if not keys:
        return
    history = model.history.model  # type: ignore[attr-defined]  # HistoricalRecords' manager (see _tracked)
    quote = connection.ops.quote_name
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    tracked = _tracked(model)
    history_fields = {field.attname: field for field in history._meta.concrete_fields}
    extras = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    into = ", ".join(quote(_column(history_fields[name])) for name in (*tracked, *extras))
    select = ", ".join(quote(_column(by_attname[name])) for name in tracked)
    pk = quote(_column(model._meta.pk))
    stamp = [_history_date(when), reason[:100] or None, history_type, getattr(user, "pk", None)]
    limit = (connection.features.max_query_params or 60000) - 10
    for start in range(0, len(keys), limit):
        chunk = keys[start : start + limit]
        if max(chunk) - min(chunk) + 1 == len(chunk):  # the keys of one `nextval` run: a range scan, no sort
            membership, params = "{column} BETWEEN %s AND %s", [min(chunk), max(chunk)]
        else:
            membership, params = member_of(chunk)
        send_ahead(
            f"INSERT INTO {quote(history._meta.db_table)} ({into})"
            f" SELECT {select}, %s, %s, %s, %s FROM {quote(model._meta.db_table)}"
            f" WHERE {membership.format(column=pk)} ORDER BY {pk}",
            [*stamp, *params],
        )


class _SentAhead:
    """What `writes_sent_ahead` has sent and not yet seen finish: statements in a psycopg pipeline left open, or
    one COPY whose end was sent."""

    def __init__(self) -> None:
        self.pipeline: ExitStack | None = None
        self.cursors: list[Any] = []  # the raw cursors the results come back to
        self.copy: _CopyEndSentAhead | None = None

    def send(self, sql: str, params: Sequence[Any]) -> None:
        self._finish_copy()
        raw = connection.connection
        if self.pipeline is None:
            self.pipeline = ExitStack()
            self.pipeline.enter_context(raw.pipeline())
        cursor = raw.cursor()
        self.cursors.append(cursor)
        with connection.wrap_database_errors:
            cursor.execute(sql, params)  # sent, and the server starts on it; its result is read by `wait`

    def wait(self) -> None:
        """Read every result sent for (raising the first error, as Django's own statements would)."""
        self._finish_copy()
        if self.pipeline is None:
            return
        pipeline, self.pipeline = self.pipeline, None
        try:
            with connection.wrap_database_errors:
                pipeline.close()
        finally:
            for cursor in self.cursors:
                cursor.close()
            self.cursors = []

    def _finish_copy(self) -> None:
        if self.copy is not None:
            copy, self.copy = self.copy, None
            with connection.wrap_database_errors:
                copy.result()


def _copy_end_sent(pgconn: Any) -> PQGen[None]:
    """psycopg's `copy_end` without its last step: the end of the data sent and flushed, the result not read."""
    while pgconn.put_copy_end(None) == 0:
        while not (yield Wait.W):
            continue
    while True:
        while not (yield Wait.W):
            continue
        if pgconn.flush() == 0:
            break


class _CopyEndSentAhead(LibpqWriter):
    """A COPY's writer that sends the end of the data and leaves the server's answer to be read with the next
    statement (`_SentAhead.wait`): the server finishes the COPY (its last rows, their indexes) while the writer
    builds what comes next. On an error in the block the COPY is ended at once, as psycopg does."""

    def __init__(self, cursor: Any, ahead: _SentAhead) -> None:
        super().__init__(cursor)
        self.ahead = ahead

    def finish(self, exc: BaseException | None = None) -> None:
        if exc is not None:
            super().finish(exc)
            return
        self.connection.wait(_copy_end_sent(self._pgconn))
        self.ahead.copy = self

    def result(self) -> None:
        for result in self.connection.wait(fetch_many(self._pgconn)):
            if result.status != ExecStatus.COMMAND_OK:
                raise psycopg_errors.error_from_result(result, encoding=self.connection.info.encoding)


def _sent_ahead() -> _SentAhead | None:
    """This thread's connection's statements sent ahead, inside `writes_sent_ahead`; None outside it."""
    ahead: _SentAhead | None = getattr(connection, "_amity_sent_ahead", None)
    return ahead


def send_ahead(sql: str, params: Sequence[Any]) -> None:
    """Execute a statement whose result nobody reads; inside `writes_sent_ahead` it is sent without waiting."""
    ahead = _sent_ahead()
    if ahead is not None:
        ahead.send(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def foreign_keys_checked_ahead() -> None:
    """Have PostgreSQL check now, without waiting (inside `writes_sent_ahead`), the foreign keys of every row this
    transaction has written so far, which it would otherwise check at commit, with nothing to overlap them. A
    writer of many batches asks at the end of each, so the server checks one batch while the next is made; a
    row that breaks a key fails this call or, at the latest, the next statement, as it would have failed the
    commit. Django's foreign keys
    are the only deferrable constraints, all initially deferred, so `ALL DEFERRED` puts back the transaction as
    it was (a test holds the schema to that). SQLite has nothing to overlap: nothing is sent there."""
    if connection.vendor != "postgresql":
        return
    send_ahead("SET CONSTRAINTS ALL IMMEDIATE", ())
    send_ahead("SET CONSTRAINTS ALL DEFERRED", ())


@contextmanager
def writes_sent_ahead() -> Iterator[None]:
    """Inside, on PostgreSQL, the writes here are sent without waiting for the server to finish them: the
    history rows copied from the records just written (`create_rows`, `create_records`, `update_records`), and
    the end of each COPY (`insert_rows`). The server works while the writer builds its next rows (an import's
    batch: the items' history while their parts are made, the report facts' last rows while the next batch is
    made). The next statement of any kind on the connection — a query, a COPY, the end of the block — first
    waits for them and raises their error if there was one, so nothing that follows can see a row missing, and a
    failure still fails the writer's transaction. Outside the block, and on SQLite, every statement is waited
    for as it is sent."""
    if connection.vendor != "postgresql" or _sent_ahead() is not None:
        yield
        return
    ahead = connection._amity_sent_ahead = _SentAhead()  # type: ignore[attr-defined]

    def wait_first(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        ahead.wait()
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wait_first):
            yield
        ahead.wait()
    finally:
        del connection._amity_sent_ahead  # type: ignore[attr-defined]
        if ahead.pipeline is not None or ahead.copy is not None:  # left by an error in the block, the one to report
            with suppress(Exception):
                ahead.wait()


def _history_date(when: datetime) -> Any:
    """`when` as the driver takes it for a DateTimeField (adapted on SQLite, as `insert_rows` does)."""
    if connection.vendor == "postgresql":
        return when
    return connection.ops.adapt_datetimefield_value(when)
