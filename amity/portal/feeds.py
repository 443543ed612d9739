"""The Atom feed of each portal's news (django.contrib.syndication): the national portal's (every published
article) and each province's (its own), in the address's language like the pages."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from amity.reference.models import AdministrativeUnit

from . import selectors

FEED_ITEMS = 30


class NewsFeed(Feed[Any, AdministrativeUnit | None]):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> AdministrativeUnit | None:
        code = kwargs.get("code")
        return selectors.province(code) if code else None

    def title(self, obj: AdministrativeUnit | None) -> str:
        if obj is None:
            return _("News and announcements")
        return _("News and announcements · %(province)s") % {"province": obj.name}

    def subtitle(self, obj: AdministrativeUnit | None) -> str:
        return _("Published by the unions of friendship organizations.")

    def link(self, obj: AdministrativeUnit | None) -> str:
        return reverse("portal:news") if obj is None else reverse("portal:province_news", kwargs={"code": obj.code})

    def feed_url(self, obj: AdministrativeUnit | None) -> str:
        if obj is None:
            return reverse("portal:news_feed")
        return reverse("portal:province_news_feed", kwargs={"code": obj.code})

    def items(self, obj: AdministrativeUnit | None) -> Any:
        return selectors.published_news(obj)[:FEED_ITEMS]

    def item_title(self, item: Any) -> str:
        return str(item.in_language()["title"])

    def item_description(self, item: Any) -> str:
        shown = item.in_language()
        return str(shown["summary"] or shown["body"][:500])

    def item_link(self, item: Any) -> str:
        language = translation.get_language()
        url = str(item.get_public_url())
        return url if language in (None, "vi") else f"{url}?lang={language}"

    def item_guid(self, item: Any) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Any) -> Any:
        return item.published_at

    def item_updateddate(self, item: Any) -> Any:
        return item.updated_at

    def item_categories(self, item: Any) -> list[str]:
        return [str(item.get_category_display())]
