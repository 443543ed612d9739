"""The language menu keeps a signed-in user's choice on the user (`User.language`, the language of their e-mails)
and signing in applies it on any browser; anonymous visitors keep the cookie alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from amity.accounts.models import User
from amity.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def choose(client: Client, language: str, next_url: str = "/") -> Any:
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def sign_in(client: Client, user: User) -> Any:
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def test_a_signed_in_users_choice_is_stored_on_the_user_with_history(users: dict[str, Any]) -> None:
    client = client_for(users["editor"])
    response = choose(client, "ar", "/aid/")
    assert response.status_code == 302 and response["Location"] == "/aid/"
    assert response.cookies[COOKIE].value == "ar"
    editor = User.objects.get(pk=users["editor"].pk)
    assert editor.language == "ar"
    latest = editor.history.first()
    assert latest.history_user_id == editor.pk and latest.history_change_reason == "Language chosen"


def test_a_language_amity_does_not_offer_changes_nothing(users: dict[str, Any]) -> None:
    client = client_for(users["editor"])
    choose(client, "fr")  # Django's view sets any language it has a catalogue for; Amity reads only its own
    assert User.objects.get(pk=users["editor"].pk).language == "vi"
    assert client.get(reverse("aid:list")).headers["Content-Language"] == "vi"


def test_an_anonymous_choice_is_the_cookie_alone(users: dict[str, Any]) -> None:
    client = Client()
    assert choose(client, "en").cookies[COOKIE].value == "en"
    assert client.get(reverse("accounts:login")).headers["Content-Language"] == "en"
    assert not User.objects.exclude(language="vi").exists()


def test_the_choice_made_on_the_sign_in_page_becomes_the_users(users: dict[str, Any]) -> None:
    client = Client()
    choose(client, "en", reverse("accounts:login"))
    assert sign_in(client, users["editor"]).status_code == 302
    assert User.objects.get(pk=users["editor"].pk).language == "en"
    assert client.get(reverse("aid:list")).headers["Content-Language"] == "en"


def test_signing_in_on_another_browser_applies_the_users_language(users: dict[str, Any]) -> None:
    choose(client_for(users["editor"]), "ar")
    elsewhere = Client()  # no cookie: a colleague's computer
    assert elsewhere.get(reverse("accounts:login")).headers["Content-Language"] == "vi"
    response = sign_in(elsewhere, users["editor"])
    assert response.status_code == 302 and response.cookies[COOKIE].value == "ar"
    page = elsewhere.get(reverse("aid:list"))
    assert page.headers["Content-Language"] == "ar" and 'dir="rtl"' in page.content.decode()


def test_an_old_cookie_on_the_browser_gives_way_to_the_users_language_at_sign_in(users: dict[str, Any]) -> None:
    choose(client_for(users["editor"]), "ar")
    shared = Client()
    shared.cookies[COOKIE] = "en"  # left by someone else, not chosen in this session
    assert sign_in(shared, users["editor"]).cookies[COOKIE].value == "ar"
    assert User.objects.get(pk=users["editor"].pk).language == "ar"
