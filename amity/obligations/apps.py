from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ObligationsConfig(AppConfig):
    name = "amity.obligations"
    verbose_name = _("Reporting duties")

    def ready(self) -> None:
        from amity.core import derived

        from .receivers import ObligationsKeeper

        derived.listen(ObligationsKeeper())
        post_migrate.connect(_seed_rules, sender=self)


def _seed_rules(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The reference rules, loaded with the database (`seed.py`): only those missing."""
    from .seed import duty_rules_seed

    duty_rules_seed(using=using)
