from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public information page: what anonymous visitors may read (published or explicitly public data only)."""

    name = "amity.portal"
    verbose_name = _("Public information page")

    def ready(self) -> None:
        # The lower apps' writers publish things the public pages show (a report published, an event made public
        # or changed while public); they cannot call this app, so it listens for their saves and empties the
        # public pages' cache when the transaction commits (`public.invalidate_public_pages`, the one helper); a
        # report published also queues a build of the open data files (`opendata_files.open_data_build_soon`), a
        # registration saved a build of the NGO directory's files (small: seconds).
        from amity.diplomacy.models import Event
        from amity.organisations.models import Registration
        from amity.reports.models import PublishedReport

        pre_save.connect(_remember_event_was_public, sender=Event, dispatch_uid="portal-event-was-public")
        post_save.connect(_event_saved, sender=Event, dispatch_uid="portal-event-saved")
        post_save.connect(_report_published, sender=PublishedReport, dispatch_uid="portal-report-published")
        post_save.connect(_registration_saved, sender=Registration, dispatch_uid="portal-registration-saved")


def _remember_event_was_public(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._portal_was_public = bool(
        instance.pk and sender._base_manager.filter(pk=instance.pk, public=True).exists()
    )


def _event_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .public import invalidate_public_pages

    if instance.public or getattr(instance, "_portal_was_public", False):
        invalidate_public_pages()


def _report_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .opendata_files import open_data_build_soon
    from .public import invalidate_public_pages

    invalidate_public_pages()
    open_data_build_soon()  # queued after the commit, a few minutes later: never built in the publishing request


def _registration_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .opendata_files import all_targets, open_data_build_soon

    open_data_build_soon(targets=all_targets(datasets=["ngos"]))
