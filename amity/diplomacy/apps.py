from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiplomacyConfig(AppConfig):
    name = "amity.diplomacy"
    verbose_name = _("People's diplomacy")

    def ready(self) -> None:
        # Documents (the app below) link to events, partnerships and delegations, and their pages show the linked
        # documents in the panel documents owns: registered here, since documents never imports this app.
        from amity.core import panels
        from amity.documents import links
        from amity.documents.views import linked_documents_panel

        from .models import Delegation, Event, Partnership

        for key, model in (("event", Event), ("partnership", Partnership), ("delegation", Delegation)):
            links.register(key, model)
            panels.register(model, linked_documents_panel)
