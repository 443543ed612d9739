"""Template helpers for registrations (`{% load registrations %}`): the status badge."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..choices import RegistrationStatus

register = template.Library()

_BADGE_CLASSES = {
    RegistrationStatus.VALID: "text-bg-success",
    RegistrationStatus.EXPIRING: "text-bg-warning",
    RegistrationStatus.EXPIRED: "text-bg-danger",
    RegistrationStatus.SUSPENDED: "text-bg-warning",
    RegistrationStatus.REVOKED: "text-bg-dark",
    RegistrationStatus.TERMINATED: "text-bg-secondary",
}


@register.simple_tag
def registration_status_badge(status: str) -> SafeString:
    """A coloured badge with the translated name of a registration status (valid, expiring…)."""
    if status not in RegistrationStatus.values:
        return format_html("{}", "—")
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        _BADGE_CLASSES[RegistrationStatus(status)],
        status,
        RegistrationStatus(status).label,
    )
