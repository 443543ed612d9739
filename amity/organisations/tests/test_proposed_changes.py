"""An NGO representative's changes to its entry wait for a central officer: proposed, then accepted (the entry
takes them, with history) or rejected with a reason; a later proposal replaces one waiting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from amity.conftest import client_for
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.organisations import services
from amity.organisations.choices import ChangeState
from amity.organisations.models import Organisation, OrganisationChange
from amity.organisations.services import ChangeDecisionRow, ProposedChange

pytestmark = pytest.mark.django_db


def propose(user, ngo, **data):
    [proposal] = services.organisation_changes_propose(user=user, rows=[ProposedChange(ngo, data)])
    return proposal


def test_the_entry_changes_only_when_a_central_officer_accepts(users, ngo):
    proposal = propose(users["ngo_rep"], ngo, email="info@svv.example", phone="+31 20 1234")
    assert Organisation.objects.get(pk=ngo.pk).email == ""
    services.organisation_changes_decide(user=users["central"], rows=[ChangeDecisionRow(proposal, "accept")])
    stored = Organisation.objects.get(pk=ngo.pk)
    assert (stored.email, stored.phone) == ("info@svv.example", "+31 20 1234")
    latest = stored.history.first()
    assert latest.history_user == users["central"] and latest.history_change_reason == services.ACCEPTED
    proposal.refresh_from_db()
    assert proposal.state == ChangeState.ACCEPTED and proposal.decided_by == users["central"]


def test_a_rejection_needs_a_reason_and_leaves_the_entry(users, ngo):
    proposal = propose(users["ngo_rep"], ngo, website="https://svv.example")
    with pytest.raises(ValidationError) as refused:
        services.organisation_changes_decide(user=users["central"], rows=[ChangeDecisionRow(proposal, "reject")])
    assert "decision_note" in refused.value.message_dict
    services.organisation_changes_decide(
        user=users["central"], rows=[ChangeDecisionRow(proposal, "reject", "Sai địa chỉ")]
    )
    assert Organisation.objects.get(pk=ngo.pk).website == ""
    with pytest.raises(ValidationError):  # decided once
        services.organisation_changes_decide(user=users["central"], rows=[ChangeDecisionRow(proposal, "accept")])


def test_bad_values_and_fields_outside_the_ngos_are_refused_and_nothing_saved(users, ngo, son_la):
    with pytest.raises(ValidationError) as refused:
        propose(users["ngo_rep"], ngo, email="not an address", owning_province=son_la)
    assert set(refused.value.message_dict) == {"email", "owning_province"}
    with pytest.raises(ValidationError):
        propose(users["ngo_rep"], ngo, phone="")  # nothing differs
    assert not OrganisationChange.objects.exists()


def test_only_central_officers_decide_and_only_the_ngo_proposes_for_itself(users, ngo):
    proposal = propose(users["ngo_rep"], ngo, phone="1")
    for name in ("ngo_rep", "approver", "editor"):
        with pytest.raises(PermissionDenied):
            services.organisation_changes_decide(user=users[name], rows=[ChangeDecisionRow(proposal, "accept")])
    other = Organisation.objects.create(name="Other NGO", kind="foreign_ngo")
    with pytest.raises(PermissionDenied):
        propose(users["ngo_rep"], other, phone="1")


def test_a_later_proposal_replaces_one_waiting_and_a_stale_one_conflicts(users, ngo):
    first = propose(users["ngo_rep"], ngo, phone="1")
    propose(users["ngo_rep"], ngo, phone="2")
    first.refresh_from_db()
    assert first.state == ChangeState.SUPERSEDED
    with pytest.raises(ConflictError):
        services.organisation_changes_propose(user=users["ngo_rep"], rows=[ProposedChange(ngo, {"phone": "3"}, 99)])


def test_pages_show_the_proposal_and_let_the_officer_accept(users, ngo):
    client = client_for(users["ngo_rep"])
    edit = client.post(
        reverse("organisations:edit", kwargs={"public_id": ngo.public_id}),
        {"name": ngo.name, "kind": ngo.kind, "status": "active", "phone": "+84 24 1234", "version": ngo.version},
    )
    assert edit.status_code == 302
    assert "+84 24 1234" in client.get(ngo.get_absolute_url()).content.decode()
    central = client_for(users["central"])
    assert "+84 24 1234" in central.get(reverse("organisations:changes")).content.decode()
    proposal = OrganisationChange.objects.get()
    decided = central.post(
        reverse("organisations:change_decide", kwargs={"public_id": proposal.public_id}), {"decision": "accept"}
    )
    assert decided.status_code == 302
    assert Organisation.objects.get(pk=ngo.pk).phone == "+84 24 1234"
