"""The URL configuration the public API's OpenAPI schema is generated from: the public API alone, at its path."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [path("api/public/v1/", include("amity.portal.api.urls"))]
