from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "amity.documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # The records of the apps below that documents link to, and the panel their pages show the documents in
        # (docs/ARCHITECTURE.md, Layers): those apps never import this one.
        from amity.aid.models import AidItem
        from amity.core import panels
        from amity.organisations.models import Organisation, Registration

        from . import links
        from .views import linked_documents_panel

        for key, model in (("aid_item", AidItem), ("organisation", Organisation), ("registration", Registration)):
            links.register(key, model)
            panels.register(model, linked_documents_panel)
