"""API building blocks: the scoped viewset mixin and an exception handler that maps service errors to
400/403/409 with field names, never a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ConflictError
from .models import restricted
from .scoping import Action

_ACTION_FOR_METHOD = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConflictError):
        body = {"version": [str(exc)], "current_version": exc.current_version}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    return drf_exception_handler(exc, context)
