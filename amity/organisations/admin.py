from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "country", "status", "owning_province", "deleted_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "name_vi", "acronym", "iati_identifier"]
    raw_id_fields = ["owning_province", "iati_type", "country"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return Organisation.all_objects.all()
