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
