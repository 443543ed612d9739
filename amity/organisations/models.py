"""Organisations: foreign NGOs, donors, Vietnamese agencies and aid owners, friendship associations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import Role
from amity.core.models import BaseModel, CleanTextModel
from amity.core.scoping import EVERYTHING, Action, InJurisdiction, OfOwnOrganisation, Rule, ScopePolicy

from .choices import (
    ChangeState,
    OrganisationKind,
    OrganisationStatus,
    RegistrationEventKind,
    RegistrationKind,
    RegistrationState,
    RegistrationStatus,
)

EXPIRING_DAYS = 90  # listed as expiring within this many days
EXTENSION_DAYS = 60  # Decree 58/2022: apply for an extension at least 60 days before expiry

_LOCAL = InJurisdiction("owning_province")
_OWN = OfOwnOrganisation("pk")
_ALL_ACTIONS: Mapping[str, Rule] = {
    Action.VIEW: EVERYTHING,
    Action.ADD: EVERYTHING,
    Action.CHANGE: EVERYTHING,
    Action.DELETE: EVERYTHING,
}
# What an NGO representative may change on its own entry: its contact details and description; never its
# ownership, status, identifiers or name, which the register keeps.
NGO_CHANGEABLE_FIELDS = frozenset({"website", "email", "phone", "address", "description"})
_PROVINCIAL_WRITE: Mapping[str, Rule] = {
    Action.VIEW: EVERYTHING,
    Action.ADD: _LOCAL,
    Action.CHANGE: _LOCAL,
    Action.DELETE: _LOCAL,
}


class Organisation(BaseModel):
    """The directory is national: every role reads it. Central officers keep it; provinces keep the entries
    they recorded themselves (`owning_province`); an NGO representative reads and updates its own entry."""

    name = models.CharField(_("name"), max_length=300, help_text=_("In the organisation's own language."))
    name_vi = models.CharField(_("Vietnamese name"), max_length=300, blank=True)
    acronym = models.CharField(_("acronym"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    iati_type = models.ForeignKey(
        "reference.CodelistItem",
        verbose_name=_("IATI organisation type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"codelist__name": "OrganisationType"},
    )
    iati_identifier = models.CharField(_("IATI organisation identifier"), max_length=150, blank=True)
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country of headquarters"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.TextField(_("address"), blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE
    )
    owning_province = models.ForeignKey(
        "reference.AdministrativeUnit",
        verbose_name=_("recorded by province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("Empty for entries of the national register kept by central officers."),
    )

    history = HistoricalRecords()

    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: _ALL_ACTIONS,
            Role.PROVINCIAL_APPROVER: _PROVINCIAL_WRITE,
            Role.PROVINCIAL_EDITOR: _PROVINCIAL_WRITE,
            Role.PROVINCIAL_VIEWER: {Action.VIEW: EVERYTHING},
            Role.NGO_REPRESENTATIVE: {Action.VIEW: _OWN, Action.CHANGE: _OWN},
        },
        changeable_fields={Role.NGO_REPRESENTATIVE: NGO_CHANGEABLE_FIELDS},
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~models.Q(iati_identifier=""),
                name="organisations_unique_iati_identifier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def local_name(self) -> str:
        """The name in the reader's language where one is recorded: the Vietnamese name on a Vietnamese page, else
        the organisation's own name (an acronym is a code to most readers: lists show it on hover only)."""
        if self.name_vi.strip() and (translation.get_language() or "").startswith("vi"):
            return self.name_vi
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", kwargs={"public_id": self.public_id})


class Registration(BaseModel):
    """A foreign NGO's certificate under Decree 58/2022, issued and kept centrally; provinces read it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="registrations"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=RegistrationKind.choices)
    number = models.CharField(_("number"), max_length=100)
    issuing_body = models.CharField(_("issuing body"), max_length=300, default="Bộ Ngoại giao")
    issue_date = models.DateField(_("issue date"))
    expiry_date = models.DateField(_("expiry date"))
    state = models.CharField(
        _("decision state"),
        max_length=16,
        choices=RegistrationState.choices,
        default=RegistrationState.IN_FORCE,
    )
    provinces = models.ManyToManyField(
        "reference.AdministrativeUnit",
        verbose_name=_("provinces covered"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
    )
    sectors = models.ManyToManyField(
        "reference.CodelistItem",
        verbose_name=_("sectors covered"),
        blank=True,
        related_name="+",
        limit_choices_to={"codelist__name": "SectorCategory"},
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(m2m_fields=[provinces, sectors])
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: _ALL_ACTIONS,
            Role.PROVINCIAL_APPROVER: {Action.VIEW: EVERYTHING},
            Role.PROVINCIAL_EDITOR: {Action.VIEW: EVERYTHING},
            Role.PROVINCIAL_VIEWER: {Action.VIEW: EVERYTHING},
            Role.NGO_REPRESENTATIVE: {Action.VIEW: OfOwnOrganisation("organisation")},
        }
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["expiry_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="organisations_registration_unique_number"),
            models.CheckConstraint(
                condition=models.Q(expiry_date__gt=models.F("issue_date")),
                name="organisations_registration_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("organisations:registration", kwargs={"public_id": self.public_id})

    def status_on(self, today: date) -> str:
        if self.state != RegistrationState.IN_FORCE:
            return self.state
        if self.expiry_date < today:
            return RegistrationStatus.EXPIRED
        if self.expiry_date <= today + timedelta(days=EXPIRING_DAYS):
            return RegistrationStatus.EXPIRING
        return RegistrationStatus.VALID

    def is_valid_on(self, day: date) -> bool:
        return self.state == RegistrationState.IN_FORCE and self.issue_date <= day <= self.expiry_date


class RegistrationEvent(CleanTextModel):
    """One decision on a registration: issue, extension, amendment, suspension, revocation…"""

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RegistrationEventKind.choices)
    date = models.DateField(_("date"))
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    previous_expiry = models.DateField(_("previous expiry date"), null=True, blank=True)
    new_expiry = models.DateField(_("new expiry date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration decision")
        verbose_name_plural = _("registration decisions")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class OrganisationChange(BaseModel):
    """A change of its entry that an NGO representative proposed (`changes`: field → new value, as text): the
    public entry keeps its values until a central officer accepts it (`services.organisation_changes_decide`),
    which writes them with the officer as the author; a later proposal replaces one still waiting."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="proposed_changes"
    )
    changes = models.JSONField(_("proposed values"), default=dict)
    state = models.CharField(_("state"), max_length=16, choices=ChangeState.choices, default=ChangeState.PROPOSED)
    proposed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("proposed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    history = HistoricalRecords()
    scope_policy = ScopePolicy(
        rules={
            Role.CENTRAL_OFFICER: {Action.VIEW: EVERYTHING, Action.APPROVE: EVERYTHING},
            Role.PROVINCIAL_APPROVER: {Action.VIEW: InJurisdiction("organisation__owning_province")},
            Role.PROVINCIAL_EDITOR: {Action.VIEW: InJurisdiction("organisation__owning_province")},
            Role.PROVINCIAL_VIEWER: {Action.VIEW: InJurisdiction("organisation__owning_province")},
            Role.NGO_REPRESENTATIVE: {Action.VIEW: OfOwnOrganisation("organisation")},
        }
    )

    class Meta:
        verbose_name = _("proposed change of an organisation")
        verbose_name_plural = _("proposed changes of organisations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return self.organisation.get_absolute_url()

    def rows(self) -> list[tuple[str, str, str]]:
        """(field's name, the entry's value now, the value proposed) for each field changed."""
        fields = {field.name: field for field in Organisation._meta.concrete_fields}
        return [
            (
                str(fields[name].verbose_name) if name in fields else name,
                str(getattr(self.organisation, name, "")),
                value,
            )
            for name, value in self.changes.items()
        ]
