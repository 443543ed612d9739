"""What every public page shares: the language it is read in, its cache, and the one helper that empties that cache
when something is published.

**Language.** Staff pages follow the user's choice (the language cookie, else Vietnamese). A public page has one
address per language so that search engines and shared links reach each version: `?lang=en` or `?lang=ar` (none:
Vietnamese, or the reader's cookie). A page opened with `?lang=` also sets the cookie, so the next page keeps it.

**Cache.** Anonymous GETs of public pages are kept in the project's cache (files, or Redis with `REDIS_URL`) by
host, language, path and *normalised* query, under a *generation* number. Each page declares the parameters it
reads (`public_page(params=…)`; `lang` always): the query is cut to those, empty values dropped, sorted — and the
view sees only that query too — so `?utm_source=x`, a reordered or an empty parameter reach the same cached copy
instead of filling the cache with new ones, and what the view reads is always part of the key.
`invalidate_public_pages()` raises the number, so every page cached before is never read again (and expires on its
own). Signed-in users always get a fresh page (their
header names them). Pages hold no CSRF token and no session data, so one cached copy serves everyone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, overload

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.cache import patch_cache_control

SUPPORTED = [code for code, _name in settings.LANGUAGES]
DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
GENERATION_KEY = "portal:generation"
PAGE_TIMEOUT = 60 * 60  # an hour; publishing empties it at once
BROWSER_MAX_AGE = 60  # browsers and proxies may keep a page a minute

View = Callable[..., HttpResponse]


def requested_language(request: HttpRequest) -> str | None:
    """The language asked for in the address (`?lang=`), if it is one of Amity's."""
    asked = request.GET.get("lang", "")
    return asked if asked in SUPPORTED else None


def activate_public_language(request: HttpRequest) -> str:
    language = requested_language(request) or str(getattr(request, "LANGUAGE_CODE", DEFAULT_LANGUAGE))
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def invalidate_public_pages() -> None:
    """Forget every cached public page (after the transaction that published something commits). The one helper
    for the news, a published report and an event made public alike."""

    def bump() -> None:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet (or evicted): start one above any the pages may have used
            cache.set(GENERATION_KEY, _generation() + 1, timeout=None)

    transaction.on_commit(bump)


ALWAYS_ACCEPTED = frozenset({"lang"})


def normalised_query(query: QueryDict, accepted: frozenset[str]) -> QueryDict:
    """The query cut to the parameters a page reads: unknown names and empty values dropped, names sorted (the
    values of one name keep their order: they may mean something)."""
    kept = QueryDict(mutable=True)
    for name in sorted(accepted.intersection(query)):
        values = [value for value in query.getlist(name) if value != ""]
        if values:
            kept.setlist(name, values)
    kept._mutable = False
    return kept


def _cache_key(request: HttpRequest, language: str) -> str:
    query = request.GET.urlencode()
    return f"portal:page:{_generation()}:{language}:{request.get_host()}:{request.path}?{query}"


@overload
def public_page(view: View, *, params: Iterable[str] = ()) -> View: ...
@overload
def public_page(view: None = None, *, params: Iterable[str] = ()) -> Callable[[View], View]: ...
def public_page(view: View | None = None, *, params: Iterable[str] = ()) -> View | Callable[[View], View]:
    """A public page: no sign-in, read in the address's language, cached for anonymous readers. `params`: the
    query parameters the page reads (besides `lang`); the others never reach the view nor the cache key."""
    accepted = ALWAYS_ACCEPTED | frozenset(params)

    def decorate(page: View) -> View:
        return _public_page(page, accepted)

    return decorate(view) if view is not None else decorate


def _public_page(view: View, accepted: frozenset[str]) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.GET = normalised_query(request.GET, accepted)  # type: ignore[assignment]  # what the view reads
        request.META["QUERY_STRING"] = request.GET.urlencode()  # and what the page's links and paths say
        language = activate_public_language(request)
        cacheable = request.method in ("GET", "HEAD") and not request.user.is_authenticated
        key = _cache_key(request, language) if cacheable else ""
        found = cache.get(key) if cacheable else None
        if found is not None:
            content, content_type = found
            response = HttpResponse(content, content_type=content_type)
            response["X-Amity-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if cacheable and response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
                response["X-Amity-Cache"] = "miss"
        response["Content-Language"] = language
        if cacheable:
            patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        chosen = requested_language(request)
        if chosen and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            response["Cache-Control"] = "private, max-age=0"  # a shared cache must not keep the cookie
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response

    return wrapper
