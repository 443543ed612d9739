"""Writes on organisations. Views, the API, admin actions and importers all call these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amity.core.services import record_create, record_restore, record_soft_delete, record_update

from .models import Organisation


def organisation_create(*, user: Any, data: Mapping[str, Any]) -> Organisation:
    return record_create(model=Organisation, user=user, data=data)


def organisation_update(
    *, organisation: Organisation, user: Any, data: Mapping[str, Any], expected_version: int | None
) -> Organisation:
    return record_update(instance=organisation, user=user, data=data, expected_version=expected_version)


def organisation_delete(*, organisation: Organisation, user: Any, expected_version: int | None = None) -> Organisation:
    return record_soft_delete(instance=organisation, user=user, expected_version=expected_version)


def organisation_restore(*, organisation: Organisation, user: Any) -> Organisation:
    return record_restore(instance=organisation, user=user)
