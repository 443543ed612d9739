"""Errors that services raise and that views and the API turn into user-facing messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

__all__ = ["ConflictError", "PermissionDenied"]


class ConflictError(Exception):
    """Someone else saved the record since this editor loaded it; nothing was written."""

    default_message = _(
        "This record was changed by someone else while you were editing it. "
        "Your changes were not saved: review the current version and apply them again."
    )

    def __init__(self, *, expected_version: int, current_version: int | None) -> None:
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(str(self.default_message))
