"""The signed-in user's own page: role, provinces, organisation, API token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # LoginRequiredMixin: a signed-in User, not the AnonymousUser the request's type allows.
        context.update(jurisdictions=user.jurisdictions.order_by("code"))  # type: ignore[union-attr]
        return context
