"""URL configuration. Pages have no language prefix: the language comes from the user's choice."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from amity.accounts.views import admin_login
from amity.core.api_docs import ApiDocsView, ApiSchemaView
from amity.core.views import HomeView, healthz
from amity.interop.api.views import AidItemsIatiView

handler400 = "amity.core.views.error_400"
handler403 = "amity.core.views.error_403"
handler404 = "amity.core.views.error_404"
handler500 = "amity.core.views.error_500"

api_v1: list[URLPattern | URLResolver] = [
    path("organisations/", include("amity.organisations.api.urls")),
    path("registrations/", include("amity.organisations.api.registration_urls")),
    path("aid-items/iati/", AidItemsIatiView.as_view(), name="aid-item-iati"),  # before the aid items' ids
    path("", include("amity.aid.api.urls")),
    path("", include("amity.reports.api.urls")),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("amity.accounts.urls")),
    path("reference/", include("amity.reference.urls")),
    path("organisations/", include("amity.organisations.urls")),
    path("aid/", include("amity.aid.urls")),
    path("reports/", include("amity.reports.urls")),
    path("exchange/", include("amity.interop.urls")),
    path("audit/", include("amity.audit.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="swagger-ui"),
    # One way in for everyone, the admin too: Amity's sign-in page, with the lockout and the second factor.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
