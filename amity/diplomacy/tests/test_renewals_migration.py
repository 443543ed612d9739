"""The data migration from a partnership's single `renewed_on` to its renewals: every date the field held, read from
the partnership's history and its stored value, becomes a renewal with the term in force while it was the latest, by
whom and when it was first recorded; and backwards, `renewed_on` is the latest renewal's date again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from amity.conftest import flush_keeping_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("diplomacy", "0005_agreement_renewals")]
FILLED = [("diplomacy", "0006_renewals_from_renewed_on")]


@pytest.fixture(scope="module", autouse=True)
def _flush_keeps_reference_data() -> Iterator[None]:
    """The flush after the test (a transactional one: migrations change the schema) keeps the reference data, which
    the tests after it read: active around the test's own flush, hence of the module's scope."""
    with flush_keeping_reference_data():
        yield


@pytest.fixture
def old_state(users: dict[str, Any]) -> Iterator[Any]:
    """The models as they were before the renewals were filled (`renewed_on` still there); the database migrated
    forward again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_renewal_date_in_the_history_becomes_a_renewal_with_its_term_and_author(old_state, users):
    apps = old_state
    unit = apps.get_model("reference", "AdministrativeUnit")
    hai_duong = unit.objects.get(level="province", era="pre2025", code="30")
    hai_phong = unit.objects.get(level="province", era="2025", code="31")
    union = apps.get_model("diplomacy", "Union").objects.create(
        name="Liên hiệp hữu nghị", province=hai_duong, owning_province=hai_phong, old_province=hai_duong
    )
    partnership_model = apps.get_model("diplomacy", "Partnership")
    partnership = partnership_model.objects.create(
        union=union,
        owning_province=hai_phong,
        old_province=hai_duong,
        vietnamese_locality=hai_duong,
        foreign_locality="Suwon",
        country=apps.get_model("reference", "Country").objects.get(code="KR"),
        level="city",
        signed_on=date(2014, 6, 3),
        term_ends_on=date(2029, 6, 2),
        renewed_on=date(2024, 6, 3),
    )
    history = apps.get_model("diplomacy", "HistoricalPartnership")
    stored = {f.attname: getattr(partnership, f.attname) for f in partnership_model._meta.concrete_fields}
    editor = users["editor"].pk
    for day, renewed, term in [
        (1, None, date(2019, 6, 2)),  # signed for five years
        (2, date(2019, 6, 3), date(2019, 6, 2)),  # renewed: the date first, by the editor
        (3, date(2019, 6, 3), date(2024, 6, 2)),  # then its term
        (4, date(2024, 6, 3), date(2029, 6, 2)),  # renewed again
    ]:
        history.objects.create(
            **{**stored, "renewed_on": renewed, "term_ends_on": term},
            history_date=datetime(2020, 1, day, tzinfo=UTC),
            history_type="~",
            history_user_id=editor,
        )
    apps = migrate(FILLED)
    renewals = apps.get_model("diplomacy", "AgreementRenewal").objects.order_by("renewed_on")
    assert [(r.renewed_on, r.term_ends_on, r.owning_province_id) for r in renewals] == [
        (date(2019, 6, 3), date(2024, 6, 2), hai_phong.pk),
        (date(2024, 6, 3), date(2029, 6, 2), hai_phong.pk),
    ]
    rows = apps.get_model("diplomacy", "HistoricalAgreementRenewal").objects.order_by("renewed_on")
    assert [(row.history_type, row.history_user_id, row.history_date.day) for row in rows] == [
        ("+", editor, 2),
        ("+", editor, 4),
    ]
    assert {row.history_change_reason for row in rows} == {"Recorded from the partnership's last renewal date"}
    apps = migrate(BEFORE)  # backwards: the latest renewal's date again
    assert apps.get_model("diplomacy", "Partnership").objects.get().renewed_on == date(2024, 6, 3)
