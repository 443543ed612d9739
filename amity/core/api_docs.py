"""The API's OpenAPI schema (`/api/schema/`) and its documentation page (`/api/docs/`, Swagger UI): for signed-in
users unless `AMITY_API_DOCS_PUBLIC` publishes them (docs/SECURITY.md), and drawn under the Content-Security-Policy
(the page's script and style are files, not inline)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response


class ApiDocsPermission(BasePermission):
    """Everyone when the setting publishes the schema, else signed-in users (session or token), whatever their role:
    the schema describes the API, not anyone's data."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(settings.AMITY_API_DOCS_PUBLIC or (request.user and request.user.is_authenticated))


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [ApiDocsPermission]


class ApiDocsView(SpectacularSwaggerSplitView):
    permission_classes = [ApiDocsPermission]
    template_name = "api/swagger_ui.html"

    def handle_exception(self, exc: Exception) -> Response | Any:
        # A signed-out reader of the page is taken to the sign-in page and back, as on every other page.
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.PermissionDenied) and not (
            self.request.user and self.request.user.is_authenticated
        ):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
