"""Organisation pages: list, detail with history, create/edit, delete and restore."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from amity.core.scoping import Action
from amity.core.views import RecordActionView, RecordDetailView, RecordEditView, RecordListView

from . import services
from .filtersets import OrganisationFilterSet
from .forms import OrganisationForm
from .models import Organisation


class OrganisationListView(RecordListView):
    model = Organisation
    filterset_class = OrganisationFilterSet
    ordering_fields = {"name": "name", "acronym": "acronym", "kind": "kind", "updated": "updated_at"}
    default_ordering = "name"

    def base_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.select_related("country", "owning_province")


class OrganisationDetailView(RecordDetailView):
    model = Organisation

    def base_queryset(self) -> QuerySet[Organisation]:
        # Deleted entries stay reachable by their link so that they can be restored.
        return Organisation.all_objects.select_related("country", "owning_province", "iati_type")


class OrganisationEditView(RecordEditView):
    model = Organisation
    form_class = OrganisationForm
    template_name = "organisations/organisation_form.html"

    def create(self, *, form: Any) -> Organisation:
        return services.organisation_create(user=self.request.user, data=form.record_data())

    def update(self, *, instance: Any, form: Any, expected_version: int) -> Organisation:
        return services.organisation_update(
            organisation=instance, user=self.request.user, data=form.record_data(), expected_version=expected_version
        )


class OrganisationDeleteView(RecordActionView):
    model = Organisation
    action = Action.DELETE
    success_message = _("Deleted. The entry can be restored from its page.")

    def perform(self, *, instance: Any) -> None:
        services.organisation_delete(organisation=instance, user=self.request.user)


class OrganisationRestoreView(RecordActionView):
    model = Organisation
    action = Action.DELETE
    success_message = _("Restored.")

    def perform(self, *, instance: Any) -> None:
        services.organisation_restore(organisation=instance, user=self.request.user)
