from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo register and demo accounts that `make run` loads: the top layer, built on every other app."""

    name = "amity.demo"
    verbose_name = _("Demo data")
