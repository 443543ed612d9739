"""Translation catalogues: every message of the Vietnamese and Arabic catalogues is translated, keeps the
placeholders of its source text, is compiled into the committed .mo file, and shows on the rendered pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from amity.conftest import client_for

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ["vi", "ar"]
PLURAL_FORMS = {
    "vi": "nplurals=1; plural=0;",
    "ar": ("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;"),
}
# %(name)s and friends (with an optional format spec such as %(seconds).1f), bare %s / %d, and {name}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[sd]|\{\w*\}")
# What the pages must show in each language: (msgid, expected translation).
LOGIN = {"vi": ("Log in", "Đăng nhập"), "ar": ("Log in", "تسجيل الدخول")}
NAVIGATION = {"vi": ("Organisations", "Tổ chức"), "ar": ("Organisations", "المنظمات")}


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def compiled(language: str) -> polib.MOFile:
    return polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def translations(entries: list[Any]) -> dict[tuple[str | None, str], Any]:
    """(context, msgid) -> msgstr, or the tuple of plural forms; the header entry left out."""
    table: dict[tuple[str | None, str], Any] = {}
    for entry in entries:
        if not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            value: Any = (entry.msgid_plural, tuple(forms[index] for index in sorted(forms)))
        else:
            value = entry.msgstr
        table[(entry.msgctxt or None, entry.msgid)] = value
    return table


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", [*TRANSLATED, "en"])
def test_header_is_valid(language: str) -> None:
    po = catalogue(language)
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata.get("Plural-Forms")
    if language in PLURAL_FORMS:
        assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_and_checked(language: str) -> None:
    entries = live_entries(catalogue(language))
    assert len(entries) > 100, "the catalogue looks empty: run makemessages"
    untranslated = [label(entry) for entry in entries if not entry.translated()]
    fuzzy = [label(entry) for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:20]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_entries_have_every_form(language: str) -> None:
    expected = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[language]).group(1))  # type: ignore[union-attr]
    for entry in live_entries(catalogue(language)):
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(expected)), label(entry)
            assert all(entry.msgstr_plural.values()), label(entry)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language: str) -> None:
    lost = []
    for entry in live_entries(catalogue(language)):
        needed = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        if not needed:
            continue
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            missing = needed - placeholders(text)
            if missing:
                lost.append((entry.msgid, text, sorted(missing)))
    assert not lost, f"placeholders lost in {language}: {lost}"


@pytest.mark.parametrize("language", [*TRANSLATED, "en"])
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    po_table = translations([entry for entry in live_entries(catalogue(language)) if entry.translated()])
    mo_table = translations(list(compiled(language)))
    assert mo_table == po_table, "the .mo file is stale: run compilemessages"


def test_our_catalogue_wins_over_django_for_history() -> None:
    with translation.override("vi"):
        assert translation.gettext("History") == "Lịch sử thay đổi"
    with translation.override("ar"):
        assert translation.gettext("History") == "سجل التغييرات"


def in_language(language: str, client: Client | None = None) -> Client:
    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def catalogue_says(language: str, msgid: str) -> str:
    entry = catalogue(language).find(msgid)
    assert entry is not None, f"{msgid!r} is not in the {language} catalogue"
    return entry.msgstr


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_home_page_is_shown_in_the_chosen_language(language: str) -> None:
    msgid, expected = LOGIN[language]
    assert catalogue_says(language, msgid) == expected
    response = in_language(language).get("/accounts/login/")  # `/` is the public home for visitors
    assert response.status_code == 200
    content = response.content.decode()
    assert f'lang="{language}"' in content
    assert expected in content
    assert ">Log in<" not in content and "Log in</a>" not in content
    if language == "ar":
        assert 'dir="rtl"' in content


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_navigation_is_shown_in_the_chosen_language(language: str, users: dict[str, Any]) -> None:
    msgid, expected = NAVIGATION[language]
    assert catalogue_says(language, msgid) == expected
    response = in_language(language, client_for(users["editor"])).get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert expected in content
    assert catalogue_says(language, "Log out") in content
    assert ">Organisations<" not in content


@pytest.mark.django_db
def test_vietnamese_is_the_default_language() -> None:
    content = Client().get("/accounts/login/").content.decode()
    assert 'lang="vi"' in content
    assert LOGIN["vi"][1] in content
