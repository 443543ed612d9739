"""The audit log: sign-ins, failures and lockouts, changes of a user's role and provinces, with who, when and from
where; a page for administrators only, filterable; kept for AMITY_AUDIT_RETENTION_DAYS."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from amity.accounts.choices import Role
from amity.audit.models import AuditEvent
from amity.conftest import PASSWORD, client_for, make_user
from amity.core import audit
from amity.core.audit import AuditKind

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def _events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("at", "id"))


def test_sign_in_failure_lockout_and_sign_out_are_recorded_with_address_and_browser() -> None:
    viewer = make_user("viewer", Role.PROVINCIAL_VIEWER)
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER)
    client.post("/accounts/login/", {"username": viewer.username, "password": "wrong-password"})
    [failed] = _events(AuditKind.SIGN_IN_FAILED)
    assert (failed.username, failed.actor, failed.ip_address, failed.user_agent) == (
        viewer.username,
        None,
        "203.0.113.7",
        BROWSER,
    )
    client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    [signed_in] = _events(AuditKind.SIGN_IN)
    assert (signed_in.actor, signed_in.username, signed_in.ip_address) == (viewer, viewer.username, "203.0.113.7")
    client.post("/accounts/logout/")
    assert _events(AuditKind.SIGN_OUT)[0].actor == viewer

    for _ in range(5):
        client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    locked = _events(AuditKind.LOCKED_OUT)
    assert locked and locked[0].username == "nobody" and locked[0].ip_address == "203.0.113.7"


def test_the_address_behind_a_proxy_is_taken_only_when_the_proxy_is_declared(settings: Any) -> None:
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 192.0.2.1")
    client.post("/accounts/login/", {"username": "someone", "password": "wrong-password"})
    settings.AMITY_PROXY_COUNT = 1
    client.post("/accounts/login/", {"username": "someone", "password": "wrong-password"})
    assert [event.ip_address for event in _events(AuditKind.SIGN_IN_FAILED)] == ["10.0.0.1", "192.0.2.1"]


def test_role_and_province_changes_in_the_admin_are_recorded_with_the_administrator(
    users: dict[str, Any], hai_phong: Any, son_la: Any
) -> None:
    admin = users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    editor = users["editor"]
    AuditEvent.objects.all().delete()
    client = client_for(admin)
    page = client.get(f"/admin/accounts/user/{editor.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(role=Role.PROVINCIAL_APPROVER, jurisdictions=[son_la.pk], groups=[], user_permissions=[])
    data = {k: v for k, v in data.items() if k not in {"password", "last_login", "date_joined"}}
    data.update({"date_joined_0": "2026-01-01", "date_joined_1": "08:00:00"})
    response = client.post(
        f"/admin/accounts/user/{editor.pk}/change/", data, REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT=BROWSER
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    changes = _events(AuditKind.USER_CHANGED)
    assert {event.actor for event in changes} == {admin}
    assert {event.subject for event in changes} == {editor}
    assert {event.ip_address for event in changes} == {"192.0.2.44"}
    details = [event.details for event in changes]
    assert {"changes": {"role": ["provincial_editor", "provincial_approver"]}, "created": False} in details
    assert {"jurisdictions": {"removed": ["31"]}} in details
    assert {"jurisdictions": {"added": ["14"]}} in details


def test_a_sign_in_does_not_record_a_user_change(users: dict[str, Any]) -> None:
    AuditEvent.objects.all().delete()
    client = Client()
    client.post("/accounts/login/", {"username": users["viewer"].username, "password": PASSWORD})
    assert [event.kind for event in AuditEvent.objects.all()] == [AuditKind.SIGN_IN]


def test_the_log_page_is_for_administrators_only(users: dict[str, Any]) -> None:
    assert client_for(users["admin"]).get("/audit/").status_code == 200
    for role in ("central", "approver", "editor", "viewer", "ngo_rep", "no_role"):
        assert client_for(users[role]).get("/audit/").status_code == 403, role
    assert Client().get("/audit/").status_code == 302


def test_the_log_page_filters_by_event_user_and_date(users: dict[str, Any]) -> None:
    AuditEvent.objects.all().delete()
    viewer = users["viewer"]
    audit.record(AuditKind.SIGN_IN, actor=viewer)
    audit.record(AuditKind.SIGN_IN_FAILED, username="mallory")
    old = AuditEvent.objects.create(kind=AuditKind.SIGN_IN, actor=viewer, username=viewer.username)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    client = client_for(users["admin"])

    def rows(query: str) -> list[tuple[str, str]]:
        page = client.get(f"/audit/?{query}")
        assert page.status_code == 200
        return [(event.kind, event.username) for event, _lines in page.context["events"]]

    assert (AuditKind.SIGN_IN_FAILED, "mallory") in rows("kind=sign_in_failed")
    assert all(kind == AuditKind.SIGN_IN_FAILED for kind, _name in rows("kind=sign_in_failed"))
    assert rows("user=MALLORY") == [(AuditKind.SIGN_IN_FAILED, "mallory")]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert len(rows(f"user={viewer.username}")) == 2
    assert len(rows(f"user={viewer.username}&date_from={since}")) == 1
    client.cookies["amity_language"] = "en"
    content = client.get("/audit/").content.decode()
    assert "Sign-in failed" in content and "mallory" in content


def test_events_older_than_the_retention_are_purged(settings: Any) -> None:
    settings.AMITY_AUDIT_RETENTION_DAYS = 30
    audit.record(AuditKind.SIGN_IN_FAILED, username="recent")
    audit.record(AuditKind.SIGN_IN_FAILED, username="old")
    AuditEvent.objects.filter(username="old").update(at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("purge_audit", stdout=out)
    assert "Removed 1 audit events older than 30 days" in out.getvalue()
    assert set(AuditEvent.objects.values_list("username", flat=True)) == {"recent", ""}
    [purge] = _events(AuditKind.AUDIT_PURGED)
    assert purge.details == {"days": 30, "removed": 1}


def test_an_event_without_a_registered_writer_is_a_configuration_error(monkeypatch: Any) -> None:
    monkeypatch.setattr(audit, "_writer", None)
    with pytest.raises(ImproperlyConfigured):
        audit.record(AuditKind.SIGN_IN_FAILED, username="x")
