"""The signed-in user's own page (role, provinces, organisation), the lockout page and the admin's way in."""

from __future__ import annotations

import base64
import math
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice

from amity.core.exceptions import PermissionDenied

from . import two_factor
from .lockout import cool_off
from .models import User


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The six-digit code your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # LoginRequiredMixin: a signed-in User, not the AnonymousUser the request's type allows.
        user: User = self.request.user  # type: ignore[assignment]
        context.update(
            jurisdictions=user.jurisdictions.order_by("code"),
            two_factor_on=has_second_factor(user),
            two_factor_required=two_factor.two_factor_required(user),
            backup_codes_left=two_factor.backup_codes_left(user),
        )
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


# --- Two-factor sign-in ------------------------------------------------------------------------------------------
#
# The password is the first step (`SignInView`). A user who must use a second factor, or has set one up, is not
# signed in yet: the session only remembers who passed the first step (`PENDING`, for PENDING_SECONDS), and the
# second step (`SecondStepView`, or `SetupView` for a first enrolment) signs them in. `client.force_login` in
# tests, which signs in without any step, is untouched.

PENDING = "amity_two_factor_pending"
PENDING_SECONDS = 600
SETUP_DEVICE = "amity_two_factor_setup_device"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not (two_factor.two_factor_required(user) or has_second_factor(user)):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
            "next": self.get_success_url(),
            "at": time.time(),
        }
        step = "accounts:two_factor_verify" if has_second_factor(user) else "accounts:two_factor_setup"
        return HttpResponseRedirect(reverse(step))


def has_second_factor(user: Any) -> bool:
    return bool(django_otp.user_has_device(user, confirmed=True))


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session, within PENDING_SECONDS."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    return User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None


def _complete_sign_in(request: HttpRequest, user: User, device: Any) -> str:
    """Sign the pending user in with the device that verified them; returns where to go next."""
    pending = request.session.pop(PENDING)
    request.amity_second_factor = True  # type: ignore[attr-defined]  # read by the audit log's sign-in event
    login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
    return str(pending["next"])


class SecondStepView(View):
    """The code from the authenticator app (or a backup code) after the password."""

    template_name = "accounts/two_factor_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = pending_user(request)
        if user is None:
            return HttpResponseRedirect(reverse("accounts:login"))
        if not has_second_factor(user):
            return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
        return render(request, self.template_name, {"form": TokenForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = pending_user(request)
        if user is None:
            return HttpResponseRedirect(reverse("accounts:login"))
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return locked_out(request)
        form = TokenForm(request.POST)
        device = None
        if form.is_valid():
            device = two_factor.second_factor_verify(user=user, token=form.cleaned_data["token"], request=request)
        if device is None:
            # Counted by the lockout like a wrong password, recorded as a wrong code.
            request.amity_second_factor_failed = True  # type: ignore[attr-defined]
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return locked_out(request)
            form.add_error("token", _("This code is not valid. Try the current code, or one of your backup codes."))
            return render(request, self.template_name, {"form": form}, status=200)
        return HttpResponseRedirect(_complete_sign_in(request, user, device))


class SetupView(View):
    """Set up the authenticator app: a QR code (drawn here, no network) and the key to type in, then a code from
    the app to confirm; the backup codes are shown once. During sign-in (a role that requires it, not set up yet)
    and from the profile."""

    template_name = "accounts/two_factor_setup.html"

    def _user(self, request: HttpRequest) -> tuple[User | None, bool]:
        if request.user.is_authenticated:
            return request.user, False
        return pending_user(request), True

    def get(self, request: HttpRequest) -> HttpResponse:
        user, signing_in = self._user(request)
        if user is None:
            return HttpResponseRedirect(reverse("accounts:login"))
        if signing_in and has_second_factor(user):
            return HttpResponseRedirect(reverse("accounts:two_factor_verify"))
        device = two_factor.authenticator_start(user)
        request.session[SETUP_DEVICE] = device.pk
        return render(request, self.template_name, self._context(device, TokenForm(), signing_in))

    def post(self, request: HttpRequest) -> HttpResponse:
        user, signing_in = self._user(request)
        if user is None:
            return HttpResponseRedirect(reverse("accounts:login"))
        device = TOTPDevice.objects.filter(pk=request.session.get(SETUP_DEVICE), user=user, confirmed=False).first()
        if device is None:
            return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
        form = TokenForm(request.POST)
        codes = None
        if form.is_valid():
            codes = two_factor.authenticator_confirm(device=device, token=form.cleaned_data["token"], request=request)
        if codes is None:
            form.add_error("token", _("This code is not valid. Check the time of your phone and try the current code."))
            return render(request, self.template_name, self._context(device, form, signing_in))
        request.session.pop(SETUP_DEVICE, None)
        next_url = _complete_sign_in(request, user, device) if signing_in else reverse("accounts:profile")
        if not signing_in:
            django_otp.login(request, device)
        return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next_url": next_url})

    def _context(self, device: TOTPDevice, form: forms.Form, signing_in: bool) -> dict[str, Any]:
        url = device.config_url
        key = base64.b32encode(device.bin_key).decode()
        return {
            "form": form,
            "qr_svg": mark_safe(segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")),
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "signing_in": signing_in,
        }


class BackupCodesView(LoginRequiredMixin, View):
    """New backup codes (the old ones stop working), shown once."""

    def post(self, request: HttpRequest) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]  # LoginRequiredMixin
        if not has_second_factor(user) or not request.user.is_verified():  # type: ignore[union-attr]
            raise PermissionDenied
        codes = two_factor.backup_codes_renew(user=user, request=request)
        return render(
            request, "accounts/two_factor_codes.html", {"codes": codes, "next_url": reverse("accounts:profile")}
        )


class RemoveView(LoginRequiredMixin, View):
    """Turn two-factor sign-in off, for a user whose role does not require it."""

    def post(self, request: HttpRequest) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]  # LoginRequiredMixin
        two_factor.two_factor_remove(user=user, request=request)
        messages.success(request, _("Two-factor sign-in is off."))
        return HttpResponseRedirect(reverse("accounts:profile"))
