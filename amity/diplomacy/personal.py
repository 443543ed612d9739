"""The register's one rule on personal data, for every record about a person — international visitors and
volunteers, individual members of friendship associations: each model names its personal fields
(`personal_fields`), and only the owning province's staff read them. Central officers, administrators, NGO
representatives, the exports and the figures see counts; the API gives them null; names are searched only where
the reader may read them; the retention rule (`services.personal_data_purge`) blanks them for people gone for
longer than the retention period."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amity.core.scoping import jurisdiction


def personal_fields(model: type[Any]) -> tuple[str, ...]:
    """The fields of a model that are personal data (none for a model about no person)."""
    fields: tuple[str, ...] = getattr(model, "personal_fields", ())
    return fields


def may_see_personal_data(user: Any, record: Any) -> bool:
    """Names and contacts of a record about a person: the owning province's staff only (central officers,
    administrators and exports see counts)."""
    provinces = jurisdiction(user)
    return provinces is not None and record.owning_province_id in provinces


def personal_data_q(user: Any) -> Q:
    """`may_see_personal_data` as a filter: the records whose personal data the user may read (a name search
    looks in those only)."""
    provinces = jurisdiction(user)
    if provinces is None:
        return Q(pk__in=[])
    return Q(owning_province__in=provinces)


def without_personal_data(data: dict[str, Any], user: Any, record: Any) -> dict[str, Any]:
    """A record's API representation with its personal fields null for a reader who may not read them."""
    if not may_see_personal_data(user, record):
        data.update(dict.fromkeys(personal_fields(type(record))))
    return data
