"""Writes on the aid register: aid items with their splits and participants, lifecycle transitions, and
transactions with their conversion to USD and VND. Views, the API, importers and tasks call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from amity.core import derived
from amity.core.bulk import create_records, insert_history, update_rows
from amity.core.money import CENT, HUNDRED, round_significant
from amity.core.scoping import Action
from amity.core.services import (
    apply_fields,
    chunks,
    claim_version,
    claim_versions,
    ensure_all_allowed,
    ensure_allowed,
    ensure_may_add,
    record_restore,
    record_soft_delete,
    save_with_history,
)
from amity.organisations.models import Organisation
from amity.organisations.selectors import registration_spans
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import VND, MissingRate, RateBook
from amity.reference.models import AdministrativeUnit, CodelistItem, Currency, UnitMapping

from . import rules
from .choices import FINAL_STATUSES, TRANSITIONS, AidStatus, ParticipantRole
from .models import (
    START_DEADLINE_DAYS,
    AidItem,
    Budget,
    Transaction,
)
from .parts import BUDGET_COLUMNS, parts_write

ERA_CHANGE = date(2025, 7, 1)
BATCH = 500  # rows per INSERT or UPDATE statement of a batch write
VND_QUANTUM = Decimal(1)
RATE_QUANTUM = Decimal("1E-12")  # the stored rates' precision (Transaction.usd_per_unit, vnd_per_unit)


def stored_rate(rate: Decimal) -> Decimal:
    """A rate as the database keeps it (12 places, 15 significant digits), so re-valuing with unchanged rates
    finds nothing to change on SQLite and PostgreSQL alike."""
    return round_significant(rate, 15, smallest=RATE_QUANTUM)


@dataclass(frozen=True)
class SectorShare:
    sector: CodelistItem
    percentage: Decimal


@dataclass(frozen=True)
class LocationShare:
    unit: AdministrativeUnit
    percentage: Decimal


@dataclass(frozen=True)
class Participation:
    organisation: Organisation
    role: str


@dataclass(frozen=True)
class AidItemParts:
    """The rows edited together with an aid item; None leaves that part unchanged on update."""

    sectors: Sequence[SectorShare] | None = None
    locations: Sequence[LocationShare] | None = None
    participants: Sequence[Participation] | None = None
    beneficiaries: Iterable[str] | None = None
    budgets: Sequence[Budget] | None = None  # unsaved rows; aid_item is set on write


# --- checks -------------------------------------------------------------------------------------------------


def _check_total(field: str, percentages: Sequence[Decimal]) -> None:
    total = sum(percentages, Decimal(0))
    if total != HUNDRED:
        raise ValidationError(
            {field: _("Percentages must add up to 100 (they add up to %(total)s).") % {"total": f"{total:f}"}}
        )


def check_sectors(shares: Sequence[SectorShare]) -> None:
    if not shares:
        return
    codes = [share.sector.code for share in shares]
    if len(set(codes)) != len(codes):
        raise ValidationError({"sectors": _("A sector is listed twice.")})
    if any(share.sector.codelist.name == "SectorCategory" for share in shares) and any(
        share.sector.codelist.name == "Sector" for share in shares
    ):
        raise ValidationError({"sectors": _("Give either DAC 5-digit sectors or DAC 3-digit categories, not both.")})
    for share in shares:
        if share.sector.codelist.name not in ("Sector", "SectorCategory"):
            raise ValidationError({"sectors": _("%(code)s is not a DAC 5-digit sector.") % {"code": share.sector.code}})
        if share.percentage <= 0:
            raise ValidationError({"sectors": _("Each sector's percentage must be more than 0.")})
    _check_total("sectors", [share.percentage for share in shares])


def check_locations(shares: Sequence[LocationShare], *, planned_start: date | None) -> None:
    if not shares:
        return
    units = [share.unit for share in shares]
    if len({unit.pk for unit in units}) != len(units):
        raise ValidationError({"locations": _("A location is listed twice.")})
    if any(unit.level == UnitLevel.DISTRICT for unit in units):
        raise ValidationError({"locations": _("Give communes or whole provinces, not districts.")})
    if len({unit.era for unit in units}) > 1:
        raise ValidationError({"locations": _("All locations of one aid item must be of the same era.")})
    if units[0].era == Era.PRE2025 and planned_start is not None and planned_start >= ERA_CHANGE:
        raise ValidationError(
            {"locations": _("Aid starting on or after 1 July 2025 is located in units of the current era.")}
        )
    if any(share.percentage <= 0 for share in shares):
        raise ValidationError({"locations": _("Each location's percentage must be more than 0.")})
    _check_total("locations", [share.percentage for share in shares])


def current_province_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The 2025-era province a unit lies in: itself, its province, or its old province's successor."""
    province = unit if unit.level == UnitLevel.PROVINCE else unit.province
    if province is None:
        raise ValidationError({"locations": _("%(unit)s has no province.") % {"unit": unit}})
    if province.era == Era.CURRENT:
        return province
    mapping = UnitMapping.objects.select_related("new_unit").filter(old_unit=province).first()
    if mapping is None:
        raise ValidationError({"locations": _("%(unit)s has no successor province.") % {"unit": province}})
    return mapping.new_unit


# --- aid items ----------------------------------------------------------------------------------------------


def check_parts(aid_item: AidItem, parts: AidItemParts) -> None:
    """The rules of the parts given with an aid item (None: that kind is left as it is)."""
    if parts.sectors is not None:
        check_sectors(parts.sectors)
    if parts.locations is not None:  # none: nationwide, or not yet located in a province
        check_locations(parts.locations, planned_start=aid_item.planned_start)
    if parts.participants is not None:
        pairs = [(p.organisation.pk, p.role) for p in parts.participants]
        if len(set(pairs)) != len(pairs):
            raise ValidationError({"participants": _("An organisation is listed twice with the same role.")})
    if parts.budgets is not None:
        for budget in parts.budgets:
            budget.aid_item = aid_item
            budget.full_clean(exclude=["aid_item"])


def part_rows(
    parts: AidItemParts,
    current_province: Callable[[AdministrativeUnit], AdministrativeUnit] = current_province_of,
) -> dict[str, list[tuple[Any, ...]]]:
    """The parts given, as the rows `parts_write` takes (kinds not given are left out, so left as they are);
    `current_province` may be a cached `current_province_of` for a batch."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    if parts.sectors is not None:
        rows["sectors"] = [(share.sector.pk, share.percentage) for share in parts.sectors]
    if parts.locations is not None:
        rows["locations"] = [(s.unit.pk, s.percentage, current_province(s.unit).pk) for s in parts.locations]
    if parts.participants is not None:
        rows["participants"] = [(p.organisation.pk, p.role) for p in parts.participants]
    if parts.beneficiaries is not None:
        rows["beneficiaries"] = [(group,) for group in sorted(set(parts.beneficiaries))]
    if parts.budgets is not None:
        rows["budgets"] = [tuple(getattr(budget, c) for c in BUDGET_COLUMNS) for budget in parts.budgets]
    return rows


def check_owning_province(aid_item: AidItem) -> None:
    province = aid_item.owning_province  # None: kept by the centre (the scope policy says who may)
    if province is not None and (province.era != Era.CURRENT or province.level != UnitLevel.PROVINCE):
        raise ValidationError({"owning_province": _("The owning province must be a province of the current era.")})


def _check_editable(aid_item: AidItem, user: Any) -> None:
    try:
        rules.check_editable(aid_item.status, user)
    except rules.Breach as breach:
        raise breach.as_validation_error() from None


def aid_item_create(*, user: Any, data: Mapping[str, Any], parts: AidItemParts | None = None) -> AidItem:
    """One new aid item (a page, the API): a batch of one (`aid_items_create`)."""
    [aid_item] = aid_items_create(user=user, creates=[(data, parts or AidItemParts())])
    return aid_item


def aid_item_update(
    *,
    aid_item: AidItem,
    user: Any,
    data: Mapping[str, Any],
    parts: AidItemParts | None = None,
    expected_version: int | None,
) -> AidItem:
    """One aid item changed (a page, the API): a batch of one (`aid_items_update`). The instance given is
    brought up to what was saved (its new version), as callers that save again expect."""
    aid_items_update(user=user, updates=[(aid_item.pk, data, parts, expected_version)])
    aid_item.refresh_from_db()
    return aid_item


def aid_item_delete(*, aid_item: AidItem, user: Any, expected_version: int | None = None) -> AidItem:
    with transaction.atomic():
        record_soft_delete(instance=aid_item, user=user, expected_version=expected_version)
        derived.aid_items_changed([aid_item.pk])
    return aid_item


def aid_item_restore(*, aid_item: AidItem, user: Any) -> AidItem:
    with transaction.atomic():
        record_restore(instance=aid_item, user=user)
        derived.aid_items_changed([aid_item.pk])
    return aid_item


# --- aid items in batches (an upload of thousands of rows) ---------------------------------------------------


def aid_items_create(
    *, user: Any, creates: Sequence[tuple[Mapping[str, Any], AidItemParts]], reason: str | Promise = ""
) -> list[AidItem]:
    """Create new aid items with their shares, participants and beneficiary groups in one go (an upload).

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
    _check_unique_identifiers(items)
    every_part = [
        AidItemParts(
            sectors=parts.sectors or [],
            locations=parts.locations or [],
            participants=parts.participants or [],
            beneficiaries=parts.beneficiaries or [],
            budgets=parts.budgets,
        )
        for _data, parts in creates
    ]
    with transaction.atomic(), translation.override(None):
        _check_batch_parts(list(zip(items, every_part, strict=True)))
        create_records(AidItem, items, user=user, reason=str(reason))
        _write_batch_parts(list(zip(items, every_part, strict=True)), user=user, reason=reason, new_items=True)
        ensure_all_allowed(model=AidItem, user=user, pks={item.pk for item in items}, action=Action.ADD)
    return items


def aid_items_update(
    *,
    user: Any,
    updates: Sequence[tuple[int, Mapping[str, Any], AidItemParts | None, int | None]],
    reason: str | Promise = "",
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
        for chunk in chunks(ids):
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
        _check_unique_identifiers([item for item, _version in changed])
        _check_batch_parts(with_parts)
        claim_versions(model=AidItem, claims=changed)
        now = timezone.now()
        items = [item for item, _version in changed]
        for item in items:
            item.updated_at = now
        attnames = {field.name: field.attname for field in AidItem._meta.concrete_fields}
        columns = [attnames[name] for name in sorted(fields)] + ["version", "updated_at"]
        update_rows(AidItem, columns, [(item.pk, *(getattr(item, c) for c in columns)) for item in items])
        insert_history(AidItem, items, history_type="~", user=user, reason=str(reason), when=now)
        _write_batch_parts(with_parts, user=user, reason=reason, new_items=False)
        ensure_all_allowed(model=AidItem, user=user, pks=ids, action=Action.CHANGE)
        derived.aid_items_changed(ids)
    return items


ITEM_FOREIGN_KEYS = [f.name for f in AidItem._meta.concrete_fields if f.is_relation]


def _check_fields(item: AidItem) -> None:
    """The model's field rules and a current-era owning province; foreign keys are the caller's own lookups in
    the user's scope, so they are not queried again one by one."""
    check_owning_province(item)
    item.full_clean(exclude=ITEM_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)


def _check_batch_parts(pairs: Sequence[tuple[AidItem, AidItemParts]]) -> None:
    """The checks of the parts given with each item (None: left as they are)."""
    for item, parts in pairs:
        check_parts(item, parts)


def _check_unique_identifiers(items: Sequence[AidItem]) -> None:
    """An IATI identifier names one aid item (deleted ones included: they can be restored): within the batch
    and against those stored, in one query per chunk, before the database's constraint would refuse it."""
    given: dict[str, AidItem] = {}
    for item in items:
        if item.iati_identifier:
            if item.iati_identifier in given:
                raise ValidationError({"iati_identifier": _("Two aid items cannot have the same IATI identifier.")})
            given[item.iati_identifier] = item
    for chunk in chunks(given):
        for identifier, pk in AidItem.all_objects.filter(iati_identifier__in=chunk).values_list(
            "iati_identifier", "pk"
        ):
            if pk != given[identifier].pk:
                raise ValidationError(
                    {
                        "iati_identifier": _("Another aid item already has the IATI identifier %(identifier)s.")
                        % {"identifier": identifier}
                    }
                )


def _write_batch_parts(
    pairs: Sequence[tuple[AidItem, AidItemParts]], *, user: Any, reason: str | Promise, new_items: bool
) -> None:
    """Write the parts given (checked by `_check_parts`) through the one writer of parts, with history."""
    successors: dict[int, Any] = {}

    def current_province(unit: Any) -> Any:
        if unit.pk not in successors:
            successors[unit.pk] = current_province_of(unit)
        return successors[unit.pk]

    wanted = {item.pk: part_rows(parts, current_province) for item, parts in pairs}
    with translation.override(None):  # stored as its English source, translated when shown
        parts_write(wanted, user=user, reason=str(reason), new_items=new_items)


# --- lifecycle ----------------------------------------------------------------------------------------------


def _transition(
    *,
    aid_item: AidItem,
    user: Any,
    to: str,
    action: str = Action.CHANGE,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> AidItem:
    if to not in TRANSITIONS[aid_item.status]:
        raise ValidationError(
            {
                "status": _("An aid item cannot go from “%(from)s” to “%(to)s”.")
                % {"from": aid_item.get_status_display(), "to": AidStatus(to).label}
            }
        )
    with transaction.atomic():
        ensure_allowed(user=user, action=action, instance=aid_item)
        claim_version(instance=aid_item, expected_version=expected_version)
        for field, value in (changes or {}).items():
            setattr(aid_item, field, value)
        aid_item.status = to
        aid_item.status_note = reason
        save_with_history(instance=aid_item, user=user, reason=AidStatus(to).label)
        derived.aid_items_changed([aid_item.pk])
    return aid_item


def _required(**values: Any) -> None:
    missing = {name: _("This field is required.") for name, value in values.items() if value in (None, "")}
    if missing:
        raise ValidationError(missing)


def aid_item_submit_for_appraisal(
    *, aid_item: AidItem, user: Any, received_on: date | None = None, expected_version: int | None = None
) -> AidItem:
    """The dossier is complete: the 20-day appraisal starts."""
    return _transition(
        aid_item=aid_item,
        user=user,
        to=AidStatus.UNDER_APPRAISAL,
        expected_version=expected_version,
        changes={"appraisal_started_on": received_on or timezone.localdate()},
    )


def aid_item_approve(
    *,
    aid_item: AidItem,
    user: Any,
    decision_number: str,
    decision_date: date | None,
    authority: str,
    expected_version: int | None = None,
) -> AidItem:
    _required(decision_number=decision_number, decision_date=decision_date, decision_authority=authority)
    if aid_item.appraisal_started_on and decision_date and decision_date < aid_item.appraisal_started_on:
        raise ValidationError({"decision_date": _("The decision cannot precede the appraisal.")})
    if not aid_item.sectors.exists():
        raise ValidationError({"sectors": _("Give the sectors before approving.")})
    return _transition(
        aid_item=aid_item,
        user=user,
        to=AidStatus.APPROVED,
        action=Action.APPROVE,
        expected_version=expected_version,
        changes={
            "decision_number": decision_number,
            "decision_date": decision_date,
            "decision_authority": authority,
        },
    )


def aid_item_reject(*, aid_item: AidItem, user: Any, reason: str, expected_version: int | None = None) -> AidItem:
    _required(status_note=reason)
    return _transition(
        aid_item=aid_item,
        user=user,
        to=AidStatus.REJECTED,
        action=Action.APPROVE,
        reason=reason,
        expected_version=expected_version,
    )


def aid_item_start(
    *, aid_item: AidItem, user: Any, started_on: date | None, expected_version: int | None = None
) -> AidItem:
    _required(actual_start=started_on)
    if aid_item.decision_date and started_on and started_on < aid_item.decision_date:
        raise ValidationError({"actual_start": _("Aid cannot start before its approval decision.")})
    return _transition(
        aid_item=aid_item,
        user=user,
        to=AidStatus.IN_PROGRESS,
        changes={"actual_start": started_on},
        expected_version=expected_version,
    )


def aid_item_complete(
    *, aid_item: AidItem, user: Any, ended_on: date | None, expected_version: int | None = None
) -> AidItem:
    _required(actual_end=ended_on)
    if aid_item.actual_start and ended_on and ended_on < aid_item.actual_start:
        raise ValidationError({"actual_end": _("The end cannot precede the start.")})
    return _transition(
        aid_item=aid_item,
        user=user,
        to=AidStatus.COMPLETED,
        changes={"actual_end": ended_on},
        expected_version=expected_version,
    )


def aid_item_close(*, aid_item: AidItem, user: Any, expected_version: int | None = None) -> AidItem:
    return _transition(aid_item=aid_item, user=user, to=AidStatus.CLOSED, expected_version=expected_version)


def aid_item_cancel(*, aid_item: AidItem, user: Any, reason: str, expected_version: int | None = None) -> AidItem:
    _required(status_note=reason)
    return _transition(
        aid_item=aid_item, user=user, to=AidStatus.CANCELLED, reason=reason, expected_version=expected_version
    )


def aid_item_revoke_approval(
    *,
    aid_item: AidItem,
    user: Any,
    reason: str,
    today: date | None = None,
    expected_version: int | None = None,
) -> AidItem:
    """Decree 80/2020 Art. 4.7: an approval may be revoked when the aid has not started within 6 months."""
    _required(status_note=reason)
    today = today or timezone.localdate()
    deadline = aid_item.start_deadline
    if deadline is None or today < deadline:
        raise ValidationError(
            {
                "status": _(
                    "An approval can be revoked only when the aid has not started within %(days)s days of the decision."
                )
                % {"days": START_DEADLINE_DAYS}
            }
        )
    return _transition(
        aid_item=aid_item,
        user=user,
        to=AidStatus.APPROVAL_REVOKED,
        action=Action.APPROVE,
        reason=reason,
        expected_version=expected_version,
    )


# --- transactions -------------------------------------------------------------------------------------------


def value_transaction(tx: Transaction, book: RateBook) -> None:
    """Store the USD and VND values at the value-date rates, with the rates and their source."""
    try:
        # The rate source is stored data, written in English whatever the acting user's language.
        with translation.override(None):
            value_transaction_as_data(tx, book)
    except MissingRate as exc:
        raise ValidationError({"currency": str(exc)}) from exc


class Valued(Protocol):
    """What valuation reads and writes: a Transaction, or an importer's lighter row of one."""

    currency: Currency
    value_date: date
    amount: Decimal
    amount_usd: Decimal
    amount_vnd: Decimal
    usd_per_unit: Decimal
    vnd_per_unit: Decimal
    rate_date: date
    rate_source: str


def value_transaction_as_data(tx: Valued, book: RateBook) -> None:
    """`value_transaction` for callers already writing data in English (`translation.override(None)`): an
    importer valuing thousands of transactions. Raises MissingRate."""
    code = tx.currency.code
    usd = book.quote(code, "USD", on=tx.value_date)
    vnd = book.quote(code, VND, on=tx.value_date)
    key = ("transaction-values", id(usd), id(vnd))  # the book's own quotes: stable while it lives
    day = book.memo.get(key)
    if day is None:  # once per pair of quotes: the rates' stored form and their source text
        # A VND amount needs no rate to VND: the rate worth recording is the one its USD value used.
        rated = usd if code == VND else vnd
        day = book.memo[key] = (
            usd,
            vnd,
            stored_rate(usd.rate),
            stored_rate(vnd.rate),
            rated.rate_date,
            book.source_of(rated)[:500],
        )
    usd, vnd, tx.usd_per_unit, tx.vnd_per_unit, tx.rate_date, tx.rate_source = day
    tx.amount_usd = usd.value(tx.amount, CENT)
    tx.amount_vnd = vnd.value(tx.amount, VND_QUANTUM)


# Input fields the batch does not validate one by one: the foreign keys are instances the caller looked up in the
# user's scope (a form's choices, a serializer's scoped field, the Excel check's lookups), the conversion is
# computed here, and the bookkeeping fields are not input.
NOT_INPUT = [
    *("aid_item", "currency", "provider", "receiver"),
    *("amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source"),
    *("public_id", "created_at", "updated_at", "deleted_at", "is_demo", "version"),
]
TRANSACTION_FIELDS = [
    *("transaction_type", "date", "value_date", "amount", "currency", "provider", "receiver", "description"),
    *("viet_nam_share", "amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source"),
    *("version", "updated_at"),
]


def transactions_save(
    *, user: Any, changes: Sequence[tuple[Transaction, int | None]], reason: str | Promise = ""
) -> list[Transaction]:
    """Create and change transactions in one atomic write: the one writer of transactions. Each change is a
    transaction with its new values (unsaved for a new one, its aid item, currency and parties set) and the
    version the user saw (None for a new one). A page or the API saves one; an Excel upload, thousands.

    Every rule, for the whole batch with a fixed number of queries: the user may change each aid item and each
    stored transaction, no aid item is on record as ended, a transaction stays with its aid item, the amount
    and value-date rules, the provider's registration, the conversion at the value-date rates (one rate book),
    the model's field rules, each row's version; history rows with the user and reason; the report facts of
    every aid item touched, once."""
    creates = [tx for tx, _version in changes if tx.pk is None]
    updates = [(tx, version) for tx, version in changes if tx.pk is not None]
    item_ids = {tx.aid_item_id for tx, _version in changes}
    with transaction.atomic():
        _ensure_items_editable(user, item_ids)
        if updates:
            ensure_all_allowed(model=Transaction, user=user, pks={tx.pk for tx, _ in updates}, action=Action.CHANGE)
            stored_items: dict[int, int] = {}
            for chunk in chunks(tx.pk for tx, _version in updates):
                stored_items.update(Transaction.all_objects.filter(pk__in=chunk).values_list("pk", "aid_item_id"))
            if any(stored_items.get(tx.pk) != tx.aid_item_id for tx, _version in updates):
                raise ValidationError({"aid_item": _("A transaction cannot move to another aid item.")})
        everything = [tx for tx, _version in changes]
        book = RateBook({tx.currency.code for tx in everything} | {VND})
        spans = registration_spans({tx.provider_id for tx in everything if tx.provider_id})
        for tx in everything:
            _check_transaction(tx, spans, book)
        with translation.override(None):  # the reason is stored as its English source, translated when shown
            stored_reason = str(reason)
        if updates:
            claim_versions(model=Transaction, claims=updates)
            now = timezone.now()
            for tx, _version in updates:
                tx.updated_at = now
            bulk_update_with_history(
                [tx for tx, _version in updates],
                Transaction,
                fields=TRANSACTION_FIELDS,
                batch_size=BATCH,
                default_user=user,
                default_change_reason=stored_reason or None,
                manager=Transaction.all_objects,
            )
        if creates:
            bulk_create_with_history(
                creates, Transaction, batch_size=BATCH, default_user=user, default_change_reason=stored_reason or None
            )
        derived.aid_items_changed(item_ids)
    return everything


def _check_transaction(tx: Transaction, spans: Mapping[int, list[tuple[date, date]]], book: RateBook) -> None:
    tx.value_date = rules.value_date_of(tx.date, tx.value_date)
    try:
        rules.check_amount(tx.amount)
        if tx.provider_id:
            rules.check_provider_registered(tx.provider, spans.get(tx.provider_id, []), tx.date)
    except rules.Breach as breach:
        raise breach.as_validation_error() from None
    value_transaction(tx, book)
    tx.full_clean(exclude=NOT_INPUT, validate_unique=False, validate_constraints=False)


def _ensure_items_editable(user: Any, item_ids: set[int]) -> None:
    """The user may change the aid items, and none is on record as ended (`rules.check_editable`)."""
    ensure_all_allowed(model=AidItem, user=user, pks=item_ids, action=Action.CHANGE)
    if rules.may_change_ended_items(user):
        return
    for chunk in chunks(item_ids):
        ended = AidItem.all_objects.filter(pk__in=chunk, status__in=FINAL_STATUSES).first()
        if ended is not None:
            _check_editable(ended, user)


def transaction_create(*, user: Any, aid_item: AidItem, data: Mapping[str, Any]) -> Transaction:
    tx = Transaction(aid_item=aid_item)
    apply_fields(tx, data)
    [saved] = transactions_save(user=user, changes=[(tx, None)])
    return saved


def transaction_update(
    *, tx: Transaction, user: Any, data: Mapping[str, Any], expected_version: int | None
) -> Transaction:
    apply_fields(tx, data)
    [saved] = transactions_save(user=user, changes=[(tx, expected_version)])
    return saved


def transaction_delete(*, tx: Transaction, user: Any, expected_version: int | None = None) -> Transaction:
    _check_editable(tx.aid_item, user)
    with transaction.atomic():
        record_soft_delete(instance=tx, user=user, expected_version=expected_version)
        derived.aid_items_changed([tx.aid_item_id])
    return tx


def transaction_restore(*, tx: Transaction, user: Any) -> Transaction:
    _check_editable(tx.aid_item, user)
    with transaction.atomic():
        record_restore(instance=tx, user=user)
        derived.aid_items_changed([tx.aid_item_id])
    return tx


def transactions_revalue(*, currencies: Iterable[str] | None = None, batch_size: int = 2000) -> int:
    """Recompute stored USD/VND values after exchange rates changed; returns how many changed.

    Done by the system (a task or `load_reference`), not a user, so it writes without history rows: the
    value and currency a user entered do not change, only their derived conversion.
    """
    queryset = Transaction.all_objects.select_related("currency").order_by("pk")
    codes = set(currencies) if currencies is not None else None
    if codes is not None and VND not in codes:
        queryset = queryset.filter(currency__code__in=codes)
    book = RateBook()
    changed: list[Transaction] = []
    total = 0
    fields = ["amount_usd", "amount_vnd", "usd_per_unit", "vnd_per_unit", "rate_date", "rate_source"]
    touched_items: set[int] = set()
    with transaction.atomic():
        for tx in queryset.iterator(chunk_size=batch_size):
            before = tuple(getattr(tx, name) for name in fields)
            value_transaction(tx, book)
            if tuple(getattr(tx, name) for name in fields) != before:
                changed.append(tx)
                touched_items.add(tx.aid_item_id)
            if len(changed) >= batch_size:
                Transaction.all_objects.bulk_update(changed, fields)
                total += len(changed)
                changed = []
        Transaction.all_objects.bulk_update(changed, fields)
        derived.aid_items_changed(touched_items)
    return total + len(changed)


__all__ = [
    "AidItemParts",
    "LocationShare",
    "ParticipantRole",
    "Participation",
    "SectorShare",
    "aid_item_approve",
    "aid_item_cancel",
    "aid_item_close",
    "aid_item_complete",
    "aid_item_create",
    "aid_item_delete",
    "aid_item_reject",
    "aid_item_restore",
    "aid_item_revoke_approval",
    "aid_item_start",
    "aid_item_submit_for_appraisal",
    "aid_item_update",
    "transaction_create",
    "transaction_delete",
    "transaction_restore",
    "transaction_update",
    "transactions_revalue",
]
