from django.urls import path

from . import views

app_name = "aid"

urlpatterns = [
    path("", views.AidItemListView.as_view(), name="list"),
    path("export.csv", views.AidItemCsvView.as_view(), name="csv"),
    path("new/", views.AidItemEditView.as_view(), name="add"),
    path("units/", views.unit_options, name="unit_options"),
    path("donors/", views.donor_options, name="donor_options"),
    path("<uuid:public_id>/", views.AidItemDetailView.as_view(), name="detail"),
    path("<uuid:public_id>/edit/", views.AidItemEditView.as_view(), name="edit"),
    path("<uuid:public_id>/delete/", views.AidItemDeleteView.as_view(), name="delete"),
    path("<uuid:public_id>/restore/", views.AidItemRestoreView.as_view(), name="restore"),
    path("<uuid:public_id>/status/<slug:step>/", views.AidItemLifecycleView.as_view(), name="lifecycle"),
    path("<uuid:aid_item>/transactions/new/", views.TransactionEditView.as_view(), name="transaction_add"),
    path("transactions/<uuid:public_id>/edit/", views.TransactionEditView.as_view(), name="transaction_edit"),
    path("transactions/<uuid:public_id>/delete/", views.TransactionDeleteView.as_view(), name="transaction_delete"),
    path("transactions/<uuid:public_id>/restore/", views.TransactionRestoreView.as_view(), name="transaction_restore"),
]
