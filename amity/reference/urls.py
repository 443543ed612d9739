"""Reference browse pages under /reference/."""

from django.urls import path

from . import views

app_name = "reference"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("countries/", views.CountryListView.as_view(), name="countries"),
    path("currencies/", views.CurrencyListView.as_view(), name="currencies"),
    path("codelists/", views.CodelistListView.as_view(), name="codelists"),
    path("codelists/<str:name>/", views.CodelistItemListView.as_view(), name="codelist"),
    path("units/", views.UnitListView.as_view(), name="units"),
    path("units/<str:era>/<str:level>/<str:code>/", views.UnitDetailView.as_view(), name="unit"),
    path("rates/", views.ExchangeRateListView.as_view(), name="rates"),
]
