"""The one place that decides what a user may see or change (DESIGN.md invariant 4).

Every model that users reach declares a `scope_policy`: a table from role to action to rule. Querysets
call `restrict(user, action)`, which applies the rule as a filter. Anything not granted is refused: an
anonymous or inactive user, a user without a role, an action missing from the table, a model without a
policy. Only administrators see everything without a rule. What the policy's `public` table grants, every
signed-in user has as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Field, Model, Q, QuerySet

if TYPE_CHECKING:
    from amity.accounts.models import User

_Rows = TypeVar("_Rows", bound=QuerySet[Any])  # a queryset class, kept by `restrict`


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    APPROVE = "approve"
    PUBLISH = "publish"


@dataclass(frozen=True)
class UserScope:
    """What scoping needs to know about a user, read once per request."""

    role: str
    province_ids: frozenset[int]
    organisation_id: int | None
    is_administrator: bool
    user_id: int | None = None


def user_scope(user: Any) -> UserScope | None:
    """Return the user's scope, or None for anyone who may not see non-public records."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached: UserScope | None = getattr(user, "_amity_scope", None)
    if cached is None:
        from amity.accounts.choices import Role

        cached = UserScope(
            role=user.role,
            province_ids=frozenset(user.jurisdictions.values_list("pk", flat=True)) if user.pk else frozenset(),
            organisation_id=user.organisation_id,
            is_administrator=user.is_superuser or user.role == Role.ADMINISTRATOR,
            user_id=user.pk,
        )
        user._amity_scope = cached
    return cached


def jurisdiction(user: Any) -> frozenset[int] | None:
    """The provinces a provincial user works in, to which their choices and figures are limited; None for
    everyone else (administrators, central officers, NGO representatives), whom the policies scope otherwise.
    Outside `amity.core`, this and `is_national` are how code asks about a user's scope (ruff bans reading
    `user_scope` elsewhere)."""
    scope = user_scope(user)
    if scope is None or scope.is_administrator or not scope.province_ids:
        return None
    return scope.province_ids


def is_national(user: Any) -> bool:
    """Administrators and central officers: the national picture."""
    from amity.accounts.choices import Role

    scope = user_scope(user)
    return scope is not None and (scope.is_administrator or scope.role == Role.CENTRAL_OFFICER)


def forget_user_scope(user: User) -> None:
    """Drop the cached scope, after the user's role or jurisdictions change."""
    user.__dict__.pop("_amity_scope", None)


class Rule:
    """A filter that grants part of a queryset to a user."""

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        """The filter to apply to `model`'s queryset; None means everything."""
        raise NotImplementedError

    def holds(self, scope: UserScope, instance: Model) -> bool | None:
        """Whether the rule grants this record, decided from its own fields (a record not saved yet, such as
        the aid a user is about to import); None when only the database can tell."""
        return None


class Everything(Rule):
    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        return None

    def holds(self, scope: UserScope, instance: Model) -> bool | None:
        return True


def _own_value(instance: Model, field: str) -> Any:
    """The value of a field of the record itself (its foreign key's id); a path through relations, or a
    relation whose rows point at the record, is not."""
    if "__" in field:
        return _UNDECIDED
    model_field = instance._meta.get_field(field)
    if not isinstance(model_field, Field):  # a reverse relation: other rows hold it
        return _UNDECIDED
    return getattr(instance, model_field.attname)


_UNDECIDED = object()


@dataclass(frozen=True)
class InJurisdiction(Rule):
    """Records whose province (reached through `field`) is one of the user's provinces."""

    field: str

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        return Q(**{f"{self.field}__in": scope.province_ids})

    def holds(self, scope: UserScope, instance: Model) -> bool | None:
        value = _own_value(instance, self.field)
        return None if value is _UNDECIDED else value in scope.province_ids


@dataclass(frozen=True)
class OwnedByTheCentre(Rule):
    """Records no province owns (`field` empty): kept by central officers, such as nationwide aid."""

    field: str

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        return Q(**{f"{self.field}__isnull": True})

    def holds(self, scope: UserScope, instance: Model) -> bool | None:
        value = _own_value(instance, self.field)
        return None if value is _UNDECIDED else value is None


@dataclass(frozen=True)
class OfOwnOrganisation(Rule):
    """Records that belong to the user's organisation (NGO representatives)."""

    field: str

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        if scope.organisation_id is None:
            return Q(pk__in=[])
        return Q(**{self.field: scope.organisation_id})


@dataclass(frozen=True)
class OwnedBy(Rule):
    """Records the user made themselves (their own export files)."""

    field: str

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        if scope.user_id is None:
            return Q(pk__in=[])
        return Q(**{self.field: scope.user_id})


@dataclass(frozen=True)
class AnyOf(Rule):
    """Records granted by any of several rules (e.g. owned by the province or located in it)."""

    rules: tuple[Rule, ...]

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        combined = Q(pk__in=[])
        for rule in self.rules:
            q = rule.q(scope, model)
            if q is None:
                return None
            combined |= q
        return combined

    def holds(self, scope: UserScope, instance: Model) -> bool | None:
        answers = [rule.holds(scope, instance) for rule in self.rules]
        if any(answers):
            return True
        return None if None in answers else False


@dataclass(frozen=True)
class Through(Rule):
    """Records with at least one related row, across a to-many relation, that `rule` grants (e.g. an aid item
    with a location in the user's provinces). A subquery, so a record matched twice is returned once."""

    relation: str  # e.g. "locations", or "aid_item__locations" from a transaction
    rule: Rule

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        *path, last = self.relation.split("__")
        owner = model
        # The ignores below: every name of `relation` is a relation, so its related model is a model class (the
        # stubs allow None and "self"), and the last is a reverse to-many relation, whose `field` is the key.
        for name in path:
            owner = owner._meta.get_field(name).related_model  # type: ignore[assignment]
        relation = owner._meta.get_field(last)
        related_model = relation.related_model
        inner = self.rule.q(scope, related_model)  # type: ignore[arg-type]
        rows = related_model._base_manager.all()  # type: ignore[union-attr]
        if inner is not None:
            rows = rows.filter(inner)
        return Q(**{"__".join([*path, "pk__in"]): rows.values(relation.field.name)})  # type: ignore[union-attr]


@dataclass(frozen=True)
class Matches(Rule):
    """Records matching a fixed condition (a public document in force)."""

    condition: Q

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        return self.condition


@dataclass(frozen=True)
class Inherits(Rule):
    """Records whose parent (reached through `field`) the user may `action` under the parent's own policy: a file
    is seen by whoever sees its document, a reply by whoever sees its consultation."""

    field: str
    action: str

    def q(self, scope: UserScope, model: type[Model]) -> Q | None:
        parent_model = model._meta.get_field(self.field).related_model
        policy: ScopePolicy = parent_model.scope_policy  # type: ignore[union-attr]  # a model with a policy
        rule = policy.rule_for(scope, self.action)
        if rule is None:
            return Q(pk__in=[])
        condition = rule.q(scope, parent_model)  # type: ignore[arg-type]
        if condition is None:
            return None
        rows = parent_model._base_manager.filter(condition)  # type: ignore[union-attr]
        return Q(**{f"{self.field}__in": rows.values("pk")})


EVERYTHING = Everything()


@dataclass(frozen=True)
class ScopePolicy:
    """role → action → rule. Roles and actions not in the table get nothing.

    `changeable_fields` narrows what a role may write on the records it may add or change: role → the fields it
    may set (an NGO representative changes its own entry's contact details, never who owns it). A role not
    named there may set every field its forms and serializers offer. The core services enforce it
    (`ensure_fields_changeable`) and `RecordForm` shows the other fields read-only."""

    rules: Mapping[str, Mapping[str, Rule]]
    public: Mapping[str, Rule] = field(default_factory=dict)
    changeable_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def rule_for(self, scope: UserScope | None, action: str) -> Rule | None:
        """The rule that grants `action` to a user of this scope (None: nothing). The `public` table is a floor:
        what anyone may do without signing in, every signed-in user may do too, whatever their role (or none) —
        a user never sees less than the public. Administrators are answered before this."""
        public = self.public.get(action)
        if scope is None:
            return public
        own = self.rules.get(scope.role, {}).get(action)
        if own is None or public is None:
            return own or public
        return AnyOf((own, public))

    def changeable_fields_for(self, user: Any) -> frozenset[str] | None:
        """The fields `user` may set when adding or changing these records; None means every field (whether
        the user may add or change at all is `restrict` / `allows`)."""
        scope = user_scope(user)
        if scope is None:
            return frozenset()
        if scope.is_administrator:
            return None
        return self.changeable_fields.get(scope.role)

    def restrict(self, queryset: _Rows, user: Any, action: str) -> _Rows:
        scope = user_scope(user)
        rule = EVERYTHING if scope is not None and scope.is_administrator else self.rule_for(scope, action)
        if rule is None:
            return queryset.none()
        q = rule.q(scope or _ANONYMOUS, queryset.model)
        return queryset if q is None else queryset.filter(q)

    def allows(self, user: Any, action: str, instance: Model | None = None) -> bool:
        """Whether the user may do `action` on at least some records (to show or hide buttons), or, given
        `instance`, on that record — saved or not: an aid item about to be created or imported is allowed by
        its own fields where the rule can tell from them, else by the database (saved records only)."""
        scope = user_scope(user)
        if scope is not None and scope.is_administrator:
            return True
        rule = self.rule_for(scope, action)
        if rule is None or instance is None:
            return rule is not None
        decided = rule.holds(scope or _ANONYMOUS, instance)
        if decided is not None:
            return decided
        if instance.pk is None:
            return False  # fails closed: nothing in the database to ask
        model = type(instance)
        rows = model._base_manager.filter(pk=instance.pk)
        q = rule.q(scope or _ANONYMOUS, model)
        return (rows if q is None else rows.filter(q)).exists()


_ANONYMOUS = UserScope(role="", province_ids=frozenset(), organisation_id=None, is_administrator=False)


def province_owned_rules(
    province_field: str, *, readable_through: tuple[Rule, ...] = (), centre_may_own: bool = False
) -> dict[str, dict[str, Rule]]:
    """The usual table for records a province owns: its staff read and write them, central officers read
    all, approvers also approve and publish. `readable_through` adds rules under which a province may read a
    record without owning it (an aid item located in it). With `centre_may_own`, a record may have no owning
    province: central officers keep those (add, change, delete, approve) as a province keeps its own."""
    from amity.accounts.choices import Role

    own = InJurisdiction(province_field)
    readable: Rule = AnyOf((own, *readable_through)) if readable_through else own
    write: dict[str, Rule] = {Action.VIEW: readable, Action.ADD: own, Action.CHANGE: own, Action.DELETE: own}
    central: dict[str, Rule] = {Action.VIEW: EVERYTHING}
    if centre_may_own:
        centre = OwnedByTheCentre(province_field)
        central.update({Action.ADD: centre, Action.CHANGE: centre, Action.DELETE: centre, Action.APPROVE: centre})
    return {
        Role.CENTRAL_OFFICER: central,
        Role.PROVINCIAL_APPROVER: {**write, Action.APPROVE: own, Action.PUBLISH: own},
        Role.PROVINCIAL_EDITOR: write,
        Role.PROVINCIAL_VIEWER: {Action.VIEW: readable},
    }
