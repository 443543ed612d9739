"""For administrators' reading and corrections: the history of every record. Staff record the register on its
pages, which go through the batch services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import AgreementRenewal, AssociationMember, Delegation, Event, Partnership, Union, UnionUnit, Visitor
from .personal import personal_fields


@admin.register(Union, UnionUnit, Partnership, AgreementRenewal, Event, Delegation, Visitor, AssociationMember)
class RegisterAdmin(SimpleHistoryAdmin):
    """Read-only: writes go through the services (the rules of the register, the scope, the version check).
    Personal data is left out: administrators see counts, as on the pages (`personal`)."""

    list_display = ["__str__", "owning_province", "old_province", "deleted_at"]
    list_select_related = ["owning_province", "old_province"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*(super().get_exclude(request, obj) or ()), *personal_fields(self.model)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
