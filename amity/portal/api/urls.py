"""The read-only public API, `/api/public/v1/` (no sign-in, throttled per address)."""

from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.gzip import gzip_page
from rest_framework.routers import SimpleRouter

from . import views

app_name = "portal-api"

router = SimpleRouter()
router.register("published-reports", views.PublishedReportViewSet, basename="published-report")
router.register("aid-items", views.AidItemViewSet, basename="aid-item")
router.register("transactions", views.TransactionViewSet, basename="transaction")
router.register("ngos", views.NgoViewSet, basename="ngo")

urlpatterns: list[URLPattern | URLResolver] = [
    # The schema compressed (28 KB → 4 KB): no secret in it, and the console reads it on every visit.
    path("schema/", gzip_page(views.PublicSchemaView.as_view()), name="schema"),
    path("docs/", views.public_api_docs, name="docs"),
    path("docs/console/", views.PublicConsoleView.as_view(url_name="portal-api:schema"), name="console"),
    path("", include(router.urls)),
]
