from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="list"),
    path("new/", views.DocumentEditView.as_view(), name="add"),
    path("link/", views.DocumentLinkView.as_view(), name="link"),
    path("link/options/", views.link_options, name="link_options"),
    path("link/choose/", views.link_choose, name="link_choose"),
    path("<uuid:public_id>/", views.DocumentDetailView.as_view(), name="detail"),
    path("<uuid:public_id>/edit/", views.DocumentEditView.as_view(), name="edit"),
    path("<uuid:public_id>/delete/", views.DocumentDeleteView.as_view(), name="delete"),
    path("<uuid:public_id>/restore/", views.DocumentRestoreView.as_view(), name="restore"),
    path("<uuid:public_id>/files/<uuid:file_id>/", views.DocumentFileView.as_view(), name="file"),
    path("<uuid:public_id>/files/<uuid:file_id>/delete/", views.DocumentFileDeleteView.as_view(), name="file_delete"),
    path("<uuid:public_id>/consult/", views.ConsultationCreateView.as_view(), name="consult"),
    path("consultations/<uuid:public_id>/", views.ConsultationDetailView.as_view(), name="consultation"),
    path("consultations/<uuid:public_id>/close/", views.ConsultationCloseView.as_view(), name="consultation_close"),
    path("consultations/<uuid:public_id>/summary.docx", views.ConsultationSummaryView.as_view(), name="summary"),
    path(
        "consultations/<uuid:public_id>/replies/<uuid:recipient_id>/",
        views.ConsultationReplyView.as_view(),
        name="reply",
    ),
    path(
        "consultations/<uuid:public_id>/replies/<uuid:recipient_id>/attachment/",
        views.ReplyAttachmentView.as_view(),
        name="reply_attachment",
    ),
]
