"""Codes of the aid register. Lifecycle and modalities follow Decree 80/2020 (now 313/2025); transaction
types and participant roles are the IATI 2.03 codes, so that exchange needs no mapping table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Modality(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    PROJECT = "project", _("Project")
    NON_PROJECT = "non_project", _("Non-project aid")


class AidStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    UNDER_APPRAISAL = "under_appraisal", _("Under appraisal")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    APPROVAL_REVOKED = "approval_revoked", _("Approval revoked")


# Which statuses each status may move to; the services check the conditions of each move.
TRANSITIONS: dict[str, frozenset[str]] = {
    AidStatus.PROPOSED: frozenset({AidStatus.UNDER_APPRAISAL, AidStatus.CANCELLED}),
    AidStatus.UNDER_APPRAISAL: frozenset({AidStatus.APPROVED, AidStatus.REJECTED, AidStatus.CANCELLED}),
    AidStatus.APPROVED: frozenset({AidStatus.IN_PROGRESS, AidStatus.APPROVAL_REVOKED, AidStatus.CANCELLED}),
    AidStatus.IN_PROGRESS: frozenset({AidStatus.COMPLETED, AidStatus.CANCELLED}),
    AidStatus.COMPLETED: frozenset({AidStatus.CLOSED}),
    AidStatus.REJECTED: frozenset(),
    AidStatus.CLOSED: frozenset(),
    AidStatus.CANCELLED: frozenset(),
    AidStatus.APPROVAL_REVOKED: frozenset(),
}

# Statuses in which an aid item is on record as it ended: no more edits or transactions.
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)

# Statuses from approval on: the aid that official figures count (DESIGN.md invariant 11). Proposed aid and aid
# under appraisal may never be approved; rejected, cancelled and revoked aid was not, or is no longer.
OFFICIAL_STATUSES = frozenset({AidStatus.APPROVED, AidStatus.IN_PROGRESS, AidStatus.COMPLETED, AidStatus.CLOSED})

# IATI ActivityStatus for each lifecycle status (1 pipeline, 2 implementation, 3 finalisation, 4 closed,
# 5 cancelled).
IATI_ACTIVITY_STATUS: dict[str, str] = {
    AidStatus.PROPOSED: "1",
    AidStatus.UNDER_APPRAISAL: "1",
    AidStatus.APPROVED: "1",
    AidStatus.IN_PROGRESS: "2",
    AidStatus.COMPLETED: "3",
    AidStatus.CLOSED: "4",
    AidStatus.REJECTED: "5",
    AidStatus.CANCELLED: "5",
    AidStatus.APPROVAL_REVOKED: "5",
}


class ReportedStatus(models.TextChoices):
    """IATI ActivityStatus: where the donor's own file says the activity stands. Kept beside Amity's lifecycle
    status, never in its place (a donor's file approves nothing in Viet Nam)."""

    PIPELINE = "1", _("Pipeline/identification")
    IMPLEMENTATION = "2", _("Implementation")
    FINALISATION = "3", _("Finalisation")
    CLOSED = "4", _("Closed")
    CANCELLED = "5", _("Cancelled")
    SUSPENDED = "6", _("Suspended")


class BeneficiaryGroup(models.TextChoices):
    POOR_HOUSEHOLDS = "poor_households", _("Poor households")
    ETHNIC_MINORITIES = "ethnic_minorities", _("Ethnic minorities")
    CHILDREN = "children", _("Children")
    STUDENTS = "students", _("Pupils and students")
    PEOPLE_WITH_DISABILITIES = "people_with_disabilities", _("People with disabilities")
    WOMEN = "women", _("Women")
    ELDERLY = "elderly", _("Elderly people")
    DISASTER_AFFECTED = "disaster_affected", _("People affected by disasters")
    PATIENTS = "patients", _("Patients")
    FARMERS = "farmers", _("Farmers")
    COMMUNITY = "community", _("Whole community")


class ParticipantRole(models.TextChoices):
    """IATI OrganisationRole codes."""

    FUNDING = "1", _("Funding")
    ACCOUNTABLE = "2", _("Accountable")
    EXTENDING = "3", _("Extending")
    IMPLEMENTING = "4", _("Implementing")


class BudgetKind(models.TextChoices):
    """IATI BudgetType codes."""

    ORIGINAL = "1", _("Original")
    REVISED = "2", _("Revised")


class BudgetStatus(models.TextChoices):
    """IATI BudgetStatus codes."""

    INDICATIVE = "1", _("Indicative")
    COMMITTED = "2", _("Committed")


class TransactionType(models.TextChoices):
    """IATI TransactionType codes (standard 2.03)."""

    INCOMING_FUNDS = "1", _("Incoming funds")
    OUTGOING_COMMITMENT = "2", _("Commitment")
    DISBURSEMENT = "3", _("Disbursement")
    EXPENDITURE = "4", _("Expenditure")
    INTEREST_PAYMENT = "5", _("Interest payment")
    LOAN_REPAYMENT = "6", _("Loan repayment")
    REIMBURSEMENT = "7", _("Reimbursement")
    PURCHASE_OF_EQUITY = "8", _("Purchase of equity")
    SALE_OF_EQUITY = "9", _("Sale of equity")
    CREDIT_GUARANTEE = "10", _("Credit guarantee")
    INCOMING_COMMITMENT = "11", _("Incoming commitment")
    OUTGOING_PLEDGE = "12", _("Outgoing pledge")
    INCOMING_PLEDGE = "13", _("Incoming pledge")


COMMITMENT_TYPES = frozenset({TransactionType.OUTGOING_COMMITMENT, TransactionType.INCOMING_COMMITMENT})
DISBURSEMENT_TYPES = frozenset({TransactionType.DISBURSEMENT})
EXPENDITURE_TYPES = frozenset({TransactionType.EXPENDITURE})
