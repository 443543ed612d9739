from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public information page: what anonymous visitors may read (published or explicitly public data only)."""

    name = "amity.portal"
    verbose_name = _("Public information page")
