"""Reports API: live figures equal the selector's, parameters are checked (400 naming them), scoping is the
pages', and published reports are read by whom the policy allows and published through the service
(403 / 400 / 201)."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from amity.demo.register import demo_load
from amity.reports.models import PublishedReport
from amity.reports.selectors import report
from amity.reports.services import report_publish, result_to_figures
from amity.reports.spec import spec_from_params

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
PUBLISHED = "/api/v1/published-reports/"
HAI_PHONG_2024 = {"province": "31", "year": "2024", "group_by": "sector"}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def figures_of(user, params: dict[str, str]) -> dict:
    with translation.override("vi"):
        return result_to_figures(report(user, spec_from_params(params)))


@pytest.fixture
def demo(db):
    demo_load()


@pytest.fixture
def published(users) -> PublishedReport:
    return report_publish(user=users["approver"], spec=spec_from_params(HAI_PHONG_2024), title="Viện trợ năm 2024")


# --- live figures ---------------------------------------------------------------------------------------------------


def test_report_figures_equal_the_selectors(demo, users):
    params = {"group_by": "province,modality", "year": "2023", "measures": "committed,disbursed,aid_items"}

    response = api(users["central"]).get(REPORTS, params)

    assert response.status_code == 200
    body = response.json()
    expected = figures_of(users["central"], params)
    assert body["totals"] == expected["totals"]
    assert [(row["keys"], row["values"]) for row in body["rows"]] == [
        (row["keys"], row["values"]) for row in expected["rows"]
    ]
    assert body["basis"] == expected["basis"]
    assert body["parameters"]["date_from"] == "2023-01-01"
    assert body["links"]["exports"]["xlsx"].startswith("http://testserver/reports/export/?")
    assert body["rows"][0]["records"].startswith("http://testserver/aid/?")


def test_report_figures_follow_the_users_scope(demo, users):
    response = api(users["editor"]).get(REPORTS, {"group_by": "province"})

    assert [row["keys"][0]["value"] for row in response.json()["rows"]] == ["31"]
    assert response.json()["totals"] == figures_of(users["editor"], {"group_by": "province"})["totals"]


def test_bad_report_parameters_are_a_400_naming_them(users):
    response = api(users["central"]).get(REPORTS, {"date_from": "2024-02-30", "currency": "EUR", "group_by": "x"})

    assert response.status_code == 400
    assert set(response.json()) == {"date_from", "currency", "group_by"}


def test_reports_need_a_login():
    assert api().get(REPORTS).status_code in (401, 403)


def test_the_schema_documents_the_report_parameters(users):
    response = api(users["central"]).get("/api/schema/", {"format": "json"})

    parameters = {p["name"] for p in response.json()["paths"]["/api/v1/reports/"]["get"]["parameters"]}
    assert {"measures", "group_by", "year", "era", "currency", "basis", "rate", "province"} <= parameters


# --- published reports -------------------------------------------------------------------------------------------


def test_an_approver_publishes_the_provinces_report(users):
    body = {"title": "Viện trợ năm 2024", "parameters": HAI_PHONG_2024}

    response = api(users["approver"]).post(PUBLISHED, body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["province"] == "31"
    assert created["intact"] is True
    assert created["figures"] == PublishedReport.objects.get(public_id=created["id"]).figures
    assert response["Location"].endswith(f"{PUBLISHED}{created['id']}/")


@pytest.mark.parametrize(
    ("user", "parameters"),
    [
        ("editor", HAI_PHONG_2024),  # editors do not publish
        ("approver", {"province": "14", "year": "2024"}),  # not the approver's province
        ("approver", {"year": "2024"}),  # a national report is for central officers
        ("editor", {"date_from": "not a date"}),  # refused before its input is read
    ],
)
def test_publishing_outside_ones_rights_is_a_403(users, user, parameters):
    response = api(users[user]).post(PUBLISHED, {"title": "Báo cáo", "parameters": parameters}, format="json")

    assert response.status_code == 403
    assert not PublishedReport.objects.exists()


def test_publishing_bad_parameters_is_a_400_naming_them(users):
    body = {"title": "Báo cáo", "parameters": {"province": "31", "date_to": "2024-99-01", "measures": "profit"}}

    response = api(users["approver"]).post(PUBLISHED, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["parameters"]) == {"date_to", "measures"}
    assert not PublishedReport.objects.exists()


def test_publishing_without_a_title_is_a_400(users):
    response = api(users["central"]).post(PUBLISHED, {"title": " ", "parameters": {}}, format="json")

    assert response.status_code == 400
    assert "title" in response.json()


@pytest.fixture
def national(users) -> PublishedReport:
    return report_publish(user=users["central"], spec=spec_from_params({"year": "2024"}), title="Toàn quốc 2024")


@pytest.mark.parametrize(
    "who", [None, "admin", "central", "approver", "editor", "viewer", "son_la_editor", "ngo_rep", "no_role"]
)
def test_every_published_report_is_read_by_the_public_and_every_user(users, published, national, who):
    client = api(users[who] if who else None)

    listed = client.get(PUBLISHED).json()["results"]

    assert {r["id"] for r in listed} == {str(published.public_id), str(national.public_id)}
    for report_ in (published, national):
        assert client.get(f"{PUBLISHED}{report_.public_id}/").status_code == 200


def test_a_national_report_has_no_province_and_the_schema_says_it_may_be_null(users, national):
    body = api().get(f"{PUBLISHED}{national.public_id}/").json()
    assert body["province"] is None

    schema = api(users["central"]).get("/api/schema/", {"format": "json"}).json()
    province = schema["components"]["schemas"]["PublishedReport"]["properties"]["province"]
    assert province.get("nullable") is True


def test_published_figures_are_public(published):
    response = api().get(f"{PUBLISHED}{published.public_id}/")

    assert response.status_code == 200
    assert response.json()["figures"] == published.figures
    assert response.json()["exports"]["docx"].endswith(f"published={published.public_id}&format=docx")


def test_anonymous_users_cannot_publish():
    response = api().post(PUBLISHED, {"title": "Báo cáo", "parameters": {}}, format="json")

    assert response.status_code in (401, 403)


def test_the_published_list_runs_a_fixed_number_of_queries(users, published, django_assert_num_queries):
    report_publish(user=users["approver"], spec=spec_from_params({"province": "31"}), title="Tất cả các năm")
    client = api(users["viewer"])
    with django_assert_num_queries(3):  # jurisdictions, count, rows with province and publisher
        response = client.get(PUBLISHED)
    assert response.json()["count"] == 2


def test_a_date_without_rates_is_a_400_in_the_api(users, hai_phong):
    from datetime import date

    from rest_framework.test import APIClient

    from amity.aid.tests.factories import approve, make_aid_item, make_transaction

    item = approve(users["admin"], make_aid_item(users["admin"], owning_province=hai_phong))
    make_transaction(users["admin"], item, kind="3", amount="10.00", currency="EUR", on=date(2019, 3, 1))
    client = APIClient()
    client.force_authenticate(users["central"])
    response = client.get("/api/v1/reports/", {"basis": "rates_on", "rate_date": "1900-01-01"})
    assert response.status_code == 400
    assert "rate_date" in response.json()


def test_the_schema_says_a_published_report_may_have_no_province(users):
    """National reports have a null province; a client generated from the schema must expect it."""
    schema = api(users["admin"]).get("/api/schema/", {"format": "json"}).json()
    for name in ("PublishedReport", "PublishedReportDetail"):
        assert schema["components"]["schemas"][name]["properties"]["province"]["nullable"] is True
