"""Two users create records with the same IATI identifier at the same moment (issue 13, items 3 and 6): one is
saved, the other is refused as the service's own check would have refused it — a 400 naming the identifier, on the
page or in the API —, never a server error and never a duplicate.

PostgreSQL, with real concurrency: two threads, each with its own database connection and transaction, both pass
the service's uniqueness check before either writes (a barrier holds each right after it); the first insert takes
the identifier, the second waits on the unique index until the first commits, then is refused. On SQLite a writer
holds the whole database from the start of its transaction, so the second would check after the first committed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from amity.accounts.choices import Role
from amity.aid import services
from amity.aid.models import AidItem
from amity.aid.tests.test_pages import new_item_data
from amity.conftest import flush_keeping_reference_data, make_user, province
from amity.core.tests.concurrency import POSTGRESQL_ONLY, at_once
from amity.organisations.models import Organisation

from .factories import donor

pytestmark = [POSTGRESQL_ONLY, pytest.mark.django_db(transaction=True)]

IDENTIFIER = "KR-GOV-010-2026-001"


@pytest.fixture(scope="module", autouse=True)
def _keep_reference_data() -> Iterator[None]:
    with flush_keeping_reference_data():
        yield


def signed_in(user: Any) -> Client:
    client = Client(raise_request_exception=True)  # a server error is raised, and reported by `at_once`
    client.force_login(user)
    return client


def through_the_api(user: Any) -> Callable[[], Any]:
    body = {"modality": "project", "title_vi": "Trường học", "owning_province": "31", "iati_identifier": IDENTIFIER}
    return lambda: signed_in(user).post("/api/v1/aid-items/", body, content_type="application/json")


def through_the_form(user: Any, partner: Organisation) -> Callable[[], Any]:
    data = new_item_data(province("31"), partner, iati_identifier=IDENTIFIER)
    return lambda: signed_in(user).post(reverse("aid:add"), data)


def refused_naming_the_identifier(response: Any) -> bool:
    if response.status_code != 400:
        return False
    if response["Content-Type"] == "application/json":
        return list(response.json()) == ["iati_identifier"]
    return "iati_identifier" in response.context["form"].errors


@pytest.mark.parametrize("ways", [("api", "api"), ("form", "form"), ("api", "form")])
def test_two_creates_with_the_same_iati_identifier_at_once_save_one_and_refuse_the_other(
    monkeypatch: pytest.MonkeyPatch, ways: tuple[str, str]
) -> None:
    partner = donor()
    editors = [make_user(f"editor-{n}", Role.PROVINCIAL_EDITOR, (province("31"),)) for n in range(2)]
    calls = [
        through_the_api(user) if way == "api" else through_the_form(user, partner)
        for way, user in zip(ways, editors, strict=True)
    ]

    # Held after the service's uniqueness check; the refused one runs it again after the database refused its value.
    responses = at_once(monkeypatch, [(services, "_check_unique_identifiers")], calls)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    saved = [r for r in responses if r.status_code in (201, 302)]
    refused = [r for r in responses if refused_naming_the_identifier(r)]
    assert (len(saved), len(refused)) == (1, 1), [(r.status_code, r.content[:300]) for r in responses]
    assert AidItem.all_objects.filter(iati_identifier=IDENTIFIER).count() == 1
    assert AidItem.all_objects.count() == 1  # nothing of the refused one


@pytest.mark.parametrize("ways", [("api", "api"), ("form", "form")])
def test_two_organisations_with_the_same_iati_identifier_at_once_save_one_and_refuse_the_other(
    monkeypatch: pytest.MonkeyPatch, ways: tuple[str, str]
) -> None:
    """The per-record services (`save_with_history`): the database names the constraint, the refusal its field."""
    officers = [make_user(f"central-{n}", Role.CENTRAL_OFFICER) for n in range(2)]

    def create(way: str, user: Any) -> Callable[[], Any]:
        body = {"name": f"Korea Foundation {user.pk}", "kind": "foreign_ngo", "iati_identifier": "KR-GOV-010"}
        if way == "api":
            return lambda: signed_in(user).post("/api/v1/organisations/", body, content_type="application/json")
        return lambda: signed_in(user).post(reverse("organisations:add"), {**body, "status": "active"})

    calls = [create(way, user) for way, user in zip(ways, officers, strict=True)]
    responses = at_once(monkeypatch, [(Organisation, "full_clean")], calls)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    saved = [r for r in responses if r.status_code in (201, 302)]
    refused = [r for r in responses if refused_naming_the_identifier(r)]
    assert (len(saved), len(refused)) == (1, 1), [(r.status_code, r.content[:300]) for r in responses]
    assert Organisation.all_objects.filter(iati_identifier="KR-GOV-010").count() == 1
