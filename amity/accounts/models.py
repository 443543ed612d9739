"""Users, their role, the provinces they work for and, for NGO representatives, their organisation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import PROVINCIAL_ROLES, Role


class User(AbstractUser):
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(
        _("role"),
        max_length=32,
        choices=Role.choices,
        blank=True,
        help_text=_("A user without a role can sign in but sees no records."),
    )
    jurisdictions = models.ManyToManyField(
        "reference.AdministrativeUnit",
        verbose_name=_("provinces"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": "province", "era": "2025"},
        help_text=_("Provinces (current era) whose records this user works on."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="representatives",
        help_text=_("For NGO representatives: the organisation they speak for."),
    )

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="vi",
        help_text=_("The language of the e-mails Amity sends this user (reminders of reporting duties)."),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[jurisdictions])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.NGO_REPRESENTATIVE and self.organisation_id is None:
            raise ValidationError({"organisation": _("An NGO representative must belong to an organisation.")})
        if self.role != Role.NGO_REPRESENTATIVE and self.organisation_id is not None:
            raise ValidationError({"organisation": _("Only NGO representatives belong to an organisation.")})

    @property
    def is_provincial(self) -> bool:
        return self.role in PROVINCIAL_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR
