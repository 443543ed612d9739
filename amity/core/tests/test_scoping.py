"""The scoping chokepoint: each role sees and changes exactly what DESIGN.md grants, and nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from amity.conftest import make_user
from amity.core.scoping import Action, InJurisdiction, UserScope, forget_user_scope
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(hai_phong: AdministrativeUnit, son_la: AdministrativeUnit, ngo: Organisation) -> dict[str, Organisation]:
    return {
        "national": Organisation.objects.create(name="Plan International", kind="foreign_ngo"),
        "hai_phong": Organisation.objects.create(
            name="Hội hữu nghị Việt Nam – Pháp tỉnh Hải Dương",
            kind="friendship_association",
            owning_province=hai_phong,
        ),
        "son_la": Organisation.objects.create(name="Sở Y tế Sơn La", kind="vietnamese_agency", owning_province=son_la),
        "ngo": ngo,
    }


def visible(user, action=Action.VIEW) -> set[str]:  # type: ignore[no-untyped-def]
    return set(Organisation.objects.restrict(user, action).values_list("name", flat=True))


def names(records, *keys):  # type: ignore[no-untyped-def]
    return {records[key].name for key in keys}


def test_anonymous_user_sees_nothing(records):
    assert visible(AnonymousUser()) == set()
    assert visible(None) == set()


def test_user_without_role_sees_nothing(users, records):
    assert visible(users["no_role"]) == set()
    assert visible(users["no_role"], Action.CHANGE) == set()


def test_inactive_user_sees_nothing(users, records):
    assert visible(users["inactive"]) == set()


def test_administrator_sees_and_changes_everything(users, records):
    everything = names(records, "national", "hai_phong", "son_la", "ngo")
    assert visible(users["admin"]) == everything
    assert visible(users["admin"], Action.DELETE) == everything


def test_superuser_without_role_is_an_administrator(records):
    root = make_user("root", is_superuser=True)
    assert visible(root, Action.CHANGE) == names(records, "national", "hai_phong", "son_la", "ngo")


def test_central_officer_keeps_the_national_register(users, records):
    everything = names(records, "national", "hai_phong", "son_la", "ngo")
    assert visible(users["central"]) == everything
    assert visible(users["central"], Action.CHANGE) == everything


def test_provincial_editor_reads_all_but_changes_only_own_province_entries(users, records):
    assert visible(users["editor"]) == names(records, "national", "hai_phong", "son_la", "ngo")
    assert visible(users["editor"], Action.CHANGE) == names(records, "hai_phong")
    assert visible(users["son_la_editor"], Action.CHANGE) == names(records, "son_la")


def test_provincial_viewer_cannot_change_anything(users, records):
    assert visible(users["viewer"]) == names(records, "national", "hai_phong", "son_la", "ngo")
    assert visible(users["viewer"], Action.CHANGE) == set()
    assert visible(users["viewer"], Action.DELETE) == set()


def test_ngo_representative_sees_and_updates_only_its_own_organisation(users, records):
    assert visible(users["ngo_rep"]) == names(records, "ngo")
    assert visible(users["ngo_rep"], Action.CHANGE) == names(records, "ngo")
    assert visible(users["ngo_rep"], Action.DELETE) == set()


def test_actions_missing_from_the_policy_are_refused(users, records):
    assert visible(users["editor"], Action.PUBLISH) == set()
    assert visible(users["central"], "no-such-action") == set()


def test_scope_follows_a_change_of_jurisdiction(users, records, son_la):
    editor = users["editor"]
    assert visible(editor, Action.CHANGE) == names(records, "hai_phong")
    editor.jurisdictions.set([son_la])
    forget_user_scope(editor)
    assert visible(editor, Action.CHANGE) == names(records, "son_la")


def test_restrict_reads_the_users_scope_once(users, records, django_assert_num_queries):
    editor = users["editor"]
    with django_assert_num_queries(2):  # the jurisdictions, then the filtered list
        list(Organisation.objects.restrict(editor, Action.CHANGE))
    with django_assert_num_queries(1):
        list(Organisation.objects.restrict(editor, Action.VIEW))


def test_a_model_without_policy_fails_closed():
    from amity.core.models import RecordQuerySet

    class Unscoped:
        __name__ = "Unscoped"

    queryset = RecordQuerySet(model=None)
    queryset.model = Unscoped  # type: ignore[assignment]
    with pytest.raises(ImproperlyConfigured):
        queryset.restrict(None, Action.VIEW)


def test_a_rule_on_a_relation_other_rows_hold_leaves_the_record_to_the_database(ngo):
    scope = UserScope(role="provincial_editor", province_ids=frozenset(), organisation_id=None, is_administrator=False)
    assert InJurisdiction("registrations").holds(scope, ngo) is None
