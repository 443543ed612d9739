"""Two-factor sign-in: required for administrators, central officers and approvers (a setting), optional for the
others; set up with a QR code, backup codes shown once; a wrong code counts toward the lockout; administrators
reset a user's devices (a lost phone), recorded in the audit log."""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amity.accounts.choices import Role
from amity.accounts.models import User
from amity.audit.models import AuditEvent
from amity.conftest import PASSWORD, client_for, make_user
from amity.core.audit import AuditKind

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def password_step(client: Client, user: User, next_url: str = "") -> Any:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def enrol(client: Client) -> list[str]:
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/accounts/two-factor/setup/", {"token": code(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


def enrolled(role: str = Role.ADMINISTRATOR, name: str = "admin") -> tuple[User, list[str]]:
    user = make_user(name, role)
    client = Client()
    password_step(client, user)
    codes = enrol(client)
    return user, codes


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.CENTRAL_OFFICER, Role.PROVINCIAL_APPROVER])
def test_a_required_role_is_not_signed_in_by_its_password_alone(role: str) -> None:
    user = make_user("someone", role)
    client = Client()
    response = password_step(client, user)
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/setup/"
    assert not signed_in(client)
    assert client.get("/").status_code in (200, 302) and not signed_in(client)


def test_enrolment_at_first_sign_in_shows_a_qr_code_and_backup_codes_once_then_signs_in() -> None:
    admin = make_user("admin", Role.ADMINISTRATOR)
    client = Client()
    password_step(client, admin, next_url="/reports/")
    page = client.get("/accounts/two-factor/setup/")
    content = page.content.decode()
    assert page.status_code == 200 and "<svg" in content and "Amity" not in page.context["key"]
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post("/accounts/two-factor/setup/", {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and not signed_in(client)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # django-otp's wait after a failure
    response = client.post("/accounts/two-factor/setup/", {"token": code(device)})
    assert response.status_code == 200 and signed_in(client)
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code_ in response.content.decode() for code_ in codes)
    assert response.context["next_url"] == "/reports/"
    # The codes are not shown again: the profile says how many are left.
    profile = client.get("/accounts/profile/").content.decode()
    assert codes[0] not in profile
    kinds = list(AuditEvent.objects.filter(actor=admin).values_list("kind", flat=True))
    assert AuditKind.TWO_FACTOR_ENROLLED in kinds and AuditKind.SIGN_IN in kinds
    assert AuditEvent.objects.get(kind=AuditKind.SIGN_IN, actor=admin).details == {"second_factor": True}


def test_an_enrolled_user_signs_in_with_the_code_and_a_wrong_code_is_refused_and_recorded() -> None:
    admin, _codes = enrolled()
    device = TOTPDevice.objects.get(user=admin)
    client = Client()
    response = password_step(client, admin)
    assert response["Location"] == "/accounts/login/code/"
    wrong = "123456" if code(device, 1) != "123456" else "654321"
    assert client.post("/accounts/login/code/", {"token": wrong}).status_code == 200
    assert not signed_in(client)
    assert AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR_FAILED, username=admin.username).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's own back-off after the wrong code
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post("/accounts/login/code/", {"token": code(device, 1)})
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/audit/").status_code == 200


def test_a_backup_code_signs_in_once() -> None:
    admin, codes = enrolled()
    client = Client()
    password_step(client, admin)
    assert client.post("/accounts/login/code/", {"token": codes[0].upper()}).status_code == 302
    assert signed_in(client)
    assert StaticToken.objects.filter(device__user=admin).count() == 9
    assert AuditEvent.objects.filter(kind=AuditKind.BACKUP_CODE_USED, actor=admin).exists()
    again = Client()
    password_step(again, admin)
    again.post("/accounts/login/code/", {"token": codes[0]})
    assert not signed_in(again)


def test_wrong_codes_count_toward_the_lockout() -> None:
    admin, _codes = enrolled()
    device = TOTPDevice.objects.get(user=admin)
    client = Client()
    password_step(client, admin)
    for _ in range(5):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        response = client.post("/accounts/login/code/", {"token": "000000"})
    assert response.status_code == 429
    response = client.post("/accounts/login/code/", {"token": code(device, 1)})
    assert response.status_code == 429 and not signed_in(client)


def test_the_second_step_needs_the_first() -> None:
    client = Client()
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"
    assert client.post("/accounts/login/code/", {"token": "123456"})["Location"] == "/accounts/login/"
    assert client.get("/accounts/two-factor/setup/")["Location"] == "/accounts/login/"


def test_an_optional_role_signs_in_with_its_password_until_it_turns_two_factor_on() -> None:
    editor = make_user("editor", Role.PROVINCIAL_EDITOR)
    client = Client()
    assert password_step(client, editor)["Location"] == "/" and signed_in(client)
    codes = enrol(client)
    assert len(codes) == 10
    other = Client()
    assert password_step(other, editor)["Location"] == "/accounts/login/code/" and not signed_in(other)
    # It may turn it off again; an administrator may not.
    assert client.post("/accounts/two-factor/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR_REMOVED, actor=editor).exists()


def test_a_required_role_may_not_turn_it_off() -> None:
    admin, _codes = enrolled()
    client = client_for(admin)
    assert client.post("/accounts/two-factor/remove/").status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()


@override_settings(AMITY_TWO_FACTOR_REQUIRED_ROLES=[])
def test_the_required_roles_come_from_the_settings() -> None:
    admin = make_user("admin", Role.ADMINISTRATOR)
    client = Client()
    assert password_step(client, admin)["Location"] == "/" and signed_in(client)


def test_superusers_always_need_it() -> None:
    root = make_user("root", "", is_superuser=True, is_staff=True)
    with override_settings(AMITY_TWO_FACTOR_REQUIRED_ROLES=[]):
        assert password_step(Client(), root)["Location"] == "/accounts/two-factor/setup/"


def test_force_login_in_tests_is_untouched(users: dict[str, Any]) -> None:
    assert client_for(users["admin"]).get("/audit/").status_code == 200


def test_new_backup_codes_replace_the_old_ones() -> None:
    editor = make_user("editor", Role.PROVINCIAL_EDITOR)
    client = Client()
    password_step(client, editor)
    old = enrol(client)
    response = client.post("/accounts/two-factor/backup-codes/")
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    assert set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)) == set(new)
    assert AuditEvent.objects.filter(kind=AuditKind.BACKUP_CODES_RENEWED, actor=editor).exists()


def test_an_administrator_resets_a_lost_phone_from_the_command_line() -> None:
    approver, _codes = enrolled(Role.PROVINCIAL_APPROVER, "approver")
    out = StringIO()
    call_command("two_factor_reset", approver.username, "--reason", "ticket 42", stdout=out)
    assert "Removed 2 two-factor devices" in out.getvalue()
    event = AuditEvent.objects.get(kind=AuditKind.TWO_FACTOR_RESET)
    assert (event.subject, event.actor, event.details) == (approver, None, {"reason": "ticket 42", "devices": 2})
    # At the next sign-in the approver sets it up again.
    assert password_step(Client(), approver)["Location"] == "/accounts/two-factor/setup/"


def test_an_administrator_resets_it_from_the_admin(users: dict[str, Any]) -> None:
    approver, _codes = enrolled(Role.PROVINCIAL_APPROVER, "approver2")
    admin = users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    response = client_for(admin).post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [approver.pk]},
        REMOTE_ADDR="192.0.2.9",
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=approver).exists()
    event = AuditEvent.objects.get(kind=AuditKind.TWO_FACTOR_RESET)
    assert (event.subject, event.actor, event.ip_address) == (approver, admin, "192.0.2.9")


@pytest.mark.parametrize(
    ("language", "text", "direction"),
    [("vi", "Thiết lập xác thực hai lớp", "ltr"), ("ar", "إعداد التحقق بخطوتين", "rtl")],
)
def test_the_setup_page_is_in_the_users_language(language: str, text: str, direction: str) -> None:
    admin = make_user("admin", Role.ADMINISTRATOR)
    client = Client()
    client.cookies["amity_language"] = language
    password_step(client, admin)
    content = client.get("/accounts/two-factor/setup/").content.decode()
    assert text in content and f'dir="{direction}"' in content


def test_production_refuses_to_make_it_optional_for_everyone() -> None:
    from amity.core.tests.test_health_and_config import run_manage

    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        AMITY_TWO_FACTOR_REQUIRED_ROLES="",
    )
    assert result.returncode == 1
    assert "AMITY_TWO_FACTOR_REQUIRED_ROLES must name at least one role in production." in result.stderr
    assert (
        run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY="x" * 50).returncode
        == 0
    )


def test_sessions_opened_by_the_password_alone_before_two_factor_are_not_read() -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_NAME == "amity_session"
