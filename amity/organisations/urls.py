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
    path("changes/", views.ProposedChangesView.as_view(), name="changes"),
    path("changes/<uuid:public_id>/decide/", views.ProposedChangeDecideView.as_view(), name="change_decide"),
    path("registrations/", views.RegistrationListView.as_view(), name="registration_list"),
    path("registrations/new/", views.RegistrationEditView.as_view(), name="registration_add"),
    path("registrations/watch/", views.WatchView.as_view(), name="watch"),
    path("registrations/<uuid:public_id>/", views.RegistrationDetailView.as_view(), name="registration"),
    path("registrations/<uuid:public_id>/edit/", views.RegistrationEditView.as_view(), name="registration_edit"),
    path(
        "registrations/<uuid:public_id>/decision/",
        views.RegistrationDecisionView.as_view(),
        name="registration_decision",
    ),
    path("registrations/<uuid:public_id>/delete/", views.RegistrationDeleteView.as_view(), name="registration_delete"),
    path(
        "registrations/<uuid:public_id>/restore/",
        views.RegistrationRestoreView.as_view(),
        name="registration_restore",
    ),
]
