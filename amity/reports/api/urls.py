from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import PublishedReportViewSet, ReportView

router = SimpleRouter()
router.register("published-reports", PublishedReportViewSet, basename="published-report")
urlpatterns = [path("reports/", ReportView.as_view(), name="report-figures"), *router.urls]
