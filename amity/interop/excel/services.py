"""Batch writes for Excel imports, where the per-record services are too slow for a file.

Why a batch service: `amity.aid.services.transaction_create` / `transaction_update` each check the scope, load
a `RateBook`, validate foreign keys with a query each, save one row with one history row and rebuild the
report facts of the aid item: about 15 queries and a facts rebuild per transaction, about a minute for a
10,000-row file. `transactions_import` does the same work for the whole file with a fixed number of
queries per chunk: one scope query for the aid items and one for the transactions, one rate book, one
version check, bulk inserts and updates with their history rows (django-simple-history's
`bulk_create_with_history` / `bulk_update_with_history`, with the acting user and reason), and one
`facts_refresh` for every aid item touched. It keeps every check of the per-record services: the user's
scope, the aid item not being closed, a positive amount, the provider's registration, the conversion at
the value-date rate, the model's field rules and the version of each updated row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from amity.aid import rules
from amity.aid.choices import FINAL_STATUSES
from amity.aid.models import AidItem, Transaction
from amity.aid.parts import parts_write
from amity.aid.services import (
    AidItemParts,
    check_owning_province,
    check_parts,
    current_province_of,
    part_rows,
    value_transaction,
)
from amity.core.bulk import create_records, insert_history, update_rows
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.scoping import Action
from amity.core.services import apply_fields, ensure_may_add
from amity.organisations.models import Registration
from amity.reference.fx import VND, RateBook
from amity.reports.facts import facts_refresh

BATCH = 500
CHUNK = 900
EXCEL_IMPORT = gettext_lazy("Excel import")
NOT_INPUT = [
    *("aid_item", "currency", "provider", "receiver"),
    *("amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source"),
    *("public_id", "created_at", "updated_at", "deleted_at", "is_demo", "version"),
]
TRANSACTION_FIELDS = [
    "transaction_type",
    "date",
    "value_date",
    "amount",
    "currency",
    "provider",
    "receiver",
    "description",
    "amount_usd",
    "amount_vnd",
    "usd_per_unit",
    "vnd_per_unit",
    "rate_date",
    "rate_source",
    "version",
    "updated_at",
]


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _ensure_all_allowed(model: type[Any], user: Any, pks: set[int], action: str) -> None:
    allowed: set[int] = set()
    for chunk in _chunks(pks):
        allowed.update(model.all_objects.restrict(user, action).filter(pk__in=chunk).values_list("pk", flat=True))
    if allowed != pks:
        raise PermissionDenied(_("You are not allowed to do this."))


def _ensure_items_editable(user: Any, item_ids: set[int]) -> None:
    """The aid items may be changed by the user and are not on record as ended (`rules.check_editable`)."""
    _ensure_all_allowed(AidItem, user, item_ids, Action.CHANGE)
    if rules.may_change_ended_items(user):
        return
    for chunk in _chunks(item_ids):
        final = AidItem.all_objects.filter(pk__in=chunk, status__in=FINAL_STATUSES).first()
        if final is not None:
            try:
                rules.check_editable(final.status, user)
            except rules.Breach as breach:
                raise breach.as_validation_error() from None


def _licence_spans(provider_ids: set[int]) -> dict[int, list[tuple[date, date]]]:
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for chunk in _chunks(provider_ids):
        for organisation_id, start, end in Registration.objects.filter(organisation_id__in=chunk).values_list(
            "organisation_id", "issue_date", "expiry_date"
        ):
            spans[organisation_id].append((start, end))
    return spans


def _check(tx: Transaction, spans: dict[int, list[tuple[date, date]]], book: RateBook) -> None:
    """The rules of `transaction_create`, without a query per row."""
    tx.value_date = rules.value_date_of(tx.date, tx.value_date)
    try:
        rules.check_amount(tx.amount)
        if tx.provider_id:
            rules.check_provider_registered(tx.provider, spans.get(tx.provider_id, []), tx.date)
    except rules.Breach as breach:
        raise breach.as_validation_error() from None
    value_transaction(tx, book)
    # Foreign keys hold instances read by the caller (checking each with a query would be 4 queries a row);
    # the conversion was computed just above and the bookkeeping fields are not input.
    tx.full_clean(exclude=NOT_INPUT, validate_unique=False, validate_constraints=False)


def _claim_versions(model: type[Any], updates: Sequence[tuple[Any, int | None]]) -> None:
    """Check every updated row's version in one query per chunk (rows locked on PostgreSQL), then move each
    to the next version; a row saved by someone else in between raises ConflictError."""
    current: dict[int, int] = {}
    for chunk in _chunks(record.pk for record, _version in updates):
        rows = model.all_objects.filter(pk__in=chunk)
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        current.update(rows.values_list("pk", "version"))
    for record, expected in updates:
        expected = record.version if expected is None else expected
        stored = current.get(record.pk)
        if stored != expected:
            raise ConflictError(expected_version=expected, current_version=stored)
        record.version = expected + 1


def transactions_import(
    *,
    user: Any,
    creates: Sequence[Transaction],
    updates: Sequence[tuple[Transaction, int | None]],
    reason: str | Promise = EXCEL_IMPORT,
) -> set[int]:
    """Create `creates` (unsaved, aid item, currency and parties set) and save `updates` (existing rows with
    their new values, each with the version the file was made from) as one atomic write; returns the ids of
    the aid items whose report facts were rebuilt."""
    item_ids = {tx.aid_item_id for tx in creates} | {tx.aid_item_id for tx, _version in updates}
    with transaction.atomic():
        _ensure_items_editable(user, item_ids)
        if updates:
            _ensure_all_allowed(Transaction, user, {tx.pk for tx, _version in updates}, Action.CHANGE)
            moved = Transaction.all_objects.filter(pk__in=[tx.pk for tx, _ in updates]).values_list("pk", "aid_item_id")
            stored_items = dict(moved)
            if any(stored_items.get(tx.pk) != tx.aid_item_id for tx, _version in updates):
                raise ValidationError({"aid_item": _("A transaction cannot move to another aid item.")})
        everything = [*creates, *(tx for tx, _version in updates)]
        book = RateBook({tx.currency.code for tx in everything} | {VND})
        spans = _licence_spans({tx.provider_id for tx in everything if tx.provider_id})
        for tx in everything:
            _check(tx, spans, book)
        with translation.override(None):  # the reason is stored as its English source, translated when shown
            stored_reason = str(reason)
        if updates:
            _claim_versions(Transaction, updates)
            now = timezone.now()
            for tx, _version in updates:
                tx.updated_at = now
            bulk_update_with_history(
                [tx for tx, _version in updates],
                Transaction,
                fields=TRANSACTION_FIELDS,
                batch_size=BATCH,
                default_user=user,
                default_change_reason=stored_reason,
                manager=Transaction.all_objects,
            )
        if creates:
            bulk_create_with_history(
                list(creates), Transaction, batch_size=BATCH, default_user=user, default_change_reason=stored_reason
            )
        facts_refresh(item_ids)
    return item_ids


def aid_items_import(*, user: Any, creates: Sequence[tuple[dict[str, Any], AidItemParts]]) -> list[AidItem]:
    """Create new aid items with their shares, participants and beneficiary groups in one go.

    The same rules as `aid_item_create`, applied to the batch: the user may add aid items and each owning
    province is theirs (checked again after the write), the owning province is of the current era, the
    model's field rules (foreign keys are the checked file's own lookups, so they are not queried again one by
    one), sector and location shares (`check_sectors`, `check_locations`), history rows with the user. New
    items have no transactions: nothing to add to the report facts."""
    if not creates:
        return []
    ensure_may_add(user=user, model=AidItem)
    items: list[AidItem] = []
    for data, _parts in creates:
        item = AidItem()
        apply_fields(item, data)
        _check_fields(item)
        items.append(item)
    every_part = [
        AidItemParts(
            sectors=parts.sectors or [],
            locations=parts.locations or [],
            participants=parts.participants or [],
            beneficiaries=parts.beneficiaries or [],
        )
        for _data, parts in creates
    ]
    with transaction.atomic(), translation.override(None):
        _check_parts(list(zip(items, every_part, strict=True)))
        create_records(AidItem, items, user=user, reason=str(EXCEL_IMPORT))
        _write_parts(list(zip(items, every_part, strict=True)), user=user, new_items=True)
        _ensure_all_allowed(AidItem, user, {item.pk for item in items}, Action.ADD)
    return items


def aid_items_update(
    *, user: Any, updates: Sequence[tuple[int, dict[str, Any], AidItemParts | None, int | None]]
) -> list[AidItem]:
    """Save changed aid items — (id, changed fields, changed parts or None, version the file was made from) —
    in one go, with the rules of `aid_item_update` applied to the batch: the user may change each item (checked
    again after the write), a closed one only if an administrator, the status only through the lifecycle
    actions, each row's version, an owning province of the current era, the model's field rules, sector and
    location shares; one `~` history row each with the user, one facts refresh for all."""
    if not updates:
        return []
    ids = {pk for pk, _data, _parts, _version in updates}
    with transaction.atomic(), translation.override(None):
        _ensure_items_editable(user, ids)
        stored: dict[int, AidItem] = {}
        for chunk in _chunks(ids):
            stored.update((item.pk, item) for item in AidItem.all_objects.filter(pk__in=chunk))
        changed: list[tuple[AidItem, int | None]] = []
        with_parts: list[tuple[AidItem, AidItemParts]] = []
        fields: set[str] = set()
        for pk, data, parts, expected_version in updates:
            item = stored[pk]
            if "status" in data and data["status"] != item.status:
                raise ValidationError({"status": _("Change the status with the lifecycle actions.")})
            apply_fields(item, data)
            _check_fields(item)
            fields.update(data)
            changed.append((item, expected_version))
            if parts is not None:
                with_parts.append((item, parts))
        _check_parts(with_parts)
        _claim_versions(AidItem, changed)
        now = timezone.now()
        items = [item for item, _version in changed]
        for item in items:
            item.updated_at = now
        columns = [AidItem._meta.get_field(name).attname for name in sorted(fields)] + ["version", "updated_at"]
        update_rows(AidItem, columns, [(item.pk, *(getattr(item, c) for c in columns)) for item in items])
        insert_history(AidItem, items, history_type="~", user=user, reason=str(EXCEL_IMPORT), when=now)
        _write_parts(with_parts, user=user, new_items=False)
        _ensure_all_allowed(AidItem, user, ids, Action.CHANGE)
        facts_refresh(ids)
    return items


_ITEM_FOREIGN_KEYS = [f.name for f in AidItem._meta.concrete_fields if f.is_relation]


def _check_fields(item: AidItem) -> None:
    """The model's field rules and a current-era owning province; foreign keys are the checked file's own
    lookups, so they are not queried again one by one."""
    check_owning_province(item)
    item.full_clean(exclude=_ITEM_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)


def _check_parts(pairs: Sequence[tuple[AidItem, AidItemParts]]) -> None:
    """The checks `aid_item_update` makes of the parts it is given (None: left as they are)."""
    for item, parts in pairs:
        if parts.budgets is not None:
            raise ValueError("Budgets are not written from Excel.")
        check_parts(item, parts)


def _write_parts(pairs: Sequence[tuple[AidItem, AidItemParts]], *, user: Any, new_items: bool) -> None:
    """Write the parts given (checked by `_check_parts`) through the one writer of parts, with history."""
    successors: dict[int, Any] = {}

    def current_province(unit: Any) -> Any:
        if unit.pk not in successors:
            successors[unit.pk] = current_province_of(unit)
        return successors[unit.pk]

    wanted = {item.pk: part_rows(parts, current_province) for item, parts in pairs}
    parts_write(wanted, user=user, reason=str(EXCEL_IMPORT), new_items=new_items)


__all__ = ["aid_items_import", "aid_items_update", "transactions_import"]
