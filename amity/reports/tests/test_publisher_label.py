"""A published report names its publisher by office (`PublishedReport.publisher_label`, the one definition) on the
staff pages, in the staff API, in its exports, and on the public figures pages and public API — never the
officer's user name, name or e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from amity.reports.models import PublishedReport
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(users: dict[str, Any]) -> tuple[PublishedReport, PublishedReport]:
    approver, central = users["approver"], users["central"]
    for officer, name in ((approver, "Approver-Person"), (central, "Central-Person")):
        officer.first_name, officer.last_name, officer.email = name, "X", f"{name.lower()}@gov.example"
        officer.save()
    provincial = report_publish(
        user=approver, spec=spec_from_params({"province": "31", "year": "2024"}), title="Hải Phòng 2024"
    )
    national = report_publish(user=central, spec=spec_from_params({"year": "2024"}), title="Toàn quốc 2024")
    return provincial, national


def _personal(users: dict[str, Any]) -> list[str]:
    people = (users["approver"], users["central"])
    return [text for user in people for text in (user.username, user.email, user.first_name)]


def test_the_label_is_the_office_in_the_readers_language(published: tuple[PublishedReport, PublishedReport]) -> None:
    provincial, national = published
    with translation.override("en"):
        assert provincial.publisher_label == f"People's Committee of {provincial.province.full_name}"
        assert national.publisher_label == "Committee for Foreign Non-Governmental Organisation Affairs"
    with translation.override("vi"):
        assert provincial.publisher_label.startswith("Ủy ban nhân dân")


def test_no_staff_page_api_or_export_names_the_publishing_officer(
    users: dict[str, Any], published: tuple[PublishedReport, PublishedReport]
) -> None:
    reader = users["viewer"]  # not the publisher: a signed-in page names its own reader in the menu
    client = Client()
    client.force_login(reader)
    api = APIClient()
    api.force_authenticate(reader)
    answers = [client.get("/reports/published/").content.decode()]
    for report in published:
        answers.append(client.get(report.get_absolute_url()).content.decode())
        answers.append(api.get(f"/api/v1/published-reports/{report.public_id}/").content.decode())
    listed = api.get("/api/v1/published-reports/").json()["results"]
    answers.append(str(listed))
    assert {row["published_by"] for row in listed} == {report.publisher_label for report in published}
    for answer in answers:
        assert published[0].publisher_label in answer or published[1].publisher_label in answer
        for text in _personal(users):
            assert text not in answer, text


def test_no_public_page_or_public_api_answer_names_the_publishing_officer(
    users: dict[str, Any], published: tuple[PublishedReport, PublishedReport]
) -> None:
    client = Client()
    answers = [
        client.get("/figures/").content.decode(),
        client.get("/api/public/v1/published-reports/").content.decode(),
    ]
    for report in published:
        answers.append(client.get(f"/figures/{report.public_id}/").content.decode())
        answers.append(client.get(f"/api/public/v1/published-reports/{report.public_id}/").content.decode())
        answers.append(client.get(f"/figures/{report.public_id}/download.csv").content.decode("utf-8-sig"))
    for answer in answers:
        for text in _personal(users):
            assert text not in answer, text
