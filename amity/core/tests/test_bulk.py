"""The tuple writers of `amity.core.bulk` store what the ORM would: every column, defaults, history rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from django.db import IntegrityError, connection, transaction

from amity.aid.models import AidItem, Transaction
from amity.aid.tests.factories import make_aid_item, make_transaction
from amity.core import bulk
from amity.core.bulk import create_rows, grouping_memory, update_records, update_rows

pytestmark = pytest.mark.django_db


def test_create_rows_writes_records_with_defaults_and_their_history(users: dict[str, Any], hai_phong: Any) -> None:
    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong)
    model = make_transaction(editor, item, amount="250.50", currency="EUR")
    columns = ["aid_item_id", "transaction_type", "date", "value_date", "amount", "currency_id", "description"]
    columns += ["amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source"]
    row = tuple(getattr(model, name) for name in columns)
    when = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    keys = create_rows(Transaction, columns, [row, row], user=editor, reason="Imported", when=when)

    made = list(Transaction.objects.filter(pk__in=keys).order_by("pk"))
    assert [tx.pk for tx in made] == keys
    for tx in made:
        assert tuple(getattr(tx, name) for name in columns) == row
        assert (tx.version, tx.deleted_at, tx.is_demo, tx.created_at, tx.updated_at) == (1, None, False, when, when)
        assert tx.public_id.version == 4  # a random UUID each (made a batch at a time)
        change = tx.history.get()
        assert (change.history_type, change.history_user, change.history_change_reason) == ("+", editor, "Imported")
        assert (change.amount, change.public_id, change.created_at) == (tx.amount, tx.public_id, tx.created_at)
    assert made[0].public_id != made[1].public_id != model.public_id


def test_update_rows_sets_columns_of_every_kind(users: dict[str, Any], hai_phong: Any) -> None:
    items = [make_aid_item(users["editor"], owning_province=hai_phong, title=f"Dự án {n}") for n in range(3)]
    columns = ["title_vi", "planned_start", "narratives", "counterpart_amount", "is_relief"]
    update_rows(
        AidItem,
        columns,
        [
            (item.pk, f"Đã sửa {n}", date(2026, 1, n + 1), {"title": {"fr": f"Projet {n}"}}, Decimal("12.50"), True)
            for n, item in enumerate(items)
        ],
    )
    for n, item in enumerate(items):
        item.refresh_from_db()
        assert (item.title_vi, item.planned_start, item.narratives, item.counterpart_amount, item.is_relief) == (
            f"Đã sửa {n}",
            date(2026, 1, n + 1),
            {"title": {"fr": f"Projet {n}"}},
            Decimal("12.50"),
            True,
        )


def test_history_rows_are_those_of_the_records_written_whether_their_keys_run_on_or_not(
    users: dict[str, Any], hai_phong: Any
) -> None:
    """`_history_of_stored` reads a range of keys when they run on, a list otherwise: each way, the records
    written get a row and no other record does."""
    editor = users["editor"]
    items = [make_aid_item(editor, owning_province=hai_phong, title=f"Dự án {n}") for n in range(5)]
    for chosen in (items[1:4], [items[0], items[2], items[4]]):  # keys that run on, then keys with gaps
        for item in chosen:
            item.title_vi = f"Sửa {item.pk}"
        update_records(AidItem, chosen, ["title_vi"], user=editor, reason="Bulk")
    changed = AidItem.history.filter(history_type="~", history_change_reason="Bulk")
    counted: dict[int, int] = {}
    for row in changed:
        counted[row.id] = counted.get(row.id, 0) + 1
        assert row.title_vi == f"Sửa {row.id}"
    assert counted == {items[0].pk: 1, items[1].pk: 1, items[2].pk: 2, items[3].pk: 1, items[4].pk: 1}


def test_grouping_memory_is_given_inside_and_taken_back_after() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("work_mem is a PostgreSQL setting")

    def work_mem() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return str(cursor.fetchone()[0])

    with transaction.atomic():
        before = work_mem()
        with grouping_memory(48):
            assert work_mem() == "48MB"
        assert work_mem() == before


def test_writes_sent_ahead_is_there_for_the_next_statement_and_its_failure_fails_the_write(
    users: dict[str, Any], hai_phong: Any
) -> None:
    """Inside `writes_sent_ahead` the history rows are copied without waiting: the next query sees them, and
    a statement that fails out there fails the writer's transaction at the next statement, nothing kept."""
    editor, tx = _a_transaction(users, hai_phong)
    row = tuple(getattr(tx, name) for name in TRANSACTION_ROW)
    with transaction.atomic(), bulk.writes_sent_ahead():
        keys = create_rows(Transaction, TRANSACTION_ROW, [row, row, row], user=editor, reason="Ahead")
        assert Transaction.history.filter(id__in=keys, history_change_reason="Ahead").count() == 3

    before = Transaction.all_objects.count()
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.writes_sent_ahead():
        keys = create_rows(Transaction, TRANSACTION_ROW, [row], user=editor, reason="Ahead")
        # A history row the database refuses (a key taken), sent without waiting: raised by the next statement.
        bulk.send_ahead(
            "INSERT INTO aid_historicaltransaction (history_id, id, history_date, history_type)"
            " SELECT history_id, id, history_date, history_type FROM aid_historicaltransaction WHERE id = %s",
            [keys[0]],
        )
        if connection.vendor == "postgresql":  # sent, not waited for: the error is still out there
            assert connection._amity_sent_ahead.pipeline is not None
        Transaction.all_objects.count()
    assert Transaction.all_objects.count() == before  # the write's transaction rolled back whole
    assert bulk._sent_ahead() is None  # the connection is left as it was


TRANSACTION_ROW = ["aid_item_id", "transaction_type", "date", "value_date", "amount", "currency_id", "description"]
TRANSACTION_ROW += ["amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source"]


def _a_transaction(users: dict[str, Any], hai_phong: Any) -> tuple[Any, Transaction]:
    editor = users["editor"]
    return editor, make_transaction(editor, make_aid_item(editor, owning_province=hai_phong), amount="10.00")


postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL reserves keys")


@postgresql_only
def test_rows_created_under_reserved_keys_with_their_history(users: dict[str, Any], hai_phong: Any) -> None:
    """Keys reserved from the sequence (as a planner does on its own connection) are the new rows' keys, and
    their history rows are theirs; the database's own keys go on after them."""
    editor, tx = _a_transaction(users, hai_phong)
    row = tuple(getattr(tx, name) for name in TRANSACTION_ROW)
    reserved = bulk.reserve_keys(Transaction, 2)
    assert reserved == sorted(reserved) and tx.pk < reserved[0]
    assert bulk.all_reserved([reserved[0], None]) is None and bulk.all_reserved(reserved) == reserved

    keys = create_rows(Transaction, TRANSACTION_ROW, [row, row], user=editor, reason="Reserved", keys=reserved)
    assert keys == reserved
    assert sorted(Transaction.history.filter(history_change_reason="Reserved").values_list("id", flat=True)) == keys
    assert make_transaction(editor, tx.aid_item, amount="1.00").pk > reserved[-1]
    with pytest.raises(ValueError, match="2 keys reserved for 1 rows"):
        create_rows(Transaction, TRANSACTION_ROW, [row], user=editor, keys=bulk.reserve_keys(Transaction, 2))


@postgresql_only
def test_a_copy_sent_ahead_is_finished_before_the_next_statement_and_its_failure_fails_the_write(
    users: dict[str, Any], hai_phong: Any
) -> None:
    """Inside `writes_sent_ahead` a COPY's end is sent and its result left to the next statement: that
    statement sees the rows, and a COPY the database refuses fails the writer's transaction there."""
    _editor, tx = _a_transaction(users, hai_phong)
    columns = [field.attname for field in Transaction._meta.concrete_fields]

    def copy_of(key: int) -> tuple[Any, ...]:
        return tuple(key if name == "id" else uuid4() if name == "public_id" else getattr(tx, name) for name in columns)

    with transaction.atomic(), bulk.writes_sent_ahead():
        keys = bulk.reserve_keys(Transaction, 3)
        bulk.insert_rows(Transaction, columns, [copy_of(key) for key in keys])
        assert connection._amity_sent_ahead.copy is not None  # ended, its result not read yet
        assert Transaction.all_objects.filter(pk__in=keys).count() == 3
        assert connection._amity_sent_ahead.copy is None

    before = Transaction.all_objects.count()
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.writes_sent_ahead():
        bulk.insert_rows(Transaction, columns, [copy_of(tx.pk)])  # a key taken
        assert connection._amity_sent_ahead.copy is not None
        Transaction.all_objects.count()
    assert Transaction.all_objects.count() == before
    assert bulk._sent_ahead() is None


@postgresql_only
def test_foreign_keys_checked_ahead_fail_the_next_statement_and_are_deferred_again(
    users: dict[str, Any], hai_phong: Any
) -> None:
    """The foreign keys of the rows written so far are checked when asked, not at commit: a row that points
    nowhere fails the check or the statement after it; rows written after the check are left to the commit again."""
    _editor, tx = _a_transaction(users, hai_phong)
    columns = [field.attname for field in Transaction._meta.concrete_fields]
    nowhere = tx.aid_item_id + 1_000_000

    def pointing_nowhere(key: int) -> tuple[Any, ...]:
        values = {"id": key, "public_id": uuid4(), "aid_item_id": nowhere}
        return tuple(values[name] if name in values else getattr(tx, name) for name in columns)

    before = Transaction.all_objects.count()
    reached = []
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.writes_sent_ahead():
        bulk.insert_rows(Transaction, columns, [pointing_nowhere(bulk.reserve_keys(Transaction, 1)[0])])
        assert Transaction.all_objects.count() == before + 1  # written, its key not checked yet
        reached.append("written")
        # Raised by the check itself when the server has answered before its second statement goes out, else by
        # the statement after it; never later (this block ends in a savepoint: no commit would check the key).
        bulk.foreign_keys_checked_ahead()
        Transaction.all_objects.count()
        reached.append("the statement after the check")
    assert reached == ["written"]
    assert Transaction.all_objects.count() == before

    with transaction.atomic(), bulk.writes_sent_ahead():
        bulk.foreign_keys_checked_ahead()  # nothing broken yet: passes
        bulk.insert_rows(Transaction, columns, [pointing_nowhere(bulk.reserve_keys(Transaction, 1)[0])])
        assert Transaction.all_objects.count() == before + 1  # deferred again: no error before the commit
        transaction.set_rollback(True)


@postgresql_only
def test_the_only_deferrable_constraints_are_initially_deferred() -> None:
    """`foreign_keys_checked_ahead` puts the constraints back with `SET CONSTRAINTS ALL DEFERRED`: right only
    while no deferrable constraint starts immediate (a model's `Deferrable.IMMEDIATE` would need its name there)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE condeferrable AND NOT condeferred"
            " AND connamespace = 'public'::regnamespace"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE condeferred AND connamespace = 'public'::regnamespace")
        assert cursor.fetchone()[0] > 100  # Django's foreign keys, every one deferred
