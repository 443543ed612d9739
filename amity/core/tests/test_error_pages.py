"""What an office sees when something goes wrong: with debug off (the test settings, and `make run`'s
config.settings.office), Amity's own 400, 403, 404 and 500 pages in the user's language, right-to-left in Arabic,
never Django's debug pages; and `make run` serves its static files through WhiteNoise."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils import translation

from config import urls as project_urls

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ["vi", "en", "ar"]
# What Django's debug pages say, and its plain pages with debug off: never on an Amity page.
DJANGO_PAGES = ("Using the URLconf", "Django tried these URL patterns", "Traceback", "<h1>Bad Request (400)</h1>")


def in_language(language: str, client: Client | None = None) -> Client:
    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def assert_amity_page(response: Any, language: str, heading: str) -> str:
    content = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in content
    assert translated(language, heading) in content
    if language != "en":
        assert translated(language, heading) != heading, f"{heading!r} is not translated into {language}"
    assert not any(text in content for text in DJANGO_PAGES)
    return content


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# A URL conf with the project's handlers and one view that fails.
urlpatterns = [path("fails/", failing_view), *project_urls.urlpatterns]
handler400, handler403, handler404, handler500 = (
    project_urls.handler400,
    project_urls.handler403,
    project_urls.handler404,
    project_urls.handler500,
)


def test_the_tests_run_with_debug_off() -> None:
    assert settings.DEBUG is False


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_404_is_amitys_page_in_the_users_language(language: str) -> None:
    response = in_language(language).get("/no-such-page/")
    assert response.status_code == 404
    assert_amity_page(response, language, "Page not found")


@pytest.mark.parametrize("language", LANGUAGES)
def test_400_for_an_unknown_host_is_amitys_page(language: str) -> None:
    response = in_language(language).get("/", HTTP_HOST="amity.example.org")
    assert response.status_code == 400
    content = assert_amity_page(response, language, "Bad request")
    assert translated(language, "Go to the home page") in content
    stylesheet = "bootstrap.rtl.min.css" if language == "ar" else "bootstrap.min.css"
    assert f'href="/static/vendor/bootstrap/css/{stylesheet}"' in content


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_500_is_amitys_page_in_the_users_language(language: str, settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    client = in_language(language, Client(raise_request_exception=False))
    response = client.get("/fails/")
    assert response.status_code == 500
    assert response["Content-Language"] == language
    assert_amity_page(response, language, "Server error")


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_sent_without_its_csrf_token_gets_amitys_page(language: str) -> None:
    client = in_language(language, Client(enforce_csrf_checks=True))
    response = client.post("/accounts/login/", {"username": "someone", "password": "secret"})
    assert response.status_code == 403
    assert_amity_page(response, language, "The form has expired")


# `make run` --------------------------------------------------------------------------------------------------

OFFICE_SCRIPT = r"""
import json, re, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client

call_command("collectstatic", "--no-input", verbosity=0)
out = {"debug": settings.DEBUG, "secret_key_file": (settings.VAR_DIR / "secret_key").exists()}
for language in ("vi", "en", "ar"):
    client = Client(HTTP_HOST="localhost")
    client.cookies["amity_language"] = language
    response = client.get("/no-such-page/")
    out[language] = [response.status_code, response.content.decode()]
page = out["vi"][1]
out["stylesheet"] = re.search(r'href="(/static/amity/amity[^"]*\.css)"', page).group(1)
for name, url in [("hashed", out["stylesheet"]), ("plain", "/static/vendor/bootstrap/css/bootstrap.min.css")]:
    response = Client(HTTP_HOST="localhost").get(url)
    out[name] = [response.status_code, response.get("Content-Type", ""), response.get("Cache-Control", "")]
response = Client(HTTP_HOST="192.0.2.1").get("/")
out["bad_host"] = [response.status_code, response.content.decode()]
# The database cannot be reached: a signed-in user's page fails, with Amity's page in their language.
client = Client(HTTP_HOST="localhost", raise_request_exception=False)
client.cookies["amity_language"] = "ar"
client.cookies[settings.SESSION_COOKIE_NAME] = "a-session"
response = client.get("/")
out["error"] = [response.status_code, response.content.decode()]
print(json.dumps(out))
"""


def run_office(tmp_path: Path, **env: str) -> dict[str, Any]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.office",
        "AMITY_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/amity",  # unreachable: these pages need no database
        **env,
    }
    for name in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS"):
        if name not in env:
            environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", OFFICE_SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_runs_settings_serve_amitys_pages_and_static_files_with_debug_off(tmp_path: Path) -> None:
    out = run_office(tmp_path)
    assert out["debug"] is False
    assert out["secret_key_file"], "a secret key is made once and kept under var/"
    for language, heading in [("vi", "Không tìm thấy trang"), ("en", "Page not found"), ("ar", "الصفحة غير موجودة")]:
        status, content = out[language]
        assert status == 404
        assert heading in content
        assert not any(text in content for text in DJANGO_PAGES)
    assert 'dir="rtl"' in out["ar"][1]
    # Collected, with hashed names browsers may keep; the unhashed names (used by the 400 and 500 pages) too.
    assert re.fullmatch(r"/static/amity/amity\.[0-9a-f]{12}\.css", out["stylesheet"])
    assert out["hashed"][:2] == [200, 'text/css; charset="utf-8"']
    assert "immutable" in out["hashed"][2]
    assert out["plain"][:2] == [200, 'text/css; charset="utf-8"']
    assert out["bad_host"][0] == 400 and "Yêu cầu không hợp lệ" in out["bad_host"][1]
    status, content = out["error"]
    assert status == 500 and '<html lang="ar" dir="rtl">' in content and "خطأ في الخادم" in content


def test_a_developer_may_turn_debug_on(tmp_path: Path) -> None:
    script = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.office", "AMITY_VAR_DIR": str(tmp_path)}
    for debug, expected in [("1", "True"), ("0", "False")]:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**environment, "DJANGO_DEBUG": debug},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.strip() == expected, result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_serves_the_office_settings_and_make_dev_the_dev_settings() -> None:
    def commands(target: str) -> str:
        return subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    run = commands("run")
    assert "DJANGO_SETTINGS_MODULE=config.settings.office" in run and "config.settings.dev" not in run
    assert "collectstatic --no-input" in run
    assert "gunicorn config.wsgi" in run and "runserver" not in run
    dev = commands("dev")
    assert "DJANGO_SETTINGS_MODULE=config.settings.dev" in dev and "runserver" in dev
