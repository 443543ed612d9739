"""Organisations: foreign NGOs, donors, Vietnamese agencies and aid owners, friendship associations."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amity.accounts.choices import Role
from amity.core.models import BaseModel
from amity.core.scoping import EVERYTHING, Action, InJurisdiction, OfOwnOrganisation, ScopePolicy

from .choices import OrganisationKind, OrganisationStatus

_LOCAL = InJurisdiction("owning_province")
_OWN = OfOwnOrganisation("pk")
_ALL_ACTIONS = {Action.VIEW: EVERYTHING, Action.ADD: EVERYTHING, Action.CHANGE: EVERYTHING, Action.DELETE: EVERYTHING}
_PROVINCIAL_WRITE = {Action.VIEW: EVERYTHING, Action.ADD: _LOCAL, Action.CHANGE: _LOCAL, Action.DELETE: _LOCAL}


class Organisation(BaseModel):
    """The directory is national: every role reads it. Central officers keep it; provinces keep the entries
    they recorded themselves (`owning_province`); an NGO representative reads and updates its own entry."""

    name = models.CharField(_("name"), max_length=300, help_text=_("In the organisation's own language."))
    name_vi = models.CharField(_("Vietnamese name"), max_length=300, blank=True)
    acronym = models.CharField(_("acronym"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    iati_type = models.ForeignKey(
        "reference.CodelistItem", verbose_name=_("IATI organisation type"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"codelist__name": "OrganisationType"},
    )
    iati_identifier = models.CharField(_("IATI organisation identifier"), max_length=150, blank=True)
    country = models.ForeignKey(
        "reference.Country", verbose_name=_("country of headquarters"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
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
        "reference.AdministrativeUnit", verbose_name=_("recorded by province"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "province", "era": "2025"},
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
        }
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"], condition=~models.Q(iati_identifier=""),
                name="organisations_unique_iati_identifier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", kwargs={"public_id": self.public_id})
