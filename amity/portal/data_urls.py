"""The public site's published figures and open data (datasets, data dictionary, downloads)."""

from django.urls import URLPattern, URLResolver, path

from . import figures, opendata_views

app_name = "portal-data"

urlpatterns: list[URLPattern | URLResolver] = [
    path("figures/", figures.figures_list, name="figures"),
    path("figures/<uuid:public_id>/", figures.figures_detail, name="figures_detail"),
    path("figures/<uuid:public_id>/download.<str:fmt>", figures.figures_download, name="figures_download"),
    path("data/", opendata_views.data_index, name="data"),
    path("data/dictionary/", opendata_views.data_dictionary, name="dictionary"),
    path("data/<slug:slug>.<str:fmt>", opendata_views.dataset_download, name="dataset"),
]
