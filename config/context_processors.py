"""Template context shared by every page: the main navigation and the user's role label. It names every app's
pages, so it belongs to the project (`config`), above the apps, not to `amity.core`, which imports none."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amity.core.scoping import Action
from amity.interop.models import ImportRun


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        items = [
            {"label": _("Organisations"), "url": reverse("organisations:list"), "app": "organisations"},
            {"label": _("Aid"), "url": reverse("aid:list"), "app": "aid"},
            {
                "label": _("Registrations"),
                "url": reverse("organisations:registration_list"),
                "app": "organisations",
            },
            {"label": _("Reports"), "url": reverse("reports:dashboard"), "app": "reports"},
            {"label": _("People's diplomacy"), "url": reverse("diplomacy:dashboard"), "app": "diplomacy"},
            {"label": _("Documents"), "url": reverse("documents:list"), "app": "documents"},
            {"label": _("Reporting duties"), "url": reverse("obligations:mine"), "app": "obligations"},
            {"label": _("Public page"), "url": reverse("portal:news_staff_list"), "app": "portal"},
        ]
        if user.organisation_id:  # an NGO representative: its registrations, aid and duties on one page
            items.append(
                {"label": _("My organisation"), "url": reverse("obligations:organisation"), "app": "obligations"}
            )
        # By role alone: the jurisdictions (a query) are not needed to show the menu entry.
        if user.is_administrator or Action.VIEW in ImportRun.scope_policy.rules.get(user.role, {}):
            items.append({"label": _("Data exchange"), "url": reverse("interop:runs"), "app": "interop"})
        items += [
            {"label": _("Reference data"), "url": reverse("reference:index"), "app": "reference"},
        ]
        if user.is_administrator:
            items.append({"label": _("Audit log"), "url": reverse("audit:events"), "app": "audit"})
        if user.is_staff:
            items.append({"label": _("Administration"), "url": reverse("admin:index"), "app": "admin"})
    current_app = getattr(getattr(request, "resolver_match", None), "app_name", "")
    return {"nav_items": items, "nav_current_app": current_app}
