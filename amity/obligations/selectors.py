"""Reads on reporting duties: where each stands on a day, what a user must submit, what an office must review,
the overdue boards, the figures Amity fills in for the standard forms, and what a rule's change would do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse

from amity.aid.choices import COMMITMENT_TYPES, DISBURSEMENT_TYPES, OFFICIAL_STATUSES
from amity.aid.models import AidItem
from amity.core.scoping import Action
from amity.organisations.choices import RegistrationState
from amity.organisations.models import Organisation, Registration
from amity.reference.models import AdministrativeUnit
from amity.reports.models import ReportFact

from .choices import OPEN_STATES, EffectKind, ObligationState, ObligationStatus, Prefill
from .models import Obligation, Submission


def status_q(status: str, *, today: date) -> Q:
    """The obligations whose status on `today` is `status` (the database form of `status_on`)."""
    still_owed = Q(state=ObligationState.OPEN)
    if status == ObligationStatus.UPCOMING:
        return still_owed & Q(period_end__gte=today)
    if status == ObligationStatus.DUE:
        return still_owed & Q(period_end__lt=today, due_date__gte=today)
    if status == ObligationStatus.OVERDUE:
        return still_owed & Q(due_date__lt=today)
    if status in ObligationState.values:
        return Q(state=status)
    return Q(pk__in=[])


def status_on(obligation: Obligation, today: date) -> str:
    if obligation.state != ObligationState.OPEN:
        return obligation.state
    if obligation.due_date < today:
        return ObligationStatus.OVERDUE
    if obligation.period_end < today:
        return ObligationStatus.DUE
    return ObligationStatus.UPCOMING


def with_status(queryset: QuerySet[Obligation], *, today: date) -> QuerySet[Obligation]:
    """Annotate `computed_status` (the status on `today`), so that lists filter, show and sort by it."""
    return queryset.annotate(
        computed_status=Case(
            *(When(status_q(status, today=today), then=Value(status.value)) for status in ObligationStatus),
            default=Value(""),
            output_field=CharField(),
        )
    )


def listed(queryset: QuerySet[Obligation]) -> QuerySet[Obligation]:
    """What a list of duties shows with each row, in a fixed number of queries."""
    return queryset.select_related("rule", "aid_item", "organisation", "province", "reviewing_province")


def my_duties(*, user: Any, today: date) -> QuerySet[Obligation]:
    """What the user must submit (the duties they may submit for, still owed, their period begun), soonest first;
    then those returned to them first of all, as they are late already or soon will be."""
    owed = Obligation.objects.restrict(user, Action.CHANGE).filter(state__in=OPEN_STATES, period_start__lte=today)
    return listed(with_status(owed, today=today)).order_by("due_date", "pk")


def review_queue(*, user: Any) -> QuerySet[Obligation]:
    """The reports submitted to the user's office and waiting for its review, the longest waiting first."""
    waiting = Obligation.objects.restrict(user, Action.APPROVE).filter(state=ObligationState.SUBMITTED)
    return listed(waiting).order_by("submitted_at", "pk")


@dataclass(frozen=True)
class BoardRow:
    province: AdministrativeUnit | None  # None: duties owed to or by the centre
    overdue: int
    oldest_due: date


def late_q(*, today: date) -> Q:
    """Duties still owed after their due date: overdue, and those returned for correction once the due date had
    passed (reopened, and late: the overdue digest and the boards count both)."""
    return Q(state__in=OPEN_STATES, due_date__lt=today)


def overdue_board(*, user: Any, today: date) -> list[BoardRow]:
    """Late duties the user may see (`late_q`), counted by the province concerned (the one that reports or
    reviews), the province with the oldest late duty first: two queries whatever the number of duties."""
    overdue = Obligation.objects.restrict(user, Action.VIEW).filter(late_q(today=today))
    grouped = (
        overdue.annotate(concerned=Coalesce("province", "reviewing_province"))
        .order_by()
        .values("concerned")
        .annotate(count=Count("pk"), oldest=Min("due_date"))
    )
    rows = list(grouped)
    units = AdministrativeUnit.objects.in_bulk([row["concerned"] for row in rows if row["concerned"]])
    board = [BoardRow(units.get(row["concerned"]), row["count"], row["oldest"]) for row in rows]
    return sorted(board, key=lambda row: (row.oldest_due, row.province.code if row.province else ""))


def overdue_list(*, user: Any, today: date, province: AdministrativeUnit | None = None) -> QuerySet[Obligation]:
    """The late duties of the board (`late_q`), of one province when given, the oldest first."""
    overdue = Obligation.objects.restrict(user, Action.VIEW).filter(late_q(today=today))
    if province is not None:
        overdue = overdue.filter(Q(province=province) | Q(province__isnull=True, reviewing_province=province))
    return listed(with_status(overdue, today=today)).order_by("due_date", "pk")


def rule_duty_counts(*, user: Any, rule: Any) -> list[tuple[str, int]]:
    """How many duties generated under `rule` the user may see, by state (state label, count): one query."""
    rows = dict(
        Obligation.objects.restrict(user, Action.VIEW)
        .filter(rule=rule)
        .values_list("state")
        .annotate(count=Count("pk"))
        .values_list("state", "count")
    )
    return [(str(state.label), rows[state.value]) for state in ObligationState if rows.get(state.value)]


def submissions_of(*, user: Any, obligation: Obligation) -> QuerySet[Submission]:
    return Submission.objects.restrict(user, Action.VIEW).filter(obligation=obligation).select_related("submitted_by")


# --- figures filled in for the standard forms ------------------------------------------------------------------


def _amount(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def prefill_figures(obligation: Obligation) -> dict[str, str]:
    """The figures Amity fills in for this duty's form, from its own data (report facts, registrations), as
    decimal strings. They concern the obligation's own subject, which whoever may submit it already sees, so they
    are read for the system, not through a user's scope."""
    kind = obligation.rule.prefill
    period = Q(value_date__gte=obligation.period_start, value_date__lte=obligation.period_end)
    if kind == Prefill.AID_DISBURSEMENTS and obligation.aid_item_id is not None:
        facts = ReportFact.objects.unscoped().filter(
            period, aid_item_id=obligation.aid_item_id, transaction_type__in=DISBURSEMENT_TYPES
        )
        sums = facts.aggregate(usd=Sum("amount_usd"), vnd=Sum("amount_vnd"), count=Count("transaction", distinct=True))
        return {
            "disbursements": str(sums["count"] or 0),
            "disbursed_usd": _amount(sums["usd"]),
            "disbursed_vnd": f"{(sums['vnd'] or Decimal(0)):.0f}",
        }
    if kind == Prefill.PROVINCE_NGO_FIGURES and obligation.province_id is not None:
        facts = ReportFact.objects.unscoped().filter(
            period, province_id=obligation.province_id, status__in=OFFICIAL_STATUSES
        )
        sums = facts.aggregate(
            committed=Sum("amount_usd", filter=Q(transaction_type__in=COMMITMENT_TYPES)),
            disbursed=Sum("amount_usd", filter=Q(transaction_type__in=DISBURSEMENT_TYPES)),
            items=Count("aid_item", distinct=True),
            donors=Count("donor", distinct=True),
        )
        ngos = (
            Registration.objects.filter(
                state__in=[RegistrationState.IN_FORCE, RegistrationState.SUSPENDED],
                provinces=obligation.province_id,
                issue_date__lte=obligation.period_end,
                expiry_date__gte=obligation.period_start,
            )
            .values("organisation")
            .distinct()
            .count()
        )
        return {
            "registered_ngos": str(ngos),
            "aid_items": str(sums["items"] or 0),
            "donors": str(sums["donors"] or 0),
            "committed_usd": _amount(sums["committed"]),
            "disbursed_usd": _amount(sums["disbursed"]),
        }
    return {}


# --- what a rule's change would do (its preview) -----------------------------------------------------------------

EFFECT_SAMPLE = 5  # duties shown for each province in a rule change's preview


def _concerned_province(obligation: Obligation) -> int | None:
    """The province a duty concerns, as the overdue board counts it: the one that reports, else the one reviewing;
    None for the centre (an NGO reporting to central officers)."""
    return obligation.province_id or obligation.reviewing_province_id


def effect_summary(changes: Iterable[Any], *, sample: int = EFFECT_SAMPLE) -> dict[str, Any]:
    """The preview of a rule's change as stored with it (JSON): totals by kind of change, and for each province
    concerned its counts and the first `sample` duties (by due date), named by ids that `effect_for_display` reads
    in the reader's language. No query: the changes are
    the dry run's (`services.Change`), with the duties as they would be."""
    kinds = [kind.value for kind in EffectKind]
    totals = dict.fromkeys(kinds, 0)
    groups: dict[int | None, dict[str, Any]] = {}
    ordered = sorted(
        changes, key=lambda change: (change.obligation.due_date, change.obligation.subject_key, change.kind)
    )
    for change in ordered:
        obligation = change.obligation
        province = _concerned_province(obligation)
        group = groups.setdefault(province, {"province": province, **dict.fromkeys(kinds, 0), "sample": []})
        group[change.kind] += 1
        totals[change.kind] += 1
        if len(group["sample"]) < sample:
            group["sample"].append(
                {
                    "change": change.kind,
                    "aid_item": obligation.aid_item_id,
                    "organisation": obligation.organisation_id if obligation.aid_item_id is None else None,
                    "subject_province": obligation.province_id
                    if obligation.subject_key.startswith("province:")
                    else None,
                    "period_start": obligation.period_start.isoformat(),
                    "period_end": obligation.period_end.isoformat(),
                    "due_date": obligation.due_date.isoformat(),
                    "due_before": change.due_before.isoformat() if change.due_before else None,
                    "obligation": str(obligation.public_id) if obligation.pk else None,
                }
            )
    for group in groups.values():
        group["total"] = sum(group[kind] for kind in kinds)
    return {"totals": totals, "total": sum(totals.values()), "provinces": list(groups.values())}


@dataclass(frozen=True)
class EffectRow:
    """A duty of a preview's sample, named for its reader."""

    change: str
    change_label: str
    subject: str
    period_start: date
    period_end: date
    due_date: date
    due_before: date | None
    url: str


@dataclass(frozen=True)
class ProvinceEffect:
    province: AdministrativeUnit | None  # None: the centre
    created: int
    updated: int
    withdrawn: int
    restored: int
    total: int
    sample: list[EffectRow]


def effect_for_display(*, user: Any, result: Mapping[str, Any]) -> list[ProvinceEffect]:
    """A stored preview's provinces with their samples, named in the reader's language: three queries whatever the
    size of the effect (the provinces, the aid items and the organisations named), each through the reader's
    scope — a record they may not read is named by a dash."""
    groups = list(result.get("provinces", []))
    rows = [row for group in groups for row in group.get("sample", [])]
    province_ids = {group["province"] for group in groups} | {row["subject_province"] for row in rows}
    provinces = AdministrativeUnit.objects.in_bulk([pk for pk in province_ids if pk])
    items = dict(
        AidItem.objects.restrict(user, Action.VIEW)
        .filter(pk__in=[row["aid_item"] for row in rows if row["aid_item"]])
        .values_list("pk", "title_vi")
    )
    organisations = (
        Organisation.objects.restrict(user, Action.VIEW)
        .only("name", "name_vi")
        .in_bulk([row["organisation"] for row in rows if row["organisation"]])
    )

    def subject(row: Mapping[str, Any]) -> str:
        if row["aid_item"]:
            return str(items.get(row["aid_item"], "—"))
        if row["organisation"]:
            found = organisations.get(row["organisation"])
            return found.local_name if found else "—"
        unit = provinces.get(row["subject_province"])
        return unit.name if unit else "—"

    def read(row: Mapping[str, Any]) -> EffectRow:
        return EffectRow(
            change=row["change"],
            change_label=str(EffectKind(row["change"]).label),
            subject=subject(row),
            period_start=date.fromisoformat(row["period_start"]),
            period_end=date.fromisoformat(row["period_end"]),
            due_date=date.fromisoformat(row["due_date"]),
            due_before=date.fromisoformat(row["due_before"]) if row["due_before"] else None,
            url=reverse("obligations:detail", kwargs={"public_id": row["obligation"]}) if row["obligation"] else "",
        )

    shown = [
        ProvinceEffect(
            province=provinces.get(group["province"]) if group["province"] else None,
            created=group[EffectKind.CREATED],
            updated=group[EffectKind.UPDATED],
            withdrawn=group[EffectKind.WITHDRAWN],
            restored=group[EffectKind.RESTORED],
            total=group["total"],
            sample=[read(row) for row in group.get("sample", [])],
        )
        for group in groups
    ]
    # The most changes first; provinces with as many in their official order (by code), the centre last.
    return sorted(
        shown, key=lambda found: (found.province is None, -found.total, found.province.code if found.province else "")
    )
