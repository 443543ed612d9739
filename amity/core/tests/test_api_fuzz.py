"""Every operation of Amity's own OpenAPI schema, called with inputs schemathesis generates from it (valid and
invalid), as an administrator, a provincial editor and an NGO representative: no answer may be a server error
or contradict the schema (issue 13, item 6). In-process through the WSGI app, no network; bounded by a fixed
seed and a fixed number of examples per operation (`FUZZ_EXAMPLES`), so it gives the same verdict each run.
Run alone with `pytest -m fuzz`; `make test` runs it with the rest."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from amity.aid.tests.factories import donor, make_aid_item, make_transaction
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params
from config.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))  # per operation, role and generation mode
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
ROLES = ("admin", "editor", "ngo_rep")


@pytest.fixture
def wsgi_app() -> Any:
    """The project's WSGI application, called in the test's database transaction: as Django's test client
    does, a request must not close the connection (PostgreSQL would lose the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def register(users, hai_phong):
    """A little of everything the API lists, so that the answers carry rows to check against the schema: an
    aid item with a transaction, a donor, a national and a provincial published report."""
    partner = donor()
    item = make_aid_item(users["editor"], owning_province=hai_phong, participants=[(partner, "1")])
    make_transaction(users["editor"], item, on=date(2024, 3, 1))
    report_publish(user=users["central"], spec=spec_from_params({"year": "2024"}), title="Toàn quốc 2024")
    report_publish(
        user=users["approver"], spec=spec_from_params({"year": "2024", "province": "31"}), title="Hải Phòng 2024"
    )


def _summary(failure: BaseException) -> str:
    lines = [line.strip() for line in str(failure).splitlines() if line.strip()]
    return " / ".join([type(failure).__name__, *lines[:3]])


def _check(operation: Any, mode: Any, headers: dict[str, str], found: list[str]) -> None:
    """Call `operation` with EXAMPLES generated inputs of `mode`; note each failure in `found` (no shrinking:
    the first failing input is reported as it was sent)."""

    @seed(20261206)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as exc:  # a failure, or a group of them (one per check)
            for failure in getattr(exc, "exceptions", [exc]):
                sent = {"query": case.query, "body": case.body}
                found.append(f"{operation.label} [{mode.name}] {_summary(failure)} ← {sent!r:.300}")

    call()


def _failures(schema: Any, headers: dict[str, str]) -> list[str]:
    found: list[str] = []
    for result in schema.get_all_operations():
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _check(result.ok(), mode, headers, found)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_a_server_error_or_against_the_schema(users, register, wsgi_app, role):
    token = Token.objects.create(user=users[role])
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=headers)
    failures = _failures(schema, headers)
    assert not failures, "\n".join(sorted(set(failures)))
