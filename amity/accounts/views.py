"""The signed-in user's own page (role, provinces, organisation), the lockout page and the admin's way in."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from .lockout import cool_off


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # LoginRequiredMixin: a signed-in User, not the AnonymousUser the request's type allows.
        context.update(jurisdictions=user.jurisdictions.order_by("code"))  # type: ignore[union-attr]
        return context


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: Amity's page (429) saying until when signing in is locked, in the user's language."""
    wait = cool_off(request)
    until = timezone.localtime() + timedelta(minutes=max(1, math.ceil(wait.total_seconds() / 60)))
    return render(request, "accounts/locked_out.html", {"until": until}, status=429)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in on Amity's page, with the same lockout and second factor, then comes back."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    target = target or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target}, safe='/')}")
