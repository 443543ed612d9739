"""Writes on organisations. Views, the API, admin actions and importers all call these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amity.accounts.choices import Role
from amity.core import derived
from amity.core.breaches import Breach, Breaches
from amity.core.exceptions import ConflictError
from amity.core.scoping import Action
from amity.core.services import (
    check_version,
    claim_version,
    claim_versions,
    ensure_all_allowed,
    ensure_allowed,
    ensure_fields_changeable,
    ensure_may_add,
    record_create,
    record_restore,
    record_soft_delete,
    record_update,
    save_with_history,
)

from .choices import (
    MAX_VALIDITY_YEARS,
    ChangeDecision,
    ChangeState,
    OrganisationKind,
    RegistrationEventKind,
    RegistrationKind,
    RegistrationState,
)
from .models import Organisation, OrganisationChange, Registration, RegistrationEvent


def organisation_create(*, user: Any, data: Mapping[str, Any]) -> Organisation:
    return record_create(model=Organisation, user=user, data=data)


def organisation_update(
    *, organisation: Organisation, user: Any, data: Mapping[str, Any], expected_version: int | None
) -> Organisation:
    """Change an entry. An NGO representative's change is proposed instead (`organisation_changes_propose`): the
    entry keeps its values until a central officer accepts it."""
    if changes_need_acceptance(user):
        organisation_changes_propose(user=user, rows=[ProposedChange(organisation, data, expected_version)])
        return organisation
    country_before = organisation.country_id
    with transaction.atomic():
        record_update(instance=organisation, user=user, data=data, expected_version=expected_version)
        if organisation.country_id != country_before:
            derived.organisations_changed([organisation.pk])  # report facts copy the donor's country
    return organisation


def organisation_delete(*, organisation: Organisation, user: Any, expected_version: int | None = None) -> Organisation:
    return record_soft_delete(instance=organisation, user=user, expected_version=expected_version)


def organisation_restore(*, organisation: Organisation, user: Any) -> Organisation:
    return record_restore(instance=organisation, user=user)


# --- registrations (Decree 58/2022) --------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def check_registration_dates(*, kind: str, issue_date: date | None, expiry_date: date | None) -> None:
    """Validity limits of Decree 58/2022 Art. 9: ≤ 3 years (operation), ≤ 5 years (representative office)."""
    if issue_date is None or expiry_date is None:
        return
    if expiry_date <= issue_date:
        raise ValidationError({"expiry_date": _("The expiry date must be after the issue date.")})
    if kind not in RegistrationKind.values:  # the kind field reports its own error
        return
    years = MAX_VALIDITY_YEARS[RegistrationKind(kind)]
    latest = add_years(issue_date, years)
    if expiry_date > latest:
        raise ValidationError(
            {
                "expiry_date": _(
                    "%(kind)s: valid for at most %(years)s years, so the expiry date can be no later than %(latest)s."
                )
                % {
                    "kind": RegistrationKind(kind).label,
                    "years": years,
                    "latest": date_format(latest, "SHORT_DATE_FORMAT"),
                }
            }
        )


def _check_registrant(organisation: Organisation) -> None:
    if organisation.kind not in {OrganisationKind.FOREIGN_NGO, OrganisationKind.FOUNDATION}:
        raise ValidationError({"organisation": _("Only foreign non-governmental organisations are registered.")})


def check_registration_number(*, kind: str, number: str, exclude_pk: int | None = None) -> None:
    """A certificate number is unique within its kind (deleted registrations keep theirs, to be restored)."""
    duplicates = Registration.all_objects.filter(kind=kind, number=number)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if kind and number and duplicates.exists():
        raise ValidationError({"number": _("A registration of this kind with this number is already recorded.")})


def _check_new_expiry(*, kind: str, start: date, new_expiry: date) -> None:
    """The validity limit for a decision's new expiry date, reported on the decision's `new_expiry` field."""
    try:
        check_registration_dates(kind=kind, issue_date=start, expiry_date=new_expiry)
    except ValidationError as exc:
        raise ValidationError({"new_expiry": exc.message_dict["expiry_date"]}) from exc


def registration_create(
    *, user: Any, data: Mapping[str, Any], decision_number: str = "", note: str = ""
) -> Registration:
    # Permission first, so that someone who may not keep the register learns nothing from validation errors.
    ensure_may_add(user=user, model=Registration)
    check_registration_dates(
        kind=data.get("kind", ""), issue_date=data.get("issue_date"), expiry_date=data.get("expiry_date")
    )
    _check_registrant(data["organisation"])
    check_registration_number(kind=data.get("kind", ""), number=data.get("number", ""))
    with transaction.atomic():
        registration = record_create(model=Registration, user=user, data=data)
        derived.registrations_changed([registration.organisation_id])  # the NGO's reporting duties follow
        _record_event(
            registration=registration,
            kind=RegistrationEventKind.ISSUED,
            date=registration.issue_date,
            decision_number=decision_number or registration.number,
            new_expiry=registration.expiry_date,
            note=note,
        )
    return registration


def registration_update(
    *, registration: Registration, user: Any, data: Mapping[str, Any], expected_version: int | None
) -> Registration:
    """Correct the record of a registration (a typo, the provinces covered); decisions have their own services."""
    ensure_allowed(user=user, action=Action.CHANGE, instance=registration)
    for field in ("state", "expiry_date"):
        if field in data and data[field] != getattr(registration, field):
            raise ValidationError({field: _("Record an extension, amendment or decision instead.")})
    check_registration_dates(
        kind=data.get("kind", registration.kind),
        issue_date=data.get("issue_date", registration.issue_date),
        expiry_date=registration.expiry_date,
    )
    if "organisation" in data:
        _check_registrant(data["organisation"])
    check_registration_number(
        kind=data.get("kind", registration.kind),
        number=data.get("number", registration.number),
        exclude_pk=registration.pk,
    )
    with transaction.atomic():
        previous_organisation = registration.organisation_id
        updated = record_update(instance=registration, user=user, data=data, expected_version=expected_version)
        derived.registrations_changed({previous_organisation, updated.organisation_id})
    return updated


def registration_record_decision(
    *,
    registration: Registration,
    user: Any,
    kind: str,
    on: date,
    decision_number: str = "",
    new_expiry: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Registration:
    """An extension, amendment, suspension, reinstatement, revocation or termination, kept as an event."""
    ensure_allowed(user=user, action=Action.CHANGE, instance=registration)
    if registration.is_deleted:
        raise ValidationError(_("Restore this registration before recording a decision on it."))
    if kind not in RegistrationEventKind.values:
        raise ValidationError({"kind": _("Choose a kind of decision.")})
    if kind == RegistrationEventKind.ISSUED:
        raise ValidationError({"kind": _("A registration is issued only once.")})
    if on < registration.issue_date:
        raise ValidationError({"date": _("A decision cannot precede the issue of the registration.")})
    new_state = {
        RegistrationEventKind.SUSPENDED: RegistrationState.SUSPENDED,
        RegistrationEventKind.REINSTATED: RegistrationState.IN_FORCE,
        RegistrationEventKind.REVOKED: RegistrationState.REVOKED,
        RegistrationEventKind.TERMINATED: RegistrationState.TERMINATED,
    }.get(RegistrationEventKind(kind))
    if registration.state in {RegistrationState.REVOKED, RegistrationState.TERMINATED}:
        raise ValidationError({"kind": _("This registration has ended; issue a new one instead.")})
    if kind == RegistrationEventKind.REINSTATED and registration.state != RegistrationState.SUSPENDED:
        raise ValidationError({"kind": _("Only a suspended registration can be reinstated.")})
    if kind == RegistrationEventKind.SUSPENDED and registration.state != RegistrationState.IN_FORCE:
        raise ValidationError({"kind": _("This registration is already suspended.")})
    if kind == RegistrationEventKind.EXTENDED:
        if new_expiry is None or new_expiry <= registration.expiry_date:
            raise ValidationError({"new_expiry": _("An extension needs a later expiry date.")})
        # Extensions are for the same term as the certificate (Art. 9), counted from the old expiry.
        _check_new_expiry(kind=registration.kind, start=registration.expiry_date, new_expiry=new_expiry)
    elif new_expiry is not None and kind != RegistrationEventKind.AMENDED:
        raise ValidationError({"new_expiry": _("Only an extension or amendment changes the expiry date.")})
    with transaction.atomic():
        claim_version(instance=registration, expected_version=expected_version)
        previous_expiry = registration.expiry_date
        if new_expiry is not None:
            if kind == RegistrationEventKind.AMENDED:
                _check_new_expiry(kind=registration.kind, start=registration.issue_date, new_expiry=new_expiry)
            registration.expiry_date = new_expiry
        if new_state is not None:
            registration.state = new_state
        save_with_history(instance=registration, user=user, reason=RegistrationEventKind(kind).label)
        derived.registrations_changed([registration.organisation_id])
        _record_event(
            registration=registration,
            kind=kind,
            date=on,
            decision_number=decision_number,
            previous_expiry=previous_expiry if new_expiry else None,
            new_expiry=new_expiry,
            note=note,
        )
    return registration


def _record_event(**fields: Any) -> RegistrationEvent:
    """A decision kept with its registration, its text checked as every record's is (400 naming the field)."""
    event = RegistrationEvent(**fields)
    event.full_clean()
    event.save()
    return event


def registration_delete(*, registration: Registration, user: Any, expected_version: int | None = None) -> Registration:
    """Soft delete (a registration entered by mistake); an ended licence is revoked or terminated instead."""
    with transaction.atomic():
        deleted = record_soft_delete(instance=registration, user=user, expected_version=expected_version)
        derived.registrations_changed([deleted.organisation_id])
    return deleted


def registration_restore(*, registration: Registration, user: Any) -> Registration:
    with transaction.atomic():
        restored = record_restore(instance=registration, user=user)
        derived.registrations_changed([restored.organisation_id])
    return restored


# --- changes proposed by NGO representatives -----------------------------------------------------------------

NOTHING_CHANGED = gettext_noop("Nothing differs from the entry as it is.")
NOT_WAITING = gettext_noop("This proposal is no longer waiting for a decision (it is “%(state)s”).")
REASON_NEEDED = gettext_noop("Say why the change is rejected.")
PROPOSED = gettext_noop("Change proposed by the organisation")
ACCEPTED = gettext_noop("Change proposed by the organisation, accepted")
REJECTED = gettext_noop("Change proposed by the organisation, rejected")
REPLACED = gettext_noop("Replaced by a later proposal")


def changes_need_acceptance(user: Any) -> bool:
    """An NGO representative's changes to its entry wait for a central officer (the public register is the
    state's, the NGO keeps it current)."""
    return getattr(user, "role", "") == Role.NGO_REPRESENTATIVE and not getattr(user, "is_superuser", False)


@dataclass(frozen=True)
class ProposedChange:
    organisation: Organisation
    data: Mapping[str, Any]
    expected_version: int | None = None


def _as_text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "pk", value))


def organisation_changes_propose(
    *, user: Any, rows: Sequence[ProposedChange], dry_run: bool = False
) -> list[OrganisationChange]:
    """Record proposed changes of entries: the one writer of proposals. The user must be one who may change each
    entry (the scope policy: 403 for the batch), and only the fields its role may change (400 naming the
    others); the values must pass the entry's own checks; something must differ; the version the user saw is
    the stored one (409). A proposal still waiting for the same entry is replaced. Nothing of the entry changes."""
    with transaction.atomic():
        ensure_all_allowed(
            model=Organisation, user=user, pks={row.organisation.pk for row in rows}, action=Action.CHANGE
        )
        stored = Organisation.all_objects.in_bulk([row.organisation.pk for row in rows])
        found = Breaches()
        proposals: list[OrganisationChange] = []
        for index, row in enumerate(rows):
            organisation = stored[row.organisation.pk]
            with found.row(index):
                ensure_fields_changeable(user=user, instance=organisation, data=row.data)
            if row.expected_version is not None and row.expected_version != organisation.version:
                raise ConflictError(expected_version=row.expected_version, current_version=organisation.version)
            changes = {
                name: _as_text(value)
                for name, value in row.data.items()
                if _as_text(value) != _as_text(getattr(organisation, name))
            }
            if not changes:
                found.add(index, Breach("", NOTHING_CHANGED))
            candidate = Organisation.all_objects.get(pk=organisation.pk)
            for name, value in row.data.items():
                setattr(candidate, name, value)
            with found.row(index):
                candidate.full_clean(validate_unique=False, validate_constraints=False)
            proposals.append(OrganisationChange(organisation=organisation, changes=changes, proposed_by=user))
        found.refuse()
        if dry_run:
            return proposals
        for proposal in proposals:
            for waiting in OrganisationChange.objects.filter(
                organisation=proposal.organisation, state=ChangeState.PROPOSED
            ):
                waiting.state = ChangeState.SUPERSEDED
                save_with_history(instance=waiting, user=user, reason=REPLACED)
            save_with_history(instance=proposal, user=user, reason=PROPOSED)
    return proposals


@dataclass(frozen=True)
class ChangeDecisionRow:
    change: OrganisationChange
    decision: str
    note: str = ""
    expected_version: int | None = None


def organisation_changes_decide(
    *, user: Any, rows: Sequence[ChangeDecisionRow], dry_run: bool = False
) -> list[OrganisationChange]:
    """Accept proposed changes — the entry takes the proposed values, with the officer as the author and the
    proposal named in its history — or reject them with a reason. Central officers (the scope policy's
    `approve`: 403 for the batch); only a proposal still waiting; the entry's own checks again on acceptance."""
    ids = [row.change.pk for row in rows]
    with transaction.atomic():
        ensure_all_allowed(model=OrganisationChange, user=user, pks=set(ids), action=Action.APPROVE)
        stored = OrganisationChange.all_objects.select_related("organisation").in_bulk(ids)
        found = Breaches()
        for index, row in enumerate(rows):
            change = stored[row.change.pk]
            if change.state != ChangeState.PROPOSED:
                found.add(index, Breach("", NOT_WAITING, {"state": ChangeState(change.state).label}))
            if row.decision not in ChangeDecision.values:
                found.add(index, Breach("decision", gettext_noop("Choose to accept or reject the change.")))
            if row.decision == ChangeDecision.REJECT and not row.note.strip():
                found.add(index, Breach("decision_note", REASON_NEEDED))
            if dry_run:
                with found.row(index):
                    check_version(stored=change.version, expected=row.expected_version)
            if row.decision == ChangeDecision.ACCEPT:
                for name, value in change.changes.items():
                    setattr(change.organisation, name, value)
                with found.row(index):
                    change.organisation.full_clean(validate_unique=False, validate_constraints=False)
        found.refuse()
        decided = [stored[pk] for pk in ids]
        if dry_run:
            return decided
        claim_versions(model=OrganisationChange, claims=[(stored[row.change.pk], row.expected_version) for row in rows])
        for row in rows:
            change = stored[row.change.pk]
            accepted = row.decision == ChangeDecision.ACCEPT
            if accepted:
                claim_version(instance=change.organisation, expected_version=None)
                save_with_history(instance=change.organisation, user=user, reason=ACCEPTED)
            change.state = ChangeState.ACCEPTED if accepted else ChangeState.REJECTED
            change.decided_by, change.decided_at, change.decision_note = user, timezone.now(), row.note.strip()
            save_with_history(instance=change, user=user, reason=ACCEPTED if accepted else REJECTED)
    return decided
