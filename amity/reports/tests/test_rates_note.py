"""A report whose amounts are valued at the latest rate available (rates loaded up to 2024, a period reaching
2026) says so plainly, with the period of that rate, in the reader's language: on the table, the dashboard, the
exports and the API (the notes); a period the rates cover says nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from amity.aid.tests.factories import approve, make_aid_item, make_transaction
from amity.conftest import client_for
from amity.reports.selectors import report
from amity.reports.spec import spec_from_params

pytestmark = pytest.mark.django_db

LATEST = (
    "Latest rate available: 2024 average. Amounts dated after 12/31/2024 are valued at it until newer rates are loaded."
)


@pytest.fixture
def aid(users: Any, hai_phong: Any) -> Any:
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    make_transaction(users["editor"], item, kind="2", amount="1000", currency="EUR", on=date(2023, 6, 1))
    make_transaction(users["editor"], item, kind="2", amount="2000", currency="EUR", on=date(2026, 3, 15))
    return approve(users["approver"], item)


def notes(user: Any, language: str = "en", **params: str) -> tuple[str, list[str]]:
    with translation.override(language):
        result = report(user, spec_from_params(params))
        return result.rates_note, [str(note) for note in result.notes]


def test_value_date_figures_past_the_latest_rate_say_so(users: Any, aid: Any) -> None:
    rates_note, all_notes = notes(users["central"], date_from="2026-01-01", date_to="2026-12-31")
    assert rates_note == LATEST and LATEST in all_notes
    rates_note, _ = notes(users["central"], "vi", date_from="2026-01-01", date_to="2026-12-31", currency="VND")
    assert rates_note == (
        "Tỷ giá mới nhất hiện có: bình quân năm 2024. Các khoản tiền có ngày sau 31/12/2024 được quy đổi theo tỷ giá "
        "này cho đến khi có tỷ giá mới hơn."
    )


def test_a_period_the_rates_cover_says_nothing(users: Any, aid: Any) -> None:
    assert notes(users["central"], date_from="2023-01-01", date_to="2024-12-31") == ("", [])


def test_the_rates_of_a_date_past_the_latest_rate_say_so(users: Any, aid: Any) -> None:
    params = {"basis": "rates_on", "rate_date": "2026-06-01", "currency": "VND"}
    rates_note, _ = notes(users["central"], "vi", **params)
    assert rates_note == "Tỷ giá mới nhất hiện có vào ngày 01/06/2026: bình quân năm 2024."
    assert notes(users["central"], basis="rates_on", rate_date="2023-06-01", currency="VND") == ("", [])


def test_the_table_and_the_dashboard_show_it(users: Any, aid: Any) -> None:
    client = client_for(users["central"])
    client.cookies["amity_language"] = "ar"
    table = client.get(reverse("reports:table"), {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert "أحدث سعر صرف متاح: متوسط عام 2024" in table.content.decode()
    dashboard = client.get(reverse("reports:dashboard"))
    assert "أحدث سعر صرف متاح: متوسط عام 2024" in dashboard.content.decode()


def test_the_csv_export_and_the_api_carry_it(users: Any, aid: Any) -> None:
    client = client_for(users["central"])
    client.cookies["amity_language"] = "en"
    params = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    export = client.get(reverse("reports:export"), {**params, "format": "csv"})
    assert LATEST in b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    api = client.get("/api/v1/reports/", params).json()
    assert LATEST in api["notes"]
