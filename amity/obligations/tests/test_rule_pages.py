"""Reporting rules edited in the app: the page and the API write through `duty_rules_save`, for central officers
and administrators only; each breach shows on its field; "Check the effect" counts what saving would do to the
duties without saving (in the task worker); the duties follow a saved rule, and generating again changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.obligations import services
from amity.obligations.forms import DutyRuleForm
from amity.obligations.models import DutyRule, Obligation
from amity.obligations.tests.factories import rule

pytestmark = pytest.mark.django_db

PROVINCE_ANNUAL = "d313-province-annual"


def form_data(source: DutyRule | None = None, **changes: Any) -> dict[str, Any]:
    """What the rule form posts for `source` (or a new province rule), with `changes`."""
    if source is None:
        data: dict[str, Any] = {
            "code": "tinh-bao-cao-quy",
            "name_vi": "Báo cáo quý về công tác phi chính phủ nước ngoài",
            "name_en": "Quarterly report on foreign NGO work",
            "legal_basis": "Công văn 12/BNG-UBNV",
            "reporter": "province",
            "period_kind": "half_year",
            "due_months_after": "1",
            "due_day": "10",
            "reviewer": "centre",
            "recipient_vi": "Bộ Ngoại giao",
            "recipient_en": "Ministry of Foreign Affairs",
            "effective_from": "2026-01-01",
        }
    else:
        data = {
            name: ("" if value is None else value)
            for name, value in model_to_dict(source, fields=DutyRuleForm._meta.fields).items()
        }
        data["version"] = source.version
    data.update(changes)
    return data


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_central_officer_creates_a_rule_and_its_duties_are_generated_once(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(users["central"])
    assert client.get(reverse("obligations:rule_add")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("obligations:rule_add"), form_data())
    assert response.status_code == 302
    created = DutyRule.objects.get(code="tinh-bao-cao-quy")
    assert response["Location"] == created.get_absolute_url()
    duties = Obligation.objects.filter(rule=created)
    provinces = duties.values("subject_key").distinct().count()
    assert provinces >= 34 and duties.count() >= provinces  # each province, each half-year begun since 2026
    assert not services.obligations_generate(rule_ids=[created.pk])  # generating again changes nothing
    page = client.get(created.get_absolute_url())
    assert page.status_code == 200 and page.context["may_change"]
    assert page.context["history_entries"] and dict(page.context["duty_counts"])


@pytest.mark.parametrize("name", ["approver", "editor", "viewer", "ngo_rep"])
def test_only_central_officers_and_administrators_open_or_post_the_rule_forms(users: dict[str, Any], name: str) -> None:
    stored = rule(PROVINCE_ANNUAL)
    client = client_for(users[name])
    edit = reverse("obligations:rule_edit", kwargs={"public_id": stored.public_id})
    assert client.get(reverse("obligations:rule_add")).status_code == 403
    assert client.post(reverse("obligations:rule_add"), form_data()).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(stored, name_en="Changed")).status_code == 403
    assert client.post(edit, form_data(stored, name_en="Changed", preview="1")).status_code == 403
    assert not client.get(stored.get_absolute_url()).context["may_change"]
    assert not DutyRule.objects.filter(code="tinh-bao-cao-quy").exists()
    assert rule(PROVINCE_ANNUAL).version == stored.version


def test_a_user_without_a_role_does_not_even_find_the_rule(users: dict[str, Any]) -> None:
    stored = rule(PROVINCE_ANNUAL)
    client = client_for(users["no_role"])
    assert client.post(reverse("obligations:rule_add"), form_data()).status_code == 403
    edit = reverse("obligations:rule_edit", kwargs={"public_id": stored.public_id})
    assert client.post(edit, form_data(stored, name_en="Changed")).status_code == 404


def test_administrator_edits_a_rule_with_history(users: dict[str, Any]) -> None:
    stored = rule(PROVINCE_ANNUAL)
    edit = reverse("obligations:rule_edit", kwargs={"public_id": stored.public_id})
    response = client_for(users["admin"]).post(edit, form_data(stored, note="Đọc lại điều 20"))
    assert response.status_code == 302
    changed = rule(PROVINCE_ANNUAL)
    assert changed.note == "Đọc lại điều 20" and changed.version == stored.version + 1
    assert changed.history.first().history_user == users["admin"]


def test_a_rule_without_a_period_is_refused_on_its_field_and_nothing_is_saved(users: dict[str, Any]) -> None:
    response = client_for(users["central"]).post(
        reverse("obligations:rule_add"), form_data(period_kind="", effective_until="2025-01-01")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "period_kind" in errors
    assert not DutyRule.objects.filter(code="tinh-bao-cao-quy").exists()


def test_a_rule_ending_before_it_begins_is_refused_on_effective_until(users: dict[str, Any]) -> None:
    stored = rule(PROVINCE_ANNUAL)
    edit = reverse("obligations:rule_edit", kwargs={"public_id": stored.public_id})
    response = client_for(users["central"]).post(edit, form_data(stored, effective_until="2020-01-01"))
    assert response.status_code == 400 and "effective_until" in response.context["form"].errors
    assert rule(PROVINCE_ANNUAL).effective_until == stored.effective_until


def test_a_stale_version_is_a_conflict(users: dict[str, Any]) -> None:
    stored = rule(PROVINCE_ANNUAL)
    edit = reverse("obligations:rule_edit", kwargs={"public_id": stored.public_id})
    client = client_for(users["central"])
    assert client.post(edit, form_data(stored, note="first")).status_code == 302
    assert client.post(edit, form_data(stored, note="second")).status_code == 409
    assert rule(PROVINCE_ANNUAL).note == "first"


def test_checking_the_effect_counts_what_saving_does_and_saves_nothing(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    services.obligations_generate()
    stored = rule(PROVINCE_ANNUAL)
    today = timezone.localdate()
    cut = date(today.year, 1, 1)  # the rule ends with the year before: this year's duties are no longer owed
    owed_after = Obligation.objects.filter(rule=stored, period_end__gt=cut).count()
    assert owed_after
    edit = reverse("obligations:rule_edit", kwargs={"public_id": stored.public_id})
    client = client_for(users["central"])
    with django_capture_on_commit_callbacks(execute=True):  # the task worker counts once the request committed
        asked = client.post(edit, form_data(stored, effective_until=cut.isoformat(), preview="1"))
    assert asked.status_code == 200 and asked.context["preview"].status == "queued"
    effect = client.get(asked.context["preview_part_url"]).context["preview"].result["totals"]
    assert (effect["withdrawn"], effect["created"], effect["updated"]) == (owed_after, 0, 0)
    assert rule(PROVINCE_ANNUAL).version == stored.version and rule(PROVINCE_ANNUAL).effective_until is None
    assert Obligation.objects.filter(rule=stored, period_end__gt=cut).count() == owed_after
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, form_data(stored, effective_until=cut.isoformat())).status_code == 302
    assert not Obligation.objects.filter(rule=stored, period_end__gt=cut).exists()
    assert Obligation.all_objects.filter(rule=stored, period_end__gt=cut).count() == owed_after  # withdrawn, kept
    assert not services.obligations_generate()


def test_the_api_creates_and_changes_rules_for_central_officers_only(users: dict[str, Any]) -> None:
    body = form_data(due_day=10, due_months_after=1)
    assert api(users["editor"]).post("/api/v1/obligations/rules/", body, format="json").status_code == 403
    bad = api(users["central"]).post("/api/v1/obligations/rules/", {**body, "period_kind": ""}, format="json")
    assert bad.status_code == 400 and "period_kind" in bad.json()
    created = api(users["central"]).post("/api/v1/obligations/rules/", body, format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/v1/obligations/rules/{created.json()['id']}/"
    assert api(users["editor"]).patch(url, {"note": "x", "version": 1}, format="json").status_code == 403
    assert api(users["central"]).patch(url, {"note": "x"}, format="json").status_code == 428
    changed = api(users["central"]).patch(url, {"note": "x", "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["note"] == "x" and changed.json()["version"] == 2
    assert api(users["central"]).patch(url, {"note": "y", "version": 1}, format="json").status_code == 409
