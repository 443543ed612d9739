"""A batch of service writes refreshes the report facts once, at the end, and the figures are the same."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.aid.tests.factories import make_aid_item, make_transaction
from amity.reports.facts import facts_deferred
from amity.reports.models import ReportFact, ReportRollup

pytestmark = pytest.mark.django_db


def test_deferred_refreshes_happen_once_at_the_end_with_the_same_facts(users: dict[str, Any], hai_phong: Any) -> None:
    item = make_aid_item(users["admin"], owning_province=hai_phong, sectors=(("11220", "50"), ("14030", "50")))

    with facts_deferred():
        make_transaction(users["admin"], item, amount="100")
        make_transaction(users["admin"], item, amount="300", kind="3")
        assert ReportFact.objects.filter(aid_item=item).count() == 0  # not yet
        with CaptureQueriesContext(connection) as inside:
            make_transaction(users["admin"], item, amount="1", kind="4")
        assert not any("reports_reportfact" in q["sql"] for q in inside.captured_queries)

    facts = ReportFact.objects.filter(aid_item=item)
    assert facts.count() == 6  # 3 transactions × 2 sectors × 1 location
    assert sorted(f.amount for f in facts) == sorted([50, 50, 150, 150, 0.5, 0.5])
    assert ReportRollup.objects.filter(grain=1).exists()


def test_nothing_is_refreshed_when_the_block_fails(users: dict[str, Any], hai_phong: Any) -> None:
    item = make_aid_item(users["admin"], owning_province=hai_phong)
    with pytest.raises(RuntimeError), facts_deferred():
        make_transaction(users["admin"], item, amount="100")
        raise RuntimeError

    assert ReportFact.objects.filter(aid_item=item).count() == 0
