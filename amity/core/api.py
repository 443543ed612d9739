"""API building blocks: the scoped viewset mixin and an exception handler that maps service errors to
400/403/409 with field names, never a 500."""

from __future__ import annotations

from typing import Any, TypeVar

from csp.constants import UNSAFE_INLINE
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.fields import empty
from rest_framework.renderers import BrowsableAPIRenderer as DrfBrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ConflictError
from .models import BaseModel, restricted
from .scoping import Action
from .services import ensure_allowed, unique_refusal
from .text import UNSTORABLE, check_text

_M = TypeVar("_M", bound=Model)

_ACTION_FOR_METHOD = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


class BrowsableAPIRenderer(DrfBrowsableAPIRenderer):
    """DRF's browsable API (the API's answers as pages, for developers). Its templates carry style attributes and a
    style element, so its pages alone allow inline styles in the Content-Security-Policy; scripts stay refused
    (DRF's scripts are files). Amity's own pages allow none."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}  # read by django-csp's middleware
        return super().render(data, accepted_media_type, renderer_context)


class RestrictedViewSetMixin:
    """Every API queryset goes through `restrict(user, action)`, the action taken from the HTTP method."""

    queryset: QuerySet[Any]
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        action = _ACTION_FOR_METHOD.get(self.request.method, Action.VIEW)
        # For a write on an existing record we look it up among the records the user may view, and the
        # service checks the write permission; so an out-of-scope record is a 404 and a read-only one a 403.
        if action in (Action.CHANGE, Action.DELETE):
            action = Action.VIEW
        return restricted(self.queryset, self.request.user, action)

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        """A record read or written carries its version as its `ETag`, for the next update's `If-Match`."""
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]  # a mixin
        data = getattr(response, "data", None)
        if isinstance(data, dict) and isinstance(data.get("version"), int) and response.status_code < 300:
            response["ETag"] = f'"{data["version"]}"'
        return response


class CodeRelatedField(serializers.SlugRelatedField[_M]):
    """A related record by its code or public identifier (a currency, province, sector, country, organisation).
    Every API's `SlugRelatedField` is one of these: a code holding a character Amity never stores (NUL, other
    control characters) is refused here, naming the field, before it reaches the database; PostgreSQL raises on
    a NUL in a query (a server error), and no stored code holds any of them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and UNSTORABLE.search(data):
            try:
                check_text(data)
            except DjangoValidationError as exc:
                raise exceptions.ValidationError(exc.messages) from exc
        return super().to_internal_value(data)


class WholeRowMixin:
    """A row of a nested list (an item's sector or location shares, participants) is whole even in a PATCH: the
    list given replaces the stored one, so each row needs its required fields and takes the defaults of those
    left out. (DRF skips both for every field under a partial update, which let a location without its `era`
    reach the row's validation as a KeyError, a server error.)"""

    fields: Any
    root: Any

    def to_internal_value(self, data: Any) -> Any:
        attrs = super().to_internal_value(data)  # type: ignore[misc]  # a mixin of a Serializer
        if not getattr(self.root, "partial", False):
            return attrs
        missing: dict[str, list[str]] = {}
        for name, field in self.fields.items():
            if field.read_only or field.source in attrs:
                continue
            if field.default is not empty:
                attrs[field.source] = field.default() if callable(field.default) else field.default
            elif field.required:
                missing[name] = [str(field.error_messages["required"])]
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class PreconditionRequired(exceptions.APIException):
    """428: an update must say which version of the record it was made from."""

    status_code = 428
    default_detail = _("Send the version of the record you changed: its `version` field, or an If-Match header.")
    default_code = "precondition_required"


def expected_version(request: Any, given: int | None, instance: BaseModel) -> int:
    """The version an update of `instance` was made from: the body's `version`, else the `If-Match` header (the
    `ETag` of the record as read, `"7"`). Neither is a 428 naming `version`: without it, two clients that read
    the same record would silently overwrite each other. One who may not change the record hears that first
    (403)."""
    ensure_allowed(user=request.user, action=Action.CHANGE, instance=instance)
    if given is not None:
        return given
    tag = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
    if tag.isdigit():
        return int(tag)
    raise PreconditionRequired({"version": [str(PreconditionRequired.default_detail)]})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, IntegrityError):
        # A unique value taken by a writer that committed between the service's check and this write: a 400
        # naming the field, as the check would have said; any other integrity error stays a server error.
        refused = unique_refusal(exc)
        if refused is None:
            return None
        exc = refused
    if isinstance(exc, ConflictError):
        body = {"version": [str(exc)], "current_version": exc.current_version}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    return drf_exception_handler(exc, context)
