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

from amity.aid.choices import FINAL_STATUSES
from amity.aid.models import AidBeneficiary, AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from amity.aid.services import (
    AidItemParts,
    LocationShare,
    check_locations,
    check_owning_province,
    check_sectors,
    current_province_of,
    registered_on,
    value_transaction,
)
from amity.core.bulk import create_records, insert_rows
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.money import HUNDRED
from amity.core.scoping import Action, user_scope
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
    """The aid items may be changed by the user and are not closed (only an administrator corrects those)."""
    _ensure_all_allowed(AidItem, user, item_ids, Action.CHANGE)
    scope = user_scope(user)
    if scope is not None and scope.is_administrator:
        return
    for chunk in _chunks(item_ids):
        final = AidItem.all_objects.filter(pk__in=chunk, status__in=FINAL_STATUSES).first()
        if final is not None:
            raise ValidationError(
                {
                    "status": _("This aid item is %(status)s and can no longer be changed.")
                    % {"status": final.get_status_display().lower()}
                }
            )


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
    if tx.amount is None or tx.amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than 0.")})
    if tx.value_date is None:
        tx.value_date = tx.date
    if tx.provider_id and not registered_on(spans.get(tx.provider_id, []), tx.date):
        raise ValidationError(
            {
                "date": _("%(provider)s held no valid registration on %(date)s.")
                % {"provider": tx.provider, "date": tx.date.isoformat()}
            }
        )
    value_transaction(tx, book)
    # Foreign keys hold instances read by the caller (checking each with a query would be 4 queries a row);
    # the conversion was computed just above and the bookkeeping fields are not input.
    tx.full_clean(exclude=NOT_INPUT, validate_unique=False, validate_constraints=False)


def _claim_versions(updates: Sequence[tuple[Transaction, int | None]]) -> None:
    """Check every updated row's version in one query per chunk (rows locked on PostgreSQL), then move each
    to the next version; a row saved by someone else in between raises ConflictError."""
    current: dict[int, int] = {}
    for chunk in _chunks(tx.pk for tx, _version in updates):
        rows = Transaction.all_objects.filter(pk__in=chunk)
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        current.update(rows.values_list("pk", "version"))
    for tx, expected in updates:
        expected = tx.version if expected is None else expected
        stored = current.get(tx.pk)
        if stored != expected:
            raise ConflictError(expected_version=expected, current_version=stored)
        tx.version = expected + 1


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
            _claim_versions(updates)
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


__all__ = ["transactions_import"]


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
    foreign_keys = [f.name for f in AidItem._meta.concrete_fields if f.is_relation]
    items: list[AidItem] = []
    successors: dict[int, Any] = {}

    def current_province(unit: Any) -> Any:
        if unit.pk not in successors:
            successors[unit.pk] = current_province_of(unit)
        return successors[unit.pk]

    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for data, parts in creates:
        item = AidItem()
        apply_fields(item, data)
        check_owning_province(item)
        item.full_clean(exclude=foreign_keys, validate_unique=False, validate_constraints=False)
        locations = parts.locations or [LocationShare(item.owning_province, HUNDRED)]
        check_sectors(parts.sectors or [])
        check_locations(locations, planned_start=item.planned_start)
        items.append(item)
    with transaction.atomic(), translation.override(None):
        create_records(AidItem, items, user=user, reason=str(EXCEL_IMPORT))
        for item, (_data, parts) in zip(items, creates, strict=True):
            rows["sectors"] += [(item.pk, s.sector.pk, s.percentage) for s in parts.sectors or []]
            locations = parts.locations or [LocationShare(item.owning_province, HUNDRED)]
            rows["locations"] += [(item.pk, s.unit.pk, s.percentage, current_province(s.unit).pk) for s in locations]
            rows["participants"] += [(item.pk, p.organisation.pk, p.role) for p in parts.participants or []]
            rows["beneficiaries"] += [(item.pk, group) for group in sorted(set(parts.beneficiaries or []))]
        insert_rows(SectorSplit, ["aid_item_id", "sector_id", "percentage"], rows["sectors"])
        insert_rows(LocationSplit, ["aid_item_id", "unit_id", "percentage", "current_province_id"], rows["locations"])
        insert_rows(AidParticipant, ["aid_item_id", "organisation_id", "role"], rows["participants"])
        insert_rows(AidBeneficiary, ["aid_item_id", "group"], rows["beneficiaries"])
        _ensure_all_allowed(AidItem, user, {item.pk for item in items}, Action.ADD)
    return items
