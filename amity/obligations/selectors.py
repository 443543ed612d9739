"""Reads on reporting duties: where each stands on a day, what a user must submit, what an office must review,
the overdue boards, and the figures Amity fills in for the standard forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from amity.aid.choices import COMMITMENT_TYPES, DISBURSEMENT_TYPES, OFFICIAL_STATUSES
from amity.core.scoping import Action
from amity.organisations.choices import RegistrationState
from amity.organisations.models import Registration
from amity.reference.models import AdministrativeUnit
from amity.reports.models import ReportFact

from .choices import OPEN_STATES, ObligationState, ObligationStatus, Prefill
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


def overdue_board(*, user: Any, today: date) -> list[BoardRow]:
    """Overdue duties the user may see, counted by the province concerned (the one that reports or reviews),
    the province with the oldest overdue duty first: two queries whatever the number of duties."""
    overdue = Obligation.objects.restrict(user, Action.VIEW).filter(status_q(ObligationStatus.OVERDUE, today=today))
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
    overdue = Obligation.objects.restrict(user, Action.VIEW).filter(status_q(ObligationStatus.OVERDUE, today=today))
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
