"""Reads on organisations and registrations: the status of a licence on a day, and the licence watch lists of
Decree 58/2022."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, Q, QuerySet, Value, When

from amity.core.search import best_matches
from amity.core.services import chunks

from . import activity
from .choices import OrganisationKind, RegistrationState, RegistrationStatus
from .models import EXPIRING_DAYS, EXTENSION_DAYS, Organisation, Registration

INACTIVITY_MONTHS = 12  # Art. 19: no activity for 12 consecutive months is a ground for revocation
INACTIVITY_DAYS = 365


def registration_valid_on_q(day: date) -> Q:
    """The registrations valid on `day`: the database form of `Registration.is_valid_on`."""
    return Q(state=RegistrationState.IN_FORCE, issue_date__lte=day, expiry_date__gte=day)


def registration_status_q(status: str, *, today: date) -> Q:
    """The rows whose status on `today` is `status`; the database form of `Registration.status_on`."""
    in_force = Q(state=RegistrationState.IN_FORCE)
    horizon = today + timedelta(days=EXPIRING_DAYS)
    if status == RegistrationStatus.VALID:
        return in_force & Q(expiry_date__gt=horizon)
    if status == RegistrationStatus.EXPIRING:
        return in_force & Q(expiry_date__gte=today, expiry_date__lte=horizon)
    if status == RegistrationStatus.EXPIRED:
        return in_force & Q(expiry_date__lt=today)
    if status in RegistrationState.values:  # suspended, revoked, terminated
        return Q(state=status)
    return Q(pk__in=[])


def registrations_with_status(queryset: QuerySet[Registration], *, today: date) -> QuerySet[Registration]:
    """Annotate `computed_status` (the status on `today`), so that lists can show and sort by it."""
    return queryset.annotate(
        computed_status=Case(
            *(
                When(registration_status_q(status, today=today), then=Value(status.value))
                for status in RegistrationStatus
            ),
            default=Value(""),
            output_field=CharField(),
        )
    )


def registrations_of_organisation(*, user: Any, organisation: Organisation, today: date) -> QuerySet[Registration]:
    """The registrations of one organisation that the user may see, newest first (one query)."""
    queryset = Registration.objects.restrict(user, "view").filter(organisation=organisation)
    return registrations_with_status(queryset, today=today).order_by("-issue_date", "-pk")


def registrations_in_force(user: Any) -> QuerySet[Registration]:
    return Registration.objects.restrict(user, "view").filter(state=RegistrationState.IN_FORCE)


def registrations_expiring(*, user: Any, today: date) -> QuerySet[Registration]:
    """In force and expiring within 90 days (soonest first)."""
    return (
        registrations_in_force(user)
        .filter(expiry_date__gte=today, expiry_date__lte=today + timedelta(days=EXPIRING_DAYS))
        .select_related("organisation")
        .order_by("expiry_date", "pk")
    )


def registrations_extension_overdue(*, user: Any, today: date) -> QuerySet[Registration]:
    """In force with less than 60 days left: the extension should already have been filed."""
    return registrations_expiring(user=user, today=today).filter(expiry_date__lt=today + timedelta(days=EXTENSION_DAYS))


def organisations_with_last_activity(user: Any) -> QuerySet[Organisation]:
    """Organisations annotated with the date of their latest aid activity (`activity.latest_activity`)."""
    return Organisation.objects.restrict(user, "view").annotate(last_activity=activity.latest_activity())


def organisations_inactive(*, user: Any, today: date) -> QuerySet[Organisation]:
    """Foreign NGOs holding a licence in force, registered for at least 12 months, with no recorded activity in
    the last 12 months. An NGO licensed only recently has not yet had twelve months to be active."""
    since = today - timedelta(days=INACTIVITY_DAYS)
    registered_now = Registration.objects.filter(state=RegistrationState.IN_FORCE, expiry_date__gte=today)
    registered_since = Registration.objects.filter(issue_date__lte=since)
    return (
        organisations_with_last_activity(user)
        .filter(
            kind__in=[OrganisationKind.FOREIGN_NGO, OrganisationKind.FOUNDATION],
            pk__in=registered_now.values("organisation"),
        )
        .filter(pk__in=registered_since.values("organisation"))
        .filter(Q(last_activity__isnull=True) | Q(last_activity__lt=since))
        .order_by("name")
    )


def registration_spans(organisation_ids: Iterable[int] | None = None) -> dict[int, list[tuple[date, date]]]:
    """Each organisation's registrations as (issue, expiry) dates — what the licence rule
    (`amity.aid.rules.registered_on`) reads — for these organisations (None: all), one query per chunk."""
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    rows = Registration.objects.values_list("organisation_id", "issue_date", "expiry_date")
    batches = (
        [rows] if organisation_ids is None else [rows.filter(organisation_id__in=c) for c in chunks(organisation_ids)]
    )
    for batch in batches:
        for organisation_id, start, end in batch:
            spans[organisation_id].append((start, end))
    return spans


def organisations_matching(
    organisations: QuerySet[Organisation], query: str, *, limit: int = 20
) -> tuple[list[Organisation], int]:
    """The `limit` organisations of `organisations` (already restricted to what the user may see) whose name,
    Vietnamese name or acronym best matches `query`, with or without diacritics (`amity.core.search`), and how
    many match in all. Two queries: the names, then the organisations chosen."""
    if not query.strip():
        return [], 0
    names = organisations.values_list("pk", "name", "name_vi", "acronym")
    chosen, total = best_matches(
        query, ((pk, (name, name_vi, acronym)) for pk, name, name_vi, acronym in names), limit=limit
    )
    found = organisations.order_by().in_bulk(chosen) if chosen else {}
    return [found[pk] for pk in chosen], total
