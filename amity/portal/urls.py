"""The public site's pages (no sign-in): the national home, each province's home, news, events and the NGO
directory. Published figures and open data are in `data_urls.py`; the public API in `api/urls.py`."""

from django.urls import URLPattern, URLResolver

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = []
