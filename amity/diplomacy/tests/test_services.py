"""The batch services: every row checked before anything is written, the issue's bad input refused on its field,
dry runs write nothing, history on every record and part, the province of either era."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.core.breaches import BatchRefused
from amity.core.exceptions import ConflictError
from amity.diplomacy import services
from amity.diplomacy.models import Delegation, Event, EventAttachment, MemberCount, Union, Visitor
from amity.diplomacy.services import Change

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


def fields_of(error: BatchRefused) -> set[str]:
    return {found.breach.field for found in error.breaches}


def test_a_union_of_the_old_province_is_owned_by_its_successor_and_keeps_the_old_province(hai_duong):
    assert (hai_duong.owning_province.code, hai_duong.owning_province.era) == ("31", "2025")
    assert (hai_duong.old_province.code, hai_duong.old_province.era) == ("30", "pre2025")


def test_a_record_takes_its_unions_provinces(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    assert (event.owning_province_id, event.old_province_id) == (hai_duong.owning_province_id, hai_duong.province_id)


def test_dates_out_of_order_are_refused_on_the_end_date_and_nothing_is_saved(users, hai_duong):
    with pytest.raises(BatchRefused) as refused:
        f.event(users["editor"], hai_duong, start_date=date(2024, 5, 6), end_date=date(2024, 5, 1))
    assert fields_of(refused.value) == {"end_date"}
    assert "end_date" in refused.value.message_dict
    assert not Event.objects.exists()


def test_a_delegation_without_a_country_is_refused_on_the_country(users, hai_duong):
    with pytest.raises(BatchRefused) as refused:
        f.delegation(users["editor"], hai_duong, country=None)
    assert fields_of(refused.value) == {"country"}
    assert not Delegation.objects.exists()


def test_an_event_of_another_provinces_union_is_refused_on_the_union(users, hai_duong):
    with pytest.raises(ValidationError) as refused:
        f.event(users["son_la_editor"], hai_duong)
    assert "union" in refused.value.message_dict
    assert not Event.objects.exists()


def test_a_partnership_signed_before_2025_names_the_province_of_the_old_era(users, hai_duong):
    with pytest.raises(BatchRefused) as refused:
        f.partnership(
            users["editor"], hai_duong, vietnamese_locality=f.unit_of("2025", "31"), signed_on=date(2014, 6, 3)
        )
    assert fields_of(refused.value) == {"vietnamese_locality"}
    f.partnership(users["editor"], hai_duong)  # the old province: taken


def test_a_partnership_signed_after_the_merger_names_a_province_of_the_current_era(users, hai_duong):
    with pytest.raises(BatchRefused):
        f.partnership(users["editor"], hai_duong, signed_on=date(2025, 9, 1))
    assert f.partnership(
        users["editor"], hai_duong, vietnamese_locality=f.unit_of("2025", "31"), signed_on=date(2025, 9, 1)
    )


def test_every_row_of_a_batch_is_checked_and_one_bad_row_refuses_all(users, hai_duong):
    good = {"union": hai_duong, "event_type": "conference", "title": "Hội nghị", "start_date": date(2024, 1, 5)}
    bad = {**good, "end_date": date(2023, 1, 1)}
    worse = {**good, "event_type": "party", "title": ""}
    with pytest.raises(BatchRefused) as refused:
        services.events_save(user=users["editor"], rows=[Change(good), Change(bad), Change(worse)])
    assert {(found.index, found.breach.field) for found in refused.value.breaches} == {
        (1, "end_date"),
        (2, "event_type"),
        (2, "title"),
    }
    assert not Event.objects.exists()


def test_a_dry_run_checks_and_writes_nothing(users, hai_duong):
    row = {"union": hai_duong, "event_type": "conference", "title": "Hội nghị", "start_date": date(2024, 1, 5)}
    checked = services.events_save(user=users["editor"], rows=[Change(row)], dry_run=True)
    assert len(checked) == 1 and not Event.objects.exists()


def test_a_stale_version_is_a_conflict(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    services.record_save(
        model=Event, user=users["editor"], data={"place": "Hải Dương"}, instance=event, expected_version=1
    )
    with pytest.raises(ConflictError):
        services.record_save(
            model=Event, user=users["editor"], data={"place": "Chí Linh"}, instance=event, expected_version=1
        )


def test_a_viewer_may_not_write(users, hai_duong):
    from amity.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        f.event(users["viewer"], hai_duong)


def test_an_outgoing_delegations_permit_is_whole_and_an_incoming_one_has_none(users, hai_duong):
    with pytest.raises(BatchRefused) as refused:
        f.delegation(users["editor"], hai_duong, direction="outgoing", permit_number="12/QĐ-UBND")
    assert fields_of(refused.value) == {"permit_date"}
    with pytest.raises(BatchRefused) as refused:
        f.delegation(users["editor"], hai_duong, permit_number="12/QĐ-UBND")
    assert fields_of(refused.value) == {"permit_number"}


def test_programme_days_are_within_the_delegations_dates_and_written_with_history(users, hai_duong):
    delegation = f.delegation(users["editor"], hai_duong)
    with pytest.raises(BatchRefused) as refused:
        services.record_save(
            model=Delegation,
            user=users["editor"],
            data={},
            instance=delegation,
            expected_version=delegation.version,
            parts=[{"day": date(2024, 6, 1), "programme": "Tham quan"}],
        )
    assert fields_of(refused.value) == {"days.day"}
    services.record_save(
        model=Delegation,
        user=users["editor"],
        data={},
        instance=delegation,
        expected_version=delegation.version,
        parts=[{"day": date(2024, 5, 7), "programme": "Tham quan trường học"}],
    )
    day = delegation.days.get()
    assert day.history.get().history_user == users["editor"]


def test_member_counts_are_parts_of_an_association_written_only_where_they_change(users, hai_duong):
    unit = f.unit(users["editor"], hai_duong)
    services.record_save(
        model=type(unit),
        user=users["editor"],
        data={},
        instance=unit,
        expected_version=unit.version,
        parts=[{"year": 2023, "members": 110}, {"year": 2024, "members": 120}],
    )
    unit.refresh_from_db()
    services.record_save(
        model=type(unit),
        user=users["editor"],
        data={},
        instance=unit,
        expected_version=unit.version,
        parts=[{"year": 2023, "members": 110}, {"year": 2024, "members": 125}],
    )
    assert dict(unit.member_counts.values_list("year", "members")) == {2023: 110, 2024: 125}
    assert MemberCount.history.filter(year=2023).count() == 1  # unchanged: no new history row
    assert MemberCount.history.filter(year=2024).count() == 2
    with pytest.raises(BatchRefused) as refused:
        services.record_save(
            model=type(unit),
            user=users["editor"],
            data={},
            instance=unit,
            expected_version=unit.version + 1,
            parts=[{"year": 2023, "members": 1}, {"year": 2023, "members": 2}],
        )
    assert fields_of(refused.value) == {"member_counts.year"}


def test_every_save_leaves_a_history_row_with_the_user(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    services.record_save(
        model=Event, user=users["approver"], data={"place": "Hải Dương"}, instance=event, expected_version=1
    )
    rows = list(event.history.order_by("history_date"))
    assert [(row.history_type, row.history_user) for row in rows] == [("+", users["editor"]), ("~", users["approver"])]


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_an_executable_attachment_is_refused_on_the_file_and_nothing_is_stored(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    program = SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/png")
    with pytest.raises(BatchRefused) as refused:
        services.event_attachments_add(user=users["editor"], event=event, uploads=[services.Upload(program)])
    assert fields_of(refused.value) == {"file"}
    assert not EventAttachment.objects.exists()


def test_an_attachment_larger_than_the_limit_is_refused(users, hai_duong, settings):
    settings.AMITY_UPLOAD_MAX_BYTES = 50
    event = f.event(users["editor"], hai_duong)
    photo = SimpleUploadedFile("photo.png", PNG + b"\x00" * 100)
    with pytest.raises(BatchRefused) as refused:
        services.event_attachments_add(user=users["editor"], event=event, uploads=[services.Upload(photo)])
    assert fields_of(refused.value) == {"file"}


def test_a_photo_is_stored_with_history(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    services.event_attachments_add(
        user=users["editor"], event=event, uploads=[services.Upload(SimpleUploadedFile("photo.png", PNG), "photo")]
    )
    attachment = event.attachments.get()
    assert attachment.original_name == "photo.png"
    assert attachment.history.get().history_user == users["editor"]


def test_the_merger_brings_the_register_under_the_new_union_keeping_history_and_the_old_province(users, hai_duong):
    hai_phong = f.union(users["editor"], era="2025", code="31", name="Liên hiệp hữu nghị Hải Phòng")
    event = f.event(users["editor"], hai_duong)
    counts = services.union_merge(user=users["editor"], source=hai_duong, target=hai_phong)
    event.refresh_from_db()
    hai_duong.refresh_from_db()
    assert counts["events"] == 1
    assert (event.union, event.old_province.code, event.owning_province.code) == (hai_phong, "30", "31")
    assert event.history.count() == 2
    assert (hai_duong.status, hai_duong.merged_into) == ("merged", hai_phong)
    with pytest.raises(ValidationError):
        f.event(users["editor"], hai_duong)  # new work goes to the new union


def test_personal_data_is_removed_after_the_retention_period_from_the_record_and_its_history(users, hai_duong):
    gone = f.visitor(users["editor"], hai_duong, start_date=date(2019, 1, 2), end_date=date(2019, 6, 30))
    staying = f.visitor(users["editor"], hai_duong, full_name="Kim Min-jun", end_date=date(2025, 6, 30))
    removed = services.visitors_purge_personal_data(years=5, today=date(2026, 12, 6))
    gone.refresh_from_db()
    staying.refresh_from_db()
    assert removed == 1
    assert (gone.full_name, gone.personal_data_removed_on) == ("", date(2026, 12, 6))
    assert not Visitor.history.filter(id=gone.pk).exclude(full_name="").exists()
    assert staying.full_name == "Kim Min-jun"
    assert gone.nationality.code == "FR"  # what the figures count stays


def test_union_of_a_unit_not_a_province_is_refused(users):
    commune = f.unit_of("pre2025", "30").children.first()
    if commune is None:
        pytest.skip("no district of Hải Dương loaded")
    with pytest.raises(BatchRefused):
        services.record_save(model=Union, user=users["editor"], data={"name": "X", "province": commune})
