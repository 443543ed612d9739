"""The tuple writers of `amity.core.bulk` store what the ORM would: every column, defaults, history rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from amity.aid.models import AidItem, Transaction
from amity.aid.tests.factories import make_aid_item, make_transaction
from amity.core.bulk import create_rows, update_rows

pytestmark = pytest.mark.django_db


def test_create_rows_writes_records_with_defaults_and_their_history(users: dict[str, Any], hai_phong: Any) -> None:
    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong)
    model = make_transaction(editor, item, amount="250.50", currency="EUR")
    columns = ["aid_item_id", "transaction_type", "date", "value_date", "amount", "currency_id", "description"]
    columns += ["amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source"]
    row = tuple(getattr(model, name) for name in columns)
    keys = create_rows(Transaction, columns, [row, row], user=editor, reason="Imported")

    made = list(Transaction.objects.filter(pk__in=keys).order_by("pk"))
    assert [tx.pk for tx in made] == keys
    for tx in made:
        assert tuple(getattr(tx, name) for name in columns) == row
        assert (tx.version, tx.deleted_at, tx.is_demo, tx.created_at == tx.updated_at) == (1, None, False, True)
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
