"""A merger of unions and the register's writers at the same moment (issue 14: "when provinces merge"): nothing is
left behind under the old union, nothing is written twice, every record keeps its history.

The merger locks both unions first (`select_for_update`); each batch writer reads the unions of its rows — a
member's writer its association — under a shared lock (`services.read_for_share`). So a writer that took its lock
first finishes first and the merger, waiting for it, moves what it wrote; a writer that comes while the merger runs
waits for it, then reads the union as merged: a new record is refused with a 400 on `union` naming the new union
(never written into a union the user did not choose), an edit of a moved record is a conflict (409), a new member
of a moved association is written under the association's new union.

PostgreSQL, with real concurrency: each side in a thread with its own connection and transaction, held at a chosen
point (`amity.core.tests.concurrency`). On SQLite a writer holds the whole database from the start of its
transaction, so these races cannot happen there (skipped); the refusals after a merger run on both databases
(`test_merged_union`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amity.core.breaches import BatchRefused
from amity.core.exceptions import ConflictError
from amity.core.tests.concurrency import POSTGRESQL_ONLY, TIMEOUT, finished_or_waiting_on_a_lock, hold, start
from amity.diplomacy import rollups, rules, services
from amity.diplomacy.models import AssociationMember, Delegation, Event, Partnership, Union, UnionUnit, Visitor
from amity.diplomacy.services import Change

from . import factories as f
from .test_rollups_concurrency import _keep_reference_data, assert_recount  # noqa: F401  # the module's fixture

pytestmark = [POSTGRESQL_ONLY, pytest.mark.django_db(transaction=True)]

KINDS: dict[str, Callable[..., Any]] = {
    "event": f.event,
    "delegation": f.delegation,
    "visitor": f.visitor,
    "partnership": f.partnership,
    "unit": f.unit,
}
MODELS: dict[str, type[Any]] = {
    "event": Event,
    "delegation": Delegation,
    "visitor": Visitor,
    "partnership": Partnership,
    "unit": UnionUnit,
}
# A field of each kind that an edit changes (a plain text field every kind has).
EDITED = {
    "event": ("title", "Gặp mặt đã sửa"),
    "delegation": ("counterpart", "Paris"),
    "visitor": ("group_name", "Đoàn đã sửa"),
    "partnership": ("foreign_locality", "Montreuil"),
    "unit": ("name", "Hội đã sửa"),
}


@pytest.fixture
def unions(users):  # type: ignore[no-untyped-def]
    source = f.union(users["editor"], name="Liên hiệp hữu nghị Hải Dương")
    target = f.union(users["editor"], era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")
    return source, target


class Gate:
    """Holds the thread named `who` after its first call of `owner.name` until the test opens the gate."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, who: str) -> None:
        self.reached, self.opened = threading.Event(), threading.Event()

        def wait() -> None:
            self.reached.set()
            self.opened.wait(timeout=TIMEOUT)

        hold(monkeypatch, owner, name, wait, when=lambda *args, **kwargs: threading.current_thread().name == who)

    def open(self) -> None:
        self.opened.set()


def merging(users: dict[str, Any], source: Union, target: Union, results: list[Any]) -> threading.Thread:
    return start(lambda: services.union_merge(user=users["admin"], source=source, target=target), results, 0, "merge")


def join(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(timeout=3 * TIMEOUT)
        assert not thread.is_alive(), thread.name


def history_reasons(record: Any) -> list[str | None]:
    return list(
        type(record).history.filter(id=record.pk).order_by("history_id").values_list("history_change_reason", flat=True)
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_record_created_while_the_merger_runs_waits_for_it_and_is_refused_naming_the_new_union(
    monkeypatch, users, unions, kind
):
    source, target = unions
    model = MODELS[kind]
    gate = Gate(monkeypatch, rollups, "following", "merge")  # the merger holds, both unions locked
    results: list[Any] = [None, None]
    merge = merging(users, source, target, results)
    assert gate.reached.wait(timeout=TIMEOUT)
    writer = start(lambda: KINDS[kind](users["editor"], source), results, 1, "writer")
    assert finished_or_waiting_on_a_lock(writer) and writer.is_alive()  # it waits for the merger
    gate.open()
    join(merge, writer)

    assert not isinstance(results[0], Exception), results
    refused = results[1]
    assert isinstance(refused, BatchRefused), results
    assert [(found.breach.field, found.breach.message) for found in refused.breaches] == [("union", rules.MERGED_UNION)]
    assert refused.breaches[0].breach.params == {"name": str(target)}
    assert not model.all_objects.exists()
    assert_recount(users)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_record_created_before_the_merger_takes_its_lock_is_moved_by_it_once(monkeypatch, users, unions, kind):
    source, target = unions
    model = MODELS[kind]
    gate = Gate(monkeypatch, services, "_owners_of", "writer")  # the writer holds, its union read under a lock
    results: list[Any] = [None, None]
    writer = start(lambda: KINDS[kind](users["editor"], source), results, 1, "writer")
    assert gate.reached.wait(timeout=TIMEOUT)
    merge = merging(users, source, target, results)
    assert finished_or_waiting_on_a_lock(merge) and merge.is_alive()  # it waits for the writer
    gate.open()
    join(writer, merge)

    assert not [r for r in results if isinstance(r, Exception)], results
    [record] = model.all_objects.all()  # written once, and moved
    assert record.pk == results[1].pk and record.union_id == target.pk
    assert record.old_province_id == source.old_province_id and record.owning_province_id == target.owning_province_id
    assert history_reasons(record) == [None, "Merged into the union of the new province"]
    with translation.override(None):  # the merger counts in English
        assert results[0][str(model._meta.verbose_name_plural)] == 1
    assert_recount(users)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("names_the_union", [False, True], ids=["patch", "form"])
def test_an_edit_while_the_merger_runs_is_a_conflict_and_the_record_is_moved_as_it_was(
    monkeypatch, users, unions, kind, names_the_union
):
    """An edit made from the record as read before the merger: the API's PATCH (the changed field only) or a form
    (every field, the old union among them)."""
    source, target = unions
    model = MODELS[kind]
    record = KINDS[kind](users["editor"], source)
    field, value = EDITED[kind]
    data = {field: value, **({"union": source} if names_the_union else {})}
    gate = Gate(monkeypatch, rollups, "following", "merge")
    results: list[Any] = [None, None]
    merge = merging(users, source, target, results)
    assert gate.reached.wait(timeout=TIMEOUT)
    save = services.SAVERS[model]
    writer = start(lambda: save(user=users["editor"], rows=[Change(data, record.pk, record.version)]), results, 1)
    assert finished_or_waiting_on_a_lock(writer)
    gate.open()
    join(merge, writer)

    assert not isinstance(results[0], Exception), results
    assert isinstance(results[1], ConflictError), results
    stored = model.all_objects.get(pk=record.pk)
    assert stored.union_id == target.pk and getattr(stored, field) == getattr(record, field)
    assert stored.version == record.version + 1
    assert history_reasons(stored) == [None, "Merged into the union of the new province"]
    assert_recount(users)


@pytest.mark.parametrize("writer_name", ["admin", "son_la_editor"])
def test_a_member_added_while_the_merger_runs_follows_the_association_to_the_new_union(monkeypatch, users, writer_name):
    """Sơn La's union merged into Hải Phòng's (provinces that differ, so that ownership moves): a member added to
    one of its associations meanwhile waits, then belongs to the association where it now is — written for who may
    keep it there, refused on `association` for who may not."""
    son_la = f.union(users["son_la_editor"], era="2025", code="14", name="Liên hiệp hữu nghị Sơn La")
    target = f.union(users["editor"], era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")
    association = f.unit(users["son_la_editor"], son_la)
    gate = Gate(monkeypatch, rollups, "following", "merge")
    results: list[Any] = [None, None]
    merge = merging(users, son_la, target, results)
    assert gate.reached.wait(timeout=TIMEOUT)
    writer = start(lambda: f.member(users[writer_name], association, joined_on=date(2025, 9, 1)), results, 1)
    assert finished_or_waiting_on_a_lock(writer) and writer.is_alive()
    gate.open()
    join(merge, writer)

    assert not isinstance(results[0], Exception), results
    if writer_name == "admin":
        member = AssociationMember.all_objects.get()
        assert member.owning_province_id == target.owning_province_id
    else:
        assert isinstance(results[1], BatchRefused), results
        assert [found.breach.field for found in results[1].breaches] == ["association"]
        assert not AssociationMember.all_objects.exists()


def test_two_mergers_of_one_union_at_once_merge_it_once(monkeypatch, users, unions):
    source, target = unions
    f.event(users["editor"], source)
    gate = Gate(monkeypatch, rollups, "following", "merge")
    results: list[Any] = [None, None]
    first = merging(users, source, target, results)
    assert gate.reached.wait(timeout=TIMEOUT)
    second = start(lambda: services.union_merge(user=users["admin"], source=source, target=target), results, 1)
    assert finished_or_waiting_on_a_lock(second) and second.is_alive()
    gate.open()
    join(first, second)

    assert results[0]["events"] == 1
    assert isinstance(results[1], ValidationError) and "source" in results[1].message_dict
    [event] = Event.all_objects.all()
    assert history_reasons(event) == [None, "Merged into the union of the new province"]
    assert_recount(users)
