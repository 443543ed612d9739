"""Which kinds of records documents may be linked to, by a short key used in URLs and the API ("aid_item").

Documents lie above the apps whose records they link (organisations, aid) and below those that will link theirs
(diplomacy: events, partnerships, delegations). So no app is named here: each kind is registered when Django starts —
the lower apps' by `DocumentsConfig.ready`, a higher app's by its own `ready` (`links.register("event", Event)`) —
and `DocumentLink` points at the record through its content type and id. A linked record must have a scope policy
(whoever links must see it) and a `public_id` (how a link names it outside the database).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from amity.core.models import BaseModel

_kinds: dict[str, type[BaseModel]] = {}
_decided_by: dict[type[BaseModel], str] = {}


def register(key: str, model: type[BaseModel], *, decision_number_field: str = "") -> None:
    """`decision_number_field`: the field of the record holding the number of the document that decided it (an aid
    item's approval decision), which its documents panel offers to link first when the register has it."""
    if getattr(model, "scope_policy", None) is None:
        raise ImproperlyConfigured(f"{model.__name__} has no scope_policy: documents cannot be linked to it.")
    _kinds[key] = model
    if decision_number_field:
        _decided_by[model] = decision_number_field


def decision_number_of(record: BaseModel) -> str:
    """The number of the document that decided `record` ("" when its kind names none, or none is recorded)."""
    field = _decided_by.get(type(record))
    return str(getattr(record, field, "") or "").strip() if field else ""


def model_of(key: str) -> type[BaseModel] | None:
    return _kinds.get(key)


def key_of(model: type[BaseModel]) -> str | None:
    return next((key for key, registered in _kinds.items() if registered is model), None)


def kinds() -> dict[str, type[BaseModel]]:
    return dict(_kinds)
