"""Reminders of reporting duties by e-mail (Django's e-mail: the console unless SMTP is configured): to the
reporters of a duty still owed when its period begins, half-way to the due date and the day before it; to each
reviewing office, a weekly digest of the duties overdue to it. Every e-mail is recorded (`Reminder`, unique by
what it is about and to whom) before it is sent, in the same transaction, so running this twice — the task and
cron, or two workers — sends nothing twice, and an e-mail that could not be sent is tried again next time."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from amity.accounts.choices import Role
from amity.accounts.models import User

from .choices import OPEN_STATES, ReminderKind
from .models import Obligation, Reminder
from .selectors import late_q

logger = logging.getLogger("amity.obligations.reminders")

REPORTING_STAFF = (Role.PROVINCIAL_EDITOR, Role.PROVINCIAL_APPROVER)
REVIEWING_STAFF = (Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_EDITOR)
# A digest lists the oldest overdue duties and sends to the overdue board for the rest: the centre's may count
# thousands, which no one reads in an e-mail.
DIGEST_LISTED = 50


def moment_due(obligation: Obligation, today: date) -> ReminderKind | None:
    """The latest reminder moment reached on `today` (none once the due date has passed: the digest takes over).
    Only the latest: a run missed for a week sends one reminder, not three."""
    if today > obligation.due_date or today < obligation.period_start:
        return None
    if today >= obligation.due_date - timedelta(days=1):
        return ReminderKind.DAY_BEFORE
    if today >= obligation.period_start + (obligation.due_date - obligation.period_start) / 2:
        return ReminderKind.HALFWAY
    return ReminderKind.PERIOD_START


@dataclass(frozen=True)
class Mail:
    kind: str
    key: str
    user: User
    obligations: Sequence[Obligation]


def _active_with_email() -> Q:
    return Q(is_active=True) & ~Q(email="")


class Recipients:
    """Who is told, read once per run: an organisation's representatives, a province's staff, central officers."""

    def __init__(self) -> None:
        self.by_organisation: dict[int, list[User]] = defaultdict(list)
        self.by_province: dict[tuple[int, str], list[User]] = defaultdict(list)
        self.central: list[User] = []
        users = User.objects.filter(_active_with_email()).prefetch_related("jurisdictions")
        for user in users:
            if user.role == Role.NGO_REPRESENTATIVE and user.organisation_id:
                self.by_organisation[user.organisation_id].append(user)
            elif user.role == Role.CENTRAL_OFFICER:
                self.central.append(user)
            elif user.role in REPORTING_STAFF:
                for unit in user.jurisdictions.all():
                    self.by_province[(unit.pk, user.role)].append(user)

    def province_staff(self, province_id: int, roles: Iterable[str]) -> list[User]:
        return [user for role in roles for user in self.by_province.get((province_id, role), [])]

    def reporters(self, obligation: Obligation) -> list[User]:
        """An organisation's representatives; else the province that reports or submits for the aid owner; else
        central officers (nationwide aid kept by the centre)."""
        if obligation.organisation_id and self.by_organisation.get(obligation.organisation_id):
            return self.by_organisation[obligation.organisation_id]
        if obligation.province_id:
            return self.province_staff(obligation.province_id, REPORTING_STAFF)
        return self.central

    def reviewers(self, province_id: int | None) -> list[User]:
        return self.province_staff(province_id, REVIEWING_STAFF) if province_id else self.central


def reminders_due(*, today: date) -> list[Mail]:
    """The e-mails owed on `today` and not yet sent: a fixed number of queries."""
    recipients = Recipients()
    mails: list[Mail] = []
    owed = (
        Obligation.objects.filter(state__in=OPEN_STATES, period_start__lte=today, due_date__gte=today)
        .select_related("rule", "aid_item", "organisation", "province")
        .order_by("due_date", "pk")
    )
    for obligation in owed:
        kind = moment_due(obligation, today)
        if kind is None:
            continue
        key = f"obligation:{obligation.pk}:{kind}"
        mails += [Mail(kind, key, user, [obligation]) for user in recipients.reporters(obligation)]
    overdue = (
        Obligation.objects.filter(late_q(today=today))
        .select_related("rule", "aid_item", "organisation", "province")
        .order_by("due_date", "pk")
    )
    by_office: dict[int | None, list[Obligation]] = defaultdict(list)
    for obligation in overdue:
        by_office[obligation.reviewing_province_id].append(obligation)
    year, week, _day = today.isocalendar()
    for office, obligations in by_office.items():
        key = f"digest:{office or 'centre'}:{year}-W{week:02}"
        mails += [Mail(ReminderKind.OVERDUE_DIGEST, key, user, obligations) for user in recipients.reviewers(office)]
    sent = (
        set(Reminder.objects.filter(key__in={mail.key for mail in mails}).values_list("key", "recipient"))
        if mails
        else set()
    )
    return [mail for mail in mails if (mail.key, mail.user.email) not in sent]


def _message(mail: Mail, connection: BaseEmailBackend) -> EmailMessage:
    with translation.override(mail.user.language or settings.LANGUAGE_CODE):
        listed = mail.obligations[:DIGEST_LISTED]
        context = {
            "mail": mail,
            "user": mail.user,
            "obligations": listed,
            "more": len(mail.obligations) - len(listed),
            "base_url": settings.AMITY_BASE_URL.rstrip("/"),
            "overdue_url": reverse("obligations:overdue"),
            "kind": ReminderKind(mail.kind),
        }
        subject = render_to_string("obligations/email/subject.txt", context).strip()
        body = render_to_string("obligations/email/reminder.txt", context)
    return EmailMessage(subject, body, to=[mail.user.email], connection=connection)


def reminders_send(*, today: date | None = None) -> int:
    """Send the reminders owed today; returns how many e-mails were sent."""
    today = today or timezone.localdate()
    count = 0
    connection = get_connection()
    for mail in reminders_due(today=today):
        message = _message(mail, connection)
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    kind=mail.kind,
                    key=mail.key,
                    recipient=mail.user.email,
                    obligation=mail.obligations[0] if mail.kind != ReminderKind.OVERDUE_DIGEST else None,
                )
                message.send()
        except IntegrityError:
            continue  # another run sent it meanwhile
        except OSError:
            logger.exception(
                "Could not send the reminder %s to %s; it is tried again next time", mail.key, mail.user.email
            )
            continue
        count += 1
    return count


__all__ = ["moment_due", "reminders_due", "reminders_send"]
