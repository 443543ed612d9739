"""Writes on the aid register: aid items with their splits and participants, lifecycle transitions, and
transactions with their conversion to USD and VND. Views, the API, importers and tasks call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from amity.core import derived
from amity.core.breaches import Breaches, breaches_of
from amity.core.bulk import create_records, insert_history, update_rows
from amity.core.money import CENT, round_significant
from amity.core.scoping import Action, jurisdiction
from amity.core.services import (
    apply_fields,
    check_version,
    chunks,
    claim_version,
    claim_versions,
    ensure_all_allowed,
    ensure_all_would_be_allowed,
    ensure_allowed,
    ensure_may_add,
    record_restore,
    record_soft_delete,
    save_with_history,
    unique_values_checked_again,
)
from amity.organisations.models import Organisation
from amity.organisations.selectors import registration_spans
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import MISSING_RATE, VND, MissingRate, RateBook
from amity.reference.models import AdministrativeUnit, CodelistItem, Currency, UnitMapping

from . import rules, selectors
from .choices import FINAL_STATUSES, OFFICIAL_STATUSES, TRANSITIONS, AidStatus, ParticipantRole
from .models import (
    CONVERSION_FIELDS,
    START_DEADLINE_DAYS,
    AidItem,
    Budget,
    LocationSplit,
    Transaction,
)
from .parts import BUDGET_COLUMNS, parts_write

ERA_CHANGE = rules.ERA_CHANGE
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


@dataclass(frozen=True)
class ItemChange:
    """One aid item for `aid_items_save`: a new one (no `pk`) or a stored one (its `pk` and the version the user
    saw), its fields given, and its parts (None: left as they are; a new item without parts has none)."""

    data: Mapping[str, Any]
    parts: AidItemParts | None = None
    pk: int | None = None
    expected_version: int | None = None


# --- checks -------------------------------------------------------------------------------------------------

NO_PROVINCE = gettext_noop("%(unit)s has no province.")
NO_SUCCESSOR = gettext_noop("%(unit)s has no successor province.")


def current_province_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The 2025-era province a unit lies in: itself, its province, or its old province's successor."""
    province = unit if unit.level == UnitLevel.PROVINCE else unit.province
    if province is None:
        raise rules.Breach("locations.unit", NO_PROVINCE, {"unit": str(unit)})
    if province.era == Era.CURRENT:
        return province
    mapping = UnitMapping.objects.select_related("new_unit").filter(old_unit=province).first()
    if mapping is None:
        raise rules.Breach("locations.unit", NO_SUCCESSOR, {"unit": str(province)})
    return mapping.new_unit


def _check_parts(found: Breaches, index: int, aid_item: AidItem, parts: AidItemParts) -> None:
    """The rules of the parts given with an aid item (None: that kind is left as it is), each kind on its own so
    that a row's every problem is found."""
    if parts.sectors is not None:
        with found.row(index):
            rules.check_sectors([(share.sector, share.percentage) for share in parts.sectors])
    if parts.locations is not None:  # none: nationwide, or not yet located in a province
        with found.row(index):
            shares = [(share.unit, share.percentage) for share in parts.locations]
            rules.check_locations(shares, planned_start=aid_item.planned_start)
    if parts.participants is not None:
        with found.row(index):
            rules.check_participants([(p.organisation.pk, p.role) for p in parts.participants])
    for budget in parts.budgets or ():
        budget.aid_item = aid_item
        try:
            budget.full_clean(exclude=["aid_item"])
        except ValidationError as error:
            for breach in breaches_of(error):
                found.add(index, rules.Breach(f"budgets.{breach.field}".rstrip("."), breach.message, breach.params))


def _check_within_provinces(
    found: Breaches, pairs: Sequence[tuple[AidItem, AidItemParts | None]], user: Any, *, confirmed: bool
) -> None:
    """The locations each row adds to its item (not stored for it yet) outside the user's provinces, which the user
    must confirm (`rules.check_locations_within_provinces`): one query per chunk for the stored locations, and
    the current province of each unit looked up once."""
    provinces = jurisdiction(user) if user is not None else None
    if provinces is None or confirmed:
        return
    stored: dict[int, set[int]] = {}
    for chunk in chunks({item.pk for item, _parts in pairs if item.pk is not None}):
        for item_id, unit_id in LocationSplit.objects.filter(aid_item_id__in=chunk).values_list("aid_item", "unit"):
            stored.setdefault(item_id, set()).add(unit_id)
    successors: dict[int, AdministrativeUnit] = {}
    for index, (item, parts) in enumerate(pairs):
        if parts is None or not parts.locations:
            continue
        with found.row(index):
            added = []
            for share in parts.locations:
                if share.unit.pk not in stored.get(item.pk, set()):
                    if share.unit.pk not in successors:
                        successors[share.unit.pk] = current_province_of(share.unit)
                    added.append(successors[share.unit.pk])
            rules.check_locations_within_provinces(added, provinces, confirmed=False)


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


def _check_editable(aid_item: AidItem, user: Any) -> None:
    try:
        rules.check_editable(aid_item.status, user)
    except rules.Breach as breach:
        raise breach.as_validation_error() from None


# --- aid items ----------------------------------------------------------------------------------------------


def aid_item_create(
    *, user: Any, data: Mapping[str, Any], parts: AidItemParts | None = None, confirmed: bool = False
) -> AidItem:
    """One new aid item (a page, the API): a batch of one (`aid_items_save`)."""
    [aid_item] = aid_items_save(user=user, rows=[ItemChange(data, parts or AidItemParts())], confirmed=confirmed)
    return aid_item


def aid_item_update(
    *,
    aid_item: AidItem,
    user: Any,
    data: Mapping[str, Any],
    parts: AidItemParts | None = None,
    expected_version: int | None,
    confirmed: bool = False,
) -> AidItem:
    """One aid item changed (a page, the API): a batch of one (`aid_items_save`). The instance given is brought
    up to what was saved (its new version), as callers that save again expect."""
    aid_items_save(user=user, rows=[ItemChange(data, parts, aid_item.pk, expected_version)], confirmed=confirmed)
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


ITEM_FOREIGN_KEYS = [f.name for f in AidItem._meta.concrete_fields if f.is_relation]


def aid_items_save(
    *,
    user: Any,
    rows: Sequence[ItemChange],
    reason: str | Promise = "",
    dry_run: bool = False,
    confirmed: bool = False,
) -> list[AidItem]:
    """Create and change aid items with their parts in one atomic write: the one writer of aid items. A page or
    the API saves one; an Excel upload, a file; `dry_run=True` checks everything and writes nothing (an
    upload's check).

    Every rule, for each row, with a fixed number of queries per chunk, and every breach of every row collected
    before anything is written (`BatchRefused`, a 400 naming the fields; an upload places each on its sheet,
    row and column): the user may add aid items and change the stored ones (the scope policy; any refusal is a
    403 for the batch), an item on record as ended stays as it ended, the status changes only through the
    lifecycle, the version the user saw is the stored one (a dry run; the write claims them: 409), an owning
    province of the current era, the model's field rules (foreign keys are the caller's lookups in the user's
    scope, so they are not queried again one by one), one aid item per IATI identifier, the parts' rules, and
    locations added outside the user's provinces, which pass only once the user `confirmed` them (a breach that
    asks for confirmation, `BatchRefused.asks_confirmation`, when not). Then
    one multi-row write per chunk with history rows carrying the user, the parts through `parts_write`, the
    scope checked again on the result, and one facts refresh for the items changed."""
    if not rows:
        return []
    ids = {row.pk for row in rows if row.pk is not None}
    with transaction.atomic(), translation.override(None):
        if len(ids) < len(rows):
            ensure_may_add(user=user, model=AidItem)
        ensure_all_allowed(model=AidItem, user=user, pks=ids, action=Action.CHANGE)
        stored: dict[int, AidItem] = {}
        for chunk in chunks(ids):
            # With the owning province: its rule reads it for every row, and a row may not give it.
            found_items = AidItem.all_objects.filter(pk__in=chunk).select_related("owning_province")
            stored.update((item.pk, item) for item in found_items)
        found = Breaches()
        items: list[AidItem] = []
        fields: set[str] = set()
        for index, row in enumerate(rows):
            item = AidItem() if row.pk is None else stored[row.pk]
            if row.pk is not None:
                with found.row(index):
                    rules.check_editable(item.status, user)
                    if "status" in row.data:
                        rules.check_status_unchanged(item.status, row.data["status"])
                if dry_run:
                    with found.row(index):
                        check_version(stored=item.version, expected=row.expected_version)
                fields.update(row.data)
            apply_fields(item, row.data)
            with found.row(index):
                rules.check_owning_province(item.owning_province)
            with found.row(index):
                item.full_clean(exclude=ITEM_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
            _check_parts(found, index, item, _whole_parts(row) if row.pk is None else row.parts or AidItemParts())
            items.append(item)
        _check_unique_identifiers(found, items)
        _check_within_provinces(
            found,
            [(item, _whole_parts(row) if row.pk is None else row.parts) for item, row in zip(items, rows, strict=True)],
            user,
            confirmed=confirmed,
        )
        if found and all(row_breach.breach.confirmable for row_breach in found.found):
            # Before asking the user to confirm: rows they may not save at all (an owning province not theirs)
            # are a 403, since confirming would not let them through.
            _ensure_rows_would_be_allowed(user, items, rows)
        found.refuse()
        if dry_run:
            return items
        new = [(item, _whole_parts(row)) for item, row in zip(items, rows, strict=True) if row.pk is None]
        changed = [(item, row) for item, row in zip(items, rows, strict=True) if row.pk is not None]
        claim_versions(model=AidItem, claims=[(item, row.expected_version) for item, row in changed])

        def identifiers_taken_meanwhile() -> None:
            taken = Breaches()
            _check_unique_identifiers(taken, items)
            taken.refuse()

        with unique_values_checked_again(identifiers_taken_meanwhile):
            aid_items_write(
                new=[item for item, _parts in new],
                changed=[item for item, _row in changed],
                columns=sorted(fields),
                user=user,
                reason=str(reason),
            )
        _write_batch_parts(new, user=user, reason=reason, new_items=True)
        with_parts = [(item, row.parts) for item, row in changed if row.parts is not None]
        _write_batch_parts(with_parts, user=user, reason=reason, new_items=False)
        ensure_all_allowed(model=AidItem, user=user, pks={item.pk for item, _parts in new}, action=Action.ADD)
        ensure_all_allowed(model=AidItem, user=user, pks=ids, action=Action.CHANGE)
        derived.aid_items_changed(ids)  # new items have no transactions: nothing to add to the report facts
    return items


def _ensure_rows_would_be_allowed(user: Any, items: Sequence[AidItem], rows: Sequence[ItemChange]) -> None:
    """The new rows, and the stored ones given another owning province, as they would be saved, are records the
    user may add or change (decided from their own fields; the stored ones were allowed as they are)."""
    pairs = list(zip(items, rows, strict=True))
    ensure_all_would_be_allowed(user=user, action=Action.ADD, instances=[item for item, row in pairs if row.pk is None])
    moved = [item for item, row in pairs if row.pk is not None and "owning_province" in row.data]
    ensure_all_would_be_allowed(user=user, action=Action.CHANGE, instances=moved)


def _whole_parts(row: ItemChange) -> AidItemParts:
    """A new item's parts: every kind written, none given being none."""
    parts = row.parts or AidItemParts()
    return AidItemParts(
        sectors=parts.sectors or [],
        locations=parts.locations or [],
        participants=parts.participants or [],
        beneficiaries=parts.beneficiaries or [],
        budgets=parts.budgets,
    )


def aid_items_write(
    *,
    new: Sequence[AidItem],
    changed: Sequence[AidItem],
    columns: Sequence[str],
    user: Any,
    reason: str,
    when: datetime | None = None,
) -> None:
    """The one write of aid item rows, once their rules are checked (by `aid_items_save`, or by the IATI importer
    with the same rules): new items with their `+` history rows, and the given model fields of changed items —
    whose version the caller has moved on (claimed, or counted) — with their `~` history rows; multi-row
    statements (`COPY` on PostgreSQL), the user and reason on every history row. New items that have their keys
    (reserved for them, `core.bulk.reserve_keys`) are written under them."""
    when = when or timezone.now()
    if new:
        create_records(AidItem, list(new), user=user, reason=reason, when=when)
    if changed:
        for item in changed:
            item.updated_at = when
        attnames = {field.name: field.attname for field in AidItem._meta.concrete_fields}
        stored = [attnames[name] for name in columns] + ["version", "updated_at"]
        update_rows(AidItem, stored, [(item.pk, *(getattr(item, c) for c in stored)) for item in changed])
        insert_history(AidItem, changed, history_type="~", user=user, reason=reason, when=when)


def _check_unique_identifiers(found: Breaches, items: Sequence[AidItem]) -> None:
    """An IATI identifier names one aid item (deleted ones included: they can be restored): within the batch
    and against those stored, in one query per chunk, before the database's constraint would refuse it."""
    given: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.iati_identifier:
            if item.iati_identifier in given:
                found.add(index, rules.Breach("iati_identifier", rules.IATI_TWICE))
            else:
                given[item.iati_identifier] = index
    for chunk in chunks(given):
        for identifier, pk in AidItem.all_objects.filter(iati_identifier__in=chunk).values_list(
            "iati_identifier", "pk"
        ):
            index = given[identifier]
            if pk != items[index].pk:
                found.add(index, rules.Breach("iati_identifier", rules.IATI_TAKEN, {"identifier": identifier}))


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
            "approved_at": timezone.now(),  # the baseline of what changes since (`selectors.changes_since_approval`)
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


@dataclass(frozen=True)
class Reapproval:
    """An approver's new decision on an approved aid item whose approved substance changed since its approval:
    the decision's number, date and authority, and the version of the item the approver read."""

    aid_item: AidItem
    decision_number: str
    decision_date: date | None
    authority: str
    expected_version: int | None = None


REQUIRED = gettext_noop("This field is required.")
NOT_APPROVED = gettext_noop("Only an approved aid item can be approved again.")
NOTHING_TO_REAPPROVE = gettext_noop(
    "Nothing of what was approved has changed since the approval: there is nothing to approve again."
)
REAPPROVAL_BEFORE_APPROVAL = gettext_noop("The new decision cannot precede the approval decision in force (%(date)s).")
REAPPROVED = gettext_noop("Approved again")


def aid_item_reapprove(
    *,
    aid_item: AidItem,
    user: Any,
    decision_number: str,
    decision_date: date | None,
    authority: str,
    expected_version: int | None = None,
) -> AidItem:
    """One item approved again (a page, the API): a batch of one (`aid_items_reapprove`)."""
    change = Reapproval(aid_item, decision_number, decision_date, authority, expected_version)
    [item] = aid_items_reapprove(user=user, rows=[change])
    return item


def aid_items_reapprove(*, user: Any, rows: Sequence[Reapproval], dry_run: bool = False) -> list[AidItem]:
    """Approve again approved aid items whose approved substance changed (`selectors.changes_since_approval`):
    the new decision becomes the item's approval decision in force (number, date, authority; the previous ones
    stay in its history, with who recorded each and when) and the baseline of later changes (`approved_at`); the
    status stays as it is. Approvers of the items only (403 for the batch); every row checked before anything is
    written (`BatchRefused`): an item in an official status, with something to approve again, the decision whole
    and not before the one in force; the versions the approver read (409)."""
    if not rows:
        return []
    ids = {row.aid_item.pk for row in rows}
    with transaction.atomic(), translation.override(None):
        ensure_all_allowed(model=AidItem, user=user, pks=ids, action=Action.APPROVE)
        found = Breaches()
        for index, row in enumerate(rows):
            item = row.aid_item
            if item.status not in OFFICIAL_STATUSES or item.is_deleted:
                found.add(index, rules.Breach("status", NOT_APPROVED))
                continue
            inputs = {
                "decision_number": row.decision_number,
                "decision_date": row.decision_date,
                "decision_authority": row.authority,
            }
            for name, value in inputs.items():
                if value in (None, ""):
                    found.add(index, rules.Breach(name, REQUIRED))
            if row.decision_date and item.decision_date and row.decision_date < item.decision_date:
                found.add(
                    index, rules.Breach("decision_date", REAPPROVAL_BEFORE_APPROVAL, {"date": item.decision_date})
                )
            if dry_run:
                with found.row(index):
                    check_version(stored=item.version, expected=row.expected_version)
            if not found.broken(index) and selectors.changes_since_approval(item) is None:
                found.add(index, rules.Breach("status", NOTHING_TO_REAPPROVE))
        found.refuse()
        items = [row.aid_item for row in rows]
        if dry_run:
            return items
        claim_versions(model=AidItem, claims=[(row.aid_item, row.expected_version) for row in rows])
        now = timezone.now()
        for row in rows:
            item = row.aid_item
            item.decision_number, item.decision_date = row.decision_number, row.decision_date
            item.decision_authority, item.approved_at = row.authority, now
            save_with_history(instance=item, user=user, reason=REAPPROVED)
        derived.aid_items_changed(ids)  # the duties and facts of the items follow their decision
    return items


# --- transactions -------------------------------------------------------------------------------------------


def value_transaction(tx: Transaction, book: RateBook) -> None:
    """Store the USD and VND values at the value-date rates, with the rates and their source. No rate: a `Breach`
    of `currency` (`MISSING_RATE`)."""
    try:
        # The rate source is stored data, written in English whatever the acting user's language.
        with translation.override(None):
            value_transaction_as_data(tx, book)
    except MissingRate as exc:
        raise rules.Breach("currency", MISSING_RATE, exc.params) from exc


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
    *CONVERSION_FIELDS,
    *("public_id", "created_at", "updated_at", "deleted_at", "is_demo", "version"),
]
TRANSACTION_FIELDS = [
    *("transaction_type", "date", "value_date", "amount", "currency", "provider", "receiver", "description"),
    *("viet_nam_share", *CONVERSION_FIELDS),
    *("version", "updated_at"),
]


MOVED = gettext_noop("A transaction cannot move to another aid item.")


def transactions_save(
    *, user: Any, changes: Sequence[tuple[Transaction, int | None]], reason: str | Promise = "", dry_run: bool = False
) -> list[Transaction]:
    """Create and change transactions in one atomic write: the one writer of transactions. Each change is a
    transaction with its new values (unsaved for a new one, its aid item, currency and parties set) and the
    version the user saw (None for a new one). A page or the API saves one; an Excel upload, a file;
    `dry_run=True` checks everything and writes nothing (an upload's check).

    Every rule, for each row with a fixed number of queries, every breach of every row collected before anything
    is written (`BatchRefused`): the user may change each aid item and each stored transaction (the scope
    policy: any refusal is a 403 for the batch), no aid item is on record as ended, a transaction stays with its
    aid item, the amount and value-date rules, the provider's registration, the conversion at the value-date
    rates (one rate book), the model's field rules, the version the user saw (a dry run; the write claims them:
    409); history rows with the user and reason; the report facts of every aid item touched, once."""
    updates = [(tx, version) for tx, version in changes if tx.pk is not None]
    item_ids = {tx.aid_item_id for tx, _version in changes}
    with transaction.atomic():
        ensure_all_allowed(model=AidItem, user=user, pks=item_ids, action=Action.CHANGE)
        ensure_all_allowed(model=Transaction, user=user, pks={tx.pk for tx, _ in updates}, action=Action.CHANGE)
        ended = _ended_items(user, item_ids)
        stored: dict[int, tuple[int, int]] = {}  # pk → (aid item, version)
        for chunk in chunks(tx.pk for tx, _version in updates):
            rows = Transaction.all_objects.filter(pk__in=chunk).values_list("pk", "aid_item_id", "version")
            stored.update((pk, (item_id, version)) for pk, item_id, version in rows)
        everything = [tx for tx, _version in changes]
        book = RateBook({tx.currency.code for tx in everything} | {VND})
        spans = registration_spans({tx.provider_id for tx in everything if tx.provider_id})
        found = Breaches()
        for index, (tx, expected_version) in enumerate(changes):
            with found.row(index):
                if tx.aid_item_id in ended:
                    rules.check_editable(ended[tx.aid_item_id], user)
            if tx.pk is not None:
                item_id, version = stored[tx.pk]
                if item_id != tx.aid_item_id:
                    found.add(index, rules.Breach("aid_item", MOVED))
                if dry_run:
                    with found.row(index):
                        check_version(stored=version, expected=expected_version)
            _check_transaction(found, index, tx, spans, book)
        found.refuse()
        if dry_run:
            return everything
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
        creates = [tx for tx, _version in changes if tx.pk is None]
        if creates:
            bulk_create_with_history(
                creates, Transaction, batch_size=BATCH, default_user=user, default_change_reason=stored_reason or None
            )
        derived.aid_items_changed(item_ids)
    return everything


def _check_transaction(
    found: Breaches, index: int, tx: Transaction, spans: Mapping[int, list[tuple[date, date]]], book: RateBook
) -> None:
    tx.value_date = rules.value_date_of(tx.date, tx.value_date)
    with found.row(index):
        rules.check_amount(tx.amount)
    if tx.provider_id and tx.date:
        with found.row(index):
            rules.check_provider_registered(tx.provider, spans.get(tx.provider_id, []), tx.date)
    if tx.value_date:
        with found.row(index):
            value_transaction(tx, book)
    with found.row(index):
        tx.full_clean(exclude=NOT_INPUT, validate_unique=False, validate_constraints=False)


def _ended_items(user: Any, item_ids: set[int]) -> dict[int, str]:
    """The aid items on record as ended (their status), unless the user may correct them."""
    if rules.may_change_ended_items(user):
        return {}
    ended: dict[int, str] = {}
    for chunk in chunks(item_ids):
        ended.update(AidItem.all_objects.filter(pk__in=chunk, status__in=FINAL_STATUSES).values_list("pk", "status"))
    return ended


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
    fields = list(CONVERSION_FIELDS)
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
