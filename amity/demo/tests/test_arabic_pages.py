"""Arabic pages name every code in Arabic. Over the demo register, the main pages (lists, details, forms, the
lifecycle, reports, a report published from a Vietnamese page, an import's report), the Excel templates with their
drop-down lists, the Excel, CSV and report exports and the API's names are read as an Arabic reader gets them, and
none may show the English or Vietnamese name of a code that has an Arabic one: a DAC sector, an IATI code
(transaction type, organisation type and role, aid and finance type, status…), a country, a currency, a province,
a commune's English name, or a choice of Amity's own. (A commune is named in Arabic by its official Vietnamese name
after the Arabic word for its kind: "بلدية Tân An".)

What users typed is theirs and is left as typed (an organisation's name, an aid item's title), and text marked as
English on purpose (`lang="en"`, the language menu's "English") is English; the rest is checked.
"""

from __future__ import annotations

import csv
import html
import importlib
import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from amity.accounts.choices import Role
from amity.aid.models import AidItem, Budget, LocationSplit, Transaction
from amity.aid.services import AidItemParts, aid_item_update
from amity.conftest import client_for, make_user, province
from amity.demo.register import demo_load
from amity.interop.excel.templates import KINDS
from amity.organisations.models import Organisation, Registration
from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency
from amity.reference.services import TRANSLATED_CODELISTS

pytestmark = pytest.mark.django_db

# Apps whose records hold what users typed, and whose choices (codes of Amity's own) users see.
DATA_APPS = ("accounts", "organisations", "aid", "reports", "interop", "documents", "diplomacy", "obligations")
# Attributes whose text a reader sees or hears.
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "label", "alt")
WORD = re.compile(r"[\w-]+")


@pytest.fixture(autouse=True)
def _default_language_after() -> Iterator[None]:
    """The language middleware leaves the last request's language active in the thread: reset it."""
    yield
    translation.deactivate()


class LatinCodeNames:
    """The English and Vietnamese names of the codes that have an Arabic one, and a finder of them in a text."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # English or Vietnamese name → what it names
        # Communes are named in Arabic by their Vietnamese names, in which the Vietnamese names of some codes are
        # words ("Đức" in Đức Phong, "Than" in Than Uyên): those are not looked for in Vietnamese.
        self.commune_words: set[str] = set()
        for name in AdministrativeUnit.objects.exclude(level="province").values_list("name_vi", flat=True):
            words = name.split()
            self.commune_words.update(
                " ".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1)
            )
        for item in CodelistItem.objects.filter(codelist__name__in=TRANSLATED_CODELISTS).select_related("codelist"):
            self._add(item.name_ar, f"{item.codelist.name} {item.code}", en=item.name_en, vi=item.name_vi)
        for model in (Country, Currency):
            for code, name_en, name_vi, name_ar in model.objects.values_list("code", "name_en", "name_vi", "name_ar"):
                self._add(name_ar, f"{model.__name__} {code}", en=name_en, vi=name_vi)
        used = set(LocationSplit.objects.values_list("unit_id", flat=True))
        units = AdministrativeUnit.objects.filter(models.Q(level="province") | models.Q(pk__in=used))
        for unit in units:
            with translation.override("ar"):
                name_ar, full_name_ar = unit.name, unit.full_name
            what = f"{unit.era} {unit.level} {unit.code}"
            self._add(full_name_ar, what, en=unit.full_name_en, vi=unit.full_name_vi)
            # A commune's Arabic name is its Vietnamese one; a name without diacritics reads the same in English.
            if unit.name_en != unit.name_vi:
                self._add(name_ar, what, en=unit.name_en, vi=unit.name_vi if unit.name_ar else "")
        for choices in amity_choices():
            for choice in choices:
                names = {}
                for language in ("en", "vi", "ar"):
                    with translation.override(language):
                        names[language] = str(choice.label)
                self._add(names["ar"], f"{choices.__name__}.{choice.name}", en=names["en"], vi=names["vi"])
        # Looked for word by word (a name's words in a row, punctuation aside): faster than one pattern of 2,000.
        self.by_words = {tuple(WORD.findall(name)): name for name in self.names}
        self.first_words = {words[0] for words in self.by_words if words}
        self.longest = max(map(len, self.by_words))
        self.typed = typed_texts(self)

    def _add(self, arabic: str, what: str, **names: str) -> None:
        for language, name in names.items():
            if language == "vi" and name in self.commune_words:
                continue
            if name and arabic and arabic != name and len(name) > 2:
                self.names.setdefault(name, f"{what}, {language}")

    def names_in(self, text: str) -> list[str]:
        tokens = WORD.findall(text)
        shown, start = [], 0
        while start < len(tokens):
            step = 1
            if tokens[start] in self.first_words:
                for length in range(min(self.longest, len(tokens) - start), 0, -1):
                    name = self.by_words.get(tuple(tokens[start : start + length]))
                    if name is not None:
                        shown.append(name)
                        step = length
                        break
            start += step
        return shown

    def found(self, text: str) -> list[str]:
        for typed in self.typed:  # what users typed may contain such a name ("Friends of Hai Duong")
            text = text.replace(typed, " ")
        return [f"“{name}” ({self.names[name]})" for name in self.names_in(text)]


@pytest.fixture(scope="module")
def names(register: dict[str, Any], django_db_blocker: Any) -> LatinCodeNames:
    with django_db_blocker.unblock():
        return LatinCodeNames()


def amity_choices() -> list[type[models.Choices]]:
    found: list[type[models.Choices]] = []
    for app in ("accounts", "reference", "organisations", "aid", "interop"):
        module = importlib.import_module(f"amity.{app}.choices")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, models.Choices) and value.__module__ == module.__name__
        ]
    return found


def typed_texts(names: LatinCodeNames) -> list[str]:
    """The text values users typed into the records that hold one of those names, longest first."""
    texts: set[str] = set()
    for app in DATA_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            fields = [
                field.attname
                for field in model._meta.concrete_fields
                if isinstance(field, models.CharField | models.TextField) and not field.choices
            ]
            manager = getattr(model, "all_objects", model._default_manager)
            for row in manager.values_list(*fields) if fields else ():
                texts.update(value for value in row if isinstance(value, str) and names.names_in(value))
    return sorted(texts, key=len, reverse=True)


def page_text(content: str) -> str:
    """What a reader of the page sees: its text and the attributes read out, without scripts, styles and what is
    marked as another language than Arabic."""
    tree = lxml_html.fromstring(content)
    for element in tree.xpath("//script | //style | //*[@lang and not(starts-with(@lang, 'ar'))]"):
        element.drop_tree()
    attributes = [value for name in SHOWN_ATTRIBUTES for value in tree.xpath(f"//@{name}")]
    return html.unescape(" ".join([*tree.itertext(), *attributes]))  # each text apart: cells do not run together


def in_arabic(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    return client


@pytest.fixture(scope="module")
def register(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo register with what the walk opens — an aid item with transactions, participants, budgets and a
    commune, a report published from a Vietnamese page, an IATI import whose report has a skipped activity —
    made once for the module in a transaction rolled back at its end (each test runs in a savepoint within it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override("vi"):  # published from a Vietnamese page
            made = _register()
        yield made
        transaction.set_rollback(True)


def _register() -> dict[str, Any]:
    from amity.interop.choices import ImportKind
    from amity.interop.services import import_run_create, import_run_execute
    from amity.interop.tests.test_iati_import import activity, iati_file
    from amity.reports.services import report_publish
    from amity.reports.spec import spec_from_params

    demo_load(today=date(2026, 12, 1))
    administrator = make_user("admin-ar", Role.ADMINISTRATOR)
    editor = make_user("editor-ar", Role.PROVINCIAL_EDITOR, (province("31"),))
    item = (
        AidItem.objects.filter(owning_province=province("31"), participants__isnull=False, transactions__isnull=False)
        .filter(locations__unit__level="commune")
        .distinct()
        .first()
    )
    assert item is not None
    budget = Budget(  # the demo has none: one, for its type and status
        period_start=date(2023, 1, 1),
        period_end=date(2023, 12, 31),
        amount=Decimal("10000"),
        currency=Currency.objects.get(code="EUR"),
        value_date=date(2023, 1, 1),
    )
    aid_item_update(
        aid_item=item,
        user=administrator,
        data={},
        parts=AidItemParts(budgets=[budget]),
        expected_version=item.version,
    )
    published = report_publish(
        user=administrator,
        spec=spec_from_params({"group_by": "province,sector", "date_from": "2023-01-01", "date_to": "2023-12-31"}),
        title="Báo cáo viện trợ năm 2023",
    )
    content = iati_file(activity("XM-AR-1"), activity("XM-AR-BAD", sectors='<sector code="99999"/>'))
    run = import_run_create(user=administrator, kind=ImportKind.IATI, stream=io.BytesIO(content), file_name="a.xml")
    import_run_execute(run=run)
    return {"administrator": administrator, "editor": editor, "item": item, "published": published, "run": run}


def pages(register: dict[str, Any]) -> list[str]:
    item: AidItem = register["item"]
    first_transaction = item.transactions.first()
    assert first_transaction is not None
    organisation = Organisation.objects.filter(kind="foreign_ngo", registrations__isnull=False).first()
    registration = Registration.objects.first()
    assert organisation is not None and registration is not None
    table = reverse("reports:table")
    return [
        reverse("home"),
        reverse("aid:list"),
        reverse("aid:list") + "?year=2023&province=31",
        item.get_absolute_url(),
        reverse("aid:edit", args=[item.public_id]),
        reverse("aid:add"),
        reverse("aid:transaction_add", args=[item.public_id]),
        reverse("aid:transaction_edit", args=[first_transaction.public_id]),
        *(reverse("aid:lifecycle", args=[item.public_id, step]) for step in ("cancel",)),
        reverse("organisations:list"),
        organisation.get_absolute_url(),
        reverse("organisations:edit", args=[organisation.public_id]),
        reverse("organisations:add"),
        reverse("organisations:registration_list"),
        registration.get_absolute_url(),
        reverse("organisations:registration_edit", args=[registration.public_id]),
        reverse("organisations:registration_add"),
        reverse("organisations:watch"),
        reverse("reports:dashboard"),
        reverse("reports:dashboard") + "?year=2023&statuses=all",
        table + "?group_by=province,sector&year=2023",
        table + "?group_by=sector_category,donor&year=2023",
        table + "?group_by=donor_country,modality,status&year=2023&statuses=all",
        table + "?group_by=year,beneficiary&date_from=2018-01-01&date_to=2024-12-31&era=pre2025",
        reverse("reports:published_list"),
        register["published"].get_absolute_url(),
        reverse("interop:runs"),
        register["run"].get_absolute_url(),
        reverse("interop:iati_import"),
        reverse("interop:excel_upload"),
    ]


def test_the_main_pages_in_arabic_name_no_code_in_english_or_vietnamese(
    register: dict[str, Any], names: LatinCodeNames
) -> None:
    found: dict[str, list[str]] = {}
    for user, urls in (
        (register["administrator"], pages(register)),
        (register["editor"], [reverse("aid:add"), reverse("reports:dashboard"), reverse("aid:list")]),
    ):
        client = in_arabic(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert 'dir="rtl"' in response.content.decode()[:500], url
            if shown := names.found(page_text(response.content.decode())):
                found[url] = sorted(set(shown))
    assert not found, "\n".join(f"{url}: {', '.join(shown)}" for url, shown in found.items())


def workbook_text(content: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    rows = (row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True))
    return "\n".join(str(value) for row in rows for value in row if value)


def test_the_excel_templates_their_lists_and_the_exports_in_arabic_name_no_code_in_english_or_vietnamese(
    register: dict[str, Any], names: LatinCodeNames
) -> None:
    client = in_arabic(register["administrator"])
    files = {
        **{f"template {kind}": reverse("interop:excel_template", args=[kind]) for kind in KINDS},
        **{f"export {kind}": reverse("interop:excel_export", args=[kind]) for kind in KINDS},
        "report xlsx": reverse("reports:export") + "?format=xlsx&group_by=province,sector,donor&year=2023",
    }
    found: dict[str, list[str]] = {}
    for what, url in files.items():
        response = client.get(url)
        assert response.status_code == 200, what
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if shown := names.found(workbook_text(content)):
            found[what] = sorted(set(shown))
    for what, url in {
        "aid list csv": reverse("aid:csv"),
        "report csv": reverse("reports:export") + "?format=csv&group_by=sector,donor_country,status&year=2023",
        "import report csv": reverse("interop:run_report", args=[register["run"].public_id]),
    }.items():
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        if shown := names.found("\n".join(" ".join(row) for row in rows)):
            found[what] = sorted(set(shown))
    assert not found, "\n".join(f"{what}: {', '.join(shown)}" for what, shown in found.items())


def test_the_api_names_codes_in_arabic(register: dict[str, Any], names: LatinCodeNames) -> None:
    client = client_for(register["administrator"])
    found: dict[str, list[str]] = {}
    item = register["item"]
    for url in (
        f"/api/v1/aid-items/{item.public_id}/",
        "/api/v1/aid-items/?province=31",
        f"/api/v1/transactions/?aid_item={item.public_id}",
        "/api/v1/organisations/",
        "/api/v1/registrations/",
    ):
        response = client.get(url, headers={"accept-language": "ar"})
        assert response.status_code == 200, url
        shown_names = " | ".join(code_names(response.json()))
        assert shown_names, url
        if shown := names.found(shown_names):
            found[url] = sorted(set(shown))
    assert not found, "\n".join(f"{url}: {', '.join(shown)}" for url, shown in found.items())
    assert Transaction.objects.filter(aid_item=item).exists()


def code_names(value: Any, key: str = "") -> Iterator[str]:
    """The values of the API's `*_name` and `*_names` fields, anywhere in an answer."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from code_names(inner, name)
    elif isinstance(value, list):
        for inner in value:
            yield from code_names(inner, key)
    elif isinstance(value, str) and (key.endswith("_name") or key.endswith("_names")):
        yield value
