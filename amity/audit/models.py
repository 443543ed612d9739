"""The audit log: security events (sign-ins and failures, lockouts, second-factor changes, role and jurisdiction
changes, exports of personal data, imports) with who, when and from where. Append-only: events are never
changed, and removed only by `purge_audit` once older than `AMITY_AUDIT_RETENTION_DAYS`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.audit import AuditKind
from amity.core.models import AllRecordsManager
from amity.core.scoping import ScopePolicy


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    kind = models.CharField(_("event"), max_length=32, choices=AuditKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The user who acted; empty for the system or someone not signed in."),
    )
    username = models.CharField(
        _("user name"), max_length=150, blank=True, help_text=_("The user name given, or the actor's at the time.")
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("about user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser or client"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AllRecordsManager()
    # Administrators read the log (an administrator's role reads everything); no other role reads any of it.
    scope_policy = ScopePolicy(rules={})

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["kind", "at"], name="audit_kind_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["subject", "at"], name="audit_subject_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"
