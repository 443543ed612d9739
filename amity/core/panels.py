"""Parts that a higher app adds to a lower app's record page: the documents linked to an aid item, an organisation
or a registration.

A page of a lower app cannot import a higher one (docs/ARCHITECTURE.md, Layers), so the higher app registers a panel
for the model when Django starts (`DocumentsConfig.ready`), and the page's template draws whatever is registered for
its record with `{% record_panels object %}` (`core/templatetags/amity.py`). A panel is a function of the request and
the record that returns HTML rendered from the higher app's own template, after asking its scope policy; it adds a
fixed number of queries to the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

Panel = Callable[[HttpRequest, Any], str]

_panels: dict[type[Model], list[Panel]] = {}


def register(model: type[Model], panel: Panel) -> None:
    registered = _panels.setdefault(model, [])
    if panel not in registered:
        registered.append(panel)


def render(request: HttpRequest, instance: Model) -> SafeString:
    parts = [panel(request, instance) for panel in _panels.get(type(instance), [])]
    return mark_safe("".join(parts))  # each part rendered by its app's template, which escaped it
