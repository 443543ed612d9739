"""URL configuration. Pages have no language prefix: the language comes from the user's choice."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from amity.accounts.language import set_language
from amity.accounts.views import admin_login
from amity.core.api_docs import ApiDocsView, ApiSchemaView
from amity.core.views import healthz
from amity.interop.api.views import AidItemsIatiView
from amity.portal.views import home

handler400 = "amity.core.views.error_400"
handler403 = "amity.core.views.error_403"
handler404 = "amity.core.views.error_404"
handler500 = "amity.core.views.error_500"

api_v1: list[URLPattern | URLResolver] = [
    path("organisations/", include("amity.organisations.api.urls")),
    path("registrations/", include("amity.organisations.api.registration_urls")),
    path("organisation-changes/", include("amity.organisations.api.change_urls")),
    path("aid-items/iati/", AidItemsIatiView.as_view(), name="aid-item-iati"),  # before the aid items' ids
    path("diplomacy/", include("amity.diplomacy.api.urls")),
    path("documents/", include("amity.documents.api.urls")),
    path("consultations/", include("amity.documents.api.consultation_urls")),
    path("", include("amity.aid.api.urls")),
    path("", include("amity.reports.api.urls")),
    path("obligations/", include("amity.obligations.api.urls")),
]

urlpatterns = [
    # Visitors get the national public page, signed-in users their home (with a "View as public" link).
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    # The language menu: Django's view, the choice also kept on a signed-in user (amity/accounts/language.py).
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("amity.accounts.urls")),
    path("reference/", include("amity.reference.urls")),
    path("organisations/", include("amity.organisations.urls")),
    path("aid/", include("amity.aid.urls")),
    path("reports/", include("amity.reports.urls")),
    path("exchange/", include("amity.interop.urls")),
    path("diplomacy/", include("amity.diplomacy.urls")),
    path("documents/", include("amity.documents.urls")),
    path("duties/", include("amity.obligations.urls")),
    path("audit/", include("amity.audit.urls")),
    path("api/v1/", include(api_v1)),
    path("api/public/v1/", include("amity.portal.api.urls")),
    path("", include("amity.portal.data_urls")),
    path("", include("amity.portal.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="swagger-ui"),
    # One way in for everyone, the admin too: Amity's sign-in page, with the lockout and the second factor.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]
# No URL maps the media folder, in any mode: every file is served by a view that asked the scope policy first
# (amity.core.files.file_response).
