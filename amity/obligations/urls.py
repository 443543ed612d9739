from django.urls import path

from . import views

app_name = "obligations"

urlpatterns = [
    path("", views.MyDutiesView.as_view(), name="mine"),
    path("all/", views.ObligationListView.as_view(), name="list"),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("overdue/", views.OverdueBoardView.as_view(), name="overdue"),
    path("rules/", views.RuleListView.as_view(), name="rules"),
    path("organisation/", views.OrganisationSelfServiceView.as_view(), name="organisation"),
    path("rules/new/", views.RuleEditView.as_view(), name="rule_add"),
    path("rules/<uuid:public_id>/", views.RuleDetailView.as_view(), name="rule"),
    path("rules/<uuid:public_id>/edit/", views.RuleEditView.as_view(), name="rule_edit"),
    path("rules/previews/<uuid:public_id>/", views.RulePreviewView.as_view(), name="rule_preview"),
    path("rules/previews/<uuid:public_id>/part/", views.RulePreviewPartView.as_view(), name="rule_preview_part"),
    path("submissions/<uuid:public_id>/file/", views.SubmissionFileView.as_view(), name="submission_file"),
    path("<uuid:public_id>/", views.ObligationDetailView.as_view(), name="detail"),
    path("<uuid:public_id>/submit/", views.SubmitView.as_view(), name="submit"),
    path("<uuid:public_id>/review/", views.ReviewView.as_view(), name="review"),
]
