"""Writes on the diplomacy register: batch-first services, the only writers of unions, units, partnerships,
events, delegations and visitors (pages, API, Excel uploads and the admin call them).

Each `<records>_save(user=, rows=, reason=, dry_run=)` checks every row before anything is written and collects
every breach of every row (`amity.core.breaches`): any breach refuses the whole batch (`BatchRefused`, a 400
naming the fields; an upload places each on its sheet, row and column) and `dry_run=True` writes nothing. A
permission refusal stays a 403 for the batch and a version claimed by someone else a 409. The owning province
is never given: it is the union's, so a record is kept by the union's province staff; a union outside the
user's jurisdiction is a breach of the row's `union`."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_noop

from amity.aid.services import current_province_of
from amity.core.breaches import Breach, Breaches, breaches_of
from amity.core.models import BaseModel
from amity.core.scoping import Action
from amity.core.services import (
    apply_fields,
    check_version,
    chunks,
    claim_versions,
    ensure_all_allowed,
    ensure_allowed,
    ensure_may_add,
    record_restore,
    record_soft_delete,
)
from amity.documents.models import Document
from amity.documents.services import LinkChange, document_links_save
from amity.reference.choices import Era

from . import personal, rollups, rules
from .choices import AttachmentKind, PersonStatus, UnionStatus, UnitKind
from .models import (
    AgreementRenewal,
    AssociationMember,
    CalendarFeed,
    Delegation,
    DelegationDay,
    Event,
    EventAttachment,
    MemberCount,
    Partnership,
    Union,
    UnionUnit,
    Visitor,
)


@dataclass(frozen=True)
class Change:
    """One record for a batch service: a new one (no `pk`) or a stored one (its `pk` and the version the user saw),
    the fields given, and its parts (a unit's member counts, a delegation's programme days) as rows of fields —
    None leaves them as they are."""

    data: Mapping[str, Any]
    pk: int | None = None
    expected_version: int | None = None
    parts: Sequence[Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class _Parts:
    """How a record's parts are stored: their model, the key to the record and the field that names a part."""

    model: type[models.Model]
    owner: str
    key: str
    breaches: Callable[[Any, Sequence[Any]], Iterator[Breach]]
    prefix: str


Checks = Callable[[Any, Change, Any], Iterable[Breach]]  # record, row, user
After = Callable[[list[Any], Any, str], object]  # the records written, user, reason


@dataclass(frozen=True)
class _Owner:
    """The record a kind of record belongs to, whose province owns it: a union for most, an association for its
    members. `breaches` are the owner's own conditions (a merged union takes no new records; only an association
    has members), `refused` the message when its province is outside the user's jurisdiction."""

    field: str
    model: type[BaseModel]
    breaches: Callable[[Any, bool], Iterator[Breach]]  # owner, the record arrives (new, or moved to this owner)
    refused: str


def _save_history(instance: models.Model, user: Any, reason: str) -> None:
    """Save a checked row; its history row carries the user and the reason (English source text)."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save()


def _foreign_keys(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def _records_save(
    *,
    model: type[BaseModel],
    user: Any,
    rows: Sequence[Change],
    reason: str | Promise,
    dry_run: bool,
    required: Sequence[str],
    checks: Checks,
    parts: _Parts | None = None,
    owner: _Owner | None = None,
    after: After | None = None,
) -> list[Any]:
    """The batch write shared by every record of the register (see the module's text). `owner` is the record the
    rows belong to and take their provinces from (their union unless said otherwise; none for a union), `after`
    what follows from the write inside its transaction (the members of a moved association follow it)."""
    owner = owner or (None if model is Union else UNION_OWNER)
    if not rows:
        return []
    ids = {row.pk for row in rows if row.pk is not None}
    with transaction.atomic(), translation.override(None):
        reason = str(reason)
        if len(ids) < len(rows):
            ensure_may_add(user=user, model=model)
        ensure_all_allowed(model=model, user=user, pks=ids, action=Action.CHANGE)
        stored: dict[int, Any] = {}
        for chunk in chunks(ids):
            stored.update(model.all_objects.in_bulk(chunk))
        found = Breaches()
        records: list[Any] = []
        owners = _owners_of(owner, rows, stored)
        part_rows: list[list[Any] | None] = []
        for index, row in enumerate(rows):
            record = model() if row.pk is None else stored[row.pk]
            if row.pk is not None and dry_run:
                with found.row(index):
                    check_version(stored=record.version, expected=row.expected_version)
            plain = {name: value for name, value in row.data.items() if not model._meta.get_field(name).many_to_many}
            held_by = getattr(record, f"{owner.field}_id") if owner is not None else None
            apply_fields(record, plain)
            for breach in _ownership(record, owner, owners, user, row.pk is None, held_by):
                found.add(index, breach)
            for breach in rules.check_required(record, required):
                found.add(index, breach)
            with found.row(index):
                record.full_clean(exclude=_foreign_keys(model), validate_unique=False, validate_constraints=False)
            for breach in checks(record, row, user):
                found.add(index, breach)
            part_rows.append(_check_parts(found, index, record, row, parts))
            records.append(record)
        found.refuse()
        if dry_run:
            return records
        claim_versions(
            model=model,
            claims=[(record, row.expected_version) for record, row in zip(records, rows, strict=True) if row.pk],
        )
        now = timezone.now()
        with rollups.following(model, ids) as counted:
            for record, row, wanted in zip(records, rows, part_rows, strict=True):
                record.updated_at = now
                _save_history(record, user, reason)
                for name, value in row.data.items():
                    if model._meta.get_field(name).many_to_many:
                        getattr(record, name).set(value)
                if parts is not None and wanted is not None:
                    _write_parts(record, wanted, parts, user, reason)
            new = {record.pk for record, row in zip(records, rows, strict=True) if row.pk is None}
            counted.extend(new)
        if after is not None:
            after(records, user, reason)
        ensure_all_allowed(model=model, user=user, pks=new, action=Action.ADD)
        ensure_all_allowed(model=model, user=user, pks=ids, action=Action.CHANGE)
    return records


def _owners_of(owner: _Owner | None, rows: Sequence[Change], stored: Mapping[int, Any]) -> dict[int, Any]:
    """The unions (or associations) the rows name or belong to, read under a shared lock (`read_for_share`): a
    merger of their union waits until this write commits, and this write waits for a merger under way, then reads
    the union as the merger left it (merged: new records are refused) — see `union_merge`."""
    if owner is None:
        return {}
    wanted = {row.data[owner.field].pk for row in rows if row.data.get(owner.field) is not None}
    wanted |= {getattr(record, f"{owner.field}_id") for record in stored.values()}
    return read_for_share(owner.model, wanted)


def read_for_share(model: type[BaseModel], ids: Iterable[int]) -> dict[int, Any]:
    """Records by id, read under PostgreSQL's shared row lock (`FOR SHARE`, which Django's ORM does not write) held
    to the end of the transaction: writers that only read them share it, a writer that changes them (a merger's
    `select_for_update`) waits for them, and they wait for it and read its committed rows. In the order of their
    ids, as a merger locks its unions, so that no two transactions wait on each other in a circle. On SQLite a
    writer holds the whole database from the start of its transaction (`transaction_mode` IMMEDIATE): no lock
    needed, a plain read."""
    found: dict[int, Any] = {}
    for chunk in chunks(sorted(set(ids))):
        rows = model.all_objects.filter(pk__in=chunk).order_by("pk")
        if connection.vendor == "postgresql":
            sql, params = rows.query.sql_with_params()
            found.update((row.pk, row) for row in model.all_objects.raw(f"{sql} FOR SHARE", params))
        else:
            found.update((row.pk, row) for row in rows)
    return found


def _ownership(
    record: Any, owner: _Owner | None, owners: Mapping[int, Any], user: Any, new: bool, held_by: int | None
) -> Iterator[Breach]:
    """A record of a union is owned by the union's province (current era) and keeps its old-era province — a member
    of an association, by the association's —; the user may keep records of that province only (a 400 on `union`
    or `association`, not a write refused after the fact). The owner's own conditions are asked of a record that
    arrives: a new one, or one moved from another owner (`held_by`, the owner it had)."""
    if owner is None or getattr(record, f"{owner.field}_id") is None:
        return
    held = owners[getattr(record, f"{owner.field}_id")]
    refused = list(owner.breaches(held, new or held.pk != held_by))
    if refused:
        yield from refused
        return
    setattr(record, owner.field, held)  # read by the kind's checks without a query per row
    record.owning_province_id = held.owning_province_id
    if new:
        record.old_province_id = held.old_province_id
    action = Action.ADD if new else Action.CHANGE
    if not type(record).scope_policy.allows(user, action, record):
        yield Breach(owner.field, owner.refused)


def _union_open(union: Union, arriving: bool) -> Iterator[Breach]:
    """A merged union takes no record: neither a new one nor one moved to it (its register is the new union's)."""
    if union.status == UnionStatus.MERGED and arriving:
        yield Breach("union", rules.MERGED_UNION, {"name": str(union.merged_into)})


def _an_association(unit: UnionUnit, arriving: bool) -> Iterator[Breach]:
    if unit.kind != UnitKind.ASSOCIATION:
        yield Breach("association", rules.MEMBERS_OF_ASSOCIATIONS_ONLY)
    elif unit.deleted_at is not None and arriving:
        yield Breach("association", rules.DELETED_ASSOCIATION)


def _partnership_open(partnership: Partnership, new: bool) -> Iterator[Breach]:
    if partnership.deleted_at is not None and new:
        yield Breach("partnership", rules.DELETED_PARTNERSHIP)


UNION_OWNER = _Owner("union", Union, _union_open, rules.NOT_YOURS)
ASSOCIATION_OWNER = _Owner("association", UnionUnit, _an_association, rules.NOT_YOUR_ASSOCIATION)
PARTNERSHIP_OWNER = _Owner("partnership", Partnership, _partnership_open, rules.NOT_YOUR_PARTNERSHIP)


def _check_parts(found: Breaches, index: int, record: Any, row: Change, parts: _Parts | None) -> list[Any] | None:
    if parts is None or row.parts is None:
        return None
    wanted = []
    for given in row.parts:
        part = parts.model(**given)
        setattr(part, parts.owner, record)
        try:
            part.full_clean(exclude=[parts.owner], validate_unique=False, validate_constraints=False)
        except ValidationError as error:  # recorded with the part's prefix: "days.programme"
            for breach in breaches_of(error):
                found.add(index, Breach(f"{parts.prefix}.{breach.field}".rstrip("."), breach.message, breach.params))
        wanted.append(part)
    for breach in parts.breaches(record, wanted):
        found.add(index, breach)
    return wanted


def _write_parts(record: Any, wanted: list[Any], parts: _Parts, user: Any, reason: str) -> None:
    """Replace a record's parts by those wanted, writing only the difference, each change with a history row."""
    stored = {getattr(part, parts.key): part for part in parts.model._default_manager.filter(**{parts.owner: record})}
    kept = set()
    for part in wanted:
        key = getattr(part, parts.key)
        kept.add(key)
        old = stored.get(key)
        if old is not None:
            changed = [
                f.attname
                for f in parts.model._meta.concrete_fields
                if not f.primary_key and f.name != parts.owner and getattr(old, f.attname) != getattr(part, f.attname)
            ]
            if not changed:
                continue
            part.pk = old.pk
        setattr(part, parts.owner, record)
        _save_history(part, user, reason)
    for key, old in stored.items():
        if key not in kept:
            if user is not None and getattr(user, "is_authenticated", False):
                old._history_user = user  # type: ignore[attr-defined]
            old.delete()


# --- unions ------------------------------------------------------------------------------------------------------


def _union_checks(union: Union, row: Change, user: Any) -> Iterator[Breach]:
    """A union serves a province of either era; it is owned by that province's current-era successor."""
    if union.province_id is None:
        return
    province = union.province
    if province.level != "province":
        yield Breach("province", rules.NOT_A_PROVINCE)
        return
    try:
        union.owning_province = current_province_of(province)
    except Breach as breach:
        yield Breach("province", breach.message, breach.params)
        return
    union.old_province_id = province.pk if province.era == Era.PRE2025 else None
    if not Union.scope_policy.allows(user, Action.ADD if union.pk is None else Action.CHANGE, union):
        yield Breach("province", gettext_noop("This province is outside your jurisdiction."))


def unions_save(*, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False) -> list[Union]:
    """Unions; a union's owning province is its province's current-era successor, never given."""
    return _records_save(
        model=Union,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("province",),
        checks=_union_checks,
    )


def union_merge(*, user: Any, source: Union, target: Union, on: date = rules.ERA_CHANGE) -> dict[str, int]:
    """Bring `source`'s register under `target` (Hải Dương's union into Hải Phòng's, 1 July 2025): every record
    changes union and owning province, keeps its old-era province (the source's, where it had none) and gets a
    history row saying so; the source union stays, marked merged into the target. Figures of the old era stay
    reportable by the old province (`old_province`) and now count under the new one too.

    Writers meanwhile (PostgreSQL; on SQLite one transaction writes at a time): the merger first locks both unions
    (`select_for_update`), and every batch writer reads the unions of its rows — a member's writer its association
    — under a shared lock (`read_for_share`), so each waits for the other. A write that took its lock first
    finishes first, and the merger then moves what it wrote. One that comes while the merger runs waits for it and
    reads the union as merged: a new record, or one moved to the source union, is refused with a 400 on `union`
    naming the new union (never written into a union the user did not choose); an edit of a record the merger moved
    is a conflict (409: the merger changed its version), to be made again on the record as it now is; a new member
    of an association is written under the association's new union, which it belongs to. So nothing is left
    behind under the source union, and nothing is written twice."""
    if source.pk == target.pk:
        raise Breach("target", gettext_noop("A union cannot be merged into itself.")).as_validation_error()
    reason = gettext_noop("Merged into the union of the new province")
    counts: dict[str, int] = {}
    with transaction.atomic(), translation.override(None):
        # Both unions locked, in the order of their ids (as writers read them), and read again as now stored: a
        # merger started twice, or into a union merged meanwhile, sees it.
        locked = Union.all_objects.filter(pk__in=[source.pk, target.pk]).order_by("pk").select_for_update()
        unions = {union.pk: union for union in locked}
        source, target = unions[source.pk], unions[target.pk]
        if source.status == UnionStatus.MERGED:
            raise Breach("source", gettext_noop("This union is already merged.")).as_validation_error()
        if target.status == UnionStatus.MERGED:
            refused = gettext_noop("This union was merged into %(name)s: merge into that union instead.")
            raise Breach("target", refused, {"name": str(target.merged_into)}).as_validation_error()
        ensure_allowed(user=user, action=Action.CHANGE, instance=source)
        ensure_allowed(user=user, action=Action.CHANGE, instance=target)
        units: list[Any] = []
        partnerships: list[Any] = []
        for model in (UnionUnit, Partnership, Event, Delegation, Visitor):
            # Read under a row lock: an edit committed meanwhile is read, and kept, not overwritten by what was read
            # before it (the rollups then take away what is stored, not what was read; no-op on SQLite).
            rows = list(model.all_objects.filter(union=source).select_for_update())
            with rollups.following(model, [record.pk for record in rows]):
                for record in rows:
                    record.union = target
                    record.owning_province_id = target.owning_province_id
                    record.old_province_id = record.old_province_id or source.old_province_id
                    record.version += 1
                    _save_history(record, user, reason)
            counts[str(model._meta.verbose_name_plural)] = len(rows)
            units = rows if model is UnionUnit else units
            partnerships = rows if model is Partnership else partnerships
        moved = members_follow(units=units, user=user, reason=reason)
        counts[str(AssociationMember._meta.verbose_name_plural)] = moved
        renewed = renewals_follow(partnerships=partnerships, user=user, reason=reason)
        counts[str(AgreementRenewal._meta.verbose_name_plural)] = renewed
        source.status = UnionStatus.MERGED
        source.merged_into = target
        source.merged_on = on
        source.version += 1
        _save_history(source, user, reason)
    return counts


# --- units, partnerships, events, delegations, visitors ----------------------------------------------------------


def _unit_counts(unit: UnionUnit, counts: Sequence[MemberCount]) -> Iterator[Breach]:
    if counts and unit.kind != UnitKind.ASSOCIATION:
        yield Breach("member_counts", rules.MEMBERS_OF_ASSOCIATIONS)
    yield from rules.check_years(count.year for count in counts)


UNIT_PARTS = _Parts(MemberCount, "unit", "year", _unit_counts, "member_counts")


def _unit_checks(unit: UnionUnit, row: Change, user: Any) -> Iterator[Breach]:
    """An association with individual members stays an association (asked only of a unit changing its kind)."""
    changed = unit.pk is not None and unit.kind != UnitKind.ASSOCIATION and "kind" in row.data
    if changed and AssociationMember.all_objects.filter(association=unit).exists():
        yield Breach("kind", rules.KIND_WITH_MEMBERS)


def units_save(
    *, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False
) -> list[UnionUnit]:
    """Units of a union with their member counts per year (`parts`: rows of `year`, `members`); the individual
    members of an association moved to another union's province follow it (`members_follow`)."""
    return _records_save(
        model=UnionUnit,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("union",),
        checks=_unit_checks,
        parts=UNIT_PARTS,
        after=lambda units, user, reason: members_follow(units=units, user=user, reason=reason),
    )


def _follow(
    *, model: type[AssociationMember | AgreementRenewal], owner: str, owner_ids: Iterable[int], user: Any, reason: str
) -> int:
    """The records of `model` that belong to these owners (`owner`: the field naming it) are owned by the owner's
    province again where it changed, keeping their old-era province (the owner's, where they had none); each
    changed record gets a history row. Returns how many changed."""
    moved = 0
    for chunk in chunks(owner_ids):
        behind = (
            model.all_objects.filter(**{f"{owner}__in": chunk})
            .exclude(owning_province=F(f"{owner}__owning_province"))
            .select_related(owner)
            .select_for_update(of=("self",))
        )
        for record in behind:
            held = getattr(record, owner)
            record.owning_province_id = held.owning_province_id
            record.old_province_id = record.old_province_id or held.old_province_id
            record.version += 1
            _save_history(record, user, reason)
            moved += 1
    return moved


def members_follow(*, units: Iterable[UnionUnit], user: Any, reason: str) -> int:
    """The individual members of these associations follow them where their province changed (a unit moved to
    another union, a union merged)."""
    associations = [unit.pk for unit in units if unit.kind == UnitKind.ASSOCIATION]
    return _follow(model=AssociationMember, owner="association", owner_ids=associations, user=user, reason=reason)


def renewals_follow(*, partnerships: Iterable[Partnership], user: Any, reason: str) -> int:
    """The renewals of these partnerships' agreements follow them where their province changed."""
    ids = [partnership.pk for partnership in partnerships]
    return _follow(model=AgreementRenewal, owner="partnership", owner_ids=ids, user=user, reason=reason)


def _partnership_checks(partnership: Partnership, row: Change, user: Any) -> Iterator[Breach]:
    locality = row.data.get("vietnamese_locality", None)
    if locality is None and partnership.vietnamese_locality_id is not None:
        locality = partnership.vietnamese_locality
    yield from rules.check_locality_era(locality, partnership.signed_on)
    yield from rules.check_dates(partnership.signed_on, partnership.term_ends_on, field="term_ends_on")


def partnerships_save(
    *, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False
) -> list[Partnership]:
    return _records_save(
        model=Partnership,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("union", "vietnamese_locality", "country"),
        checks=_partnership_checks,
        after=lambda partnerships, user, reason: renewals_follow(partnerships=partnerships, user=user, reason=reason),
    )


# --- renewals of agreements ----------------------------------------------------------------------------------------


def _renewal_checks(user: Any, rows: Sequence[Change]) -> Checks:
    """The checks of a batch of renewals, with what they read once for the whole batch: the documents named that
    the user may read, and the renewal dates the partnerships already have (two or three queries per chunk)."""
    documents = {row.data["document"].pk for row in rows if row.data.get("document") is not None}
    readable: set[int] = set()
    for chunk in chunks(documents):
        readable.update(Document.objects.restrict(user, Action.VIEW).filter(pk__in=chunk).values_list("pk", flat=True))
    saved = {row.pk for row in rows if row.pk is not None}
    partnerships = {row.data["partnership"].pk for row in rows if row.data.get("partnership") is not None}
    for chunk in chunks(saved):
        partnerships.update(AgreementRenewal.all_objects.filter(pk__in=chunk).values_list("partnership_id", flat=True))
    # (partnership, day) → the renewal on it: a stored one outside the batch, or a row of the batch (by identity)
    taken: dict[tuple[int, date], tuple[str, int]] = {}
    for chunk in chunks(partnerships):
        others = AgreementRenewal.objects.filter(partnership__in=chunk).exclude(pk__in=saved)
        for pk, partnership, renewed in others.values_list("pk", "partnership_id", "renewed_on"):
            taken[partnership, renewed] = ("stored", pk)

    def check(renewal: AgreementRenewal, row: Change, user: Any) -> Iterator[Breach]:
        if renewal.term_years and renewal.term_ends_on is None and renewal.renewed_on is not None:
            renewal.term_ends_on = rules.term_end_of(renewal.renewed_on, renewal.term_years)
        if renewal.partnership_id is not None:
            signed = renewal.partnership.signed_on
            yield from rules.check_renewal(renewal.renewed_on, renewal.term_ends_on, renewal.term_years, signed)
            row_token = ("row", id(renewal))
            day = renewal.renewed_on
            if day is not None and taken.setdefault((renewal.partnership_id, day), row_token) != row_token:
                yield Breach("renewed_on", rules.RENEWAL_SAME_DAY, {"date": day})
        if renewal.document_id is not None and renewal.document_id not in readable and "document" in row.data:
            yield Breach("document", rules.DOCUMENT_NOT_READABLE)

    return check


def _renewal_documents_linked(renewals: list[AgreementRenewal], user: Any, reason: str) -> None:
    """A renewal's document is linked to its partnership too (the documents' one link writer; a link that exists
    changes nothing), so that the partnership's documents panel and the document's page show each other."""
    wanted = [LinkChange(renewal.document, renewal.partnership) for renewal in renewals if renewal.document is not None]
    if wanted:
        document_links_save(user=user, rows=wanted)


def renewals_save(
    *, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False
) -> list[AgreementRenewal]:
    """Renewals of partnerships' agreements (`renewed_on`, the new term as `term_ends_on` or `term_years`,
    `signatories`, `document`, `notes`), owned through their partnership's province; the term in force is the
    latest renewal's (`selectors.with_agreement_term`). Removing one is a soft delete (`record_delete`)."""
    return _records_save(
        model=AgreementRenewal,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("partnership",),
        checks=_renewal_checks(user, rows),
        owner=PARTNERSHIP_OWNER,
        after=_renewal_documents_linked,
    )


def _event_checks(event: Event, row: Change, user: Any) -> Iterator[Breach]:
    yield from rules.check_dates(event.start_date, event.end_date)
    yield from rules.check_same_union(event.union_id, row.data.get("organising_units", ()), "organising_units")
    yield from rules.check_same_union(event.union_id, row.data.get("partnerships", ()), "partnerships")


def events_save(*, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False) -> list[Event]:
    return _records_save(
        model=Event,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("union",),
        checks=_event_checks,
    )


def _days_within(delegation: Delegation, days: Sequence[DelegationDay]) -> Iterator[Breach]:
    yield from rules.check_days((day.day for day in days), delegation.start_date, delegation.end_date)


DAY_PARTS = _Parts(DelegationDay, "delegation", "day", _days_within, "days")


def _delegation_checks(delegation: Delegation, row: Change, user: Any) -> Iterator[Breach]:
    yield from rules.check_dates(delegation.start_date, delegation.end_date)
    yield from rules.check_permit(
        delegation.direction, delegation.permit_number, delegation.permit_date, delegation.permit_authority
    )
    if delegation.partnership_id is not None and "partnership" in row.data:
        yield from rules.check_same_union(delegation.union_id, [row.data["partnership"]], "partnership")


def delegations_save(
    *, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False
) -> list[Delegation]:
    """Delegations with their programme (`parts`: rows of `day`, `place`, `programme`)."""
    return _records_save(
        model=Delegation,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("union", "country"),
        checks=_delegation_checks,
        parts=DAY_PARTS,
    )


def _visitor_checks(visitor: Visitor, row: Change, user: Any) -> Iterator[Breach]:
    yield from rules.check_dates(visitor.start_date, visitor.end_date)
    if not visitor.group_name and not visitor.full_name and visitor.personal_data_removed_on is None:
        yield Breach("group_name", rules.GROUP_OR_PERSON)


def visitors_save(
    *, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False
) -> list[Visitor]:
    return _records_save(
        model=Visitor,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("union", "nationality"),
        checks=_visitor_checks,
    )


def _member_checks(member: AssociationMember, row: Change, user: Any) -> Iterator[Breach]:
    if member.joined_on is not None and member.left_on is not None and member.left_on < member.joined_on:
        yield Breach("left_on", rules.LEFT_BEFORE_JOINED)
    if not member.full_name and member.personal_data_removed_on is None:
        yield Breach("full_name", rules.REQUIRED)


def members_save(
    *, user: Any, rows: Sequence[Change], reason: str | Promise = "", dry_run: bool = False
) -> list[AssociationMember]:
    """Individual members of member associations (personal data: `personal`), owned through their association's
    province; leaving is a save of `left_on` (`member_leave`)."""
    return _records_save(
        model=AssociationMember,
        user=user,
        rows=rows,
        reason=reason,
        dry_run=dry_run,
        required=("association",),
        checks=_member_checks,
        owner=ASSOCIATION_OWNER,
    )


def member_leave(
    *, user: Any, member: AssociationMember, on: date, expected_version: int | None = None
) -> AssociationMember:
    """A member leaves the association on a day (a batch of one of `members_save`, with its reason)."""
    [saved] = members_save(
        user=user,
        rows=[Change({"left_on": on}, member.pk, expected_version)],
        reason=gettext_noop("Left the association"),
    )
    return saved


def record_delete(*, instance: BaseModel, user: Any, expected_version: int | None = None) -> BaseModel:
    """Soft delete any record of the register (restorable from its page)."""
    with transaction.atomic(), rollups.following(type(instance), [instance.pk]):
        return record_soft_delete(instance=instance, user=user, expected_version=expected_version)


def record_undelete(*, instance: BaseModel, user: Any) -> BaseModel:
    with transaction.atomic(), rollups.following(type(instance), [instance.pk]):
        return record_restore(instance=instance, user=user)


# --- one-row calls (pages, API) ------------------------------------------------------------------------------------

SAVERS: dict[type[BaseModel], Callable[..., list[Any]]] = {
    Union: unions_save,
    UnionUnit: units_save,
    Partnership: partnerships_save,
    Event: events_save,
    Delegation: delegations_save,
    Visitor: visitors_save,
    AssociationMember: members_save,
    AgreementRenewal: renewals_save,
}


def record_save(
    *,
    model: type[BaseModel],
    user: Any,
    data: Mapping[str, Any],
    instance: BaseModel | None = None,
    expected_version: int | None = None,
    parts: Sequence[Mapping[str, Any]] | None = None,
) -> Any:
    """One record created or changed: a batch of one of its model's service."""
    row = Change(data, None if instance is None else instance.pk, expected_version, parts)
    [saved] = SAVERS[model](user=user, rows=[row])
    return saved


# --- attachments -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    file: UploadedFile[bytes]
    kind: str = AttachmentKind.PHOTO
    caption: str = ""


def event_attachments_add(
    *, user: Any, event: Event, uploads: Sequence[Upload], dry_run: bool = False
) -> list[EventAttachment]:
    """Photos and documents of an event: each file is checked by its content and size (a photo is an image);
    any refused file refuses the batch with the breach on `file`."""
    found = Breaches()
    attachments = []
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.CHANGE, instance=event)
        for index, upload in enumerate(uploads):
            attachment = EventAttachment.from_upload(upload.file, event=event, kind=upload.kind, caption=upload.caption)
            for breach in attachment.breaches():
                found.add(index, breach)
            attachments.append(attachment)
        found.refuse()
        if dry_run:
            return attachments
        for attachment in attachments:
            _save_history(attachment, user, str(gettext_noop("Attachment added")))
    return attachments


def event_attachment_remove(*, user: Any, attachment: EventAttachment) -> None:
    """An event's file removed, with a history row; the stored file goes once the removal is committed (a removal
    rolled back keeps it)."""
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.CHANGE, instance=attachment.event)
        attachment._history_user = user  # type: ignore[attr-defined]
        attachment._change_reason = str(gettext_noop("Attachment removed"))  # type: ignore[attr-defined]
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


# --- personal data retention ---------------------------------------------------------------------------------------

REMOVED_REASON = gettext_noop("Personal data removed after the retention period")


def _retention_start(years: int, today: date) -> date:
    return today - timedelta(days=round(365.25 * years))


def personal_data_purge(*, gone: QuerySet[Any], today: date, dry_run: bool = False, **also: Any) -> int:
    """The retention rule for any record about a person: blank the model's personal fields (`personal`) of the
    records `gone` — in the record and in every history row of it — and date the removal (with the fields
    `also` sets). Returns how many people's data was removed. A system task: no user acts."""
    model = gone.model
    ids = list(gone.filter(personal_data_removed_on__isnull=True).values_list("pk", flat=True))
    if dry_run or not ids:
        return len(ids)
    fields = personal.personal_fields(model)
    blank = {name: None if model._meta.get_field(name).null else "" for name in fields}
    with transaction.atomic():
        for chunk in chunks(ids):
            model._base_manager.filter(pk__in=chunk).update(**blank, personal_data_removed_on=today, **also)
            model.history.filter(id__in=chunk).update(**blank)
    return len(ids)


def visitors_purge_personal_data(*, years: int, today: date | None = None, dry_run: bool = False) -> int:
    """Remove the personal fields of visitors and volunteers who left more than `years` years ago, keeping what the
    figures count (nationality, kind, period, size)."""
    today = today or timezone.localdate()
    gone = Visitor.all_objects.filter(end_date__lt=_retention_start(years, today))
    return personal_data_purge(gone=gone, today=today, dry_run=dry_run, status=PersonStatus.LEFT)


def members_purge_personal_data(*, years: int, today: date | None = None, dry_run: bool = False) -> int:
    """Remove the personal fields of association members who left more than `years` years ago, keeping what the
    member counts are computed from (joining, leaving, role)."""
    today = today or timezone.localdate()
    gone = AssociationMember.all_objects.filter(left_on__lt=_retention_start(years, today))
    return personal_data_purge(gone=gone, today=today, dry_run=dry_run)


# --- the private calendar feed -------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_issue(*, user: Any) -> str:
    """A new secret token for the user's calendar feed (the old one stops working); shown to the user once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        CalendarFeed.objects.create(user=user, token_digest=token_digest(token))
    return token


def calendar_feed_revoke(*, user: Any) -> None:
    CalendarFeed.objects.filter(user=user).delete()
