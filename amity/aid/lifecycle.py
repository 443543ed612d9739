"""The lifecycle actions that the pages and the API offer on an aid item: for each, the status it leads to,
the permission it needs, the names of its inputs and the service that performs it. The services keep the
rules; this table only says how to call them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amity.core.scoping import Action

from . import services
from .choices import OFFICIAL_STATUSES, TRANSITIONS, AidStatus
from .models import AidItem

Perform = Callable[[AidItem, Any, Mapping[str, Any], int | None], AidItem]


def _recording_decision(write: Callable[..., AidItem]) -> Perform:
    """A step that records an approval decision (approve, re-approve): the decision's three inputs, read alike."""

    def perform(item: AidItem, user: Any, inputs: Mapping[str, Any], version: int | None) -> AidItem:
        return write(
            aid_item=item,
            user=user,
            decision_number=inputs.get("decision_number") or "",
            decision_date=inputs.get("decision_date"),
            authority=inputs.get("decision_authority") or "",
            expected_version=version,
        )

    return perform


@dataclass(frozen=True)
class Step:
    name: str
    to: str
    permission: str
    label: Any
    inputs: tuple[str, ...]
    perform: Perform
    # The service names the model fields it would set; the inputs are named for people.
    renamed_errors: Mapping[str, str] = field(default_factory=dict)

    def is_open(self, aid_item: AidItem, today: date) -> bool:
        """Whether the aid item's status allows this step now (a revocation waits for the start deadline)."""
        if aid_item.is_deleted:
            return False
        if self.name == "reapprove":  # no move: the status stays; the service refuses when nothing changed
            return aid_item.status in OFFICIAL_STATUSES
        if self.to not in TRANSITIONS[aid_item.status]:
            return False
        if self.name == "revoke":
            deadline = aid_item.start_deadline
            return deadline is not None and today >= deadline
        return True

    def run(self, *, aid_item: AidItem, user: Any, inputs: Mapping[str, Any], expected_version: int | None) -> AidItem:
        """Perform the step; a ValidationError names the step's inputs rather than the model's fields."""
        try:
            return self.perform(aid_item, user, inputs, expected_version)
        except ValidationError as error:
            if not hasattr(error, "error_dict") or not self.renamed_errors:
                raise
            raise ValidationError(
                {self.renamed_errors.get(key, key): messages for key, messages in error.message_dict.items()}
            ) from error


_REASON = {"status_note": "reason"}

STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "submit",
            AidStatus.UNDER_APPRAISAL,
            Action.CHANGE,
            _("Submit for appraisal"),
            ("received_on",),
            lambda item, user, inputs, version: services.aid_item_submit_for_appraisal(
                aid_item=item, user=user, received_on=inputs.get("received_on"), expected_version=version
            ),
        ),
        Step(
            "approve",
            AidStatus.APPROVED,
            Action.APPROVE,
            _("Approve"),
            ("decision_number", "decision_date", "decision_authority"),
            _recording_decision(services.aid_item_approve),
        ),
        Step(
            "reapprove",
            AidStatus.APPROVED,
            Action.APPROVE,
            _("Re-approve"),
            ("decision_number", "decision_date", "decision_authority"),
            _recording_decision(services.aid_item_reapprove),
        ),
        Step(
            "reject",
            AidStatus.REJECTED,
            Action.APPROVE,
            _("Reject"),
            ("reason",),
            lambda item, user, inputs, version: services.aid_item_reject(
                aid_item=item, user=user, reason=inputs.get("reason") or "", expected_version=version
            ),
            _REASON,
        ),
        Step(
            "start",
            AidStatus.IN_PROGRESS,
            Action.CHANGE,
            _("Record the start"),
            ("started_on",),
            lambda item, user, inputs, version: services.aid_item_start(
                aid_item=item, user=user, started_on=inputs.get("started_on"), expected_version=version
            ),
            {"actual_start": "started_on"},
        ),
        Step(
            "complete",
            AidStatus.COMPLETED,
            Action.CHANGE,
            _("Record the completion"),
            ("ended_on",),
            lambda item, user, inputs, version: services.aid_item_complete(
                aid_item=item, user=user, ended_on=inputs.get("ended_on"), expected_version=version
            ),
            {"actual_end": "ended_on"},
        ),
        Step(
            "close",
            AidStatus.CLOSED,
            Action.CHANGE,
            _("Close"),
            (),
            lambda item, user, inputs, version: services.aid_item_close(
                aid_item=item, user=user, expected_version=version
            ),
        ),
        Step(
            "cancel",
            AidStatus.CANCELLED,
            Action.CHANGE,
            # Not "Cancel": that is also what leaving a form used to read ("Hủy" both), side by side.
            _("Cancel the aid item"),
            ("reason",),
            lambda item, user, inputs, version: services.aid_item_cancel(
                aid_item=item, user=user, reason=inputs.get("reason") or "", expected_version=version
            ),
            _REASON,
        ),
        Step(
            "revoke",
            AidStatus.APPROVAL_REVOKED,
            Action.APPROVE,
            _("Revoke the approval"),
            ("reason",),
            lambda item, user, inputs, version: services.aid_item_revoke_approval(
                aid_item=item, user=user, reason=inputs.get("reason") or "", expected_version=version
            ),
            _REASON,
        ),
    )
}
