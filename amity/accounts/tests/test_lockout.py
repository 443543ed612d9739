"""Brute force on the sign-in pages: after a few wrong passwords the account and the address are locked for a
while (longer each time), whatever comes next, on Amity's page and the admin's alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from amity.accounts.models import User
from amity.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def viewer(db: Any) -> User:
    return make_user("viewer", "provincial_viewer")


def _fail(client: Client, url: str, username: str, times: int, **extra: Any) -> None:
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong-password"}, **extra)


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(viewer: User) -> None:
    client = Client()
    _fail(client, "/accounts/login/", viewer.username, 50)
    response = client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_admin_sign_in_page_signs_in_nobody_after_fifty_wrong_passwords(viewer: User) -> None:
    viewer.is_staff = True
    viewer.save()
    client = Client()
    _fail(client, "/admin/login/", viewer.username, 50)
    client.post("/admin/login/", {"username": viewer.username, "password": PASSWORD})
    assert not _signed_in(client)
    # The admin signs in through Amity's page (lockout and second factor), then goes back to the admin.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/admin/" in response["Location"]


def test_a_few_mistakes_then_the_right_password_signs_in(viewer: User) -> None:
    client = Client()
    _fail(client, "/accounts/login/", viewer.username, 4)
    response = client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client)


def test_the_lockout_page_is_amitys_in_the_users_language(viewer: User) -> None:
    client = Client()
    client.cookies["amity_language"] = "en"
    _fail(client, "/accounts/login/", viewer.username, 5)
    response = client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many failed sign-in attempts" in content
    until = timezone.localtime() + timedelta(minutes=15)
    assert f"Signing in is locked until {until:%H:%M}" in content
    client.cookies["amity_language"] = "vi"
    content = client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD}).content.decode()
    assert 'lang="vi"' in content
    assert "Quá nhiều lần đăng nhập sai" in content


def test_lockout_is_per_address_too(viewer: User) -> None:
    other = make_user("other", "provincial_viewer")
    client = Client()
    for n in range(5):  # one wrong password for each of five names, from one address
        client.post("/accounts/login/", {"username": f"guess-{n}", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": other.username, "password": PASSWORD})
    assert response.status_code == 429
    # Another address is not locked out by that one.
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert elsewhere.post("/accounts/login/", {"username": other.username, "password": PASSWORD}).status_code == 302


def test_lockout_is_per_user_from_any_address(viewer: User) -> None:
    for n in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post(
            "/accounts/login/", {"username": viewer.username, "password": "wrong-password"}
        )
    client = Client(REMOTE_ADDR="10.9.9.9")
    assert client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD}).status_code == 429


def test_the_cool_off_grows_with_repeated_lockouts(viewer: User) -> None:
    from amity.accounts.lockout import cool_off_for

    assert cool_off_for(0).total_seconds() == 15 * 60
    assert cool_off_for(5).total_seconds() == 15 * 60
    assert cool_off_for(10).total_seconds() == 30 * 60
    assert cool_off_for(15).total_seconds() == 60 * 60
    assert cool_off_for(10_000).total_seconds() == 24 * 3600  # capped


def test_the_lock_lifts_after_the_cool_off(viewer: User) -> None:
    from axes.models import AccessAttempt

    client = Client()
    _fail(client, "/accounts/login/", viewer.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    assert response.status_code == 302


@override_settings(AMITY_LOGIN_FAILURE_LIMIT=3)
def test_the_failure_limit_comes_from_the_settings(viewer: User) -> None:
    client = Client()
    _fail(client, "/accounts/login/", viewer.username, 3)
    assert client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD}).status_code == 429
