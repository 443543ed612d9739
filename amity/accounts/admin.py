from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import two_factor
from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User], SimpleHistoryAdmin):
    list_display = ["username", "get_full_name", "email", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "jurisdictions"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["jurisdictions", "groups", "user_permissions"]
    raw_id_fields = ["organisation"]
    actions = ["reset_two_factor"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]  # set by Django's UserAdmin; its stub keeps Optional
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdictions", "organisation")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdictions", "organisation")}),
    )

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        if db_field.name == "jurisdictions":
            # The current era's provinces, through the relation: accounts lies below reference, imports none of it.
            units = db_field.related_model._default_manager
            kwargs["queryset"] = units.filter(level="province", era="2025").order_by("code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """The recovery path: the users set up two-factor sign-in again at their next sign-in. Administrators only;
        each reset is in the audit log with who did it."""
        if not getattr(request.user, "is_administrator", False):
            self.message_user(request, _("Only administrators may reset two-factor sign-in."), messages.ERROR)
            return
        for user in queryset:
            two_factor.two_factor_reset(user=user, actor=request.user, reason="admin action", request=request)
        self.message_user(request, _("Two-factor sign-in reset for %(count)s users.") % {"count": queryset.count()})
