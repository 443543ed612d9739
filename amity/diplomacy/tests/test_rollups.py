"""The yearly rollups the dashboard reads stay equal to a count of the records themselves through creates, updates,
deletes, restores, merges of unions and both eras' provinces; a rebuild gives the same figures in fewer rows; the
figures read them in a fixed number of queries, and read the records where the rollups cannot answer."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Sum

from amity.conftest import client_for
from amity.core.breaches import BatchRefused
from amity.diplomacy import rollups, selectors, services
from amity.diplomacy.models import Delegation, DiplomacyRollup, Event, Visitor
from amity.diplomacy.services import Change

from . import factories as f

pytestmark = pytest.mark.django_db

YEARS = {"date_from": date(2018, 1, 1), "date_to": date(2025, 12, 31)}


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


@pytest.fixture
def hp_union(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"], era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")


@pytest.fixture
def sl_union(users):  # type: ignore[no-untyped-def]
    return f.union(users["son_la_editor"], era="2025", code="14", name="Liên hiệp hữu nghị Sơn La")


def counted_from_records(province: Any = None, *, old: bool = False) -> Counter[tuple[Any, ...]]:
    """An independent count: the live records of 2018–2025 of a province (or all), straight from their tables."""
    where: dict[str, Any] = {"start_date__year__gte": 2018, "start_date__year__lte": 2025}
    if province is not None:
        where["old_province" if old else "owning_province"] = province
    found: Counter[tuple[Any, ...]] = Counter()
    for event in Event.objects.filter(**where):
        found["event", event.event_type, None, event.start_date.year, "records"] += 1
        found["event", event.event_type, None, event.start_date.year, "vietnamese"] += event.vietnamese_participants
        found["event", event.event_type, None, event.start_date.year, "foreign"] += event.foreign_participants
    for delegation in Delegation.objects.filter(**where):
        found["delegation", delegation.direction, delegation.country_id, delegation.start_date.year, "records"] += 1
    for visitor in Visitor.objects.filter(**where):
        key = ("visitor", visitor.kind, visitor.nationality_id, visitor.start_date.year)
        found[(*key, "records")] += 1
        found[(*key, "people")] += visitor.group_size
    return +found


def counted_from_rollups(user: Any, province: Any = None) -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    for kind, code, country, year, n, people, vn, foreign in rollups.counts(user, **YEARS, province=province):
        found[kind, code, country, year, "records"] += n
        if kind == "event":
            found[kind, code, country, year, "vietnamese"] += vn
            found[kind, code, country, year, "foreign"] += foreign
        if kind == "visitor":
            found[kind, code, country, year, "people"] += people
    return +found


def figures_seen(figures: selectors.Figures) -> dict[str, Any]:
    """What the dashboard shows of the events, delegations and visitors (the rest never reads the rollups)."""
    return {
        "events_by_type": [(x.label, x.value, x.link) for x in figures.events_by_type],
        "events_by_year": [(x.label, x.value, x.link) for x in figures.events_by_year],
        "events_total": figures.events_total,
        "participants": figures.participants,
        "delegations": figures.delegations,
        "delegation_countries": figures.delegation_countries,
        "visitors": figures.visitors,
        "visitors_by_nationality": figures.visitors_by_nationality,
        "visitors_by_year": figures.visitors_by_year,
    }


def assert_rollups_match(user: Any, *areas: tuple[Any, bool]) -> None:
    """The rollups equal the records' count nationally and for each area, and the figures read from them equal
    the figures read from the records."""
    assert counted_from_rollups(user) == counted_from_records()
    for province, old in areas:
        assert counted_from_rollups(user, province) == counted_from_records(province, old=old)
        area = selectors.Area(province)
        from_rollups = selectors.figures(user, area=area, **YEARS)
        with mock.patch.object(rollups, "readable", return_value=False):
            from_records = selectors.figures(user, area=area, **YEARS)
        assert figures_seen(from_rollups) == figures_seen(from_records)


def test_the_rollups_follow_creates_updates_deletes_and_restores(users, hai_duong, hp_union, sl_union):
    editor, central = users["editor"], users["central"]
    meeting = f.event(editor, hai_duong, vietnamese_participants=40, foreign_participants=7)
    f.event(editor, hp_union, event_type="tet_visit", start_date=date(2025, 1, 20), vietnamese_participants=12)
    f.event(users["son_la_editor"], sl_union, event_type="charity", start_date=date(2019, 3, 2))
    incoming = f.delegation(editor, hai_duong)
    f.delegation(editor, hp_union, direction="outgoing", country=f.country("KR"), counterpart="Suwon")
    group = f.visitor(editor, hai_duong, full_name="", group_name="Sinh viên Montreuil", group_size=12)
    f.visitor(editor, hp_union, nationality=f.country("LA"), start_date=date(2025, 8, 1), end_date=None)
    areas = ((hai_duong.province, True), (hp_union.province, False), (sl_union.province, False))
    assert_rollups_match(central, *areas)

    # Updates that move a record to another key: type and year, country and direction, size and nationality.
    services.events_save(
        user=editor,
        rows=[
            Change(
                {"event_type": "conference", "start_date": date(2021, 4, 1), "foreign_participants": 30},
                meeting.pk,
                meeting.version,
            )
        ],
    )
    services.delegations_save(
        user=editor,
        rows=[
            Change(
                {"country": f.country("LA"), "start_date": date(2020, 2, 3), "end_date": date(2020, 2, 5)},
                incoming.pk,
                incoming.version,
            )
        ],
    )
    services.visitors_save(
        user=editor,
        rows=[Change({"group_size": 30, "nationality": f.country("KR")}, group.pk, group.version)],
    )
    assert_rollups_match(central, *areas)

    # A delete takes a record out, a restore puts it back.
    meeting.refresh_from_db()
    services.record_delete(instance=meeting, user=editor)
    assert_rollups_match(central, *areas)
    assert not any(key[0] == "event" and key[1] == "conference" for key in counted_from_rollups(central))
    services.record_undelete(instance=Event.all_objects.get(pk=meeting.pk), user=editor)
    assert_rollups_match(central, *areas)
    assert counted_from_rollups(central)["event", "conference", None, 2021, "foreign"] == 30


def test_a_refused_batch_and_a_dry_run_leave_the_rollups_as_they_were(users, hai_duong):
    f.event(users["editor"], hai_duong)
    before = list(DiplomacyRollup.objects.values_list("kind", "year", "code", "records"))
    rows = [
        Change({"union": hai_duong, "event_type": "conference", "title": "Hội thảo", "start_date": date(2022, 1, 1)})
    ]
    services.events_save(user=users["editor"], rows=rows, dry_run=True)
    bad = Change({"union": hai_duong, "event_type": "conference", "title": "", "start_date": date(2022, 1, 1)})
    with pytest.raises(BatchRefused):
        services.events_save(user=users["editor"], rows=[*rows, bad])
    assert list(DiplomacyRollup.objects.values_list("kind", "year", "code", "records")) == before


def test_after_a_merger_the_rollups_count_under_the_new_province_and_the_old_one(users, hai_duong, hp_union):
    editor, admin = users["editor"], users["admin"]
    f.event(editor, hai_duong, start_date=date(2019, 10, 10))
    f.delegation(editor, hai_duong, start_date=date(2023, 1, 1), end_date=date(2023, 1, 4))
    f.visitor(editor, hai_duong)
    f.event(editor, hp_union, start_date=date(2025, 9, 1))
    services.union_merge(user=admin, source=hai_duong, target=hp_union)
    areas = ((hai_duong.province, True), (hp_union.province, False))
    assert_rollups_match(users["central"], *areas)
    # Work recorded under the merged union after the merger counts under the new province only.
    hai_duong.refresh_from_db()
    old_era = counted_from_rollups(users["central"], hai_duong.province)
    assert sum(n for key, n in old_era.items() if key[-1] == "records") == 3


def test_a_rebuild_gives_the_same_counts_in_fewer_rows(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    for year in (2019, 2020, 2021):
        event.refresh_from_db()
        services.events_save(user=users["editor"], rows=[Change({"start_date": date(year, 5, 1)}, event.pk)])
    appended = DiplomacyRollup.objects.count()
    counted = counted_from_rollups(users["central"])
    call_command("rebuild_diplomacy_rollups", verbosity=0)
    assert counted_from_rollups(users["central"]) == counted == counted_from_records()
    assert DiplomacyRollup.objects.count() == 2 < appended  # one row of each grain
    for grain in (rollups.BY_PROVINCE, rollups.NATIONAL):
        assert DiplomacyRollup.objects.filter(grain=grain).aggregate(n=Sum("records"))["n"] == 1


def test_a_province_reads_its_own_rollups_and_an_ngo_representative_reads_the_records(users, hai_duong, sl_union):
    f.event(users["editor"], hai_duong)
    f.event(users["son_la_editor"], sl_union)
    mine = counted_from_rollups(users["viewer"])
    assert mine == counted_from_records(hai_duong.owning_province)
    assert rollups.readable(users["viewer"], **YEARS)
    assert not rollups.readable(users["ngo_rep"], **YEARS)
    assert not rollups.readable(users["central"], date_from=date(2024, 3, 1), date_to=date(2024, 12, 31))


def test_figures_read_from_the_rollups_in_six_queries(users, hai_duong, django_assert_num_queries):
    f.event(users["editor"], hai_duong)
    f.delegation(users["editor"], hai_duong)
    f.visitor(users["editor"], hai_duong)
    selectors.figures(users["central"], **YEARS)  # the user's scope, read once per request
    # units, declared member counts, individual members counted, partnerships, the rollups, the countries named
    with django_assert_num_queries(6):
        figures = selectors.figures(users["central"], **YEARS)
    assert figures.events_total is not None and figures.events_total.value == 1
    with django_assert_num_queries(6):
        selectors.figures(users["central"], area=selectors.Area(hai_duong.province), **YEARS)


def test_the_dashboard_reads_the_rollups_in_a_fixed_number_of_queries(users, hai_duong, django_assert_num_queries):
    client = client_for(users["central"])
    client.get("/diplomacy/")  # the session and the user's scope
    f.event(users["editor"], hai_duong)
    f.visitor(users["editor"], hai_duong)
    with django_assert_num_queries(16):
        client.get("/diplomacy/", YEARS)
    for year in range(2018, 2025):
        f.event(users["editor"], hai_duong, start_date=date(year, 2, 2))
        f.visitor(users["editor"], hai_duong, start_date=date(year, 2, 2), nationality=f.country("LA"))
    with django_assert_num_queries(16):
        response = client.get("/diplomacy/", YEARS)
    assert response.context["figures"].events_total.value == 8
