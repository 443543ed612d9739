"""Obligations generated from the rules: for each aid item, province and registered NGO, never twice, following
the rules and the records, with the 2025 change of decree."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from amity.aid import services as aid_services
from amity.aid.tests.factories import make_aid_item
from amity.obligations import services
from amity.obligations.choices import ObligationState
from amity.obligations.models import Obligation
from amity.obligations.receivers import NgoDutiesGeneration
from amity.obligations.tests.factories import of_rule, register, rule
from amity.organisations import services as organisation_services
from amity.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def approved_item(users: dict[str, Any], hai_phong: Any, *, started: date, ngo: Any = None) -> Any:
    item = make_aid_item(users["editor"], owning_province=hai_phong, aid_owner=ngo)
    aid_services.aid_item_submit_for_appraisal(aid_item=item, user=users["editor"], received_on=date(2024, 1, 2))
    aid_services.aid_item_approve(
        aid_item=item,
        user=users["approver"],
        decision_number="12/QĐ-UBND",
        decision_date=date(2024, 1, 20),
        authority="UBND",
    )
    return aid_services.aid_item_start(aid_item=item, user=users["editor"], started_on=started)


def test_aid_owner_duties_follow_decree_80_then_decree_313(users: dict[str, Any], hai_phong: Any) -> None:
    item = approved_item(users, hai_phong, started=date(2024, 2, 1))
    services.obligations_generate(today=date(2026, 3, 1))
    annual_80 = of_rule("d80-aid-owner-annual", aid_item=item)
    annual_313 = of_rule("d313-aid-owner-annual", aid_item=item)
    # AMITY_OBLIGATIONS_START is 2025-01-01: the year 2025 ends after 8 Dec 2025, so Decree 313/2025 governs it.
    assert annual_80 == []
    assert [(o.period_start, o.due_date) for o in annual_313] == [
        (date(2025, 1, 1), date(2026, 1, 10)),
        (date(2026, 1, 1), date(2027, 1, 10)),
    ]
    half_80 = of_rule("d80-aid-owner-half-year", aid_item=item)
    assert [(o.period_end, o.due_date) for o in half_80] == [(date(2025, 6, 30), date(2025, 7, 15))]
    # The first half of 2026, running on 1 March 2026 (upcoming), under Decree 313/2025.
    [half_313] = of_rule("d313-aid-owner-half-year", aid_item=item)
    assert (half_313.period_start, half_313.due_date) == (date(2026, 1, 1), date(2026, 7, 15))
    assert half_80[0].province == hai_phong and half_80[0].reviewing_province == hai_phong


def test_generating_twice_creates_nothing_twice(users: dict[str, Any], hai_phong: Any) -> None:
    approved_item(users, hai_phong, started=date(2024, 2, 1))
    first = services.obligations_generate(today=date(2026, 3, 1))
    count = Obligation.objects.count()
    second = services.obligations_generate(today=date(2026, 3, 1))
    assert first.created == count > 0
    assert not second and Obligation.objects.count() == count


def test_every_province_owes_form_04_each_ngo_year(hai_phong: Any) -> None:
    services.obligations_generate(today=date(2026, 1, 5))
    form_04 = of_rule("d58-form-04", province=hai_phong)
    assert [(o.period_start, o.period_end, o.due_date) for o in form_04] == [
        (date(2024, 12, 15), date(2025, 12, 14), date(2025, 12, 18)),
        (date(2025, 12, 15), date(2026, 12, 14), date(2026, 12, 18)),
    ]
    assert form_04[0].reviewing_province is None  # to the centre


def test_a_registered_ngo_owes_form_05_to_each_province_it_covers(ngo: Any, hai_phong: Any, son_la: Any) -> None:
    register(ngo, hai_phong, son_la)
    services.obligations_generate(today=date(2026, 1, 5))
    form_05 = of_rule("d58-form-05", organisation=ngo)
    assert {(o.reviewing_province, o.period_start) for o in form_05} == {
        (p, start) for p in (hai_phong, son_la) for start in (date(2024, 12, 15), date(2025, 12, 15))
    }


def test_a_changed_rule_moves_the_due_dates_of_open_duties_and_keeps_accepted_ones(ngo: Any, hai_phong: Any) -> None:
    register(ngo, hai_phong)
    services.obligations_generate(today=date(2026, 1, 5))
    [old, current] = of_rule("d58-form-05", organisation=ngo)
    Obligation.objects.filter(pk=old.pk).update(state=ObligationState.ACCEPTED)
    form_05 = rule("d58-form-05")
    form_05.due_day = 20
    form_05.save()
    result = services.obligations_generate(today=date(2026, 1, 5))
    old.refresh_from_db()
    current.refresh_from_db()
    assert result.updated == 1
    assert old.due_date == date(2025, 12, 18) and current.due_date == date(2026, 12, 20)
    assert current.history.first().history_change_reason == services.REGENERATED


def test_cancelled_aid_withdraws_its_open_duties_and_they_come_back(users: dict[str, Any], hai_phong: Any) -> None:
    item = approved_item(users, hai_phong, started=date(2024, 2, 1))
    services.obligations_generate(today=date(2026, 3, 1))
    owed = Obligation.objects.filter(aid_item=item).count()
    aid_services.aid_item_cancel(aid_item=item, user=users["editor"], reason="Nhà tài trợ rút")
    result = services.obligations_generate(today=date(2026, 3, 1), aid_item_ids=[item.pk])
    assert result.withdrawn == owed and not Obligation.objects.filter(aid_item=item).exists()
    assert Obligation.all_objects.filter(aid_item=item).count() == owed  # soft deleted, with history


def test_completion_report_is_due_within_six_months_of_the_actual_end(users: dict[str, Any], hai_phong: Any) -> None:
    item = approved_item(users, hai_phong, started=date(2024, 2, 1))
    aid_services.aid_item_complete(aid_item=item, user=users["editor"], ended_on=date(2026, 8, 31))
    services.obligations_generate(today=date(2026, 9, 1))
    [completion] = of_rule("d313-aid-owner-completion", aid_item=item)
    assert (completion.period_end, completion.due_date) == (date(2026, 8, 31), date(2027, 2, 28))


def test_an_aid_write_regenerates_its_duties_once_committed(
    users: dict[str, Any], hai_phong: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        item = approved_item(users, hai_phong, started=timezone.localdate().replace(month=1, day=1))
    assert Obligation.objects.filter(aid_item=item).exists()


def test_a_registration_written_through_its_services_brings_the_ngos_duties_once_committed(
    users: dict[str, Any], ngo: Any, hai_phong: Any, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    data = {
        "organisation": ngo,
        "kind": "operation",
        "number": "09/BNG-GĐK",
        "issue_date": date(today.year - 1, 1, 10),
        "expiry_date": date(today.year + 1, 1, 9),
        "provinces": [hai_phong],
    }
    with django_capture_on_commit_callbacks(execute=True):
        registration = organisation_services.registration_create(user=users["central"], data=data)
    owed = Obligation.objects.filter(rule__code="d58-form-05", organisation=ngo, reviewing_province=hai_phong)
    assert owed.exists()  # not waiting for the daily run
    with django_capture_on_commit_callbacks(execute=True):
        organisation_services.registration_record_decision(
            registration=registration, user=users["central"], kind="revoked", on=today
        )
    # The revoked registration calls for nothing any more: its open duties are withdrawn at once (kept, with history).
    assert not owed.exists()
    assert Obligation.all_objects.filter(rule__code="d58-form-05", organisation=ngo).exists()


def test_many_registrations_in_one_transaction_queue_one_generation(
    users: dict[str, Any], hai_phong: Any, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            organisation_services.registration_create(
                user=users["central"],
                data={
                    "organisation": Organisation.objects.create(name=f"NGO {n}", kind="foreign_ngo"),
                    "kind": "operation",
                    "number": f"1{n}/BNG-GĐK",
                    "issue_date": date(today.year - 1, 1, 10),
                    "expiry_date": date(today.year + 1, 1, 9),
                    "provinces": [hai_phong],
                },
            )
    assert sum(isinstance(callback, NgoDutiesGeneration) for callback in callbacks) == 1
