"""On PostgreSQL the IATI importer plans the next batch in a thread, on its own connection, while this batch is
written (`amity.core.ahead`). It must write exactly what the one-thread import writes, raise the reader's errors
in the writer with nothing written, and leave no thread or connection behind."""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum

from amity.aid.models import AidItem, Transaction
from amity.core.ahead import PlannedAhead, may_plan_ahead
from amity.interop.iati.importer import IatiImporter
from amity.interop.tests.test_iati_import import activity, iati_file
from amity.organisations.models import Organisation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="a planner thread needs a second connection to the same database (PostgreSQL)",
    ),
]

PARTNER = (
    '<participating-org ref="XM-DAC-41122" role="2" type="40"><narrative>Quỹ Nhi đồng {n}</narrative>'
    "</participating-org>"
)


def _file(*, tail: str = "") -> bytes:
    """Nine activities, so three batches of three: partner organisations first named in the first batch and
    named again in the last; an identifier repeated in another batch; a reversal."""
    activities = []
    for n in range(9):
        partner = PARTNER.format(n=n % 2)
        transactions = (
            '<transaction><transaction-type code="3"/><transaction-date iso-date="2024-03-01"/>'
            f'<value currency="USD" value-date="2024-03-01">{1000 + n}</value></transaction>'
            '<transaction><transaction-type code="3"/><transaction-date iso-date="2024-04-01"/>'
            '<value currency="USD" value-date="2024-04-01">-250</value></transaction>'
        )
        activities.append(activity(f"XM-DAC-41122-VN-{n:03}", extra=partner, transactions=transactions))
    activities.append(activity("XM-DAC-41122-VN-001"))  # read already: skipped
    return iati_file(*activities, tail)


def _figures() -> tuple[Any, ...]:
    items = AidItem.objects.aggregate(n=Count("pk"))["n"]
    tx = Transaction.objects.aggregate(n=Count("pk"), total=Sum("amount"))
    return items, tx["n"], tx["total"], Organisation.objects.filter(iati_identifier="XM-DAC-41122").count()


def _import(data: bytes, hai_phong: Any, *, ahead: bool, threads: set[str] | None = None) -> Any:
    importer = IatiImporter(owning_province=hai_phong, batch_size=3, plan_ahead=ahead)
    if threads is not None:
        plan_batch = importer._plan_batch

        def recording(batch: Any) -> Any:
            threads.add(threading.current_thread().name)
            return plan_batch(batch)

        importer._plan_batch = recording  # type: ignore[method-assign]
    return importer.import_stream(io.BytesIO(data))


def test_planning_ahead_writes_what_one_thread_writes(hai_phong: Any) -> None:
    with transaction.atomic():
        one_thread = _import(_file(), hai_phong, ahead=False)
        alone = _figures()
        transaction.set_rollback(True)
    assert _figures() == (0, 0, None, 0)
    threads: set[str] = set()

    ahead = _import(_file(), hai_phong, ahead=True, threads=threads)

    assert threads == {"amity-plan-ahead"}
    # An independent count: nine disbursements of 1,000 + n USD, each with a reversal of 250.
    assert _figures() == alone == (9, 18, Decimal(sum(1000 + n for n in range(9)) - 9 * 250), 1)
    assert one_thread.summary() == ahead.summary()
    assert (ahead.created, ahead.skipped, ahead.organisations_created) == (9, 1, 3)
    assert not any(thread.name == "amity-plan-ahead" for thread in threading.enumerate())


def test_a_file_broken_after_some_batches_writes_nothing(hai_phong: Any) -> None:
    result = _import(_file(tail="<iati-activity><broken"), hai_phong, ahead=True)

    assert result.refused is not None
    assert _figures() == (0, 0, None, 0)
    assert not any(thread.name == "amity-plan-ahead" for thread in threading.enumerate())


def test_a_writer_error_stops_the_planner_and_its_connection() -> None:
    made: list[int] = []

    def batches() -> Any:
        for n in range(1000):
            made.append(n)
            yield n

    with pytest.raises(RuntimeError), PlannedAhead(batches, depth=2) as ahead:
        for n in ahead:
            if n == 3:
                raise RuntimeError("the write failed")
    assert len(made) <= 3 + 2 + 2  # the planner stopped a few batches ahead, not at the end
    assert not any(thread.name == "amity-plan-ahead" for thread in threading.enumerate())


def test_where_a_planner_may_run() -> None:
    assert connection.in_atomic_block and not may_plan_ahead()  # inside the test's transaction: not here
