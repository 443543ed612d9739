"""IATI activity import: activities become aid items (matched by IATI identifier), their organisations are
matched by reference or normalised name, and everything is written in batches inside one transaction.

An import goes along four seams: reading the file (`parser`, in a forked reader process), matching what it names
to what Amity has (`matching`), mapping each activity to an aid item with its parts and transactions
(`mapping`), and writing the batch (here). The rules are the aid register's, asked here as the services ask them
(`amity.aid.rules`: sector and location shares, the provider's registration, an ended item kept as it ended,
Viet Nam's share; the scope policy; valuation at the value-date rate; `parts_write` for the parts, with
history). Why its own write path and not `aid_items_save` per batch: a donor's file holds tens of thousands of
activities and hundreds of thousands of transactions, which this path writes as tuples (`COPY` on PostgreSQL)
without a model instance each. The invariants hold the same:

- idempotent: the same file twice changes nothing the second time; a newer file updates the same records;
- tolerant and honest: an activity that cannot be imported is skipped with its line and reason, the rest goes
  in; parts left out (an unmatched location, a transaction for another country) are reported as warnings; an
  activity located outside the importer's provinces waits for their confirmation as on every other writer
  (`locations_outside_confirmed`; without it, the activity is skipped with the provinces named);
- all or nothing at file level: the whole import is one transaction, so a file that turns out malformed at
  line 900,000 leaves the database as it was; a dry run rolls back at the end.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from amity.aid import rules
from amity.aid.choices import ParticipantRole
from amity.aid.models import (
    AidItem,
    LocationSplit,
    Transaction,
)
from amity.aid.parts import BUDGET_COLUMNS, parts_write
from amity.aid.services import aid_items_write
from amity.core.ahead import PlannedAhead, may_plan_ahead
from amity.core.bulk import (
    all_reserved,
    create_rows,
    few_collections,
    foreign_keys_checked_ahead,
    insert_history,
    insert_rows,
    reserve_keys,
    reserves_keys,
    writes_sent_ahead,
)
from amity.core.exceptions import PermissionDenied
from amity.core.scoping import Action, jurisdiction
from amity.core.services import ensure_all_allowed
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit
from amity.reports.facts import FACT_COLUMNS, ItemShape, fact_rows, facts_refresh, shape_in_hand
from amity.reports.models import ReportFact
from amity.reports.rollups import rollup_deltas, rollups_sent_ahead

from ..models import ImportRun, RecordSource
from .mapping import ITEM_FIELDS, TRANSACTION_COLUMNS, ActivityMapping, FileTransaction, Plan
from .matching import ExistingParts, Organisations, PendingOrganisation, Reference, existing_items, transaction_key
from .parser import (
    ActivityProblem,
    ActivityReader,
    ActivitySkipped,
    FileRefused,
    ParsedActivity,
    Problem,
)

BATCH_SIZE = 500  # activities planned and written together
# The rollup grains whose keys an import's batches hardly share (`reports.rollups.GRAINS`: the finest, the
# donors'): added a batch at a time while the next is made. The coarser ones would take a row per batch and key,
# so they are added once, at the end.
GRAINS_PER_BATCH = (4, 5)
GRAINS_AT_END = (1, 2, 3)


@dataclass
class ImportResult:
    source: str
    dry_run: bool = False
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    filtered_out: int = 0  # not about Viet Nam, with the Viet Nam filter on
    organisations_created: int = 0
    transactions_created: int = 0
    transactions_deleted: int = 0
    # Transactions a file gives for another recipient country: not Viet Nam's aid, so not stored.
    transactions_other_countries: int = 0
    problems: list[Problem] = field(default_factory=list)
    refused: FileRefused | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None

    def summary(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "filtered_out": self.filtered_out,
            "organisations_created": self.organisations_created,
            "transactions_created": self.transactions_created,
            "transactions_deleted": self.transactions_deleted,
            "transactions_other_countries": self.transactions_other_countries,
        }


class _Rollback(Exception):
    """Leaves the import's atomic block without committing (dry runs)."""


@dataclass
class _PlannedBatch:
    plans: list[tuple[Plan, AidItem | None]]
    organisations: list[PendingOrganisation]  # to create before the batch's own rows (first named in it)


class IatiImporter(ActivityMapping):
    """Imports one file for one user (None: the system, from the command line)."""

    result: ImportResult

    def __init__(
        self,
        *,
        user: Any = None,
        owning_province: AdministrativeUnit | None = None,
        vn_only: bool = False,
        locations_outside_confirmed: bool = False,
        dry_run: bool = False,
        run: ImportRun | None = None,
        source_name: str = "",
        progress: Callable[[int], None] | None = None,
        batch_size: int = BATCH_SIZE,
        read_ahead: bool = True,
        plan_ahead: bool | None = None,
    ) -> None:
        self.user = user
        self.read_ahead = read_ahead  # parse in a forked reader process (`ActivityReader`)
        self.plan_ahead_asked = plan_ahead  # plan the next batch in a thread (None: where `may_plan_ahead`)
        self.owning_province = owning_province
        self.vn_only = vn_only
        # The importer said yes to locations outside their provinces (`rules.check_locations_within_provinces`).
        self.locations_outside_confirmed = locations_outside_confirmed
        self.dry_run = dry_run
        self.run = run
        self.progress = progress
        self.batch_size = batch_size
        self.result = ImportResult(source=source_name or (run.file_name if run else ""), dry_run=dry_run)
        self.reason = gettext_noop("Imported from IATI file")

    # --- permissions ----------------------------------------------------------------------------------------

    def _check_permission(self) -> None:
        """The scope policy answers, for an aid item owned as the import's items will be (by the province given,
        else by the centre): a provincial editor imports for one of their provinces, a central officer
        nationwide aid the centre keeps, an administrator anything."""
        owned_as = AidItem(owning_province=self.owning_province)
        # Whoever may approve such aid items takes a new item's status from the file (`_entry_status`).
        self.may_approve = self.user is None or AidItem.scope_policy.allows(self.user, Action.APPROVE, owned_as)
        if self.user is None:
            return  # the system (command line)
        if not AidItem.scope_policy.allows(self.user, Action.ADD):
            raise PermissionDenied(gettext_noop("You are not allowed to import aid items."))
        if not AidItem.scope_policy.allows(self.user, Action.ADD, owned_as):
            raise PermissionDenied(gettext_noop("Choose one of your provinces as the owner of the imported aid."))

    # --- the run --------------------------------------------------------------------------------------------

    def import_stream(self, stream: IO[bytes]) -> ImportResult:
        self._check_permission()
        self.plan_ahead = may_plan_ahead() if self.plan_ahead_asked is None else self.plan_ahead_asked
        try:
            # The stored texts (rate sources, history reasons) are data: written in English. The file is read
            # ahead by a child process from here on, while the reference data load.
            with (
                ActivityReader(stream, on_progress=self.progress, ahead=self.read_ahead) as activities,
                translation.override(None),
                transaction.atomic(),
            ):
                self.reference = Reference()
                self.organisations = Organisations(self.reference, self.owning_province)
                self.source_type = ContentType.objects.get_for_model(AidItem)
                self.created_ids: list[int] = []
                with few_collections():  # the reference data loaded stay, the batches' objects come and go
                    self._read_and_write(activities)
                rollup_deltas(self.created_ids, 1, GRAINS_AT_END)  # for every new item at once
                if self.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except FileRefused as refused:
            self.result.refused = refused
            self.result.created = self.result.updated = self.result.unchanged = 0
            self.result.organisations_created = self.result.transactions_created = 0
            self.result.transactions_deleted = 0
        return self.result

    def _read_and_write(self, activities: Iterable[ParsedActivity | ActivityProblem]) -> None:
        """Plan each batch and store it; on PostgreSQL the next batch is planned in a thread while this one is
        written (`core.ahead`: planning reads only what was there before the import)."""
        # The history rows of each write are copied by the server while the next rows are built.
        with writes_sent_ahead():
            if not self.plan_ahead:
                for planned in self._planned_batches(activities):
                    self._store(planned)
                return
            with PlannedAhead(lambda: self._planned_batches(activities)) as ahead:
                for planned in ahead:
                    self._store(planned)

    def _planned_batches(self, activities: Iterable[ParsedActivity | ActivityProblem]) -> Iterator[_PlannedBatch]:
        """The file's activities read, each identifier once, and planned a batch at a time (those with
        something to write)."""
        seen: dict[str, int] = {}
        batch: list[ParsedActivity] = []
        for parsed in activities:
            self.result.read += 1
            if isinstance(parsed, ActivityProblem):
                self._skip(parsed.problem)
                continue
            first_line = seen.get(parsed.identifier)
            if first_line is not None:
                self._skip(
                    Problem(
                        gettext_noop("The identifier %(identifier)s was already read at line %(first)s."),
                        {"identifier": parsed.identifier, "first": first_line},
                        parsed.line,
                        parsed.identifier,
                        "iati-identifier",
                    )
                )
                continue
            seen[parsed.identifier] = parsed.line
            batch.append(parsed)
            if len(batch) >= self.batch_size:
                yield from self._planned(batch)
                batch = []
        if batch:
            yield from self._planned(batch)

    def _skip(self, problem: Problem) -> None:
        self.result.skipped += 1
        self.result.problems.append(problem)

    # --- resolving one activity -----------------------------------------------------------------------------

    def _planned(self, batch: list[ParsedActivity]) -> Iterator[_PlannedBatch]:
        planned = self._plan_batch(batch)
        if planned.plans:
            yield planned

    def _plan_batch(self, batch: list[ParsedActivity]) -> _PlannedBatch:
        """Resolve a batch against the database (which of its items exist, which the user may change) and the
        reference data; nothing is written."""
        existing = existing_items(batch)
        changeable: set[int] = set()
        visible: set[int] = set()
        if existing and self.user is not None:
            stored = AidItem.all_objects.filter(pk__in=[i.pk for i in existing.values()])
            changeable = set(stored.restrict(self.user, Action.CHANGE).values_list("pk", flat=True))
            visible = set(stored.restrict(self.user, Action.VIEW).values_list("pk", flat=True))
        stored_units = self._stored_units(existing.values())
        plans: list[tuple[Plan, AidItem | None]] = []
        for activity in batch:
            if self.vn_only and not self._is_about_viet_nam(activity):
                self.result.filtered_out += 1
                continue
            item = existing.get(activity.identifier)
            try:
                if item is not None:
                    self._check_may_update(activity, item, changeable, visible)
                plan = self._plan(activity, item)
                self._check_plan(plan)
                self._check_within_provinces(plan, stored_units.get(item.pk, set()) if item is not None else set())
            except ActivitySkipped as exc:
                self._skip(Problem(exc.message, exc.params, exc.line or activity.line, activity.identifier, exc.field))
                continue
            plans.append((plan, item))
            self.result.problems.extend(activity.warnings)
        planned = _PlannedBatch(plans, self.organisations.take_pending())
        if reserves_keys():
            self._reserve_keys(planned)
        return planned

    def _reserve_keys(self, planned: _PlannedBatch) -> None:
        """The keys of the batch's new items, their transactions and its new organisations, taken here (in the
        planner's thread, on its own connection) so that the writer makes every row of the batch before its
        first statement, while the server still writes the batch before (`core.bulk.writes_sent_ahead`)."""
        new = [plan for plan, item in planned.plans if item is None]
        for plan, key in zip(new, reserve_keys(AidItem, len(new)), strict=True):
            plan.item_key = key
        transactions = [tx for plan in new for tx in plan.transactions]
        for tx, key in zip(transactions, reserve_keys(Transaction, len(transactions)), strict=True):
            tx.id = key
        organisations = [org for org in planned.organisations if org.instance is None]
        self.organisations.reserved(organisations, reserve_keys(Organisation, len(organisations)))

    def _store(self, planned: _PlannedBatch) -> None:
        """Write a planned batch: its new organisations, its items (created, updated or left), their parts,
        transactions and sources, their report facts. With the keys reserved when planned, every row is made
        before the first statement (the server meanwhile finishing the batch before) and the facts and their
        rollups are left for the server to finish while the next batch is made."""
        plans = planned.plans
        # The keys of new items, their transactions and new organisations were reserved when planned, on
        # PostgreSQL (`_reserve_keys`); elsewhere the database gives them as each is written, so the rows naming
        # them are made after.
        keyed = reserves_keys()
        if not keyed:
            self._create_organisations(planned)
        parts = ExistingParts([item.pk for _, item in plans if item is not None])
        to_create: list[tuple[Plan, AidItem]] = []
        to_update: list[tuple[Plan, AidItem]] = []
        unchanged: list[tuple[Plan, AidItem]] = []
        for plan, item in plans:
            if item is None:
                to_create.append((plan, AidItem(pk=plan.item_key, owning_province=plan.owning_province, **plan.fields)))
            elif self._apply(plan, item, parts):
                to_update.append((plan, item))
            else:
                unchanged.append((plan, item))
        written = to_create + to_update
        if keyed:
            new_transactions, gone_ids = self._transaction_changes(written, parts)
            facts = self._new_facts(to_create)
            self._create_organisations(planned)
        now = self.now = timezone.now()
        for _, item in to_update:
            item.version += 1  # no version was seen by the user: the file is the change
        aid_items_write(
            new=[item for _, item in to_create],
            changed=[item for _, item in to_update],
            columns=ITEM_FIELDS,
            user=self.user,
            reason=self.reason,
            when=now,
        )
        self._write_parts(to_create, to_update)
        if not keyed:
            new_transactions, gone_ids = self._transaction_changes(written, parts)
        self._write_transactions(new_transactions, gone_ids)
        self._record_sources([*written, *unchanged])
        if self.user is not None:  # the result is still the user's to change (the services' last check)
            ensure_all_allowed(
                model=AidItem, user=self.user, pks={item.pk for _, item in written}, action=Action.CHANGE
            )
        insert_rows(ReportFact, FACT_COLUMNS, facts if keyed else self._new_facts(to_create))
        created_ids = [item.pk for _, item in to_create]
        rollups_sent_ahead(created_ids, GRAINS_PER_BATCH)
        foreign_keys_checked_ahead()  # the batch's, by the server while the next one is made, not all at commit
        self.created_ids += created_ids  # the coarser grains' rollups: once, at the end (`import_stream`)
        facts_refresh([item.pk for _, item in to_update], in_sql=True)
        self.result.created += len(to_create)
        self.result.updated += len(to_update)
        self.result.unchanged += len(unchanged)

    def _create_organisations(self, planned: _PlannedBatch) -> None:
        self.result.organisations_created += self.organisations.create_pending(
            planned.organisations, self.user, self.reason, self.run
        )

    def _check_may_update(
        self, activity: ParsedActivity, item: AidItem, changeable: set[int], visible: set[int]
    ) -> None:
        if self.user is not None and item.pk not in visible:
            # The identifier is taken (it is unique), but a report never tells who keeps an item the user may not
            # see, nor its state.
            raise ActivitySkipped(
                gettext_noop("This aid item is not in your scope; you cannot change it."),
                activity.line,
                "iati-identifier",
            )
        if item.deleted_at is not None:
            raise ActivitySkipped(
                gettext_noop("This aid item was deleted in Amity; restore it to update it from a file."),
                activity.line,
                "iati-identifier",
            )
        if self.user is not None and item.pk not in changeable:
            if item.owning_province is None:
                raise ActivitySkipped(
                    gettext_noop("This aid item is kept by the centre; you cannot change it."),
                    activity.line,
                    "iati-identifier",
                )
            raise ActivitySkipped(
                gettext_noop("This aid item belongs to %(province)s; you cannot change it."),
                activity.line,
                "iati-identifier",
                province=item.owning_province.name_vi,
            )
        try:
            rules.check_editable(item.status, self.user)
        except rules.Breach as breach:
            raise ActivitySkipped(breach.message, activity.line, "activity-status", **breach.params) from None

    def _check_plan(self, plan: Plan) -> None:
        """The services' own checks of splits, and the licence of each provider."""
        try:
            rules.check_sectors(plan.sectors)
            rules.check_locations(plan.locations, planned_start=plan.fields["planned_start"])
            for unit, _share in plan.locations:  # found here, in the planner's thread: the writer asks it of each
                self._current_province(unit)
        except rules.Breach as breach:
            raise ActivitySkipped(breach.message, plan.activity.line, breach.record_field, **breach.params) from None
        for tx, (provider, _receiver) in zip(plan.transactions, plan.providers, strict=True):
            if provider is None or isinstance(provider, PendingOrganisation):
                continue
            try:
                name = self.organisations.names.get(provider, "")
                rules.check_provider_registered(name, self.organisations.licences.get(provider, []), tx.date)
            except rules.Breach as breach:
                raise ActivitySkipped(breach.message, tx.line, "provider-org", **breach.params) from None

    def _provinces(self) -> frozenset[int] | None:
        """The provinces whose locations need no confirmation: None when nothing is asked (the system, national
        users, or the importer confirmed them)."""
        if self.user is None or self.locations_outside_confirmed:
            return None
        return jurisdiction(self.user)

    def _stored_units(self, items: Iterable[AidItem]) -> dict[int, set[int]]:
        """The units each stored item of a batch is already located in (asked about once, when they were added):
        one query per batch, none when nothing is asked."""
        ids = [item.pk for item in items]
        stored: dict[int, set[int]] = defaultdict(set)
        if ids and self._provinces() is not None:
            for item_id, unit_id in LocationSplit.objects.filter(aid_item_id__in=ids).values_list("aid_item", "unit"):
                stored[item_id].add(unit_id)
        return stored

    def _check_within_provinces(self, plan: Plan, stored_units: set[int]) -> None:
        """The aid register's rule for locations an activity adds outside the importer's provinces (the one every
        writer asks): unconfirmed, the activity is skipped with the provinces named, like any refused activity."""
        provinces = self._provinces()
        if provinces is None:
            return
        added = [self._current_province(unit) for unit, _share in plan.locations if unit.pk not in stored_units]
        try:
            rules.check_locations_within_provinces(added, provinces, confirmed=False)
        except rules.Breach as breach:
            # The report is stored: the provinces' names as text (Vietnamese, as the run writes them).
            params = {name: str(value) for name, value in breach.params.items()}
            raise ActivitySkipped(breach.message, plan.activity.line, breach.record_field, **params) from None

    def _apply(self, plan: Plan, item: AidItem, parts: ExistingParts) -> bool:
        """Set the plan's fields on an existing item; whether the item or its parts change."""
        changed = False
        for name in ITEM_FIELDS:
            value = plan.fields[name]
            if getattr(item, name) != value:
                setattr(item, name, value)
                changed = True
        return changed or parts.differ(item.pk, self._part_rows(plan), self._tx_keys(plan))

    def _part_rows(self, plan: Plan) -> dict[str, set[tuple[Any, ...]]]:
        organisations = self.organisations
        return {
            "sectors": {(s.pk, pct) for s, pct in plan.sectors},
            "locations": {(u.pk, pct) for u, pct in plan.locations},
            "participants": {(organisations.id_of(org), role) for org, role in plan.participants},
            "budgets": {
                (
                    b["kind"],
                    b["status"],
                    b["period_start"],
                    b["period_end"],
                    b["amount"],
                    b["currency_id"],
                    b["value_date"],
                )
                for b in plan.budgets
            },
        }

    def _tx_keys(self, plan: Plan) -> Counter[tuple[Any, ...]]:
        return Counter(
            self._tx_key(tx, provider, receiver)
            for tx, (provider, receiver) in zip(plan.transactions, plan.providers, strict=True)
        )

    def _tx_key(self, tx: FileTransaction, provider: Any, receiver: Any) -> tuple[Any, ...]:
        """The key that finds a file's transaction among the stored ones (organisations resolved to ids: the
        pending ones are created before any key is taken)."""
        org_id = self.organisations.id_of
        return transaction_key(
            tx, org_id(provider) if provider is not None else None, org_id(receiver) if receiver is not None else None
        )

    def _write_parts(self, created: list[tuple[Plan, AidItem]], updated: list[tuple[Plan, AidItem]]) -> None:
        """The plans' parts through the one writer of parts (`parts_write`, with history): for new items only
        inserts; for updated items what differs from the stored parts."""
        for pairs, new_items in ((created, True), (updated, False)):
            wanted: dict[int, dict[str, list[tuple[Any, ...]]]] = {}
            for plan, item in pairs:
                wanted[item.pk] = {
                    "sectors": [(sector.pk, pct) for sector, pct in plan.sectors],
                    "locations": [(u.pk, pct, self._current_province(u).pk) for u, pct in plan.locations],
                    "participants": [(self.organisations.id_of(org), role) for org, role in plan.participants],
                    "budgets": [tuple(b[name] for name in BUDGET_COLUMNS) for b in plan.budgets],
                }
            if wanted:
                parts_write(wanted, user=self.user, reason=self.reason, when=self.now, new_items=new_items)

    def _transaction_changes(
        self, written: list[tuple[Plan, AidItem]], parts: ExistingParts
    ) -> tuple[list[FileTransaction], list[int]]:
        """Transactions the file gives and Amity lacks (to create, with their item and organisations set), and
        the ids of those Amity has and the file no longer gives (to delete); the others stay as they are."""
        new: list[FileTransaction] = []
        gone_ids: list[int] = []
        for plan, item in written:
            stored = defaultdict(list)
            for tx in parts.transactions.get(item.pk, []):
                stored[transaction_key(tx, tx.provider_id, tx.receiver_id)].append(tx)
            for tx, (provider, receiver) in zip(plan.transactions, plan.providers, strict=True):
                key = self._tx_key(tx, provider, receiver)
                if stored.get(key):
                    stored[key].pop()
                    continue
                tx.aid_item_id = item.pk
                tx.provider_id = self.organisations.id_of(provider) if provider is not None else None
                tx.receiver_id = self.organisations.id_of(receiver) if receiver is not None else None
                new.append(tx)
            for leftovers in stored.values():
                gone_ids.extend(tx.id for tx in leftovers)
        return new, gone_ids

    def _write_transactions(self, new: list[FileTransaction], gone_ids: list[int]) -> None:
        """Create the new transactions and delete the gone ones (soft: restorable)."""
        now = timezone.now()
        # Those of new items have keys reserved when planned; those a stored item gains get theirs here.
        for group in ([tx for tx in new if tx.id is not None], [tx for tx in new if tx.id is None]):
            if group:
                rows = [tx.row() for tx in group]
                keys = create_rows(
                    Transaction,
                    TRANSACTION_COLUMNS,
                    rows,
                    user=self.user,
                    reason=self.reason,
                    when=now,
                    keys=all_reserved([tx.id for tx in group]),
                )
                for tx, pk in zip(group, keys, strict=True):
                    tx.id = pk
        gone = list(Transaction.all_objects.filter(pk__in=gone_ids)) if gone_ids else []
        if gone:
            for stored in gone:
                stored.deleted_at = now
                stored.version += 1
            Transaction.all_objects.bulk_update(gone, ["deleted_at", "version"], batch_size=500)
            reason = gettext_noop("No longer in the IATI file")
            insert_history(Transaction, gone, history_type="~", user=self.user, reason=reason, when=now)
        self.result.transactions_created += len(new)
        self.result.transactions_deleted += len(gone)

    def _new_facts(self, created: list[tuple[Plan, AidItem]]) -> list[tuple[Any, ...]]:
        """The facts of the items this batch creates, built from the plans in hand as `facts_refresh` builds
        them from the database (`fact_rows`; a test compares the two): nothing is read back. Their transactions
        have their ids (reserved, or written)."""
        shapes: dict[int, ItemShape] = {}
        transactions: list[FileTransaction] = []
        for plan, item in created:
            funders = (org for org, role in plan.participants if role == ParticipantRole.FUNDING)
            first_funder = next(funders, None)
            shapes[item.pk] = shape_in_hand(
                [(sector.code, sector.pk, sector.category_id, pct) for sector, pct in plan.sectors],
                [
                    (unit.era, unit.code, unit.level, unit.pk, unit.province_id, self._current_province(unit).pk, pct)
                    for unit, pct in plan.locations
                ],
                modality=item.modality,
                status=item.status,
                is_relief=item.is_relief,
                first_donor_id=None if first_funder is None else self.organisations.id_of(first_funder),
            )
            transactions += plan.transactions  # all new
        return fact_rows(transactions, shapes, self.organisations.countries)

    def _record_sources(self, plans: Iterable[tuple[Plan, AidItem]]) -> None:
        if self.run is None:
            return
        now = timezone.now()
        RecordSource.objects.bulk_create(
            [
                RecordSource(
                    content_type=self.source_type,
                    object_id=item.pk,
                    run=self.run,
                    identifier=plan.activity.identifier,
                    line=plan.activity.line,
                    imported_at=now,
                )
                for plan, item in plans
            ],
            update_conflicts=True,
            unique_fields=["content_type", "object_id"],
            update_fields=["run", "identifier", "line", "imported_at"],
        )


def file_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def import_file(
    path: str,
    *,
    user: Any = None,
    owning_province: AdministrativeUnit | None = None,
    vn_only: bool = False,
    locations_outside_confirmed: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    run: ImportRun | None = None,
    plan_ahead: bool | None = None,
) -> ImportResult:
    """Import one IATI activity file from a path (the command line, the benchmark, the background task)."""
    with open(path, "rb") as stream:
        importer = IatiImporter(
            user=user,
            owning_province=owning_province,
            vn_only=vn_only,
            locations_outside_confirmed=locations_outside_confirmed,
            dry_run=dry_run,
            run=run,
            source_name=str(path),
            progress=progress,
            plan_ahead=plan_ahead,
        )
        return importer.import_stream(stream)
