from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ObligationsConfig(AppConfig):
    name = "amity.obligations"
    verbose_name = _("Reporting duties")

    def ready(self) -> None:
        from amity.core import derived, panels
        from amity.documents import links
        from amity.documents.views import linked_documents_panel

        from .models import Obligation
        from .receivers import ObligationsKeeper

        derived.listen(ObligationsKeeper())
        # A duty links the official documents it rests on or answers with (the report sent as an official letter,
        # the decision it reports on), shown in the documents' panel on its page: documents is the app below, so
        # the kind and the panel are registered here, as diplomacy does for its records.
        links.register("obligation", Obligation)
        panels.register(Obligation, linked_documents_panel)
        post_migrate.connect(_seed_rules, sender=self)


def _seed_rules(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The reference rules, loaded with the database (`seed.py`): only those missing."""
    from .seed import duty_rules_seed

    duty_rules_seed(using=using)
