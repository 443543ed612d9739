from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, Registration, RegistrationEvent


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "country", "status", "owning_province", "deleted_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "name_vi", "acronym", "iati_identifier"]
    raw_id_fields = ["owning_province", "iati_type", "country"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return Organisation.all_objects.all()


class RegistrationEventInline(admin.TabularInline):
    model = RegistrationEvent
    extra = 0
    fields = ["kind", "date", "decision_number", "previous_expiry", "new_expiry", "note"]


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    """For administrators' corrections. Officers record registrations and decisions on the registration pages,
    which go through the services (validity limits, events, version check)."""

    list_display = ["number", "organisation", "kind", "issue_date", "expiry_date", "state", "deleted_at"]
    list_filter = ["kind", "state"]
    search_fields = ["number", "organisation__name", "organisation__acronym"]
    date_hierarchy = "expiry_date"
    raw_id_fields = ["organisation"]
    filter_horizontal = ["provinces", "sectors"]
    list_select_related = ["organisation"]
    inlines = [RegistrationEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Registration]:
        return Registration.all_objects.all()
