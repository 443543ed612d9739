"""The write services' guarantees: permission and scope checks, history with the acting user, soft delete and
restore, and the version check that stops a stale save."""

from __future__ import annotations

import pytest

from amity.core.exceptions import ConflictError, PermissionDenied
from amity.organisations import services
from amity.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_org(hai_phong):
    return Organisation.objects.create(
        name="Trung tâm Hợp tác Hữu nghị", kind="vietnamese_agency", owning_province=hai_phong
    )


def test_update_records_the_acting_user_in_history(users, local_org):
    services.organisation_update(
        organisation=local_org, user=users["editor"], data={"acronym": "TTHT"}, expected_version=1
    )
    latest = local_org.history.latest()
    assert latest.history_user == users["editor"]
    assert latest.acronym == "TTHT"
    assert local_org.version == 2


def test_a_stale_save_is_refused_and_the_first_save_kept(users, local_org):
    first = Organisation.objects.get(pk=local_org.pk)
    second = Organisation.objects.get(pk=local_org.pk)
    services.organisation_update(organisation=first, user=users["editor"], data={"acronym": "A"}, expected_version=1)
    with pytest.raises(ConflictError) as raised:
        services.organisation_update(
            organisation=second, user=users["approver"], data={"acronym": "B"}, expected_version=1
        )
    assert raised.value.current_version == 2
    stored = Organisation.objects.get(pk=local_org.pk)
    assert (stored.acronym, stored.version) == ("A", 2)
    assert local_org.history.count() == 2  # created + the first save; the refused one left no trace


def test_soft_delete_hides_the_record_and_restore_brings_it_back(users, local_org):
    services.organisation_delete(organisation=local_org, user=users["editor"])
    assert not Organisation.objects.filter(pk=local_org.pk).exists()
    assert Organisation.all_objects.get(pk=local_org.pk).is_deleted

    services.organisation_restore(organisation=Organisation.all_objects.get(pk=local_org.pk), user=users["editor"])
    restored = Organisation.objects.get(pk=local_org.pk)
    assert not restored.is_deleted
    reasons = list(local_org.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == [None, "Deleted", "Restored"]


def test_viewer_cannot_delete(users, local_org):
    with pytest.raises(PermissionDenied):
        services.organisation_delete(organisation=local_org, user=users["viewer"])
    assert Organisation.objects.filter(pk=local_org.pk).exists()


def test_editor_cannot_change_another_provinces_record(users, local_org):
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            organisation=local_org, user=users["son_la_editor"], data={"acronym": "X"}, expected_version=1
        )
    assert Organisation.objects.get(pk=local_org.pk).acronym == ""


def test_editor_cannot_move_a_record_out_of_their_province_and_nothing_is_saved(users, local_org, son_la, hai_phong):
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            organisation=local_org,
            user=users["editor"],
            data={"owning_province": son_la, "acronym": "MOVED"},
            expected_version=1,
        )
    stored = Organisation.objects.get(pk=local_org.pk)
    assert (stored.owning_province_id, stored.acronym, stored.version) == (hai_phong.pk, "", 1)


def test_editor_cannot_create_a_record_for_another_province(users, son_la):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            user=users["editor"], data={"name": "Elsewhere", "kind": "other", "owning_province": son_la}
        )
    assert not Organisation.all_objects.filter(name="Elsewhere").exists()


def test_ngo_representative_proposes_changes_to_its_own_entry_but_cannot_create(users, ngo):
    services.organisation_update(
        organisation=ngo, user=users["ngo_rep"], data={"website": "https://svv.nl"}, expected_version=None
    )
    assert Organisation.objects.get(pk=ngo.pk).website == ""  # until a central officer accepts it
    assert ngo.proposed_changes.get().changes == {"website": "https://svv.nl"}
    with pytest.raises(PermissionDenied):
        services.organisation_create(user=users["ngo_rep"], data={"name": "Other", "kind": "other"})


def test_invalid_data_is_refused_by_model_validation(users, local_org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        services.organisation_update(
            organisation=local_org, user=users["editor"], data={"kind": "not-a-kind"}, expected_version=1
        )
    assert "kind" in raised.value.message_dict
    assert Organisation.objects.get(pk=local_org.pk).version == 1


def test_a_field_table_compares_relations_by_their_rows(users, ngo, hai_phong, son_la, monkeypatch):
    """`ensure_fields_changeable` on a many-to-many field (a registration's provinces): the same rows are no
    change, other rows are refused."""
    from dataclasses import replace
    from datetime import date

    from django.core.exceptions import ValidationError

    from amity.accounts.choices import Role
    from amity.core.services import ensure_fields_changeable
    from amity.organisations.models import Registration

    central = users["central"]
    registration = services.registration_create(
        user=central,
        data={
            "organisation": ngo,
            "kind": "operation",
            "number": "009/GĐK",
            "issue_date": date(2024, 1, 15),
            "expiry_date": date(2027, 1, 14),
            "provinces": [hai_phong],
        },
    )
    policy = replace(Registration.scope_policy, changeable_fields={Role.CENTRAL_OFFICER: frozenset({"note"})})
    monkeypatch.setattr(Registration, "scope_policy", policy)

    ensure_fields_changeable(
        user=central, instance=registration, data={"provinces": [hai_phong], "organisation": ngo, "note": "x"}
    )
    with pytest.raises(ValidationError) as refused:
        ensure_fields_changeable(user=central, instance=registration, data={"provinces": [son_la], "note": "x"})
    assert set(refused.value.message_dict) == {"provinces"}
