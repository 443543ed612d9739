"""Reads of the audit log: the events an administrator may read, and each event's details said in the reader's
language."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from amity.core.models import restricted
from amity.core.scoping import Action

from .models import AuditEvent


def audit_events(user: Any) -> QuerySet[AuditEvent]:
    return restricted(AuditEvent.objects.select_related("actor", "subject"), user, Action.VIEW)


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def _changes(changes: dict[str, Any]) -> list[str]:
    from amity.accounts.choices import Role

    labels = {
        "role": _("Role"),
        "is_active": _("Active"),
        "is_staff": _("Staff status"),
        "is_superuser": _("Superuser status"),
        "organisation_id": _("Organisation"),
    }
    lines = []
    for name, (before, after) in changes.items():
        if name == "role":
            before, after = (str(Role(v).label) if v in Role.values else "—" for v in (before, after))
        elif name.startswith("is_"):
            before, after = _yes_no(before), _yes_no(after)
        else:
            before, after = before or "—", after or "—"
        lines.append(f"{labels.get(name, name)}: {before} → {after}")
    return lines


def describe(event: AuditEvent) -> list[str]:
    """The event's details as lines in the reader's language (the stored details are plain values)."""
    details: dict[str, Any] = event.details or {}
    lines: list[str] = []
    if "changes" in details:
        lines += _changes(details["changes"])
    jurisdictions = details.get("jurisdictions") or {}
    if jurisdictions.get("added"):
        lines.append(_("Provinces added: %(codes)s") % {"codes": ", ".join(jurisdictions["added"])})
    if jurisdictions.get("removed"):
        lines.append(_("Provinces removed: %(codes)s") % {"codes": ", ".join(jurisdictions["removed"])})
    if details.get("failures"):
        lines.append(_("Failures: %(count)s") % {"count": details["failures"]})
    if details.get("second_factor"):
        lines.append(_("With the second factor"))
    if details.get("device"):
        lines.append(_("Device: %(name)s") % {"name": details["device"]})
    if details.get("reason"):
        lines.append(_("Reason: %(reason)s") % {"reason": details["reason"]})
    if details.get("export"):
        lines.append(
            _("Export: %(kind)s, %(count)s records") % {"kind": details["export"], "count": details.get("count", "?")}
        )
    if details.get("file_name"):
        lines.append(_("File: %(name)s") % {"name": details["file_name"]})
    if "removed" in details and "days" in details:
        lines.append(
            _("%(count)s events older than %(days)s days removed")
            % {"count": details["removed"], "days": details["days"]}
        )
    return lines
