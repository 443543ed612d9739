"""sitemap.xml (django.contrib.sitemaps): every public page in each language, with `hreflang` alternates. A page's
language is its `?lang=` parameter (none for Vietnamese), so `location` reads the language the framework
activates for each alternate."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone, translation

from . import selectors
from .public import DEFAULT_LANGUAGE


def _in_language(path: str) -> str:
    language = translation.get_language() or DEFAULT_LANGUAGE
    return path if language == DEFAULT_LANGUAGE else f"{path}?lang={language}"


class PublicSitemap(Sitemap[Any]):
    i18n = True
    alternates = True
    x_default = True

    def path(self, item: Any) -> str:
        raise NotImplementedError

    def location(self, item: Any) -> str:
        return _in_language(self.path(item))


class PagesSitemap(PublicSitemap):
    changefreq = "daily"

    def items(self) -> list[tuple[str, dict[str, str]]]:
        pages: list[tuple[str, dict[str, str]]] = [
            ("home", {}),
            ("portal:news", {}),
            ("portal:events", {}),
            ("portal:directory", {}),
        ]
        for province in selectors.provinces():
            pages += [
                ("portal:province_home", {"code": province.code}),
                ("portal:province_news", {"code": province.code}),
                ("portal:province_events", {"code": province.code}),
            ]
        return pages

    def path(self, item: tuple[str, dict[str, str]]) -> str:
        return reverse(item[0], kwargs=item[1])


class NewsSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return selectors.published_news()

    def path(self, item: Any) -> str:
        return str(item.get_public_url())

    def lastmod(self, item: Any) -> Any:
        return item.updated_at


class EventsSitemap(PublicSitemap):
    def items(self) -> Any:
        today = timezone.localdate()
        return selectors.public_events(
            first=today.replace(year=today.year - 1), last=today.replace(year=today.year + 2)
        )

    def path(self, item: Any) -> str:
        return reverse("portal:event", kwargs={"public_id": item.public_id})

    def lastmod(self, item: Any) -> Any:
        return item.updated_at


class DirectorySitemap(PublicSitemap):
    def items(self) -> Any:
        return [entry.organisation for entry in selectors.directory(today=timezone.localdate())]

    def path(self, item: Any) -> str:
        return reverse("portal:ngo", kwargs={"public_id": item.public_id})


SITEMAPS = {"pages": PagesSitemap, "news": NewsSitemap, "events": EventsSitemap, "directory": DirectorySitemap}
