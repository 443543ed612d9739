"""Mapping one parsed IATI activity to what Amity stores: the aid item's fields, its participants, sector and
location shares, budgets and transactions (valued, with Viet Nam's share), each resolved against the reference
data and reported as warnings where a part is left out. Nothing here reads or writes aid items."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.utils.translation import gettext_noop

from amity.aid import rules
from amity.aid.choices import (
    IATI_ACTIVITY_STATUS,
    AidStatus,
    Modality,
    ParticipantRole,
    ReportedStatus,
)
from amity.aid.models import CONVERSION_FIELDS, AidItem
from amity.aid.services import current_province_of, value_transaction_as_data
from amity.core.money import HUNDRED, allocate
from amity.reference.choices import Era
from amity.reference.fx import MissingRate
from amity.reference.models import AdministrativeUnit, CodelistItem, Currency

from .matching import TRANSACTION_KEY_COLUMNS, Organisations, Reference, province_key
from .parser import (
    ActivitySkipped,
    ParsedActivity,
    ParsedLocation,
    ParsedTransaction,
)

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


class FileTransaction:
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
    id: int | None  # reserved when planned (a new item's, on PostgreSQL), or set when written
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
        row: tuple[Any, ...] = _TRANSACTION_ROW(self)
        return row


TRANSACTION_COLUMNS = (*TRANSACTION_KEY_COLUMNS, *CONVERSION_FIELDS)
_TRANSACTION_ROW = attrgetter(*TRANSACTION_COLUMNS)  # a transaction's row, read in C


@dataclass
class Plan:
    """What one activity becomes, resolved against the reference data and ready to write."""

    activity: ParsedActivity
    fields: dict[str, Any]
    owning_province: AdministrativeUnit | None  # None: kept by the centre
    participants: list[tuple[Any, str]]  # (organisation or pending, role)
    sectors: list[tuple[CodelistItem, Decimal]]
    locations: list[tuple[AdministrativeUnit, Decimal]]
    budgets: list[dict[str, Any]]
    transactions: list[FileTransaction]
    providers: list[tuple[Any, Any]]  # (provider, receiver) per transaction, organisations or pending
    item_key: int | None = None  # a new item's key, reserved when planned (`core.bulk.reserve_keys`)


class ActivityMapping:
    """What one activity becomes (`Plan`): the importer's mapping steps."""

    reference: Reference
    organisations: Organisations
    owning_province: AdministrativeUnit | None
    may_approve: bool
    result: Any  # the ImportResult whose problems the warnings go to

    def _is_about_viet_nam(self, activity: ParsedActivity) -> bool:
        return rules.is_about_viet_nam(
            (code for code, _pct in activity.recipient_countries),
            (tx.recipient_country for tx in activity.transactions),
        )

    def _plan(self, activity: ParsedActivity, existing: AidItem | None) -> Plan:
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
        return Plan(
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
    ) -> tuple[list[FileTransaction], list[tuple[Any, Any]]]:
        """The file's transactions that are Viet Nam's aid, valued, each with the share of it that counts
        (`rules.transaction_share`); those of other recipient countries are counted in the report, not kept."""
        transactions: list[FileTransaction] = []
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
            tx = FileTransaction(parsed, self.reference.currency(currency_id, parsed.currency))
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
        self, activity: ParsedActivity, transactions: Sequence[FileTransaction]
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
            key = province_key(name)
            unit = self.reference.provinces[era].get(key) or self.reference.provinces[other].get(key)
            if unit is not None:
                return unit
        for name in location.names:
            unit = self.reference.province_by_damaged_name(province_key(name), (era, other))
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


def _str(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"
