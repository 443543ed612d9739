"""The yearly rollups (`DiplomacyRollup`) stay equal to a recount of the records when two writers touch the same
rollup bucket at the same moment (issue 14's figures under real concurrency): two updates moving records across
it, an update and a delete, an update and a delete of the same record (one is refused as a conflict), and a merger
of unions while an edit is saved (neither is lost).

PostgreSQL, with real concurrency: each writer in a thread with its own connection and transaction, held after its
reads and before its first lock (`amity.core.tests.concurrency`), so that both have read the stored records before
either writes. The rollups are written by appending differences (`rollups.following`), never by updating a shared
row, and each writer locks the rows whose stored contribution it takes away before reading it; these tests hold
that design to its word."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from amity.conftest import flush_keeping_reference_data
from amity.core.exceptions import ConflictError
from amity.core.tests.concurrency import POSTGRESQL_ONLY, at_once, finished_or_waiting_on_a_lock, hold, start
from amity.diplomacy import rollups, services
from amity.diplomacy.models import Event, Visitor
from amity.diplomacy.services import Change

from . import factories as f
from .test_rollups import counted_from_records, counted_from_rollups

pytestmark = [POSTGRESQL_ONLY, pytest.mark.django_db(transaction=True)]

# Where each writer is held: a batch service after reading the stored rows and their unions (before claiming their
# versions, its first lock); a delete before the rollups lock the row (`following` is entered after the call).
AFTER_THE_READS = [(services, "_owners_of"), (rollups, "following")]


@pytest.fixture(scope="module", autouse=True)
def _keep_reference_data() -> Iterator[None]:
    with flush_keeping_reference_data():
        yield


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


def update(user: Any, model: type[Any], record: Any, **data: Any) -> Any:
    save = services.SAVERS[model]
    return lambda: save(user=user, rows=[Change(data, record.pk, record.version)])


def delete(user: Any, record: Any) -> Any:
    return lambda: services.record_delete(instance=record, user=user)


def assert_recount(users: dict[str, Any]) -> None:
    """The rollups, nationally and by province, equal a count of the live records."""
    central = users["central"]
    assert counted_from_rollups(central) == counted_from_records()
    for province, old in ((f.unit_of("2025", "31"), False), (f.unit_of("pre2025", "30"), True)):
        assert counted_from_rollups(central, province) == counted_from_records(province, old=old)


def test_two_updates_moving_records_across_the_same_bucket_at_once(monkeypatch, users, hai_duong):
    editor = users["editor"]
    conference = f.event(editor, hai_duong, event_type="conference", foreign_participants=4)
    charity = f.event(editor, hai_duong, event_type="charity", vietnamese_participants=30)
    results = at_once(
        monkeypatch,
        AFTER_THE_READS,
        [
            update(editor, Event, conference, event_type="charity", foreign_participants=9),
            update(editor, Event, charity, event_type="conference"),
        ],
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(Event.objects.values_list("event_type", flat=True)) == ["charity", "conference"]
    assert_recount(users)


def test_visitors_resized_and_deleted_in_the_same_bucket_at_once(monkeypatch, users, hai_duong):
    editor = users["editor"]
    group = f.visitor(editor, hai_duong, full_name="", group_name="Sinh viên Montreuil", group_size=12)
    other = f.visitor(editor, hai_duong, full_name="", group_name="Đoàn Paris", group_size=5)
    results = at_once(
        monkeypatch, AFTER_THE_READS, [update(editor, Visitor, group, group_size=30), delete(editor, other)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert list(Visitor.objects.values_list("group_size", flat=True)) == [30]
    assert_recount(users)


@pytest.mark.parametrize("first", ["update", "delete"])
def test_an_update_and_a_delete_of_the_same_record_at_once_save_one_and_refuse_the_other(
    monkeypatch, users, hai_duong, first
):
    editor = users["editor"]
    meeting = f.event(editor, hai_duong, event_type="conference", vietnamese_participants=40)
    calls = [
        update(editor, Event, meeting, event_type="tet_visit", start_date=date(2023, 1, 20)),
        delete(editor, meeting),
    ]
    results = at_once(monkeypatch, AFTER_THE_READS, calls if first == "update" else calls[::-1])
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(refused) == 1 and len([r for r in results if isinstance(r, Exception)]) == 1, results
    assert_recount(users)


def test_a_merger_and_an_edit_at_once_lose_neither(monkeypatch, users, hai_duong):
    """The merger has read the union's events and holds before it takes their rollups; the edit is saved then.
    Either the edit waits for the merger and is refused as a conflict (the merger locked the rows it read), or it
    is kept: never overwritten by what the merger read before it — and the rollups equal a recount either way."""
    editor, admin = users["editor"], users["admin"]
    target = f.union(editor, era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")
    meeting = f.event(editor, hai_duong, event_type="conference", start_date=date(2019, 10, 10))
    ready, go = threading.Event(), threading.Event()

    def reached() -> None:
        ready.set()
        go.wait(timeout=20)

    def merging_events(model: Any, ids: Any) -> bool:
        return model is Event and threading.current_thread().name == "merge"

    hold(monkeypatch, rollups, "following", reached, when=merging_events)
    results: list[Any] = [None, None]
    merge = start(lambda: services.union_merge(user=admin, source=hai_duong, target=target), results, 0, "merge")
    assert ready.wait(timeout=20)
    edit = start(update(editor, Event, meeting, event_type="charity", start_date=date(2020, 2, 2)), results, 1)
    assert finished_or_waiting_on_a_lock(edit)
    go.set()
    merge.join(timeout=60)
    edit.join(timeout=60)

    assert not isinstance(results[0], Exception), results
    stored = Event.objects.get(pk=meeting.pk)
    assert stored.union_id == target.pk and stored.old_province_id == hai_duong.old_province_id
    if isinstance(results[1], ConflictError):
        assert (stored.event_type, stored.start_date) == ("conference", date(2019, 10, 10))
    else:
        assert not isinstance(results[1], Exception), results
        assert (stored.event_type, stored.start_date) == ("charity", date(2020, 2, 2))
    assert_recount(users)
