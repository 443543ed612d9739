"""IATI XML downloads: the aid items and the organisations a user may see, filtered like their list pages, as
IATI 2.03 activity and organisation files, streamed while they are written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from lxml import etree
from rest_framework.renderers import BaseRenderer

from amity.aid.filtersets import AidItemFilterSet
from amity.aid.models import AidItem
from amity.core.exceptions import PermissionDenied
from amity.core.models import BaseModel
from amity.core.scoping import Action
from amity.core.text import xml_text
from amity.core.views import RestrictedQuerysetMixin
from amity.organisations.filtersets import OrganisationFilterSet
from amity.organisations.models import Organisation

from .choices import ExportKind
from .exports import export_run_create
from .iati.export import iter_activities, iter_organisations

XML_CONTENT_TYPE = "application/xml"


def ensure_may_view(*, user: Any, model: type[BaseModel]) -> None:
    """A role that reads none of these records gets 403 rather than an empty file."""
    if not model.scope_policy.allows(user, Action.VIEW):
        raise PermissionDenied(_("You may not export these records."))


def xml_download(pieces: Iterator[bytes], *, stem: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(pieces, content_type=XML_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y%m%d}.xml"'
    return response


def iati_activities_response(aid_items: QuerySet[AidItem]) -> StreamingHttpResponse:
    """`aid_items` must already be restricted to what the user may see (the page and the API both do)."""
    return xml_download(iter_activities(aid_items), stem="iati-activities")


def iati_organisations_response(organisations: QuerySet[Organisation]) -> StreamingHttpResponse:
    return xml_download(iter_organisations(organisations), stem="iati-organisations")


class _FilteredExportView(RestrictedQuerysetMixin, View):
    filterset_class: Any

    def respond(self, queryset: QuerySet[Any]) -> HttpResponseBase:
        raise NotImplementedError

    export_kind: str = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        ensure_may_view(user=request.user, model=self.model)
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset(), request=request)
        if filterset.is_bound and not filterset.is_valid():
            # An export must never silently ignore a filter.
            return HttpResponse(filterset.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
        total = filterset.qs.count()
        if total > settings.AMITY_EXPORT_INLINE_MAX:
            # Too large to stream within one request: prepared in the background, downloaded when ready.
            run = export_run_create(user=request.user, kind=self.export_kind, params=request.GET, total=total)
            return HttpResponseRedirect(run.get_absolute_url())
        return self.respond(filterset.qs)


class IatiActivitiesView(_FilteredExportView):
    """The aid list's rows (same filters, same scope) as an IATI activity file."""

    model = AidItem
    filterset_class = AidItemFilterSet
    export_kind = ExportKind.IATI_ACTIVITIES

    def respond(self, queryset: QuerySet[AidItem]) -> HttpResponseBase:
        return iati_activities_response(queryset)


class IatiOrganisationsView(_FilteredExportView):
    """The organisation list's rows (same filters, same scope) as an IATI organisation file."""

    model = Organisation
    filterset_class = OrganisationFilterSet
    export_kind = ExportKind.IATI_ORGANISATIONS

    def respond(self, queryset: QuerySet[Organisation]) -> HttpResponseBase:
        return iati_organisations_response(queryset)


class IatiXmlRenderer(BaseRenderer):
    """Lets API clients ask for `application/xml`. The IATI file itself streams past the renderers; only an
    error (400, 403) is rendered here, as `<errors><error field="…">message</error></errors>`."""

    media_type = XML_CONTENT_TYPE
    format = "xml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        root = etree.Element("errors")
        items = data.items() if isinstance(data, dict) else [("", data)]
        for field, messages in items:
            for message in messages if isinstance(messages, list) else [messages]:
                error = etree.SubElement(root, "error", {"field": xml_text(str(field))} if field else {})
                error.text = xml_text(str(message))  # a message may quote what the client sent
        text: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        return text
