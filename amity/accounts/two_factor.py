"""Two-factor sign-in (TOTP, django-otp) with backup codes: who must use it, enrolment, verification, backup codes,
and the administrators' reset.

A user signs in with their password, then with a six-digit code from an authenticator app (or one of their
backup codes, each usable once). It is required for the roles in `AMITY_TWO_FACTOR_REQUIRED_ROLES` (by default
administrators, central officers and provincial approvers) and for superusers, who enrol at their first sign-in;
any other user may turn it on from their profile. Every change is recorded in the audit log.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amity.core import audit
from amity.core.audit import AuditKind
from amity.core.exceptions import PermissionDenied

AUTHENTICATOR = "Authenticator"
BACKUP_CODES = "Backup codes"


def two_factor_required(user: Any) -> bool:
    return bool(user.is_superuser or user.role in settings.AMITY_TWO_FACTOR_REQUIRED_ROLES)


def backup_codes_left(user: Any) -> int:
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


def authenticator_start(user: Any) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user to scan; earlier unconfirmed ones are dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def _clean(token: str) -> str:
    return "".join(token.split()).lower()


def backup_codes_new(user: Any) -> list[str]:
    """Replace the user's backup codes with new ones (shown once, then only their number)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_CODES, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.AMITY_TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def authenticator_confirm(*, device: TOTPDevice, token: str, request: HttpRequest | None) -> list[str] | None:
    """Confirm the scanned authenticator with a code it shows: it replaces any earlier one and the user gets new
    backup codes (returned, to show once). None if the code is wrong."""
    if not device.verify_token(_clean(token)):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = backup_codes_new(device.user)
    audit.record(AuditKind.TWO_FACTOR_ENROLLED, actor=device.user, request=request, details={"device": device.name})
    return codes


def backup_codes_renew(*, user: Any, request: HttpRequest | None) -> list[str]:
    codes = backup_codes_new(user)
    audit.record(AuditKind.BACKUP_CODES_RENEWED, actor=user, request=request)
    return codes


def second_factor_verify(*, user: Any, token: str, request: HttpRequest | None) -> Any:
    """The device (authenticator, else backup codes) that accepts `token`, or None. django-otp throttles each
    device (the wait doubles after each failure); a backup code is used up."""
    token = _clean(token)
    for device in django_otp.devices_for_user(user, confirmed=True):
        verified = django_otp.verify_token(user, device.persistent_id, token)
        if verified is not None:
            if isinstance(verified, StaticDevice):
                audit.record(AuditKind.BACKUP_CODE_USED, actor=user, request=request)
            return verified
    return None


def _remove_devices(user: Any) -> int:
    removed = 0
    for device in django_otp.devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed


@transaction.atomic
def two_factor_remove(*, user: Any, request: HttpRequest | None) -> None:
    """A user for whom it is optional turns two-factor sign-in off."""
    if two_factor_required(user):
        raise PermissionDenied(_("Two-factor sign-in is required for your role."))
    _remove_devices(user)
    audit.record(AuditKind.TWO_FACTOR_REMOVED, actor=user, request=request)


@transaction.atomic
def two_factor_reset(*, user: Any, actor: Any, reason: str, request: HttpRequest | None = None) -> int:
    """The administrators' recovery path (a lost phone): remove every device of `user`, who sets up two-factor
    sign-in again at their next sign-in (if their role requires it). Recorded with who did it and why."""
    removed = _remove_devices(user)
    details = {"reason": reason, "devices": removed}
    audit.record(AuditKind.TWO_FACTOR_RESET, actor=actor, subject=user, request=request, details=details)
    return removed
