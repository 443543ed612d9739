"""Reminders: at the period's start, half-way and the day before the due date, only to those who have not
submitted, in their language; a weekly overdue digest to the reviewing office; never twice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from amity.obligations import services
from amity.obligations.choices import ObligationState, ReminderKind
from amity.obligations.models import Obligation, Reminder
from amity.obligations.reminders import moment_due, reminders_send
from amity.obligations.tests.factories import of_rule, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_05(users: dict[str, Any], ngo: Any, hai_phong: Any) -> Obligation:
    for name, language in (("ngo_rep", "en"), ("approver", "vi"), ("editor", "ar")):
        users[name].email = f"{name}@example.org"
        users[name].language = language
        users[name].save()
    register(ngo, hai_phong)
    services.obligations_generate(today=date(2026, 1, 5))
    return of_rule("d58-form-05", organisation=ngo, period_start=date(2025, 12, 15))[0]  # due 18 Dec 2026


def test_moments_are_the_start_half_way_and_the_day_before(form_05: Obligation) -> None:
    assert moment_due(form_05, date(2025, 12, 15)) == ReminderKind.PERIOD_START
    assert moment_due(form_05, date(2026, 6, 17)) == ReminderKind.HALFWAY
    assert moment_due(form_05, date(2026, 12, 17)) == ReminderKind.DAY_BEFORE
    assert moment_due(form_05, date(2026, 12, 19)) is None  # overdue: the digest's


def test_running_twice_sends_nothing_twice(form_05: Obligation) -> None:
    sent = reminders_send(today=date(2026, 12, 17))
    assert sent >= 1 and len(mail.outbox) == sent
    assert reminders_send(today=date(2026, 12, 17)) == 0
    assert len(mail.outbox) == sent
    [to_ngo] = [m for m in mail.outbox if m.to == ["ngo_rep@example.org"]]
    assert "due tomorrow" in to_ngo.body  # in the representative's language (English)
    assert Reminder.objects.filter(obligation=form_05, kind=ReminderKind.DAY_BEFORE).count() == 1


def test_no_reminder_once_submitted(form_05: Obligation) -> None:
    Obligation.objects.filter(pk=form_05.pk).update(state=ObligationState.SUBMITTED)
    reminders_send(today=date(2026, 12, 17))
    assert not any(m.to == ["ngo_rep@example.org"] for m in mail.outbox)


def test_weekly_overdue_digest_goes_to_the_reviewing_office_once_a_week(form_05: Obligation) -> None:
    def digests() -> list[Any]:
        keys = set(
            Reminder.objects.filter(kind=ReminderKind.OVERDUE_DIGEST, recipient="approver@example.org").values_list(
                "key", flat=True
            )
        )
        return sorted(keys)

    reminders_send(today=date(2026, 12, 21))  # a Monday: both Form 05 periods are overdue by then
    assert digests() == [f"digest:{form_05.reviewing_province_id}:2026-W52"]
    [digest] = [m for m in mail.outbox if m.to == ["approver@example.org"] and form_05.get_absolute_url() in m.body]
    assert "Stichting Vrienden van Vietnam" in digest.body
    reminders_send(today=date(2026, 12, 23))
    assert len(digests()) == 1
    reminders_send(today=date(2026, 12, 28))  # the next week
    assert len(digests()) == 2


def test_the_command_for_cron_generates_and_sends(form_05: Obligation) -> None:
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Obligation.objects.exists()


def test_a_long_digest_lists_the_oldest_and_sends_to_the_overdue_board_for_the_rest(
    form_05: Obligation, monkeypatch: Any
) -> None:
    from amity.obligations import reminders

    monkeypatch.setattr(reminders, "DIGEST_LISTED", 1)
    reminders_send(today=date(2026, 12, 21))  # both Form 05 periods are overdue by then
    overdue = Obligation.objects.filter(reviewing_province=form_05.reviewing_province, due_date__lt=date(2026, 12, 21))
    assert overdue.count() >= 2
    [digest] = [m for m in mail.outbox if m.to == ["approver@example.org"] and "/duties/overdue/" in m.body]
    assert str(overdue.count()) in digest.subject  # the subject counts them all
    assert sum(duty.get_absolute_url() in digest.body for duty in overdue) == 1  # the oldest listed
    assert overdue.order_by("due_date").first().get_absolute_url() in digest.body
