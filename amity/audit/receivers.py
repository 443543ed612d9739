"""Events recorded from signals: sign-ins, failures and sign-outs (Django), lockouts (axes), and changes of a
user's role, status, organisation or provinces (the User model), with the acting administrator taken from the
request being served."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.http import HttpRequest

from amity.core.audit import AuditKind

from .services import AuditLogWriter

# The fields of a user whose changes are recorded: what the user may do and where.
WATCHED = ("role", "is_active", "is_staff", "is_superuser", "organisation_id")

_write = AuditLogWriter().record


def _signed_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    details = {"second_factor": True} if request is not None and getattr(request, "amity_second_factor", False) else {}
    _write(AuditKind.SIGN_IN, actor=user, request=request, details=details)


def _signed_out(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    _write(AuditKind.SIGN_OUT, actor=user, request=request)


def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    # A wrong code at the second step is counted by the lockout as a failed sign-in, and recorded as what it is.
    second_step = request is not None and getattr(request, "amity_second_factor_failed", False)
    kind = AuditKind.TWO_FACTOR_FAILED if second_step else AuditKind.SIGN_IN_FAILED
    _write(kind, username=username, request=request)


def _locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    _write(AuditKind.LOCKED_OUT, username=username or "", request=request, details={"failures": failures})


def _value(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | bool) else str(value)


def _remember_watched(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {name.removesuffix("_id") for name in WATCHED} & {
        name.removesuffix("_id") for name in update_fields
    }:
        return  # e.g. last_login at each sign-in
    instance._audit_before = sender._default_manager.filter(pk=instance.pk).values(*WATCHED).first()


def _record_watched(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    if created:
        before = {"role": "", "is_active": None, "is_staff": False, "is_superuser": False, "organisation_id": None}
    if before is None:
        return
    changes = {
        name: [_value(before[name]), _value(getattr(instance, name))]
        for name in WATCHED
        if before[name] != getattr(instance, name) and not (created and name == "is_active")
    }
    if changes:
        _write(AuditKind.USER_CHANGED, subject=instance, details={"changes": changes, "created": created})


def _jurisdictions_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if reverse:
        return  # a province's users changed from the province's side: not done by Amity
    if action == "pre_clear":
        instance._audit_cleared = sorted(instance.jurisdictions.values_list("code", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action == "post_clear":
        codes = getattr(instance, "_audit_cleared", [])
    else:
        units = instance.jurisdictions.model._default_manager
        codes = sorted(units.filter(pk__in=pk_set or ()).values_list("code", flat=True))
    if codes:
        change = "added" if action == "post_add" else "removed"
        _write(AuditKind.USER_CHANGED, subject=instance, details={"jurisdictions": {change: codes}})


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(_signed_in, dispatch_uid="amity.audit.signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="amity.audit.signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="amity.audit.sign_in_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="amity.audit.locked_out")
    pre_save.connect(_remember_watched, sender=user_model, dispatch_uid="amity.audit.user_before")
    post_save.connect(_record_watched, sender=user_model, dispatch_uid="amity.audit.user_after")
    through = user_model._meta.get_field("jurisdictions").remote_field.through
    m2m_changed.connect(_jurisdictions_changed, sender=through, dispatch_uid="amity.audit.jurisdictions")
