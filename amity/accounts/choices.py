"""Roles of DESIGN.md; what each may do is declared in the models' scope policies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CENTRAL_OFFICER = "central_officer", _("Central officer")
    PROVINCIAL_APPROVER = "provincial_approver", _("Provincial approver")
    PROVINCIAL_EDITOR = "provincial_editor", _("Provincial editor")
    PROVINCIAL_VIEWER = "provincial_viewer", _("Provincial viewer")
    NGO_REPRESENTATIVE = "ngo_representative", _("NGO representative")


PROVINCIAL_ROLES = frozenset({Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_EDITOR, Role.PROVINCIAL_VIEWER})
