"""Codes in the reader's language everywhere: an aid item's page, the report table and its XLSX export, the
register's Excel export and template lists, and the API show a DAC sector, a transaction type and a province by
their Vietnamese or Arabic name, never the English one; the sector drop-down has a search box."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amity.aid.tests.factories import approve, make_aid_item, make_transaction
from amity.conftest import client_for
from amity.interop.excel.export import export_workbook
from amity.interop.excel.templates import AID_ITEMS, lists_for

pytestmark = pytest.mark.django_db

# 11220 Primary education, a disbursement (transaction type 3), Hải Phòng (province 31).
NAMES = {
    "vi": {"sector": "Giáo dục tiểu học", "transaction": "Giải ngân", "province": "Hải Phòng"},
    "ar": {"sector": "التعليم الابتدائي", "transaction": "صرف", "province": "هاي فونغ"},
}
ENGLISH = ("Primary education", "Disbursement", "Hai Phong")


@pytest.fixture(autouse=True)
def _default_language_after():
    """The language middleware leaves the last request's language active in the thread: reset it."""
    yield
    translation.deactivate()


@pytest.fixture
def disbursed(users, hai_phong):
    """An approved aid item for primary education in Hải Phòng with a disbursement."""
    item = make_aid_item(users["editor"], owning_province=hai_phong, sectors=[("11220", "100")])
    approve(users["approver"], item)
    make_transaction(users["editor"], item, kind="3", amount="2500", currency="USD", on=date(2023, 6, 1))
    return item


def in_language(user: Any, language: str) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def cells(workbook: openpyxl.Workbook) -> str:
    rows = (row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True))
    return "\n".join(str(value) for row in rows for value in row if value)


def without_english(text: str) -> None:
    for english in ENGLISH:
        assert english not in text, english


@pytest.mark.parametrize("language", ["vi", "ar"])
def test_the_aid_item_page_names_the_sector_transaction_type_and_province_in_the_language(users, disbursed, language):
    page = in_language(users["editor"], language).get(disbursed.get_absolute_url()).content.decode()
    for name in NAMES[language].values():
        assert name in page, name
    without_english(page)


@pytest.mark.parametrize("language", ["vi", "ar"])
def test_the_report_table_and_its_xlsx_export_name_sectors_and_provinces_in_the_language(users, disbursed, language):
    client = in_language(users["central"], language)
    params = {"group_by": "province,sector", "year": "2023"}
    page = client.get(reverse("reports:table"), params).content.decode()
    assert NAMES[language]["sector"] in page and NAMES[language]["province"] in page
    response = client.get("/reports/export/", {"format": "xlsx", **params})
    assert response.status_code == 200
    text = cells(openpyxl.load_workbook(io.BytesIO(response.content)))
    assert f"11220 {NAMES[language]['sector']}" in text
    assert NAMES[language]["province"] in text
    without_english(text)


@pytest.mark.parametrize("language", ["vi", "ar"])
def test_the_register_export_names_sectors_and_transaction_types_in_the_language(users, disbursed, language):
    with translation.override(language):
        text = cells(export_workbook("aid_items", users["editor"])) + cells(
            export_workbook("transactions", users["editor"])
        )
    assert NAMES[language]["sector"] in text
    assert NAMES[language]["transaction"] in text
    without_english(text)


def test_the_excel_template_lists_are_in_the_language(users):
    with translation.override("ar"):
        lists = lists_for(AID_ITEMS, users["editor"])
    provinces = {choice.code: choice.label for choice in lists["provinces"]}
    sectors = {choice.code: choice.label for choice in lists["sectors"]}
    assert provinces["31"] == "هاي فونغ"
    assert sectors["11220"] == "التعليم الابتدائي"
    assert sectors["112"] == "التعليم الأساسي"


@pytest.mark.parametrize("language", ["vi", "ar"])
def test_the_api_names_follow_the_language(users, disbursed, language):
    client = in_language(users["editor"], language)
    item = client.get(f"/api/v1/aid-items/{disbursed.public_id}/").json()
    assert item["sectors"][0]["sector_name"] == NAMES[language]["sector"]
    assert item["owning_province_name"] == NAMES[language]["province"]
    transactions = client.get("/api/v1/transactions/").json()
    rows = transactions["results"] if isinstance(transactions, dict) else transactions
    assert {row["transaction_type_name"] for row in rows} == {NAMES[language]["transaction"]}


def test_an_api_client_without_the_cookie_chooses_with_accept_language(users, disbursed):
    client = client_for(users["editor"])
    url = f"/api/v1/aid-items/{disbursed.public_id}/"
    response = client.get(url, headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.8"})
    assert response.json()["sectors"][0]["sector_name"] == NAMES["ar"]["sector"]
    assert "Accept-Language" in response.headers["Vary"]
    assert client.get(url, headers={"accept-language": "en"}).json()["status_name"] == "Approved"
    # Without a language asked for, Vietnamese; pages ignore the header.
    assert client.get(url).json()["sectors"][0]["sector_name"] == NAMES["vi"]["sector"]
    page = client.get(disbursed.get_absolute_url(), headers={"accept-language": "ar"}).content.decode()
    assert NAMES["vi"]["sector"] in page


@pytest.mark.parametrize("language", ["vi", "ar"])
def test_the_sector_drop_down_has_a_search_box_and_groups_by_category_in_the_language(users, language):
    page = in_language(users["editor"], language).get(reverse("aid:add")).content.decode()
    select = re.search(r'<select name="sectors-0-sector"[^>]*>', page)
    assert select is not None
    assert "data-filter=" in select.group(0) and "data-filter-count=" in select.group(0)
    category = {"vi": "112 Giáo dục cơ bản", "ar": "112 التعليم الأساسي"}[language]
    assert f'<optgroup label="{category}">' in page
    assert f"11220 — {NAMES[language]['sector']}" in page


def test_the_sector_filters_are_drop_downs_with_a_search_box_by_name(users, disbursed):
    client = in_language(users["central"], "ar")
    for url in (reverse("aid:list"), reverse("reports:table")):
        page = client.get(url).content.decode()
        select = re.search(r'<select name="sector"[^>]*>', page)
        assert select is not None and "data-filter=" in select.group(0), url
        assert f"11220 {NAMES['ar']['sector']}" in page, url
    listed = client.get(reverse("aid:list"), {"sector": "11220"}).content.decode()
    assert disbursed.get_absolute_url() in listed


def test_the_csv_downloads_name_provinces_and_sectors_in_the_language(users, disbursed):
    client = in_language(users["central"], "ar")
    aid_list = b"".join(client.get(reverse("aid:csv")).streaming_content).decode("utf-8-sig")
    assert NAMES["ar"]["province"] in aid_list
    report = client.get("/reports/export/", {"format": "csv", "group_by": "sector", "year": "2023"})
    text = (b"".join(report.streaming_content) if report.streaming else report.content).decode("utf-8-sig")
    assert NAMES["ar"]["sector"] in text
    without_english(aid_list + text)


def test_the_organisation_and_registration_api_name_their_codes_in_the_language(users, hai_phong):
    from amity.organisations import services as organisation_services
    from amity.organisations.models import Organisation
    from amity.reference.models import CodelistItem

    ngo = Organisation.objects.create(
        name="Korea Friendship Foundation",
        kind="foreign_ngo",
        iati_type=CodelistItem.objects.of("OrganisationType").get(code="21"),
    )
    registration = organisation_services.registration_create(
        user=users["central"],
        data={
            "organisation": ngo,
            "kind": "operation",
            "number": "001/GĐK-TEST",
            "issue_date": date(2024, 1, 15),
            "expiry_date": date(2027, 1, 14),
        },
    )
    registration.provinces.set([hai_phong])
    registration.sectors.set([CodelistItem.objects.of("SectorCategory").get(code="112")])
    client = in_language(users["central"], "ar")
    organisation = client.get(f"/api/v1/organisations/{ngo.public_id}/").json()
    assert organisation["iati_type_name"] == "منظمة غير حكومية دولية"
    answer = client.get(f"/api/v1/registrations/{registration.public_id}/").json()
    assert answer["province_names"] == [NAMES["ar"]["province"]]
    assert answer["sector_names"] == ["التعليم الأساسي"]
