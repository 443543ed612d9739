"""Pages of the Excel exchange that download: a blank template of each kind, and a filtered list written into
its template (the same filters and scope as the list page). The upload, preview and confirm pages build on
`amity.interop.excel.check_workbook` / `write_workbook`."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.views import View

from amity.core import audit
from amity.core.audit import AuditKind

from .excel.export import CONTENT_TYPE, InvalidFilter, TooManyRows, export_workbook, records_for_export
from .excel.templates import KINDS, build_workbook, spec_for
from .exports import export_run_create


def _kind(kwargs: dict[str, Any]) -> str:
    kind = kwargs["kind"]
    if kind not in KINDS:
        raise Http404
    return str(kind)


# Columns that may hold personal data (a contact person's email, phone or address): an export with any of them is
# recorded in the audit log, with who, when, from where, the filters and the number of records.
PERSONAL_DATA_COLUMNS = frozenset({"email", "phone", "address"})


def holds_personal_data(kind: str) -> bool:
    return any(column.key in PERSONAL_DATA_COLUMNS for sheet in spec_for(kind).sheets for column in sheet.columns)


def _xlsx_response(workbook: Any, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ExcelTemplateView(LoginRequiredMixin, View):
    """A blank template in the user's language, its drop-downs filled from the reference data."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kind = _kind(kwargs)
        workbook = build_workbook(spec_for(kind), request.user)
        return _xlsx_response(workbook, f"amity-{kind.replace('_', '-')}-template.xlsx")


class ExcelExportView(LoginRequiredMixin, View):
    """The filtered list (the list page's query string) in its template, to edit and upload again."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kind = _kind(kwargs)
        try:
            total = records_for_export(kind, request.user, request.GET, request).count()
        except InvalidFilter as exc:  # an export must never silently ignore a filter
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        if holds_personal_data(kind):
            params = {name: request.GET.getlist(name) for name in request.GET}
            details = {"export": f"excel_{kind}", "count": total, "filters": params}
            audit.record(AuditKind.PERSONAL_DATA_EXPORTED, actor=request.user, request=request, details=details)
        if total > settings.AMITY_EXPORT_INLINE_MAX:
            # Too large to write within one request: prepared in the background, downloaded when ready.
            run = export_run_create(user=request.user, kind=f"excel_{kind}", params=request.GET, total=total)
            return HttpResponseRedirect(run.get_absolute_url())
        try:
            workbook = export_workbook(kind, request.user, request.GET, request)
        except InvalidFilter as exc:  # an export must never silently ignore a filter
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        except TooManyRows as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        return _xlsx_response(workbook, f"amity-{kind.replace('_', '-')}-{timezone.localdate():%Y%m%d}.xlsx")
