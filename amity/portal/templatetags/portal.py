"""Tags of the public base template: the addresses of a page in each language (canonical, `hreflang`
alternates, the language links) and the site's menu. Everything is derived from the request, so any public view
(the data pages' too) gets them by extending `portal/base.html`."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_info

from .. import sections
from ..public import DEFAULT_LANGUAGE, SUPPORTED

register = template.Library()


def language_url(request: HttpRequest, language: str, *, explicit: bool = True, path: str = "") -> str:
    """The page's address in `language`: `?lang=` replaced, other parameters kept. With `explicit` False the
    default language has no parameter (its canonical form)."""
    path = path or request.path
    query = request.GET.copy()
    query.pop("lang", None)
    if explicit or language != DEFAULT_LANGUAGE:
        query["lang"] = language
    encoded = query.urlencode()
    return path + (f"?{encoded}" if encoded else "")


@register.simple_tag(takes_context=True)
def canonical_url(context: dict[str, Any]) -> str:
    request: HttpRequest = context["request"]
    language = getattr(request, "LANGUAGE_CODE", DEFAULT_LANGUAGE)  # the version the reader sees
    path = context.get("canonical_path") or request.path
    if language != DEFAULT_LANGUAGE:
        path += f"?lang={language}"
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def alternates(context: dict[str, Any]) -> list[dict[str, str]]:
    """`hreflang` alternates: each language's absolute address, and `x-default` (Vietnamese)."""
    request: HttpRequest = context["request"]
    found = [
        {
            "hreflang": code,
            "href": request.build_absolute_uri(
                language_url(request, code, explicit=False, path=context.get("canonical_path") or "")
            ),
        }
        for code in SUPPORTED
    ]
    found.append({"hreflang": "x-default", "href": found[SUPPORTED.index(DEFAULT_LANGUAGE)]["href"]})
    return found


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    request: HttpRequest = context["request"]
    current = getattr(request, "LANGUAGE_CODE", DEFAULT_LANGUAGE)
    links = []
    for code in SUPPORTED:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "bidi": info["bidi"],
                "url": language_url(request, code),
                "current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def public_menu(context: dict[str, Any]) -> list[tuple[str, Any, str]]:
    province = context.get("portal_province")
    return sections.menu(province.code if province is not None else None)


@register.simple_tag
def og_locale(language: str) -> str:
    return {"vi": "vi_VN", "en": "en_GB", "ar": "ar_AR"}.get(language, language)


@register.simple_tag
def site_name() -> str:
    return str(getattr(settings, "AMITY_PORTAL_NAME", "") or "")
