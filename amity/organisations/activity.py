"""When an organisation last had aid activity — what the licence watch list of inactive NGOs asks.

The answer is in aid data (transactions an organisation gave, or of aid items it took part in), and the aid app
lies above this one in the layers (docs/ARCHITECTURE.md): it registers the expression here when Django starts
(`AidConfig.ready`), as the reports app registers the keeper of the report facts with `amity.core.derived`. No
expression registered is a configuration error at the first read, never a watch list that silently finds every
NGO inactive.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression, Subquery

# Builds, for the organisation of the outer query (`OuterRef("pk")`), the date of its latest activity.
LatestActivity = Callable[[], Subquery | Expression]

_latest_activity: LatestActivity | None = None


def register(latest_activity: LatestActivity) -> None:
    global _latest_activity
    _latest_activity = latest_activity


def latest_activity() -> Subquery | Expression:
    if _latest_activity is None:
        raise ImproperlyConfigured(
            "Nothing tells when an organisation last had aid activity (is amity.aid installed?)."
        )
    return _latest_activity()
