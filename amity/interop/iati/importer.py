"""IATI activity import: activities become aid items (matched by IATI identifier), their organisations are
matched by reference or normalised name, and everything is written in batches inside one transaction.

Why a batch service and not `aid_item_create` per activity: the per-record services cost a dozen queries and a
facts refresh per item, about 100 activities a second; a donor's file holds tens of thousands. The importer
applies the same rules in bulk — permission and scope (`restrict`), sector and location checks
(`check_sectors`, `check_locations`), valuation at the value-date rate (`value_transaction`), the licence check
of providers, history rows with the acting user, one facts refresh per batch — and the same invariants hold:

- idempotent: the same file twice changes nothing the second time; a newer file updates the same records;
- tolerant and honest: an activity that cannot be imported is skipped with its line and reason, the rest goes
  in; parts left out (an unmatched location, a negative transaction) are reported as warnings;
- all or nothing at file level: the whole import is one transaction, so a file that turns out malformed at
  line 900,000 leaves the database as it was; a dry run rolls back at the end.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from amity.aid import rules
from amity.aid.choices import (
    IATI_ACTIVITY_STATUS,
    AidStatus,
    Modality,
    ParticipantRole,
    ReportedStatus,
    TransactionType,
)
from amity.aid.models import (
    AidItem,
    AidParticipant,
    Budget,
    LocationSplit,
    SectorSplit,
    Transaction,
)
from amity.aid.parts import BUDGET_COLUMNS, parts_write
from amity.aid.services import current_province_of, value_transaction_as_data
from amity.core.bulk import create_records, create_rows, insert_history, insert_rows, update_rows
from amity.core.exceptions import PermissionDenied
from amity.core.money import HUNDRED, allocate
from amity.core.scoping import Action
from amity.organisations.choices import OrganisationKind
from amity.organisations.models import Organisation
from amity.organisations.names import normalise_name
from amity.organisations.selectors import registration_spans
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import MissingRate, shared_rate_book
from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency
from amity.reports.facts import FACT_COLUMNS, ItemShape, fact_rows, facts_refresh, shape_in_hand
from amity.reports.models import ReportFact
from amity.reports.rollups import rollup_deltas

from ..models import ImportRun, RecordSource
from .export import OTHER_ID_INTERNAL
from .parser import (
    ActivityProblem,
    ActivityReader,
    ActivitySkipped,
    FileRefused,
    OrgRef,
    ParsedActivity,
    ParsedLocation,
    ParsedTransaction,
    Problem,
)

BATCH_SIZE = 500
PERCENT_QUANTUM = Decimal("0.01")
PERCENT_TOLERANCE = Decimal(1)  # sums within 99–101 are rounded to exactly 100 (with a warning)

# IATI ActivityStatus → Amity status. A donor's file states where the activity stands; 6 (suspended) has no
# Amity status of its own and is kept in progress with a note.
STATUS_FROM_IATI = {
    "1": AidStatus.PROPOSED,
    "2": AidStatus.IN_PROGRESS,
    "3": AidStatus.COMPLETED,
    "4": AidStatus.CLOSED,
    "5": AidStatus.CANCELLED,
    "6": AidStatus.IN_PROGRESS,
}
# IATI OrganisationType → Amity organisation kind.
KIND_FROM_IATI_TYPE = {
    "10": OrganisationKind.FOREIGN_GOVERNMENT,
    "11": OrganisationKind.FOREIGN_GOVERNMENT,
    "15": OrganisationKind.FOREIGN_GOVERNMENT,
    "21": OrganisationKind.FOREIGN_NGO,
    "23": OrganisationKind.FOREIGN_NGO,
    "24": OrganisationKind.VIETNAMESE_AGENCY,
    "40": OrganisationKind.MULTILATERAL,
    "60": OrganisationKind.FOUNDATION,
    "70": OrganisationKind.COMPANY,
    "71": OrganisationKind.COMPANY,
    "72": OrganisationKind.COMPANY,
    "73": OrganisationKind.COMPANY,
}
# Aid types (DAC, vocabulary 1) whose first letter says the aid is not a project: A budget support and B core
# contributions → programme; D experts and technical assistance, E scholarships, G administrative costs,
# H other in-donor expenditure → non-project aid. Anything else (C project-type interventions) → project.
MODALITY_FROM_AID_TYPE = {
    "A": Modality.PROGRAMME,
    "B": Modality.PROGRAMME,
    "D": Modality.NON_PROJECT,
    "E": Modality.NON_PROJECT,
    "G": Modality.NON_PROJECT,
    "H": Modality.NON_PROJECT,
}
ITEM_FIELDS = (
    "modality",
    "is_relief",
    "title_vi",
    "title_en",
    "description",
    "reported_status",
    "viet_nam_share",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "narratives",
    "recipient_countries",
    "recipient_regions",
)
ZERO_LEFT_OUT = gettext_noop("A transaction of 0 was left out: it moves nothing.")
SHARE_COUNTED = gettext_noop(
    "Only Viet Nam's share counts: %(share)s %% of each transaction that names no recipient country."
)
PARTICIPANT_ROLES = frozenset(ParticipantRole.values)
DAMAGED = re.compile("[?\ufffd]")
PROVINCE_WORDS = ("tinh ", "thanh pho ", "tp. ", "tp ", "province of ", "city of ")
PROVINCE_SUFFIXES = (" province", " city", " municipality")


def _province_key(name: str) -> str:
    key = normalise_name(name)
    for word in PROVINCE_WORDS:
        key = key.removeprefix(word)
    for suffix in PROVINCE_SUFFIXES:
        key = key.removesuffix(suffix)
    return key.replace(" ", "")


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
class _PendingOrg:
    """An organisation the file names that Amity does not have yet; created once per import."""

    ref: str
    name: str
    kind: str
    iati_type_id: int | None
    country_id: int | None
    line: int | None = None  # where the file first names it
    instance: Organisation | None = None


class _FileTransaction:
    """A transaction the file gives, valued, until it is written: plain attributes, no model instance (an
    import makes hundreds of thousands; `create_rows` writes them as tuples of `TRANSACTION_COLUMNS`)."""

    __slots__ = (
        "aid_item_id",
        "amount",
        "amount_usd",
        "amount_vnd",
        "currency",
        "currency_id",
        "date",
        "description",
        "id",
        "line",
        "provider_id",
        "rate_date",
        "rate_source",
        "receiver_id",
        "sectors",
        "transaction_type",
        "usd_per_unit",
        "value_date",
        "viet_nam_share",
        "vnd_per_unit",
    )

    transaction_type: str
    value_date: date
    amount: Decimal
    currency_id: int
    currency: Currency
    description: str
    sectors: list[tuple[str, str]]
    line: int
    viet_nam_share: Decimal
    provider_id: int | None
    receiver_id: int | None
    aid_item_id: int | None
    id: int | None  # set when written
    # Set by the valuation (`value_transaction_as_data`):
    amount_usd: Decimal
    amount_vnd: Decimal
    usd_per_unit: Decimal
    vnd_per_unit: Decimal
    rate_date: date
    rate_source: str

    date: date  # last: below this line, `date` would name the attribute, not the type

    def __init__(self, parsed: ParsedTransaction, currency: Currency) -> None:
        self.transaction_type = parsed.type
        self.date = parsed.date
        self.value_date = parsed.value_date
        self.amount = parsed.amount.quantize(PERCENT_QUANTUM)
        self.currency_id = currency.pk
        self.currency = currency
        self.description = parsed.description[:500]
        self.sectors = parsed.sectors
        self.line = parsed.line
        self.viet_nam_share = HUNDRED
        self.provider_id = self.receiver_id = self.aid_item_id = self.id = None

    def row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in TRANSACTION_COLUMNS)


# The stored transaction's columns that `transaction_key` compares, with its aid item: what a re-import reads of
# the transactions of existing items (rows, not instances; the few that are gone are fetched whole to be deleted).
TRANSACTION_KEY_COLUMNS = (
    "aid_item_id",
    "transaction_type",
    "date",
    "value_date",
    "amount",
    "currency_id",
    "provider_id",
    "receiver_id",
    "description",
    "viet_nam_share",
)
TRANSACTION_COLUMNS = (
    *TRANSACTION_KEY_COLUMNS,
    "amount_usd",
    "amount_vnd",
    "usd_per_unit",
    "vnd_per_unit",
    "rate_date",
    "rate_source",
)


@dataclass
class _Plan:
    """What one activity becomes, resolved against the reference data and ready to write."""

    activity: ParsedActivity
    fields: dict[str, Any]
    owning_province: AdministrativeUnit | None  # None: kept by the centre
    participants: list[tuple[Any, str]]  # (organisation or pending, role)
    sectors: list[tuple[CodelistItem, Decimal]]
    locations: list[tuple[AdministrativeUnit, Decimal]]
    budgets: list[dict[str, Any]]
    transactions: list[_FileTransaction]
    providers: list[tuple[Any, Any]]  # (provider, receiver) per transaction, organisations or pending


class _Reference:
    """The reference data an import needs, read once."""

    def __init__(self) -> None:
        self.currencies = dict(Currency.objects.values_list("code", "pk"))
        self.currency_codes = {pk: code for code, pk in self.currencies.items()}
        items = CodelistItem.objects.filter(codelist__name__in=["Sector", "SectorCategory", "OrganisationType"])
        self.sectors: dict[tuple[str, str], CodelistItem] = {}
        self.org_types: dict[str, int] = {}
        for item in items.select_related("codelist"):
            if item.codelist.name == "Sector":
                self.sectors[("1", item.code)] = item
            elif item.codelist.name == "SectorCategory":
                self.sectors[("2", item.code)] = item
            else:
                self.org_types[item.code] = item.pk
        self.countries = dict(Country.objects.values_list("code", "pk"))
        self.transaction_types = set(TransactionType.values)
        self.provinces: dict[str, dict[str, AdministrativeUnit]] = {Era.CURRENT: {}, Era.PRE2025: {}}
        self.units_by_code: dict[tuple[str, str], AdministrativeUnit] = {}
        for unit in AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE):
            for name in (unit.name_vi, unit.name_en, unit.full_name_vi, unit.full_name_en):
                if name:
                    self.provinces[unit.era].setdefault(_province_key(name), unit)
            self.units_by_code[(unit.era, unit.code)] = unit
        self.successors: dict[int, AdministrativeUnit] = {}
        self.book = shared_rate_book()
        self._units: dict[tuple[str, str, str], AdministrativeUnit | None] = {}
        self._currency_objects: dict[int, Currency] = {}

    def province_by_damaged_name(self, key: str, eras: Sequence[str]) -> AdministrativeUnit | None:
        """The one province whose name key matches `key` read with each damaged character ("?", or U+FFFD where a
        decoder gave up) as any single letter: "B?c Liêu" is Bạc Liêu, "Hu?" is Huế. None when no name, or more
        than one, matches in the first era that has a match."""
        if not DAMAGED.search(key):
            return None
        pattern = re.compile("".join("." if DAMAGED.fullmatch(ch) else re.escape(ch) for ch in key))
        for era in eras:
            found = {unit.pk: unit for name, unit in self.provinces[era].items() if pattern.fullmatch(name)}
            if len(found) == 1:
                return next(iter(found.values()))
            if found:
                return None
        return None

    def currency(self, pk: int, code: str) -> Currency:
        """One Currency instance per code for the whole import (valuation reads its code)."""
        found = self._currency_objects.get(pk)
        if found is None:
            found = self._currency_objects[pk] = Currency(pk=pk, code=code)
        return found

    def unit(self, era: str, level: str, code: str) -> AdministrativeUnit | None:
        """Any unit by era, level and GSO code (communes are looked up once each, as files name them)."""
        key = (era, level, code)
        if key not in self._units:
            self._units[key] = (
                AdministrativeUnit.objects.filter(era=era, level=level, code=code).select_related("province").first()
            )
        return self._units[key]


class _Organisations:
    """Organisations by IATI reference and by normalised name, and those to create."""

    def __init__(self, reference: _Reference, owning_province: AdministrativeUnit | None) -> None:
        self.reference = reference
        self.owning_province = owning_province
        self.by_ref: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        self.countries: dict[int, int | None] = {}  # the donor country of each fact
        self.names: dict[int, str] = {}
        for pk, ref, name, name_vi, country_id in Organisation.all_objects.values_list(
            "pk", "iati_identifier", "name", "name_vi", "country_id"
        ):
            self.countries[pk] = country_id
            self.names[pk] = name
            if ref:
                self.by_ref[ref] = pk
            for text in (name, name_vi):
                if text:
                    self.by_name.setdefault(normalise_name(text), pk)
        self.pending: list[_PendingOrg] = []
        self.licences = registration_spans()  # every provider's, read once for the import

    def resolve(self, org: OrgRef) -> Any:
        """The organisation's id, or the pending organisation to create."""
        found = self.by_ref.get(org.ref) if org.ref else None
        if found is None and org.name:
            found = self.by_name.get(normalise_name(org.name))
        if found is not None:
            if org.ref and org.ref not in self.by_ref:
                self.by_ref[org.ref] = found
            return found
        prefix = org.ref.split("-", 1)[0].upper() if org.ref else ""
        pending = _PendingOrg(
            ref=org.ref,
            name=(org.name or org.ref)[:300],
            kind=KIND_FROM_IATI_TYPE.get(org.type, OrganisationKind.OTHER),
            iati_type_id=self.reference.org_types.get(org.type),
            country_id=self.reference.countries.get(prefix)
            if len(prefix) == 2 and prefix not in ("XI", "XM")
            else None,
            line=org.line,
        )
        self.pending.append(pending)
        if org.ref:
            self.by_ref[org.ref] = pending
        if org.name:
            self.by_name[normalise_name(org.name)] = pending
        return pending

    def take_pending(self) -> list[_PendingOrg]:
        """The organisations to create met since the last call (handed to the batch that first names them)."""
        taken, self.pending = self.pending, []
        return taken

    def create_pending(self, pending: list[_PendingOrg], user: Any, reason: str, run: ImportRun | None = None) -> int:
        """Create these organisations (with history and, for a run, their source); returns how many."""
        new = [p for p in pending if p.instance is None]
        if not new:
            return 0
        instances = [
            Organisation(
                name=p.name,
                kind=p.kind,
                iati_identifier=p.ref,
                iati_type_id=p.iati_type_id,
                country_id=p.country_id,
                owning_province=self.owning_province,
            )
            for p in new
        ]
        created = create_records(Organisation, instances, user=user, reason=reason)
        for org, instance in zip(new, created, strict=True):
            org.instance = instance
            self.countries[instance.pk] = instance.country_id
        if run is not None:
            kind = ContentType.objects.get_for_model(Organisation)
            RecordSource.objects.bulk_create(
                [
                    RecordSource(
                        content_type=kind,
                        object_id=p.instance.pk,
                        run=run,
                        identifier=(p.ref or p.name)[:250],
                        line=p.line,
                    )
                    for p in new
                    if p.instance is not None
                ]
            )
        return len(new)

    @staticmethod
    def id_of(found: Any) -> int:
        if not isinstance(found, _PendingOrg):
            return found
        if found.instance is None:
            raise RuntimeError(f"The organisation {found.name or found.ref} is used before it is created.")
        return found.instance.pk


@dataclass
class _PlannedBatch:
    plans: list[tuple[_Plan, AidItem | None]]
    organisations: list[_PendingOrg]  # to create before the batch's own rows (first named in it)


class IatiImporter:
    """Imports one file for one user (None: the system, from the command line)."""

    def __init__(
        self,
        *,
        user: Any = None,
        owning_province: AdministrativeUnit | None = None,
        vn_only: bool = False,
        dry_run: bool = False,
        run: ImportRun | None = None,
        source_name: str = "",
        progress: Callable[[int], None] | None = None,
        batch_size: int = BATCH_SIZE,
        read_ahead: bool = True,
    ) -> None:
        self.user = user
        self.read_ahead = read_ahead  # parse in a forked reader process (`ActivityReader`)
        self.owning_province = owning_province
        self.vn_only = vn_only
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
        try:
            # The stored texts (rate sources, history reasons) are data: written in English. The file is read
            # ahead by a child process from here on, while the reference data load.
            with (
                ActivityReader(stream, on_progress=self.progress, ahead=self.read_ahead) as activities,
                translation.override(None),
                transaction.atomic(),
            ):
                self.reference = _Reference()
                self.organisations = _Organisations(self.reference, self.owning_province)
                self.source_type = ContentType.objects.get_for_model(AidItem)
                self.created_ids: list[int] = []
                self._read_and_write(activities)
                rollup_deltas(self.created_ids, 1)  # summed by the database, for every new item at once
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
                self._write_batch(batch)
                batch = []
        if batch:
            self._write_batch(batch)

    def _skip(self, problem: Problem) -> None:
        self.result.skipped += 1
        self.result.problems.append(problem)

    # --- resolving one activity -----------------------------------------------------------------------------

    def _is_about_viet_nam(self, activity: ParsedActivity) -> bool:
        return rules.is_about_viet_nam(
            (code for code, _pct in activity.recipient_countries),
            (tx.recipient_country for tx in activity.transactions),
        )

    def _plan(self, activity: ParsedActivity, existing: AidItem | None) -> _Plan:
        ref = self.reference
        titles = dict(activity.titles)
        title_vi = titles.pop("vi", "") or titles.get("en", "") or next(iter(titles.values()), "")
        if not title_vi:
            raise ActivitySkipped(gettext_noop("The activity has no title."), activity.line, "title")
        title_en = titles.pop("en", "")
        descriptions = dict(activity.descriptions)
        description = descriptions.pop("vi", "") or descriptions.pop("en", "")
        if not description and descriptions:
            description = descriptions.pop(next(iter(descriptions)))
        narratives: dict[str, dict[str, str]] = {}
        if titles:
            narratives["title"] = dict(sorted(titles.items()))
        if descriptions:
            narratives["description"] = dict(sorted(descriptions.items()))
        if len(title_vi) > 500 or len(title_en) > 500:
            activity.warn(
                gettext_noop("The title is longer than 500 characters and was shortened."), activity.line, "title"
            )
        if activity.status and activity.status not in ReportedStatus.values:
            raise ActivitySkipped(
                gettext_noop("Unknown activity status code %(code)s."),
                activity.line,
                "activity-status",
                code=activity.status,
            )
        modality = Modality.PROJECT
        for code in activity.aid_types:
            modality = MODALITY_FROM_AID_TYPE.get(code[:1], Modality.PROJECT)
            break
        fields: dict[str, Any] = {
            "iati_identifier": activity.identifier,
            "modality": existing.modality if existing and not activity.aid_types else modality,
            "is_relief": activity.humanitarian or any(code.startswith("7") for _, code, _, _ in activity.sectors),
            "title_vi": title_vi[:500],
            "title_en": title_en[:500],
            "description": description,
            "reported_status": self._reported_status(activity.status, existing),
            "planned_start": activity.dates.get("1"),
            "actual_start": activity.dates.get("2"),
            "planned_end": activity.dates.get("3"),
            "actual_end": activity.dates.get("4"),
            "narratives": narratives,
            "recipient_countries": []
            if activity.recipient_countries_derived
            else [{"code": code, "percentage": _str(pct)} for code, pct in activity.recipient_countries],
            "recipient_regions": [
                {"code": code, "vocabulary": vocabulary, "percentage": _str(pct)}
                for code, vocabulary, pct in activity.recipient_regions
            ],
        }
        for code, _pct in activity.recipient_countries:
            if code not in ref.countries:
                raise ActivitySkipped(
                    gettext_noop("Unknown country code %(code)s."), activity.line, "recipient-country", code=code
                )

        participants: list[tuple[Any, str]] = []
        seen_roles: set[tuple[int, str]] = set()
        for org in activity.participants:
            if org.role not in PARTICIPANT_ROLES:
                activity.warn(
                    gettext_noop(
                        "Organisation role %(role)s is not an IATI role; %(name)s not recorded as a participant."
                    ),
                    org.line,
                    "participating-org",
                    role=org.role or "?",
                    name=org.name or org.ref,
                )
                continue
            found = self.organisations.resolve(org)
            key = (id(found), org.role)
            if key not in seen_roles:
                seen_roles.add(key)
                participants.append((found, org.role))

        budgets = []
        for budget in activity.budgets:
            currency_id = self._currency(budget.currency, budget.line, "budget/value")
            if budget.period_end < budget.period_start:
                raise ActivitySkipped(gettext_noop("A budget period ends before it starts."), budget.line, "budget")
            budgets.append(
                {
                    "kind": budget.kind if budget.kind in ("1", "2") else "1",
                    "status": budget.status if budget.status in ("1", "2") else "1",
                    "period_start": budget.period_start,
                    "period_end": budget.period_end,
                    "amount": budget.amount.quantize(PERCENT_QUANTUM),
                    "currency_id": currency_id,
                    "value_date": budget.value_date,
                }
            )

        share = rules.viet_nam_share(activity.recipient_countries)
        fields["viet_nam_share"] = share.percentage
        if existing is None:
            fields.update(self._entry_status(activity.status))
        transactions, providers = self._transactions(activity, share)
        sectors = self._sectors(activity, transactions)
        owning_province = existing.owning_province if existing else self._owning_province(activity)
        locations = self._locations(activity)
        return _Plan(
            activity, fields, owning_province, participants, sectors, locations, budgets, transactions, providers
        )

    def _reported_status(self, code: str, existing: AidItem | None) -> str:
        """The donor's status as the file gives it. An item Amity made itself has none: when its own export comes
        back with the status Amity's lifecycle gave it, nothing is learned and nothing changes."""
        if existing is not None and not existing.reported_status and code == IATI_ACTIVITY_STATUS[existing.status]:
            return ""
        return code

    def _entry_status(self, code: str) -> dict[str, Any]:
        """The lifecycle status a new item enters with. A donor's file approves nothing in Viet Nam: the item is
        proposed, unless whoever imports may approve aid items (a provincial approver for their province, an
        administrator, the system from the command line), who takes the file's status as the item's own.
        Later imports never change it: the lifecycle actions do (the file's status stays `reported_status`)."""
        status = STATUS_FROM_IATI.get(code)
        if status is None or not self.may_approve:
            return {"status": AidStatus.PROPOSED, "status_note": ""}
        # 6 (suspended) has no Amity status of its own.
        return {"status": status, "status_note": "IATI activity status 6 (suspended)" if code == "6" else ""}

    def _currency(self, code: str, line: int, what: str) -> int:
        currency_id = self.reference.currencies.get(code)
        if currency_id is None:
            raise ActivitySkipped(gettext_noop("Unknown currency code %(code)s."), line, what, code=code)
        return currency_id

    def _transactions(
        self, activity: ParsedActivity, share: rules.CountryShare
    ) -> tuple[list[_FileTransaction], list[tuple[Any, Any]]]:
        """The file's transactions that are Viet Nam's aid, valued, each with the share of it that counts
        (`rules.transaction_share`); those of other recipient countries are counted in the report, not kept."""
        transactions: list[_FileTransaction] = []
        providers: list[tuple[Any, Any]] = []
        by_activity_share = False
        for parsed in activity.transactions:
            if parsed.type not in self.reference.transaction_types:
                raise ActivitySkipped(
                    gettext_noop("Unknown transaction type code %(code)s."),
                    parsed.type_line or parsed.line,
                    "transaction-type",
                    code=parsed.type,
                )
            currency_id = self._currency(parsed.currency, parsed.line, "transaction/value")
            tx_share = self._transaction_share(parsed, share)
            if tx_share == 0:
                self.result.transactions_other_countries += 1
                continue  # aid to another country
            by_activity_share |= not parsed.recipient_country and not parsed.viet_nam_share
            try:
                rules.check_amount(parsed.amount)
            except rules.Breach:
                activity.warn(ZERO_LEFT_OUT, parsed.line, "transaction/value")
                continue
            provider = self.organisations.resolve(parsed.provider) if parsed.provider else None
            receiver = self.organisations.resolve(parsed.receiver) if parsed.receiver else None
            tx = _FileTransaction(parsed, self.reference.currency(currency_id, parsed.currency))
            tx.viet_nam_share = tx_share
            try:
                # Inside the import's override(None). Typed for a Transaction, it reads and sets only the
                # valuation's attributes, which a file's transaction has too (amity.aid.services to take a protocol).
                value_transaction_as_data(tx, self.reference.book)
            except MissingRate:
                raise ActivitySkipped(
                    gettext_noop("No exchange rate for %(currency)s on %(date)s."),
                    parsed.line,
                    "transaction/value",
                    currency=parsed.currency,
                    date=parsed.value_date.isoformat(),
                ) from None
            transactions.append(tx)
            providers.append((provider, receiver))
        if by_activity_share and share.percentage != HUNDRED:
            if share.warning is not None:
                message, params = share.warning
                activity.warn(message, activity.line, "recipient-country", **params)
            activity.warn(SHARE_COUNTED, activity.line, "recipient-country", share=f"{share.percentage:f}")
        return transactions, providers

    def _transaction_share(self, parsed: ParsedTransaction, share: rules.CountryShare) -> Decimal:
        if parsed.viet_nam_share:  # Amity's own export states it
            try:
                given = Decimal(parsed.viet_nam_share)
            except ArithmeticError:
                given = None
            if given is not None and 0 < given <= HUNDRED:
                return given.quantize(PERCENT_QUANTUM)
        return rules.transaction_share(parsed.recipient_country, share.percentage)

    def _sectors(
        self, activity: ParsedActivity, transactions: Sequence[_FileTransaction]
    ) -> list[tuple[CodelistItem, Decimal]]:
        by_vocabulary: dict[str, list[tuple[str, Decimal | None, int]]] = defaultdict(list)
        for vocabulary, code, percentage, line in activity.sectors:
            by_vocabulary[vocabulary].append((code, percentage, line))
        for vocabulary in ("1", "2"):
            shares = by_vocabulary.get(vocabulary)
            if shares:
                return self._sector_shares(activity, vocabulary, shares)
        # No DAC sectors on the activity: weigh the transactions' own sectors by their USD value.
        weights: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for tx in transactions:
            tx_sectors = [s for s in tx.sectors if s[0] in ("1", "2")]
            for vocabulary, code in tx_sectors:  # reversals weigh by their size too: weights are not negative
                weights[(vocabulary, code)] += abs(tx.amount_usd) / len(tx_sectors)
        if not weights:
            if activity.sectors:
                activity.warn(gettext_noop("No DAC sector (vocabulary 1 or 2) is given."), activity.line, "sector")
            return []
        vocabulary = "1" if any(v == "1" for v, _ in weights) else "2"
        chosen = sorted((code, weight) for (v, code), weight in weights.items() if v == vocabulary)
        total = sum((w for _, w in chosen), Decimal(0))
        percentages = allocate(
            HUNDRED, [w or Decimal(1) for _, w in chosen] if total else [Decimal(1)] * len(chosen), PERCENT_QUANTUM
        )
        return self._sector_shares(
            activity,
            vocabulary,
            [(code, pct, activity.line) for (code, _), pct in zip(chosen, percentages, strict=True)],
        )

    def _sector_shares(
        self, activity: ParsedActivity, vocabulary: str, shares: list[tuple[str, Decimal | None, int]]
    ) -> list[tuple[CodelistItem, Decimal]]:
        items = []
        for code, _pct, line in shares:
            item = self.reference.sectors.get((vocabulary, code))
            if item is None:
                raise ActivitySkipped(
                    gettext_noop("Unknown DAC sector code %(code)s (vocabulary %(vocabulary)s)."),
                    line,
                    "sector",
                    code=code,
                    vocabulary=vocabulary,
                )
            items.append(item)
        merged: dict[int, tuple[CodelistItem, Decimal | None]] = {}
        for item, (_code, pct, _line) in zip(items, shares, strict=True):
            before = merged.get(item.pk)
            merged[item.pk] = (item, pct if before is None else (before[1] or Decimal(0)) + (pct or Decimal(0)))
        values = list(merged.values())
        if all(pct is None for _, pct in values):
            percentages = allocate(HUNDRED, [Decimal(1)] * len(values), PERCENT_QUANTUM)
        else:
            given = [pct or Decimal(0) for _, pct in values]
            total = sum(given, Decimal(0))
            if total <= 0 or abs(total - HUNDRED) > PERCENT_TOLERANCE:
                raise ActivitySkipped(
                    gettext_noop("Sector percentages add up to %(total)s, not 100."),
                    shares[0][2],
                    "sector",
                    total=total,
                )
            percentages = allocate(HUNDRED, given, PERCENT_QUANTUM)
            if total != HUNDRED:
                activity.warn(
                    gettext_noop("Sector percentages add up to %(total)s; they were scaled to 100."),
                    shares[0][2],
                    "sector",
                    total=total,
                )
        return [(item, pct) for (item, _), pct in zip(values, percentages, strict=True) if pct > 0]

    def _owning_province(self, activity: ParsedActivity) -> AdministrativeUnit | None:
        """The province the import was given; else, for the centre's imports, the province where most of the
        activity's locations lie; else none: the centre keeps the activity (nationwide aid)."""
        if self.owning_province is not None:
            return self.owning_province
        units = self._matched_units(activity, warn=False)
        if units:
            provinces = Counter(self._current_province(unit).pk for unit in units)
            chosen = provinces.most_common(1)[0][0]
            return next(self._current_province(u) for u in units if self._current_province(u).pk == chosen)
        return None

    def _current_province(self, unit: AdministrativeUnit) -> AdministrativeUnit:
        successor = self.reference.successors.get(unit.pk)
        if successor is None:
            successor = self.reference.successors[unit.pk] = current_province_of(unit)
        return successor

    def _start_era(self, activity: ParsedActivity) -> str:
        start = activity.dates.get("2") or activity.dates.get("1")
        return Era.CURRENT if start is None or start >= rules.ERA_CHANGE else Era.PRE2025

    def _matched_units(self, activity: ParsedActivity, *, warn: bool) -> list[AdministrativeUnit]:
        return [unit for unit, _share in self._matched_locations(activity, warn=warn)]

    def _matched_locations(
        self, activity: ParsedActivity, *, warn: bool
    ) -> list[tuple[AdministrativeUnit, Decimal | None]]:
        """The units the activity's locations name, each with the share Amity's own export gives it (else None)."""
        era = self._start_era(activity)
        units: list[tuple[AdministrativeUnit, Decimal | None]] = []
        for location in activity.locations:
            unit = self._match_location(location, era)
            if unit is None:
                if warn and (location.names or location.codes):
                    activity.warn(
                        gettext_noop("Location “%(name)s” is not a province of Viet Nam Amity knows; left out."),
                        location.line,
                        "location",
                        name=", ".join(location.names) or ", ".join(code for _, _, code in location.codes),
                    )
                continue
            if warn and location.damaged_name:
                activity.warn(
                    gettext_noop("“%(name)s” has damaged characters; it was read as %(province)s, the only match."),
                    location.line,
                    "location",
                    name=location.damaged_name,
                    province=unit.name_vi,
                )
            if all(unit != known for known, _ in units):
                try:
                    share = Decimal(location.share) if location.share else None
                except ArithmeticError:
                    share = None
                units.append((unit, share))
        return units

    def _match_location(self, location: ParsedLocation, era: str) -> AdministrativeUnit | None:
        if location.ref.startswith("gso:"):  # Amity's own export names the unit exactly (GSO codes need the era)
            _gso, unit_era, level, code = [*location.ref.split(":"), "", "", ""][:4]
            unit = self.reference.unit(unit_era, level, code)
            if unit is not None:
                return unit
        other = Era.PRE2025 if era == Era.CURRENT else Era.CURRENT
        for name in location.names:
            key = _province_key(name)
            unit = self.reference.provinces[era].get(key) or self.reference.provinces[other].get(key)
            if unit is not None:
                return unit
        for name in location.names:
            unit = self.reference.province_by_damaged_name(_province_key(name), (era, other))
            if unit is not None:
                location.damaged_name = name
                return unit
        return None

    def _locations(self, activity: ParsedActivity) -> list[tuple[AdministrativeUnit, Decimal]]:
        """The units the activity is located in, with their shares; none (most donor files) is nationwide aid,
        never given to the owning province."""
        matched = self._matched_locations(activity, warn=True)
        if not matched:
            return []
        given = [(unit, share) for unit, share in matched if share is not None and share > 0]
        if len(given) == len(matched) and sum((share for _, share in given), Decimal(0)) == HUNDRED:
            return given
        units = [unit for unit, _ in matched]
        eras = {unit.era for unit in units}
        if len(eras) > 1:  # one era per item: keep the era of the activity's start
            era = self._start_era(activity)
            units = [unit for unit in units if unit.era == era] or [u for u in units if u.era == Era.CURRENT]
            activity.warn(
                gettext_noop("Locations of both eras are given; only those of the activity's era were kept."),
                activity.line,
                "location",
            )
        if units[0].era == Era.PRE2025 and (activity.dates.get("1") or date.min) >= rules.ERA_CHANGE:
            units = [self._current_province(unit) for unit in units]
            units = list(dict.fromkeys(units))
        # IATI locations carry no shares: the aid is split equally between them.
        percentages = allocate(HUNDRED, [Decimal(1)] * len(units), PERCENT_QUANTUM)
        return list(zip(units, percentages, strict=True))

    # --- writing a batch ------------------------------------------------------------------------------------

    def _write_batch(self, batch: list[ParsedActivity]) -> None:
        planned = self._plan_batch(batch)
        if planned.plans:
            self._store(planned)

    def _existing_items(self, batch: list[ParsedActivity]) -> dict[str, AidItem]:
        """The stored items of the batch's activities, by the activity's identifier: the item with that IATI
        identifier, else the item whose public id the activity gives as its internal identifier (A1) — how
        Amity's own export names an item that has no IATI identifier, so that it comes back to the same item."""
        items = AidItem.all_objects.select_related("owning_province")
        existing = {
            item.iati_identifier: item for item in items.filter(iati_identifier__in=[a.identifier for a in batch])
        }
        by_public_id: dict[uuid.UUID, str] = {}
        for activity in batch:
            if activity.identifier in existing:
                continue
            for ref, kind in activity.other_identifiers:
                public_id = _uuid_or_none(ref) if kind == OTHER_ID_INTERNAL else None
                if public_id is not None:
                    by_public_id[public_id] = activity.identifier
        if by_public_id:
            for item in items.filter(public_id__in=list(by_public_id)):
                existing.setdefault(by_public_id[item.public_id], item)
        return existing

    def _plan_batch(self, batch: list[ParsedActivity]) -> _PlannedBatch:
        """Resolve a batch against the database (which of its items exist, which the user may change) and the
        reference data; nothing is written."""
        existing = self._existing_items(batch)
        changeable: set[int] = set()
        if existing and self.user is not None:
            changeable = set(
                AidItem.all_objects.restrict(self.user, Action.CHANGE)
                .filter(pk__in=[i.pk for i in existing.values()])
                .values_list("pk", flat=True)
            )
        plans: list[tuple[_Plan, AidItem | None]] = []
        for activity in batch:
            if self.vn_only and not self._is_about_viet_nam(activity):
                self.result.filtered_out += 1
                continue
            item = existing.get(activity.identifier)
            try:
                if item is not None:
                    self._check_may_update(activity, item, changeable)
                plan = self._plan(activity, item)
                self._check_plan(plan)
            except ActivitySkipped as exc:
                self._skip(Problem(exc.message, exc.params, exc.line or activity.line, activity.identifier, exc.field))
                continue
            plans.append((plan, item))
            self.result.problems.extend(activity.warnings)
        return _PlannedBatch(plans, self.organisations.take_pending())

    def _store(self, planned: _PlannedBatch) -> None:
        """Write a planned batch: its new organisations, its items (created, updated or left), their parts,
        transactions and sources, their report facts."""
        plans = planned.plans
        self.result.organisations_created += self.organisations.create_pending(
            planned.organisations, self.user, self.reason, self.run
        )
        parts = _ExistingParts([item.pk for _, item in plans if item is not None])
        to_create: list[tuple[_Plan, AidItem]] = []
        to_update: list[tuple[_Plan, AidItem]] = []
        unchanged: list[tuple[_Plan, AidItem]] = []
        for plan, item in plans:
            if item is None:
                to_create.append((plan, AidItem(owning_province=plan.owning_province, **plan.fields)))
            elif self._apply(plan, item, parts):
                to_update.append((plan, item))
            else:
                unchanged.append((plan, item))
        now = self.now = timezone.now()
        if to_create:
            create_records(AidItem, [item for _, item in to_create], user=self.user, reason=self.reason, when=now)
        if to_update:
            for _, item in to_update:
                item.version += 1
                item.updated_at = now
            updated = [item for _, item in to_update]
            columns = [*ITEM_FIELDS, "version", "updated_at"]
            update_rows(AidItem, columns, [(item.pk, *(getattr(item, c) for c in columns)) for item in updated])
            insert_history(AidItem, updated, history_type="~", user=self.user, reason=self.reason, when=now)
        written = to_create + to_update
        self._write_parts(to_create, to_update)
        self._write_transactions(written, parts)
        self._record_sources([*written, *unchanged])
        if self.user is not None and written:
            ids = [item.pk for _, item in written]
            if AidItem.all_objects.restrict(self.user, Action.CHANGE).filter(pk__in=ids).count() != len(ids):
                raise PermissionDenied(gettext_noop("You cannot save a record outside your jurisdiction."))
        self._write_new_facts(to_create)
        facts_refresh([item.pk for _, item in to_update], in_sql=True)
        self.result.created += len(to_create)
        self.result.updated += len(to_update)
        self.result.unchanged += len(unchanged)

    def _check_may_update(self, activity: ParsedActivity, item: AidItem, changeable: set[int]) -> None:
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

    def _check_plan(self, plan: _Plan) -> None:
        """The services' own checks of splits, and the licence of each provider."""
        try:
            rules.check_sectors(plan.sectors)
            rules.check_locations(plan.locations, planned_start=plan.fields["planned_start"])
        except rules.Breach as breach:
            raise ActivitySkipped(breach.message, plan.activity.line, breach.record_field, **breach.params) from None
        for tx, (provider, _receiver) in zip(plan.transactions, plan.providers, strict=True):
            if provider is None or isinstance(provider, _PendingOrg):
                continue
            try:
                name = self.organisations.names.get(provider, "")
                rules.check_provider_registered(name, self.organisations.licences.get(provider, []), tx.date)
            except rules.Breach as breach:
                raise ActivitySkipped(breach.message, tx.line, "provider-org", **breach.params) from None

    def _apply(self, plan: _Plan, item: AidItem, parts: _ExistingParts) -> bool:
        """Set the plan's fields on an existing item; whether the item or its parts change."""
        changed = False
        for name in ITEM_FIELDS:
            value = plan.fields[name]
            if getattr(item, name) != value:
                setattr(item, name, value)
                changed = True
        return changed or parts.differ(item.pk, self._part_rows(plan), self._tx_keys(plan))

    def _part_rows(self, plan: _Plan) -> dict[str, set[tuple[Any, ...]]]:
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

    def _tx_keys(self, plan: _Plan) -> Counter[tuple[Any, ...]]:
        return Counter(
            self._tx_key(tx, provider, receiver)
            for tx, (provider, receiver) in zip(plan.transactions, plan.providers, strict=True)
        )

    def _tx_key(self, tx: _FileTransaction, provider: Any, receiver: Any) -> tuple[Any, ...]:
        """The key that finds a file's transaction among the stored ones (organisations resolved to ids: the
        pending ones are created before any key is taken)."""
        org_id = self.organisations.id_of
        return transaction_key(
            tx, org_id(provider) if provider is not None else None, org_id(receiver) if receiver is not None else None
        )

    def _write_parts(self, created: list[tuple[_Plan, AidItem]], updated: list[tuple[_Plan, AidItem]]) -> None:
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

    def _write_transactions(self, written: list[tuple[_Plan, AidItem]], parts: _ExistingParts) -> None:
        """Transactions the file gives and Amity lacks are created; those Amity has and the file no longer
        gives are deleted (soft: restorable); the others stay as they are."""
        new: list[_FileTransaction] = []
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
        now = timezone.now()
        if new:
            keys = create_rows(
                Transaction, TRANSACTION_COLUMNS, [tx.row() for tx in new], user=self.user, reason=self.reason, when=now
            )
            for tx, pk in zip(new, keys, strict=True):
                tx.id = pk
        gone = list(Transaction.all_objects.filter(pk__in=gone_ids)) if gone_ids else []
        if gone:
            for tx in gone:
                tx.deleted_at = now
                tx.version += 1
            Transaction.all_objects.bulk_update(gone, ["deleted_at", "version"], batch_size=500)
            reason = gettext_noop("No longer in the IATI file")
            insert_history(Transaction, gone, history_type="~", user=self.user, reason=reason, when=now)
        self.result.transactions_created += len(new)
        self.result.transactions_deleted += len(gone)

    def _write_new_facts(self, created: list[tuple[_Plan, AidItem]]) -> None:
        """The facts of the items this batch created, built from the plans in hand as `facts_refresh` builds
        them from the database (`fact_rows`; a test compares the two): nothing is read back."""
        shapes: dict[int, ItemShape] = {}
        transactions: list[_FileTransaction] = []
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
            transactions += plan.transactions  # all new, with their ids (`_write_transactions`)
        rows = fact_rows(transactions, shapes, self.organisations.countries)
        insert_rows(ReportFact, FACT_COLUMNS, rows)
        self.created_ids += [item.pk for _, item in created]  # their rollups: once, at the end (`import_stream`)

    def _record_sources(self, plans: Iterable[tuple[_Plan, AidItem]]) -> None:
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


def transaction_key(tx: Any, provider_id: int | None, receiver_id: int | None) -> tuple[Any, ...]:
    """What makes a transaction the same one on the next import (IATI transactions rarely carry a reference)."""
    return (
        tx.transaction_type,
        tx.date,
        tx.value_date,
        tx.amount,
        tx.currency_id,
        provider_id,
        receiver_id,
        tx.description,
        tx.viet_nam_share,
    )


class _ExistingParts:
    """The stored parts and alive transactions of the batch's existing items, read in five queries."""

    def __init__(self, item_ids: list[int]) -> None:
        self.rows: dict[int, dict[str, set[tuple[Any, ...]]]] = defaultdict(
            lambda: {"sectors": set(), "locations": set(), "participants": set(), "budgets": set()}
        )
        self.transactions: dict[int, list[Any]] = defaultdict(list)  # rows of the key's fields, not instances
        if not item_ids:
            return
        for item_id, sector_id, pct in SectorSplit.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "sector_id", "percentage"
        ):
            self.rows[item_id]["sectors"].add((sector_id, pct))
        for item_id, unit_id, pct in LocationSplit.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "unit_id", "percentage"
        ):
            self.rows[item_id]["locations"].add((unit_id, pct))
        for item_id, org_id, role in AidParticipant.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "organisation_id", "role"
        ):
            self.rows[item_id]["participants"].add((org_id, role))
        for row in Budget.objects.filter(aid_item_id__in=item_ids).values_list(
            "aid_item_id", "kind", "status", "period_start", "period_end", "amount", "currency_id", "value_date"
        ):
            self.rows[row[0]]["budgets"].add(tuple(row[1:]))
        for tx in Transaction.objects.filter(aid_item_id__in=item_ids).values_list(
            "id", *TRANSACTION_KEY_COLUMNS, named=True
        ):
            self.transactions[tx.aid_item_id].append(tx)

    def differ(self, item_id: int, wanted: dict[str, set[tuple[Any, ...]]], tx_keys: Counter[tuple[Any, ...]]) -> bool:
        stored = self.rows[item_id]
        if any(stored[name] != rows for name, rows in wanted.items()):
            return True
        have = Counter(transaction_key(t, t.provider_id, t.receiver_id) for t in self.transactions.get(item_id, []))
        return have != tx_keys


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _str(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


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
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    run: ImportRun | None = None,
) -> ImportResult:
    """Import one IATI activity file from a path (the command line, the benchmark, the background task)."""
    with open(path, "rb") as stream:
        importer = IatiImporter(
            user=user,
            owning_province=owning_province,
            vn_only=vn_only,
            dry_run=dry_run,
            run=run,
            source_name=str(path),
            progress=progress,
        )
        return importer.import_stream(stream)
