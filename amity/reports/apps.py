from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "amity.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The writers below reports (aid, organisations) reach the facts through amity.core.derived.
        from amity.core import derived

        from .facts import FactsKeeper

        derived.register(FactsKeeper())
