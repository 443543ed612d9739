"""The read-only public API, `/api/public/v1/` (no sign-in, throttled per address)."""

from django.urls import URLPattern, URLResolver

app_name = "portal-api"

urlpatterns: list[URLPattern | URLResolver] = []
