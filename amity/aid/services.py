"""Writes on the aid register: aid items with their splits and participants, lifecycle transitions, and
transactions with their conversion to USD and VND. Views, the API, importers and tasks call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amity.core import derived
from amity.core.money import CENT, HUNDRED, round_significant
from amity.core.scoping import Action
from amity.core.services import (
    apply_fields,
    claim_version,
    ensure_allowed,
    ensure_may_add,
    ensure_still_in_scope,
    record_restore,
    record_soft_delete,
    save_with_history,
)
from amity.organisations.models import Organisation
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import VND, MissingRate, RateBook
from amity.reference.models import AdministrativeUnit, CodelistItem, UnitMapping

from . import rules
from .choices import TRANSITIONS, AidStatus, ParticipantRole
from .models import (
    START_DEADLINE_DAYS,
    AidItem,
    Budget,
    Transaction,
)
from .parts import BUDGET_COLUMNS, parts_write

ERA_CHANGE = date(2025, 7, 1)
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


def _write_parts(aid_item: AidItem, parts: AidItemParts, user: Any) -> None:
    check_parts(aid_item, parts)
    parts_write({aid_item.pk: part_rows(parts)}, user=user)


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
    ensure_may_add(user=user, model=AidItem)
    parts = parts or AidItemParts()
    with transaction.atomic():
        aid_item = AidItem()
        apply_fields(aid_item, data)
        check_owning_province(aid_item)
        save_with_history(instance=aid_item, user=user)
        _write_parts(
            aid_item,
            AidItemParts(
                sectors=parts.sectors or [],
                locations=parts.locations or [],
                participants=parts.participants or [],
                beneficiaries=parts.beneficiaries or [],
                budgets=parts.budgets,
            ),
            user,
        )
        ensure_still_in_scope(user=user, action=Action.ADD, instance=aid_item)
        derived.aid_items_changed([aid_item.pk])
    return aid_item


def aid_item_update(
    *,
    aid_item: AidItem,
    user: Any,
    data: Mapping[str, Any],
    parts: AidItemParts | None = None,
    expected_version: int | None,
) -> AidItem:
    if "status" in data and data["status"] != aid_item.status:
        raise ValidationError({"status": _("Change the status with the lifecycle actions.")})
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.CHANGE, instance=aid_item)
        _check_editable(aid_item, user)
        claim_version(instance=aid_item, expected_version=expected_version)
        apply_fields(aid_item, data)
        check_owning_province(aid_item)
        save_with_history(instance=aid_item, user=user)
        if parts is not None:
            _write_parts(aid_item, parts, user)
        ensure_still_in_scope(user=user, action=Action.CHANGE, instance=aid_item)
        derived.aid_items_changed([aid_item.pk])
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


def value_transaction_as_data(tx: Transaction, book: RateBook) -> None:
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


def _check_transaction(tx: Transaction) -> None:
    tx.value_date = rules.value_date_of(tx.date, tx.value_date)
    try:
        rules.check_amount(tx.amount)
        if tx.provider is not None:
            registrations = list(tx.provider.registrations.all().values_list("issue_date", "expiry_date"))
            rules.check_provider_registered(tx.provider, registrations, tx.date)
    except rules.Breach as breach:
        raise breach.as_validation_error() from None


def transaction_create(*, user: Any, aid_item: AidItem, data: Mapping[str, Any]) -> Transaction:
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.CHANGE, instance=aid_item)
        _check_editable(aid_item, user)
        tx = Transaction(aid_item=aid_item)
        apply_fields(tx, data)
        _check_transaction(tx)
        value_transaction(tx, RateBook({tx.currency.code, VND}))
        save_with_history(instance=tx, user=user)
        derived.aid_items_changed([tx.aid_item_id])
    return tx


def transaction_update(
    *, tx: Transaction, user: Any, data: Mapping[str, Any], expected_version: int | None
) -> Transaction:
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.CHANGE, instance=tx)
        _check_editable(tx.aid_item, user)
        claim_version(instance=tx, expected_version=expected_version)
        if "aid_item" in data and data["aid_item"].pk != tx.aid_item_id:
            raise ValidationError({"aid_item": _("A transaction cannot move to another aid item.")})
        apply_fields(tx, data)
        _check_transaction(tx)
        value_transaction(tx, RateBook({tx.currency.code, VND}))
        save_with_history(instance=tx, user=user)
        derived.aid_items_changed([tx.aid_item_id])
    return tx


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
