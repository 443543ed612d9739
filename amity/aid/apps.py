from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "amity.aid"
    verbose_name = _("Aid")

    def ready(self) -> None:
        from amity.organisations import activity

        from . import receivers  # noqa: F401 - connects the rate-change receiver
        from .selectors import latest_transaction_date

        activity.register(latest_transaction_date)
