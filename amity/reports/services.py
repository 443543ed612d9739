"""Publishing a report freezes its parameters and figures with a content hash (DESIGN.md invariant 8)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.core.exceptions import PermissionDenied
from amity.core.scoping import Action
from amity.core.services import save_with_history
from amity.reference.models import AdministrativeUnit

from .models import PublishedReport
from .selectors import ReportResult, report
from .spec import STORED_WITHOUT_STATUS_BASIS, ReportSpec


def result_to_figures(result: ReportResult) -> dict[str, Any]:
    """A report's figures as plain JSON: amounts as decimal strings (never floats), labels as shown."""

    def number(value: Any) -> str | int:
        return f"{value:f}" if isinstance(value, Decimal) else int(value)

    return {
        "currency": result.currency,
        "basis": result.basis_label,
        "status_basis": result.status_basis_label,
        "measures": [m.value for m in result.spec.measures],
        "dimensions": [d.value for d in result.spec.group_by],
        "rows": [
            {
                "keys": [{"dimension": k.dimension.value, "value": k.value, "label": k.label} for k in row.keys],
                "values": {m.value: number(v) for m, v in row.values.items()},
            }
            for row in result.rows
        ],
        "totals": {m.value: number(v) for m, v in result.totals.items()},
        "notes": list(result.notes),
    }


def content_hash(parameters: dict[str, Any], figures: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"parameters": parameters, "figures": figures}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report_publish(*, user: Any, spec: ReportSpec, title: str) -> PublishedReport:
    """Freeze the figures of `spec` as the user sees them now. A provincial approver publishes their
    province's report (the spec must filter to it); a central officer publishes national or any province's."""
    if not title.strip():
        raise ValidationError({"title": _("Give the published report a title.")})
    province_code = spec.filters.get("province", "")
    province = None
    if province_code:
        if spec.era != "2025":
            raise ValidationError({"province": _("Publish province reports in the current era's provinces.")})
        province = AdministrativeUnit.objects.filter(era="2025", level="province", code=province_code).first()
        if province is None:
            raise ValidationError({"province": _("Unknown province.")})
    candidate = PublishedReport(province=province)
    if not may_publish(user, province):
        raise PermissionDenied(_("You are not allowed to publish this report."))
    result = report(user, spec)
    parameters = spec.to_params()
    figures = result_to_figures(result)
    with transaction.atomic():
        candidate.title = title.strip()
        candidate.parameters = parameters
        candidate.figures = figures
        candidate.content_hash = content_hash(parameters, figures)
        candidate.published_by = user
        candidate.published_at = timezone.now()
        save_with_history(instance=candidate, user=user, reason=gettext_lazy("Published"))
    return candidate


def may_publish(user: Any, province: AdministrativeUnit | None) -> bool:
    """Whether the user may publish a report of this province (None: national): the scope policy's answer for
    the report that would be published — the one definition pages, the API and the service use."""
    return PublishedReport.scope_policy.allows(user, Action.PUBLISH, PublishedReport(province=province))


def frozen_status_basis(figures: Mapping[str, Any]) -> str:
    """Which aid published figures count, as published; reports published before the status basis was recorded
    counted every status."""
    return str(figures.get("status_basis") or STORED_WITHOUT_STATUS_BASIS.label)


def published_is_intact(published: PublishedReport) -> bool:
    """Whether the stored figures still match their hash (nothing edited them in the database)."""
    return content_hash(published.parameters, published.figures) == published.content_hash
