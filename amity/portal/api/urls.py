"""The read-only public API, `/api/public/v1/` (no sign-in, throttled per address)."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "portal-api"

router = SimpleRouter()
router.register("published-reports", views.PublishedReportViewSet, basename="published-report")
router.register("aid-items", views.AidItemViewSet, basename="aid-item")
router.register("transactions", views.TransactionViewSet, basename="transaction")
router.register("ngos", views.NgoViewSet, basename="ngo")

urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", views.PublicSchemaView.as_view(), name="schema"),
    path("docs/", views.PublicDocsView.as_view(url_name="portal-api:schema"), name="docs"),
    path("", include(router.urls)),
]
