"""Interface language: the user's choice (cookie set by the language menu), else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language; Amity's default is Vietnamese for
everyone until they choose otherwise. An API client without the cookie chooses with Accept-Language (its
`*_name` fields follow it); pages ignore that header. A signed-in user's choice is also kept on the user
(`User.language`, `amity.accounts.language`), which becomes the browser's cookie when they sign in again
(`choose_language`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in SUPPORTED:
        return chosen
    if is_api(request):
        asked = _accepted_language(request.headers.get("Accept-Language", ""))
        if asked:
            return asked
    return settings.LANGUAGE_CODE


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _accepted_language(header: str) -> str | None:
    """The first supported language of an Accept-Language header ("ar-EG,ar;q=0.9,en;q=0.8" → "ar")."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _separator, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in SUPPORTED and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


_CHOSEN = "_amity_language_chosen"


def choose_language(request: HttpRequest, language: str) -> None:
    """Make `language` the browser's choice from this response on (the language cookie, as the language menu sets
    it): what a user chose before, applied when they sign in (the response is the redirect after signing in)."""
    if language in SUPPORTED:
        setattr(request, _CHOSEN, language)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """The language cookie with Django's settings for it (as `django.views.i18n.set_language` writes it)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        chosen = getattr(request, _CHOSEN, None)
        if chosen is not None:
            set_language_cookie(response, chosen)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if is_api(request) else ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
