"""The API's OpenAPI schema (`/api/schema/`) and its documentation page (`/api/docs/`, Swagger UI), drawn under the
Content-Security-Policy (the page's script and style are files, not inline)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class ApiSchemaView(SpectacularAPIView):
    pass


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
