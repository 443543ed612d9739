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

        # "An aid item's approval decision is such a document": its panel offers the decision first.
        links.register("aid_item", AidItem, decision_number_field="decision_number")
        for key, model in (("organisation", Organisation), ("registration", Registration)):
            links.register(key, model)
        for shown_on in (AidItem, Organisation, Registration):
            panels.register(shown_on, linked_documents_panel)
