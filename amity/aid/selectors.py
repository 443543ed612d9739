"""Reads on the aid register: totals per aid item in USD and VND from the stored conversions, the list and
detail querysets with a fixed number of queries, an item's history with its parts', and the administrative unit
look-ups of location forms."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import Count, DecimalField, F, Field, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext

from amity.core.money import HUNDRED, quantize
from amity.core.scoping import jurisdiction
from amity.core.search import fold, name_rank
from amity.core.selectors import HistoryEntry, HistorySource, history_entries
from amity.organisations.models import Organisation
from amity.organisations.selectors import organisations_matching
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import shared_rate_book
from amity.reference.models import AdministrativeUnit, UnitMapping

from .choices import (
    COMMITMENT_TYPES,
    DISBURSEMENT_TYPES,
    EXPENDITURE_TYPES,
    OFFICIAL_STATUSES,
    AidStatus,
    ParticipantRole,
)
from .models import AidItem, AidParticipant, Budget, LocationSplit, SectorSplit, Transaction

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=24, decimal_places=2))

# Units a location share may name: a whole province or a commune (districts are refused by the service).
LOCATION_LEVELS = (UnitLevel.PROVINCE, UnitLevel.COMMUNE)


def counted(column: str) -> Any:
    """Viet Nam's share of a transaction's amount (`Transaction.viet_nam_share`): the amount itself for almost
    every transaction. Summed unrounded here and rounded once; the report facts round each transaction's share
    half-even, so an item's total may differ from its facts by under half a cent per shared transaction."""
    return F(column) * F("viet_nam_share") / Value(HUNDRED)


def _sum_of(types: frozenset[str], column: str) -> Coalesce:
    total = (
        Transaction.objects.filter(aid_item=OuterRef("pk"), transaction_type__in=types)
        .order_by()
        .values("aid_item")
        .annotate(total=Sum(counted(column), output_field=DecimalField(max_digits=24, decimal_places=2)))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=24, decimal_places=2)), _ZERO)


class AidItemTotals(TypedDict):
    """What `with_totals` annotates: Viet Nam's share of each kind of transaction, 0 when there is none."""

    committed_usd: Decimal
    disbursed_usd: Decimal
    spent_usd: Decimal
    committed_vnd: Decimal
    disbursed_vnd: Decimal


def with_totals(queryset: QuerySet[AidItem]) -> QuerySet[WithAnnotations[AidItem, AidItemTotals]]:
    """Annotate committed, disbursed and spent amounts (USD and VND), one subquery each, no N+1."""
    if "committed_usd" in queryset.query.annotations:
        # Annotated already (by an earlier call), which the queryset's type does not say.
        return cast("QuerySet[WithAnnotations[AidItem, AidItemTotals]]", queryset)
    return queryset.annotate(
        committed_usd=_sum_of(COMMITMENT_TYPES, "amount_usd"),
        disbursed_usd=_sum_of(DISBURSEMENT_TYPES, "amount_usd"),
        spent_usd=_sum_of(EXPENDITURE_TYPES, "amount_usd"),
        committed_vnd=_sum_of(COMMITMENT_TYPES, "amount_vnd"),
        disbursed_vnd=_sum_of(DISBURSEMENT_TYPES, "amount_vnd"),
    )


def donors_prefetch() -> Prefetch[str, QuerySet[AidParticipant], str]:
    """The funding participants of each aid item, as `donor_participations` (one query for a whole page)."""
    return Prefetch(
        "participants",
        queryset=AidParticipant.objects.filter(role=ParticipantRole.FUNDING).select_related("organisation"),
        to_attr="donor_participations",
    )


def with_list_data(queryset: QuerySet[AidItem]) -> QuerySet[AidItem]:
    """What a list row shows (page, CSV): totals, owning province, donors; a fixed number of queries."""
    return with_totals(queryset).select_related("owning_province").prefetch_related(donors_prefetch())


def with_detail_data(queryset: QuerySet[AidItem]) -> QuerySet[AidItem]:
    """Everything an aid item's page or API representation shows, in a fixed number of queries."""
    return (
        with_totals(queryset)
        .select_related("owning_province", "managing_agency", "aid_owner", "counterpart_currency")
        .prefetch_related(
            Prefetch("sectors", queryset=SectorSplit.objects.select_related("sector__category")),
            Prefetch(
                "locations",
                queryset=LocationSplit.objects.select_related("unit__province", "current_province"),
            ),
            Prefetch("participants", queryset=AidParticipant.objects.select_related("organisation")),
            "beneficiaries",
        )
    )


def aid_items_for_list(user: Any) -> QuerySet[AidItem]:
    return with_list_data(AidItem.objects.restrict(user, "view"))


def aid_item_transactions(aid_item: AidItem) -> QuerySet[Transaction]:
    return Transaction.objects.filter(aid_item=aid_item).select_related("currency", "provider", "receiver")


def with_rate_notes(transactions: Iterable[Transaction]) -> list[Transaction]:
    """The transactions, each given `rate_note`: how its USD and VND values were made (kind and period of the
    rates, their source, whether they are the latest available rather than the value date's), to be shown in the
    reader's language (`amity.reference.fx.RateNote`); None while a re-valuation is pending. From the rates in
    memory: no query. The stored `rate_source` stays as it is, data in English."""
    book = shared_rate_book()
    rows = list(transactions)
    for tx in rows:
        setattr(tx, "rate_note", book.note(tx.currency.code, tx.value_date, tx.rate_date))  # noqa: B010
    return rows


def aid_item_deleted_transactions(aid_item: AidItem) -> QuerySet[Transaction]:
    """Soft-deleted transactions, newest deletion first, so that they can be restored."""
    return (
        Transaction.all_objects.deleted().filter(aid_item=aid_item).select_related("currency").order_by("-deleted_at")
    )


# --- history ------------------------------------------------------------------------------------------------
# Each part is described as it was at its history row, so that a removed or changed part reads as it was then.


def _amount(amount: Decimal, currency: Any) -> str:
    return f"{floatformat(amount, '2g')} {currency.code}"


def _day(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _share(percentage: Decimal) -> str:
    return f"{floatformat(percentage, '-2')} %"


def _sector_share(row: Any) -> str:
    return f"{row.sector.code} {row.sector.name} {_share(row.percentage)}"


def _location_share(row: Any) -> str:
    where = row.unit.full_name if row.unit.era == Era.CURRENT else str(row.unit)
    if row.unit_id != row.current_province_id:  # a commune, or an old province: say which province it is in now
        where = f"{where}, {row.current_province.full_name}"
    return f"{where} {_share(row.percentage)}"


def _participant(row: Any) -> str:
    return f"{row.organisation} ({row.get_role_display()})"


def _budget(row: Any) -> str:
    return f"{_day(row.period_start)}–{_day(row.period_end)} {_amount(row.amount, row.currency)}"


def _transaction(row: Any) -> str:
    return f"{row.get_transaction_type_display()} {_amount(row.amount, row.currency)} {_day(row.date)}"


def aid_item_history(item: AidItem, *, limit: int = 100) -> list[HistoryEntry]:
    """The newest `limit` changes of an aid item and of its parts and transactions, newest first, those of parts
    removed since included: about a dozen queries however many parts the item has (`history_entries`)."""
    part = {"aid_item_id": item.pk}
    # Transactions are never hard-deleted, so the live table (indexed by aid_item) names them all; their history
    # table keeps no index on aid_item (`models.UNREAD_HISTORY_INDEXES`), which every imported row would pay.
    transactions = Transaction.all_objects.filter(aid_item=item).values("pk")
    return history_entries(
        [
            HistorySource(AidItem.history.filter(id=item.pk)),
            HistorySource(SectorSplit.history.filter(**part), _sector_share, ("sector",)),
            HistorySource(LocationSplit.history.filter(**part), _location_share, ("unit", "current_province")),
            HistorySource(AidParticipant.history.filter(**part), _participant, ("organisation",)),
            HistorySource(Budget.history.filter(**part), _budget, ("currency",)),
            HistorySource(Transaction.history.filter(id__in=transactions), _transaction, ("currency",)),
        ],
        limit=limit,
    )


# What an approval decides — what the aid is, who gives and manages it, where it goes, how much and when — so what
# must be approved again when it changes: the item's fields below, its sector, location, participant (donors,
# aid owner, implementers) and budget rows, and its commitments (how much is given). Other fields (English
# title, description, references, the actual dates, the lifecycle's own fields) and the other transactions
# (disbursements, expenditure: carrying out what was approved) record or describe the aid without changing what
# was approved. A change is not refused (the register must stay true to the aid as it is); the item's page says
# what changed since the approval and that it needs re-approval, until an approver re-approves it
# (`services.aid_items_reapprove`), which makes the new decision the baseline.
APPROVAL_SUBSTANCE_FIELDS = (
    *("title_vi", "modality", "is_relief", "viet_nam_share"),  # what the aid is
    *("owning_province", "managing_agency", "aid_owner"),  # who keeps and manages it
    *("planned_start", "planned_end", "counterpart_amount", "counterpart_currency"),  # when, and the counterpart
)
APPROVAL_SUBSTANCE_PARTS: tuple[type[SectorSplit | LocationSplit | AidParticipant | Budget], ...] = (
    SectorSplit,
    LocationSplit,
    AidParticipant,
    Budget,
)


@dataclass(frozen=True)
class SinceApproval:
    """An approved item whose substance changed after its approval: when it was approved, and what changed (the
    names of its fields and parts, in the reader's language)."""

    approved_at: datetime
    changed: list[str]


def changes_since_approval(item: AidItem) -> SinceApproval | None:
    """What of the approved substance of `item` (`APPROVAL_SUBSTANCE_FIELDS`, `_PARTS` and commitments) differs
    from, or was rewritten since, the history row that recorded its approval in force — the approval or the latest
    re-approval (`approved_at`); None when the item is not approved or nothing changed. Six queries."""
    if item.status not in OFFICIAL_STATUSES:
        return None
    approval: dict[str, Any] | None = None
    previous_status = None
    rows = AidItem.history.filter(id=item.pk).order_by("history_date", "history_id")
    for row in rows.values("history_date", "status", "approved_at", *APPROVAL_SUBSTANCE_FIELDS):
        if item.approved_at is not None:
            if row["approved_at"] == item.approved_at and (
                approval is None or approval["approved_at"] != row["approved_at"]
            ):
                approval = row  # the row that recorded the approval in force
        elif row["status"] == AidStatus.APPROVED and previous_status != AidStatus.APPROVED:
            approval = row  # the latest move into "approved" (an item imported approved: its first row)
        previous_status = row["status"]
    if approval is None:
        return None
    changed = [
        str(field.verbose_name)
        for field in (AidItem._meta.get_field(name) for name in APPROVAL_SUBSTANCE_FIELDS)
        if isinstance(field, Field) and getattr(item, field.attname) != approval[field.name]
    ]
    # The writer of parts writes only differences, so any history row of a part after the approval is a change.
    changed += [
        str(model._meta.verbose_name_plural)
        for model in APPROVAL_SUBSTANCE_PARTS
        if model.history.filter(aid_item_id=item.pk, history_date__gt=approval["history_date"]).exists()
    ]
    commitments = Transaction.history.filter(
        aid_item_id=item.pk, transaction_type__in=COMMITMENT_TYPES, history_date__gt=approval["history_date"]
    )
    if commitments.exists():
        changed.append(gettext("commitments"))
    return SinceApproval(approval["history_date"], changed) if changed else None


def location_unit(*, era: str, code: str) -> AdministrativeUnit | None:
    """The unit a location share names by era and code (codes are reused across eras, never within one)."""
    return (
        AdministrativeUnit.objects.select_related("province")
        .filter(era=era, code=code.strip())
        .order_by("level")
        .first()
    )


DONOR_MATCHES = 20  # the donors a search offers at once; more words narrow them


def donors_visible_to(user: object) -> QuerySet[Organisation]:
    """Organisations the user may see that fund at least one aid item: what the donor filters choose from."""
    funders = AidParticipant.objects.filter(role=ParticipantRole.FUNDING).values("organisation")
    return Organisation.objects.restrict(user, "view").filter(pk__in=funders).order_by("name")


@dataclass(frozen=True)
class DonorChoices:
    """What a donor filter offers: the donors chosen (those the user may see), then the best matches of what was
    typed, as (public id, name) pairs; `found` counts every match."""

    choices: list[tuple[str, str]]
    found: int


def donor_choices(
    user: object, *, chosen: Iterable[str] = (), query: str = "", limit: int = DONOR_MATCHES
) -> DonorChoices:
    """The donor filter's options for `user`, never every donor (there are thousands): the chosen ones (public
    ids; others than donors the user may see are left out) and up to `limit` matches of `query`, by name,
    Vietnamese name or acronym, with or without diacritics. No query when nothing is chosen or typed."""
    ids = [value for value in chosen if _is_uuid(value)]
    if not ids and not query.strip():
        return DonorChoices([], 0)
    donors = donors_visible_to(user)
    picked = list(donors.filter(public_id__in=ids)) if ids else []
    matches, found = organisations_matching(donors, query, limit=limit)
    seen = {donor.pk for donor in picked}
    offered = picked + [donor for donor in matches if donor.pk not in seen]
    return DonorChoices([(str(donor.public_id), str(donor)) for donor in offered], found)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class UnitOption:
    """A unit offered to a location row: the unit, the province it lies in (its own era's), the current-era
    province it belongs to now, and whether that is one of the user's provinces (always, for national users)."""

    unit: AdministrativeUnit
    province: AdministrativeUnit
    current_province: AdministrativeUnit
    in_scope: bool


def _current_provinces(era: str) -> dict[int, AdministrativeUnit]:
    """Province id of `era` → the current-era province it is (itself) or became (1 Jul 2025)."""
    if era == Era.CURRENT:
        return {p.pk: p for p in AdministrativeUnit.objects.filter(era=era, level=UnitLevel.PROVINCE)}
    mappings = UnitMapping.objects.filter(level=UnitLevel.PROVINCE, old_unit__era=era).select_related("new_unit")
    return {m.old_unit_id: m.new_unit for m in mappings}


def _options(units: list[AdministrativeUnit], era: str, user: Any) -> list[UnitOption]:
    successors = _current_provinces(era)
    provinces = jurisdiction(user) if user is not None else None
    options = []
    for unit in units:
        province = unit if unit.level == UnitLevel.PROVINCE else unit.province
        if province is None or province.pk not in successors:
            continue  # not a place a location share can name
        current = successors[province.pk]
        options.append(UnitOption(unit, province, current, provinces is None or current.pk in provinces))
    return options


def unit_option(unit: AdministrativeUnit, user: Any) -> UnitOption | None:
    """The option a location row's unit is, as the picker shows it (with its province and scope)."""
    found = _options([unit], unit.era, user)
    return found[0] if found else None


def _name_rank(folded: str, name_vi: str, full_name_vi: str, province_vi: str) -> int | None:
    """How well a unit's name matches what was typed (lower is better), None if it does not."""
    rank = name_rank(folded, name_vi, full_name_vi)
    if rank is not None:
        return rank
    name, words = fold(name_vi), folded.split()
    province = f" {fold(province_vi)}"
    for split in range(1, len(words)):
        # The name, then the start of its province's ("thanh thuy phu th": Thanh Thủy in Phú Thọ).
        if " ".join(words[:split]) in name and f" {' '.join(words[split:])}" in province:
            return 5
    return None


def location_unit_options(*, era: str, query: str, user: Any = None, limit: int = 20) -> list[UnitOption]:
    """Provinces and communes of one era whose code starts with, or whose name matches, `query` — with or
    without diacritics, in any case. Units in the user's provinces come first, then the better matches (the
    whole name, its start, a word's start, anywhere in it), provinces before communes."""
    query = " ".join(query.split())
    if not query:
        return []
    units = AdministrativeUnit.objects.filter(era=era, level__in=LOCATION_LEVELS)
    successors = _current_provinces(era)
    provinces = jurisdiction(user) if user is not None else None

    def outside(province_id: int | None, unit_id: int) -> bool:
        current = successors.get(province_id or unit_id)
        return provinces is not None and (current is None or current.pk not in provinces)

    ranked: list[tuple[tuple[Any, ...], int]] = []
    if query.isdigit():
        rows = units.filter(code__startswith=query).values_list("pk", "level", "code", "province_id")
        ranked = [((outside(p, pk), level != UnitLevel.PROVINCE, code), pk) for pk, level, code, p in rows]
    else:
        folded, typed = fold(query), query.casefold()
        for pk, level, code, name_vi, full_name_vi, province_id, province_vi in units.values_list(
            "pk", "level", "code", "name_vi", "full_name_vi", "province_id", "province__name_vi"
        ):
            rank = _name_rank(folded, name_vi, full_name_vi, province_vi or "")
            if rank is not None:
                as_typed = typed not in name_vi.casefold()  # the diacritics as typed first ("Thủy" before "Thúy")
                key = (outside(province_id, pk), rank, as_typed, level != UnitLevel.PROVINCE, fold(name_vi), code)
                ranked.append((key, pk))
    chosen = [pk for _key, pk in sorted(ranked)[:limit]]
    by_pk = units.select_related("province").in_bulk(chosen)
    return _options([by_pk[pk] for pk in chosen], era, user)


def location_units_named(*, era: str, text: str, user: Any = None) -> list[UnitOption]:
    """The units whose name is exactly `text` (diacritics and case aside): what a location row means when the
    user typed a name and did not pick from the list."""
    folded = fold(text)
    return [
        option
        for option in location_unit_options(era=era, query=text, user=user, limit=50)
        if folded in (fold(option.unit.name_vi), fold(option.unit.full_name_vi), fold(option.unit.name_en))
    ]


@dataclass(frozen=True)
class Totals:
    """Sums over the transactions of some aid items in a period, valued at value-date rates."""

    committed_usd: Decimal
    disbursed_usd: Decimal
    spent_usd: Decimal
    committed_vnd: Decimal
    disbursed_vnd: Decimal
    aid_items: int  # items with at least one transaction in the period
    donors: int  # distinct providers of those transactions


def live_transactions() -> QuerySet[Transaction]:
    """Transactions on record: not deleted, of an aid item not deleted (a deleted item's transactions go with it,
    and come back when it is restored)."""
    return Transaction.objects.filter(aid_item__deleted_at__isnull=True)


def transaction_totals(
    items: QuerySet[AidItem], *, date_from: date | None = None, date_to: date | None = None
) -> Totals:
    """One aggregate query; each aid item counted once however many provinces or sectors it has."""
    transactions = Transaction.objects.filter(aid_item__in=items.values("pk"))
    if date_from is not None:
        transactions = transactions.filter(value_date__gte=date_from)
    if date_to is not None:
        transactions = transactions.filter(value_date__lte=date_to)

    def total(types: frozenset[str], column: str) -> Coalesce:
        money = DecimalField(max_digits=24, decimal_places=2)
        return Coalesce(Sum(counted(column), filter=Q(transaction_type__in=types), output_field=money), _ZERO)

    row = transactions.aggregate(
        committed_usd=total(COMMITMENT_TYPES, "amount_usd"),
        disbursed_usd=total(DISBURSEMENT_TYPES, "amount_usd"),
        spent_usd=total(EXPENDITURE_TYPES, "amount_usd"),
        committed_vnd=total(COMMITMENT_TYPES, "amount_vnd"),
        disbursed_vnd=total(DISBURSEMENT_TYPES, "amount_vnd"),
        aid_items=Count("aid_item", distinct=True),
        donors=Count("provider", distinct=True),
    )
    money = {key: quantize(Decimal(value)) for key, value in row.items() if key.endswith(("_usd", "_vnd"))}
    return Totals(**money, aid_items=row["aid_items"], donors=row["donors"])


def latest_transaction_date() -> Subquery:
    """For the organisation of the outer query, the date of its latest transaction as provider or as a
    participant of the aid item: its latest aid activity (registered with `amity.organisations.activity`)."""
    latest = (
        live_transactions()
        .filter(Q(provider=OuterRef("pk")) | Q(aid_item__participants__organisation=OuterRef("pk")))
        .order_by("-date")
        .values("date")[:1]
    )
    return Subquery(latest)
