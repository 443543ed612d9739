from django.urls import path

from . import views, views_excel, views_export

app_name = "interop"

urlpatterns = [
    # Imports (IATI and Excel uploads, progress, history)
    path("imports/", views.ImportRunListView.as_view(), name="runs"),
    path("imports/<uuid:public_id>/", views.ImportRunDetailView.as_view(), name="run"),
    path("imports/<uuid:public_id>/progress/", views.ImportRunProgressView.as_view(), name="run_progress"),
    path("imports/<uuid:public_id>/report.csv", views.ImportRunReportCsvView.as_view(), name="run_report"),
    path("imports/<uuid:public_id>/confirm/", views.ImportRunDecisionView.as_view(), name="run_confirm"),
    path(
        "imports/<uuid:public_id>/discard/",
        views.ImportRunDecisionView.as_view(decision="discard"),
        name="run_discard",
    ),
    path("iati/import/", views.IatiImportView.as_view(), name="iati_import"),
    path("excel/upload/", views.ExcelUploadView.as_view(), name="excel_upload"),
    # IATI export (large ones prepared in the background)
    path("exports/<uuid:public_id>/", views.ExportRunDetailView.as_view(), name="export"),
    path("exports/<uuid:public_id>/progress/", views.ExportRunProgressView.as_view(), name="export_progress"),
    path("exports/<uuid:public_id>/download/", views.ExportRunDownloadView.as_view(), name="export_download"),
    path("iati/activities.xml", views_export.IatiActivitiesView.as_view(), name="iati_activities"),
    path("iati/organisations.xml", views_export.IatiOrganisationsView.as_view(), name="iati_organisations"),
    # Excel templates, exports and uploads
    path("excel/<slug:kind>/template.xlsx", views_excel.ExcelTemplateView.as_view(), name="excel_template"),
    path("excel/<slug:kind>/export.xlsx", views_excel.ExcelExportView.as_view(), name="excel_export"),
]
