"""The public site's published figures and open data (datasets, data dictionary, downloads)."""

from django.urls import URLPattern, URLResolver

app_name = "portal-data"

urlpatterns: list[URLPattern | URLResolver] = []
