"""The preview of a rule's change counted by the task worker: the form is checked at once (errors on their fields, a
conflict), the page says "counting" and polls (htmx; without JavaScript the preview's own page reloads itself),
then shows the counts and, by province, the counts and a sample; only the asker reads it; a worker that died is
told; a fixed number of queries however many duties; old previews are removed by the daily run."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from amity.conftest import client_for
from amity.obligations import selectors, services
from amity.obligations.choices import EffectKind, PreviewStatus
from amity.obligations.models import DutyRule, Obligation, RulePreview
from amity.obligations.tests.factories import register, rule
from amity.obligations.tests.test_rule_pages import form_data
from amity.organisations.models import Organisation

pytestmark = pytest.mark.django_db

PROVINCE_ANNUAL = "d313-province-annual"
FORM_05 = "d58-form-05"


def _in_english(preview: RulePreview) -> str:
    with translation.override("en"):
        return str(preview.error_text())


def _edit_url(stored: DutyRule) -> str:
    return reverse("obligations:rule_edit", kwargs={"public_id": stored.public_id})


def _ask(client: Any, stored: DutyRule, capture: Any, **changes: Any) -> Any:
    """Post "Check the effect"; the task worker counts once the request has committed."""
    with capture(execute=True):
        return client.post(_edit_url(stored), form_data(stored, preview="1", **changes))


def test_the_form_says_counting_then_shows_the_counts_by_province_with_a_sample(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    services.obligations_generate()
    stored = rule(PROVINCE_ANNUAL)
    owed = Obligation.objects.filter(rule=stored)
    per_province = owed.filter(province__code="31").count()
    assert per_province and owed.count() > per_province
    client = client_for(users["central"])
    asked = _ask(client, stored, django_capture_on_commit_callbacks, due_day="20", note="Hạn mới")
    assert asked.status_code == 200
    page = asked.content.decode()
    preview = asked.context["preview"]
    assert preview.status == PreviewStatus.QUEUED and preview.created_by == users["central"]
    assert f'hx-get="{asked.context["preview_part_url"]}"' in page and 'hx-trigger="every 1s"' in page
    assert preview.get_absolute_url() in page  # the link for a browser without JavaScript
    assert 'name="note"' in page and "Hạn mới" in page  # the user's input stays in the form

    part = client.get(asked.context["preview_part_url"])
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.DONE
    assert preview.result["totals"] == {"created": 0, "updated": owed.count(), "withdrawn": 0, "restored": 0}
    assert "hx-get" not in part.content.decode()  # counted: the polling stops
    provinces = part.context["preview_provinces"]
    hai_phong = next(group for group in provinces if group.province and group.province.code == "31")
    assert (hai_phong.updated, hai_phong.created, hai_phong.total) == (per_province, 0, per_province)
    assert sum(group.total for group in provinces) == owed.count()
    [first, *_rest] = hai_phong.sample
    duty = owed.filter(province__code="31").order_by("due_date").first()
    assert first.change == EffectKind.UPDATED and first.subject == duty.province.name
    assert (first.due_before, first.due_date) == (duty.due_date, duty.due_date.replace(day=20))
    assert first.url == duty.get_absolute_url()
    # Nothing was saved: neither the rule nor its duties.
    assert rule(PROVINCE_ANNUAL).version == stored.version and rule(PROVINCE_ANNUAL).due_day == stored.due_day
    assert set(owed.values_list("due_date", flat=True)) == {duty.due_date for duty in owed}
    assert not owed.filter(due_date__day=20).exists()


def test_the_preview_page_reloads_itself_without_javascript_until_counted(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    stored = rule(FORM_05)
    client = client_for(users["central"])
    asked = client.post(_edit_url(stored), form_data(stored, preview="1", due_day="10"))  # not counted yet
    preview = asked.context["preview"]
    waiting = client.get(preview.get_absolute_url())
    html = waiting.content.decode()
    assert waiting.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert f'href="{preview.get_absolute_url()}"' in html  # and a link that does the same
    services.rule_preview_execute(preview=preview)
    counted = client.get(preview.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in counted and "hx-get" not in counted
    assert 'id="rule-effect"' in counted and "alert-secondary" in counted  # the counts


def test_a_new_rules_preview_counts_the_duties_it_would_create(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(users["central"])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("obligations:rule_add"), form_data(preview="1", effective_from="2025-01-01"))
    assert asked.status_code == 200
    preview = RulePreview.objects.get(pk=asked.context["preview"].pk)
    assert preview.rule is None and preview.status == PreviewStatus.DONE
    totals = preview.result["totals"]
    assert totals["created"] >= 34 and totals["updated"] == totals["withdrawn"] == 0  # each province, each half
    assert not DutyRule.objects.filter(code="tinh-bao-cao-quy").exists()
    page = client.get(preview.get_absolute_url())
    assert page.status_code == 200 and all(not row.url for g in page.context["preview_provinces"] for row in g.sample)


def test_a_change_that_would_be_refused_is_refused_at_once_and_nothing_is_counted(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    stored = rule(PROVINCE_ANNUAL)
    client = client_for(users["central"])
    no_period = _ask(client, stored, django_capture_on_commit_callbacks, period_kind="")
    assert no_period.status_code == 400 and "period_kind" in no_period.context["form"].errors
    assert client.post(_edit_url(stored), form_data(stored, note="saved first")).status_code == 302
    stale = _ask(client, stored, django_capture_on_commit_callbacks, note="from an old page")
    assert stale.status_code == 409 and stale.context["conflict"]
    assert not RulePreview.objects.exists()
    # Whoever may not change rules may not ask what a change would do.
    assert client_for(users["approver"]).post(_edit_url(stored), form_data(stored, preview="1")).status_code == 403
    assert not RulePreview.objects.exists()


def test_a_change_saved_by_someone_else_before_the_count_fails_with_the_reason(users: dict[str, Any]) -> None:
    stored = rule(PROVINCE_ANNUAL)
    preview = services.rule_preview_request(
        user=users["central"],
        row=services.RuleChange({"due_day": 20}, pk=stored.pk, expected_version=stored.version),
    )
    services.duty_rules_save(
        user=users["admin"],
        rows=[services.RuleChange({"note": "x"}, pk=stored.pk, expected_version=stored.version)],
    )
    services.rule_preview_execute(preview=preview)
    assert preview.status == PreviewStatus.FAILED and "Someone else changed this rule" in _in_english(preview)
    page = client_for(users["central"]).get(preview.get_absolute_url())
    assert page.status_code == 200 and "alert-danger" in page.content.decode()


def test_only_the_asker_reads_a_preview(users: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    stored = rule(FORM_05)
    asked = _ask(client_for(users["central"]), stored, django_capture_on_commit_callbacks, due_day="10")
    preview = asked.context["preview"]
    for name in ("editor", "approver", "ngo_rep", "no_role"):
        client = client_for(users[name])
        assert client.get(preview.get_absolute_url()).status_code == 404
        assert client.get(asked.context["preview_part_url"]).status_code == 404
    assert client_for(users["admin"]).get(preview.get_absolute_url()).status_code == 200
    anonymous = client_for(users["central"])
    anonymous.logout()
    assert anonymous.get(preview.get_absolute_url()).status_code == 302


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc (Linux)")
def test_a_preview_whose_worker_died_is_marked_failed_by_its_page(users: dict[str, Any]) -> None:
    stored = rule(FORM_05)
    preview = services.rule_preview_request(
        user=users["central"], row=services.RuleChange({"due_day": 10}, pk=stored.pk, expected_version=stored.version)
    )
    RulePreview.objects.filter(pk=preview.pk).update(
        status=PreviewStatus.RUNNING, worker={"host": socket.gethostname(), "pid": _dead_pid(), "started": ""}
    )
    page = client_for(users["central"]).get(preview.get_absolute_url())
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.FAILED and preview.finished_at is not None
    assert "interrupted" in _in_english(preview) and "hx-get" not in page.content.decode()
    # A worker on another host is never taken for dead.
    RulePreview.objects.filter(pk=preview.pk).update(
        status=PreviewStatus.RUNNING, worker={"host": "another-host", "pid": 1, "started": ""}
    )
    client_for(users["central"]).get(preview.get_absolute_url())
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.RUNNING


def test_counting_a_preview_runs_a_fixed_number_of_queries_however_many_duties(
    users: dict[str, Any], hai_phong: Any, son_la: Any, django_assert_max_num_queries: Any
) -> None:
    """The count (the rule written and rolled back, the dry run's comparison, the summary) and the display of its
    provinces and samples: as many queries for one NGO as for six with two provinces each."""
    stored = rule(FORM_05)
    today = timezone.localdate()
    start = date(today.year - 1, 1, 10)

    def count_and_show() -> Any:
        preview = services.rule_preview_request(
            user=users["central"], row=services.RuleChange({"due_day": 10}, pk=stored.pk, expected_version=1)
        )
        services.rule_preview_execute(preview=preview)
        return selectors.effect_for_display(user=users["central"], result=preview.result)

    first = Organisation.objects.create(name="NGO 0", kind="foreign_ngo")
    register(first, hai_phong, issued=start, expires=start + timedelta(days=1000))
    services.obligations_generate()
    with django_assert_max_num_queries(60) as few:
        shown = count_and_show()
    assert shown and sum(group.updated for group in shown) == Obligation.objects.filter(rule=stored).count()
    for n in range(1, 6):
        ngo = Organisation.objects.create(name=f"NGO {n}", kind="foreign_ngo")
        register(ngo, hai_phong, son_la, issued=start, expires=start + timedelta(days=1000), number=f"0{n}/BNG")
    services.obligations_generate()
    assert Obligation.objects.filter(rule=stored).count() >= 11
    with django_assert_max_num_queries(len(few.captured_queries)):
        shown = count_and_show()
    assert {group.province for group in shown} == {hai_phong, son_la}


def test_the_summary_of_a_dry_run_asks_the_database_nothing(
    users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    services.obligations_generate()
    stored = rule(PROVINCE_ANNUAL)
    # A dry run inside a rolled-back trial write, as the preview makes it.
    with pytest.raises(ValueError), transaction.atomic():
        services.duty_rules_save(
            user=users["central"],
            rows=[services.RuleChange({"due_day": 20}, pk=stored.pk, expected_version=stored.version)],
        )
        effect = services.obligations_generate(rule_ids=[stored.pk], dry_run=True)
        raise ValueError
    with django_assert_num_queries(0):
        summary = selectors.effect_summary(effect.changes)
    assert summary["totals"]["updated"] == effect.updated == summary["total"] > 0
    assert all(len(group["sample"]) <= selectors.EFFECT_SAMPLE for group in summary["provinces"])


def test_previews_older_than_a_week_are_removed_by_the_daily_run(users: dict[str, Any]) -> None:
    stored = rule(FORM_05)
    old, recent = (
        services.rule_preview_request(
            user=users["central"], row=services.RuleChange({}, pk=stored.pk, expected_version=stored.version)
        )
        for _ in range(2)
    )
    RulePreview.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert services.rule_previews_purge() == 1
    assert list(RulePreview.objects.all()) == [recent]


def test_a_fault_while_counting_ends_the_wait_with_a_message(users: dict[str, Any], monkeypatch: Any) -> None:
    stored = rule(FORM_05)
    preview = services.rule_preview_request(
        user=users["central"], row=services.RuleChange({"due_day": 10}, pk=stored.pk, expected_version=stored.version)
    )

    def broken(changes: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "effect_summary", broken)
    with pytest.raises(RuntimeError):
        services.rule_preview_execute(preview=preview)
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.FAILED and "The count failed" in _in_english(preview)
