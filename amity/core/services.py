"""Building blocks for the write services of every app (DESIGN.md invariant 5).

An app's service (`organisation_update`, `aid_item_approve`…) is a keyword-only function that calls these:
`ensure_allowed` checks the chokepoint, `ensure_fields_changeable` the fields the role may change (both from
the model's scope policy), `claim_version` refuses stale saves, `save_with_history` records
who acted, and `ensure_still_in_scope` rolls the transaction back if the result left the user's scope.
The generic `record_*` functions compose them for the plain create / update / delete / restore cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from .breaches import Breach
from .exceptions import ConflictError, PermissionDenied
from .models import BaseModel
from .scoping import Action

RecordT = TypeVar("RecordT", bound=BaseModel)


def ensure_allowed(*, user: Any, action: str, instance: BaseModel) -> None:
    """Raise PermissionDenied unless `user` may `action` this (saved) record."""
    model = type(instance)
    if not model.all_objects.restrict(user, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("You are not allowed to do this."))


def ensure_may_add(*, user: Any, model: type[BaseModel]) -> None:
    if not model.scope_policy.allows(user, Action.ADD):
        raise PermissionDenied(_("You are not allowed to add this kind of record."))


def ensure_fields_changeable(*, user: Any, instance: BaseModel, data: Mapping[str, Any]) -> None:
    """Refuse (400 naming each field) a write that sets a field the user's role may not change, per the model's
    scope policy (`ScopePolicy.changeable_fields`). A field sent with the value it already has is no change:
    a form's read-only fields and a PUT of the record as read come back unchanged."""
    allowed = type(instance).scope_policy.changeable_fields_for(user)
    if allowed is None:
        return
    refused = [name for name, value in data.items() if name not in allowed and _changes(instance, name, value)]
    if refused:
        raise ValidationError({name: _("You may not change this field.") for name in refused})


def _changes(instance: BaseModel, name: str, value: Any) -> bool:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        wanted = {getattr(row, "pk", row) for row in value or ()}
        stored = set(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else set()
        return wanted != stored
    stored = getattr(instance, field.attname)  # type: ignore[union-attr]
    return bool((value.pk if isinstance(value, models.Model) else value) != stored)


OUTSIDE_JURISDICTION = gettext_noop("You cannot save a record outside your jurisdiction.")


def ensure_still_in_scope(*, user: Any, action: str, instance: BaseModel) -> None:
    """After a write, the record must still be one the user may change (else the caller's atomic block rolls
    back): an editor cannot move a record to another province."""
    model = type(instance)
    if not model.all_objects.restrict(user, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(_(OUTSIDE_JURISDICTION))


def ensure_all_would_be_allowed(*, user: Any, action: str, instances: Iterable[BaseModel]) -> None:
    """Before a write: each record as it is about to be saved is one the user may `action`, as its scope policy
    decides from the record's own fields (`ScopePolicy.allows`; no query where the rule can tell). A batch
    writer asks it before the rows' other questions, so that whoever may not save a row at all gets the 403
    first, not a question they would answer in vain (the result is checked again after the write)."""
    for instance in instances:
        if not type(instance).scope_policy.allows(user, action, instance):
            raise PermissionDenied(_(OUTSIDE_JURISDICTION))


def claim_version(*, instance: BaseModel, expected_version: int | None) -> None:
    """Atomically move the stored version from `expected_version` to the next one, or raise ConflictError.

    A conditional UPDATE works the same on SQLite and PostgreSQL and needs no row lock held across the form.
    """
    expected = instance.version if expected_version is None else expected_version
    model = type(instance)
    claimed = model.all_objects.filter(pk=instance.pk, version=expected).update(version=F("version") + 1)
    if not claimed:
        current = model.all_objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise ConflictError(expected_version=expected, current_version=current)
    instance.version = expected + 1


def save_with_history(*, instance: models.Model, user: Any, reason: str | Promise = "") -> None:
    """Save, recording the acting user and reason in the history row (django-simple-history).

    A translatable reason is stored as its English source text and translated when shown, so each reader
    sees it in their own language.
    """
    # django-simple-history reads these two attributes when it writes the history row.
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user  # type: ignore[attr-defined]
    if reason:
        with translation.override(None):
            instance._change_reason = str(reason)  # type: ignore[attr-defined]
    instance.full_clean()
    with unique_values_checked_again():
        instance.save()


@contextmanager
def unique_values_checked_again(check: Callable[[], object] | None = None) -> Iterator[None]:
    """Write inside; if the database refuses a value as taken — a concurrent writer committed it after the service
    checked it —, refuse it as the check would have: a ValidationError naming the field (a 400, a form error, a
    problem of the row), never a server error. `check`, the service's own check run again, now sees the value
    taken and says so in its words (for a batch: on its row); without it, or if it finds nothing, the field of the
    constraint the database names. Any other integrity error is raised as it was. The write is a savepoint, so the
    check can still read."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if check is not None:
            check()
        refused = unique_refusal(exc)
        if refused is None:
            raise
        raise refused from exc


@cache
def _unique_constraints() -> dict[str, tuple[type[models.Model], tuple[str, ...]]]:
    """Every unique constraint of the project's models by its name in the database, with its model and fields:
    the named constraints (`Meta.constraints`) and, for a field declared `unique=True`, PostgreSQL's name for
    it (`<table>_<column>_key`)."""
    found: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                found[constraint.name] = (model, tuple(constraint.fields))
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key:
                found[f"{model._meta.db_table}_{field.column}_key"[:63]] = (model, (field.name,))
    return found


def _by_table_and_columns(table: str, columns: list[str]) -> tuple[type[models.Model], tuple[str, ...]] | None:
    for model, fields in _unique_constraints().values():
        if model._meta.db_table == table:
            names = {getattr(model._meta.get_field(name), "column", name): name for name in fields}
            if set(names) == set(columns):
                return model, tuple(names[column] for column in columns)
    return None


def unique_violation(exc: IntegrityError) -> tuple[type[models.Model], tuple[str, ...]] | None:
    """The model and fields of the unique constraint that `exc` reports, if it is one of ours: two writers
    that both passed a service's check (an IATI identifier not yet taken) and the database refused the second."""
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)  # PostgreSQL (psycopg)
    if name:
        return _unique_constraints().get(name)
    found = re.match(r"UNIQUE constraint failed: (\S+?)\.(\S+)((?:, \S+)*)$", str(exc))  # SQLite
    if found is None:
        return None
    columns = [found.group(2), *(part.split(".")[-1] for part in found.group(3).split(", ") if part)]
    return _by_table_and_columns(found.group(1), columns)


def unique_refusal(exc: IntegrityError) -> ValidationError | None:
    """The refusal of a value the database found taken (`unique_violation`), naming its fields with Django's
    message ("Aid item with this IATI identifier already exists."); None for any other integrity error."""
    violation = unique_violation(exc)
    if violation is None:
        return None
    model, fields = violation
    message = model(pk=None).unique_error_message(model, fields).messages[0]
    return ValidationError({field: [message] for field in fields})


def apply_fields(instance: models.Model, data: Mapping[str, Any]) -> list[str]:
    """Set plain and foreign-key fields; return the names of many-to-many fields left for after save."""
    deferred = []
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            deferred.append(name)
        else:
            setattr(instance, name, value)
    return deferred


def record_create(*, model: type[RecordT], user: Any, data: Mapping[str, Any], reason: str | Promise = "") -> RecordT:
    ensure_may_add(user=user, model=model)
    with transaction.atomic():
        instance = model()
        ensure_fields_changeable(user=user, instance=instance, data=data)
        many = apply_fields(instance, data)
        save_with_history(instance=instance, user=user, reason=reason)
        for name in many:
            getattr(instance, name).set(data[name])
        ensure_still_in_scope(user=user, action=Action.ADD, instance=instance)
    return instance


def record_update(
    *, instance: RecordT, user: Any, data: Mapping[str, Any], expected_version: int | None, reason: str | Promise = ""
) -> RecordT:
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.CHANGE, instance=instance)
        ensure_fields_changeable(user=user, instance=instance, data=data)
        claim_version(instance=instance, expected_version=expected_version)
        many = apply_fields(instance, data)
        save_with_history(instance=instance, user=user, reason=reason)
        for name in many:
            getattr(instance, name).set(data[name])
        ensure_still_in_scope(user=user, action=Action.CHANGE, instance=instance)
    return instance


def record_soft_delete(*, instance: RecordT, user: Any, expected_version: int | None = None) -> RecordT:
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.DELETE, instance=instance)
        claim_version(instance=instance, expected_version=expected_version)
        instance.deleted_at = timezone.now()
        save_with_history(instance=instance, user=user, reason=gettext_lazy("Deleted"))
    return instance


def record_restore(*, instance: RecordT, user: Any) -> RecordT:
    with transaction.atomic():
        ensure_allowed(user=user, action=Action.DELETE, instance=instance)
        claim_version(instance=instance, expected_version=None)
        instance.deleted_at = None
        save_with_history(instance=instance, user=user, reason=gettext_lazy("Restored"))
    return instance


# --- the same blocks for a batch of records (an upload of thousands of rows: a fixed number of queries) --------

CHUNK = 900  # ids per query: SQLite takes at most 999 parameters


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_all_allowed(*, model: type[BaseModel], user: Any, pks: set[int], action: str) -> None:
    """`ensure_allowed` for many records: one query per chunk; any one refused refuses the batch."""
    allowed: set[int] = set()
    for chunk in chunks(pks):
        allowed.update(model.all_objects.restrict(user, action).filter(pk__in=chunk).values_list("pk", flat=True))
    if allowed != pks:
        raise PermissionDenied(_("You are not allowed to do this."))


STALE = gettext_noop(
    "This record was changed after the file was exported (version %(file_version)s, now %(current)s); "
    "export it again and redo the changes."
)


def check_version(*, stored: int, expected: int | None) -> None:
    """For a dry run (an upload's check): the version the user saw is the stored one. The write itself claims
    the versions (`claim_versions`), so a save in between is still a conflict."""
    if expected is not None and expected != stored:
        raise Breach("version", STALE, {"file_version": expected, "current": stored})


def claim_versions(*, model: type[BaseModel], claims: Sequence[tuple[Any, int | None]]) -> None:
    """`claim_version` for many records — (record, version the user saw) — with one query per chunk (the rows
    locked on PostgreSQL until the write commits); a row saved by someone else in between raises ConflictError."""
    current: dict[int, int] = {}
    for chunk in chunks(record.pk for record, _version in claims):
        rows = model.all_objects.filter(pk__in=chunk)
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        current.update(rows.values_list("pk", "version"))
    for record, expected in claims:
        expected = record.version if expected is None else expected
        stored = current.get(record.pk)
        if stored != expected:
            raise ConflictError(expected_version=expected, current_version=stored)
        record.version = expected + 1
