from django.urls import path

from . import views, views_export

app_name = "reports"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("table/", views.ReportTableView.as_view(), name="table"),
    path("publish/", views.PublishView.as_view(), name="publish"),
    path("published/", views.PublishedListView.as_view(), name="published_list"),
    path("published/<uuid:public_id>/", views.PublishedDetailView.as_view(), name="published"),
    path("export/", views_export.export, name="export"),
]
