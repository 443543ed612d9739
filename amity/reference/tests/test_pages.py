"""Reference browse pages: signed-in users only, filters, unit mapping shown both ways, fixed query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from amity.accounts.models import User
from amity.reference.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client: Client) -> Client:
    user = User.objects.create_user(username="officer", password="a-long-password-1", role="central_officer")
    client.force_login(user)
    return client


def unit_url(era: str, level: str, code: str) -> str:
    return reverse("reference:unit", kwargs={"era": era, "level": level, "code": code})


# (url, GET parameters, queries: session and user, then the page's own: counts, rows, filter choices)
PAGES = [
    pytest.param(reverse("reference:index"), {}, 9, id="index"),
    pytest.param(reverse("reference:countries"), {}, 4, id="countries"),
    pytest.param(reverse("reference:currencies"), {"q": "dollar"}, 4, id="currencies"),
    pytest.param(reverse("reference:codelists"), {}, 3, id="codelists"),
    pytest.param(reverse("reference:codelist", args=["Sector"]), {"page": 2}, 5, id="codelist-items"),
    pytest.param(reverse("reference:units"), {}, 5, id="units"),
    pytest.param(reverse("reference:units"), {"era": "pre2025", "province": "30", "q": "a"}, 5, id="unit-q"),
    pytest.param(unit_url("2025", "commune", "06978"), {}, 5, id="unit-2025"),
    pytest.param(unit_url("pre2025", "province", "30"), {}, 5, id="unit-pre2025"),
    pytest.param(reverse("reference:rates"), {"currency": "VND"}, 6, id="rates"),
]


@pytest.mark.parametrize(("url", "params", "max_queries"), PAGES)
def test_page_shows_to_a_signed_in_user_in_a_fixed_number_of_queries(
    officer_client: Client, django_assert_max_num_queries, url: str, params: dict, max_queries: int
):
    with django_assert_max_num_queries(max_queries):
        response = officer_client.get(url, params)
    assert response.status_code == 200


@pytest.mark.parametrize(("url", "params", "max_queries"), PAGES)
def test_page_sends_an_anonymous_visitor_to_log_in(client: Client, url: str, params: dict, max_queries: int):
    response = client.get(url, params)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_index_counts_the_units_of_both_eras(officer_client: Client):
    counts = officer_client.get(reverse("reference:index")).context["counts"]
    assert (counts["units_2025_province"], counts["units_pre2025_commune"]) == (34, 10_035)


def test_units_default_to_the_current_era(officer_client: Client):
    response = officer_client.get(reverse("reference:units"))
    assert response.context["paginator"].count == 34 + 3_321
    assert {unit.era for unit in response.context["object_list"]} == {"2025"}
    assert response.context["object_list"][0].level == "province"


def test_units_filter_by_era_level_province_and_name(officer_client: Client):
    response = officer_client.get(reverse("reference:units"), {"era": "pre2025", "level": "district", "province": "30"})
    assert response.context["paginator"].count == 12  # Hải Dương had 12 districts
    response = officer_client.get(reverse("reference:units"), {"era": "2025", "q": "Hai Phong"})
    assert [unit.code for unit in response.context["object_list"]] == ["31"]


def test_province_choices_follow_the_era(officer_client: Client):
    form = officer_client.get(reverse("reference:units"), {"era": "pre2025"}).context["filterset"].form
    assert len(form.fields["province"].choices) == 63 + 1  # plus the empty choice
    form = officer_client.get(reverse("reference:units")).context["filterset"].form
    assert len(form.fields["province"].choices) == 34 + 1


def test_an_invalid_filter_shows_nothing(officer_client: Client):
    response = officer_client.get(reverse("reference:units"), {"era": "1999"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert response.context["filterset"].errors


def test_pages_keep_the_filters_when_paginating(officer_client: Client):
    response = officer_client.get(reverse("reference:units"), {"era": "pre2025", "page": 2})
    assert response.context["querystring"] == "era=pre2025"
    assert response.context["page_obj"].number == 2


def test_a_2025_commune_shows_its_predecessors_with_the_split_ones_marked(officer_client: Client):
    officer_client.cookies["amity_language"] = "en"
    response = officer_client.get(unit_url("2025", "commune", "06978"))  # Ba Chẽ, Quảng Ninh
    rows = response.context["mapping_rows"]
    assert {row.old_unit.code for row in rows} >= {"06886", "06970", "06973"}
    assert {row.old_unit.code for row in rows if row.is_split} == {"06886"}  # Hải Lạng went to 3 communes
    assert "split in 3" in response.content.decode()


def test_a_pre2025_province_shows_its_successor_and_its_districts(officer_client: Client):
    response = officer_client.get(unit_url("pre2025", "province", "30"))
    assert [row.new_unit.code for row in response.context["mapping_rows"]] == ["31"]
    assert [(level, total) for level, _label, total in response.context["children"]] == [("district", 12)]


def test_an_unknown_unit_is_not_found(officer_client: Client):
    assert officer_client.get(unit_url("2025", "province", "30")).status_code == 404


def test_an_unknown_codelist_is_not_found(officer_client: Client):
    assert officer_client.get(reverse("reference:codelist", kwargs={"name": "Nope"})).status_code == 404


def test_codelist_items_show_their_category(officer_client: Client):
    response = officer_client.get(reverse("reference:codelist", kwargs={"name": "Sector"}), {"q": "11110"})
    (item,) = response.context["object_list"]
    assert item.category.code == "111"


def test_currencies_show_their_latest_rate(officer_client: Client):
    response = officer_client.get(reverse("reference:currencies"), {"q": "VND"})
    (dong,) = response.context["object_list"]
    assert dong.latest_rate_start.year == 2024
    assert round(dong.latest_rate, 2) == Decimal("24164.89")


def test_rates_filter_by_currency_and_year(officer_client: Client):
    response = officer_client.get(reverse("reference:rates"), {"currency": "VND", "year": 2023})
    (rate,) = response.context["object_list"]
    assert (rate.currency.code, rate.period_start.year) == ("VND", 2023)


def test_unit_names_follow_the_active_language(officer_client: Client):
    unit = AdministrativeUnit.objects.get(era="2025", level="province", code="31")
    officer_client.cookies["amity_language"] = "en"
    response = officer_client.get(unit_url("2025", "province", "31"))
    assert unit.full_name_en in response.content.decode()
