"""The public site's sections, in the order of its menu. A section whose page is not installed (its URL name does
not resolve) is left out, so the data pages (`data_urls.py`) join the menu by being there."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    url_name: str  # the national page; a province's when `province_url_name` is given
    province_url_name: str = ""


SECTIONS = (
    Section("home", _("Home"), "home", "portal:province_home"),
    Section("news", _("News and announcements"), "portal:news", "portal:province_news"),
    Section("events", _("Events"), "portal:events", "portal:province_events"),
    Section("directory", _("NGO directory"), "portal:directory"),
    Section("figures", _("Published figures"), "portal-data:figures"),
    Section("data", _("Open data"), "portal-data:data"),
)


def menu(province_code: str | None = None) -> list[tuple[str, str | Promise, str]]:
    """(key, label, address) of every installed section, a province's pages where it has its own."""
    items = []
    for section in SECTIONS:
        try:
            if province_code and section.province_url_name:
                url = reverse(section.province_url_name, kwargs={"code": province_code})
            else:
                url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        items.append((section.key, section.label, url))
    return items
