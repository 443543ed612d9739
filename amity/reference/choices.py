from django.db import models
from django.utils.translation import gettext_lazy as _


class Era(models.TextChoices):
    """Administrative units changed on 1 Jul 2025; a unit code means something only with its era."""

    PRE2025 = "pre2025", _("Before 1 July 2025 (63 provinces)")
    CURRENT = "2025", _("From 1 July 2025 (34 provinces)")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class CodeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RateFrequency(models.TextChoices):
    ANNUAL = "A", _("Annual average")
    MONTHLY = "M", _("Monthly average")
    DAILY = "D", _("Daily")
