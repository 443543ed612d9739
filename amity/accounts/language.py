"""The language a signed-in user chose, kept on the user (`User.language`: the e-mails Amity sends them, such as
reminders of reporting duties, are in it) and applied when they sign in again, on any browser.

- The language menu (`set_language`, Django's view with this step added) sets the browser's cookie as before;
  when the user is signed in it also stores the choice on the user. Anonymous visitors keep the cookie alone, and
  the session remembers that they chose, for the sign-in that may follow.
- Signing in (`user_logged_in`): a choice made in this browser session just before (on the sign-in page) is the
  user's choice and is stored on the user; otherwise the user's stored language becomes the browser's cookie.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from amity.core.middleware import SUPPORTED, choose_language

from .models import User

CHOSEN_IN_SESSION = "amity_language_chosen"
LANGUAGE_CHOSEN = gettext_noop("Language chosen")


def user_language_save(*, user: User, language: str) -> bool:
    """Store `language` as the user's (a history row names the user and why); True when it changed. A language
    Amity does not offer is ignored."""
    if language not in SUPPORTED or user.language == language:
        return False
    user.language = language
    user._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history
    user._change_reason = LANGUAGE_CHOSEN  # type: ignore[attr-defined]
    user.save(update_fields=["language"])
    return True


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language menu: Django's `set_language` (the cookie, back to `next`), and the choice kept on the
    signed-in user, or in the anonymous session for the sign-in that may follow."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language in SUPPORTED and response.cookies.get(settings.LANGUAGE_COOKIE_NAME) is not None:
        if request.user.is_authenticated and isinstance(request.user, User):
            user_language_save(user=request.user, language=language)
        elif hasattr(request, "session"):
            request.session[CHOSEN_IN_SESSION] = language
    return response


def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    chosen = request.session.pop(CHOSEN_IN_SESSION, None)
    if chosen in SUPPORTED:
        user_language_save(user=user, language=chosen)
    elif user.language in SUPPORTED:
        choose_language(request, user.language)


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="amity.accounts.language.signed_in")
