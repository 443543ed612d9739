"""API errors are JSON with debug off, as in production, also when no API view answered: an unknown address under
/api/, a request refused before any view (an unknown host, a body too large) and a server error. A client of the
API never has to read an HTML page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path
from django.utils import translation
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amity.conftest import make_user
from config import urls as project_urls


class FailingView(APIView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("a bug")


# The project's URL conf and handlers, with one API view that fails.
urlpatterns = [path("api/v1/fails/", FailingView.as_view()), *project_urls.urlpatterns]
handler400, handler403, handler404, handler500 = (
    project_urls.handler400,
    project_urls.handler403,
    project_urls.handler404,
    project_urls.handler500,
)


def detail(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text)


def token_client(**extra: Any) -> Client:
    user = make_user("api-errors", "administrator")
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}", **extra)


def test_debug_is_off() -> None:
    assert settings.DEBUG is False


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en", "ar"])
def test_an_unknown_api_address_is_a_json_404_in_the_clients_language(language: str) -> None:
    response = token_client().get("/api/v1/no-such-list/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail(language, exceptions.NotFound.default_detail)}


@pytest.mark.django_db
def test_a_server_error_in_an_api_view_is_json_without_the_error(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    response = token_client(raise_request_exception=False).get("/api/v1/fails/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}  # nothing of the exception


def test_an_api_request_for_an_unknown_host_is_a_json_400() -> None:
    response = Client().get("/api/v1/aid-items/", HTTP_HOST="amity.example.org", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Malformed request."}


@pytest.mark.django_db
def test_an_api_body_over_the_size_limit_is_a_json_400(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = token_client().post(
        "/api/v1/aid-items/", data='{"title_vi": "' + "x" * 2000 + '"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_pages_keep_amitys_html_error_pages() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
