"""The audit log's entry point for every app: what happened, who did it, to whom, from where.

The audit app (`amity.audit`) keeps the log and registers its writer here when Django starts
(`AuditConfig.ready`), as the reports app does with `amity.core.derived`: the apps below it (accounts, whose
second-factor pages record enrolments and resets) and above it (interop: imports, exports of personal data) call
`audit.record(kind, ...)` alone, so no lower app imports a higher one and there is one way into the log. The
request, when given (else the one being served, if any), says from where: the client's address and user agent.
No writer registered is a configuration error, raised at the first event: an audit log must never silently miss
events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor sign-in set up")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
    BACKUP_CODE_USED = "backup_code_used", _("Backup code used")
    BACKUP_CODES_RENEWED = "backup_codes_renewed", _("Backup codes renewed")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Two-factor sign-in removed")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset by an administrator")
    USER_CHANGED = "user_changed", _("Role or jurisdiction changed")
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Personal data exported")
    IMPORT_STARTED = "import_started", _("Import started")
    AUDIT_PURGED = "audit_purged", _("Audit log purged")


class AuditWriter(Protocol):
    def record(
        self,
        kind: str,
        *,
        actor: Any = None,
        subject: Any = None,
        username: str = "",
        request: HttpRequest | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep one event. `actor`: the user who acted (None: the system or an anonymous client); `subject`: the
        user the event is about, when another; `username`: the name given at a failed sign-in; `details`: plain
        JSON values (no secrets)."""


_writer: AuditWriter | None = None


def register(writer: AuditWriter) -> None:
    global _writer
    _writer = writer


def record(
    kind: str,
    *,
    actor: Any = None,
    subject: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    if _writer is None:
        raise ImproperlyConfigured("No audit log writer is registered (is amity.audit installed?).")
    _writer.record(kind, actor=actor, subject=subject, username=username, request=request, details=details)
