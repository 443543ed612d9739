from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    path("new/", views.OrganisationEditView.as_view(), name="add"),
    path("<uuid:public_id>/", views.OrganisationDetailView.as_view(), name="detail"),
    path("<uuid:public_id>/edit/", views.OrganisationEditView.as_view(), name="edit"),
    path("<uuid:public_id>/delete/", views.OrganisationDeleteView.as_view(), name="delete"),
    path("<uuid:public_id>/restore/", views.OrganisationRestoreView.as_view(), name="restore"),
]
