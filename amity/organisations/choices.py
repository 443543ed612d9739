from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    FOREIGN_NGO = "foreign_ngo", _("Foreign non-governmental organisation")
    FOUNDATION = "foundation", _("Foundation")
    FOREIGN_GOVERNMENT = "foreign_government", _("Foreign government body")
    MULTILATERAL = "multilateral", _("UN or multilateral organisation")
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual donor")
    VIETNAMESE_AGENCY = "vietnamese_agency", _("Vietnamese agency or aid owner")
    FRIENDSHIP_ASSOCIATION = "friendship_association", _("Friendship association")
    OTHER = "other", _("Other")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class RegistrationKind(models.TextChoices):
    """Certificates under Decree 58/2022 (Art. 3, 9, 28) and their longest validity in years."""

    OPERATION = "operation", _("Operation registration certificate")
    REPRESENTATIVE_OFFICE = "representative_office", _("Representative office certificate")
    PROJECT_OFFICE = "project_office", _("Project office certificate (legacy)")


MAX_VALIDITY_YEARS = {
    RegistrationKind.OPERATION: 3,
    RegistrationKind.REPRESENTATIVE_OFFICE: 5,
    RegistrationKind.PROJECT_OFFICE: 5,
}


class RegistrationState(models.TextChoices):
    """What the issuing body decided; `valid`, `expiring` and `expired` follow from the dates."""

    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    TERMINATED = "terminated", _("Terminated")


class RegistrationStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    TERMINATED = "terminated", _("Terminated")


class RegistrationEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    EXTENDED = "extended", _("Extended")
    AMENDED = "amended", _("Amended")
    SUSPENDED = "suspended", _("Suspended")
    REINSTATED = "reinstated", _("Reinstated")
    REVOKED = "revoked", _("Revoked")
    TERMINATED = "terminated", _("Terminated")


class ChangeState(models.TextChoices):
    """A change of an organisation's entry proposed by its representative, waiting for a central officer."""

    PROPOSED = "proposed", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a later proposal")


class ChangeDecision(models.TextChoices):
    ACCEPT = "accept", _("Accept the change")
    REJECT = "reject", _("Reject the change")
