"""Report downloads: `?format=xlsx|csv|docx` with the report page's parameters (same spec, same selector, so the
same scoping), or `?published=<id>` for a published report's frozen figures.

Files are built in memory: a report result is already in memory (one row per group, at most a few tens of
thousands), and the XLSX writer streams its rows, so the file costs little more than its bytes (about 0.5 MB
for 10,000 rows). Past that, the export belongs in a background task that stores the file."""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .exports import FORMATS, ExportContext, csv_export, docx, filename, result_from_figures, xlsx
from .models import PublishedReport
from .selectors import ReportResult, report
from .spec import SpecError, spec_from_params

CONTENT_TYPES = {"xlsx": xlsx.CONTENT_TYPE, "csv": csv_export.CONTENT_TYPE, "docx": docx.CONTENT_TYPE}
COMPARISON_PARAMETERS = ("compare", "compare_from", "compare_to")


def _bad_request(errors: Mapping[str, str]) -> HttpResponse:
    """400 naming each bad parameter, as plain text (the link was built by hand or by a script)."""
    lines = [_("The export was not made: correct these parameters.")]
    lines += [f"{name}: {message}" for name, message in errors.items()]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _published(request: HttpRequest) -> PublishedReport:
    raw = request.GET["published"]
    try:
        public_id = uuid.UUID(raw)
    except ValueError:
        raise SpecError({"published": _("Not the identifier of a published report.")}) from None
    published = (
        PublishedReport.objects.restrict(request.user, "view")
        .select_related("province", "published_by")
        .filter(public_id=public_id)
        .first()
    )
    if published is None:
        raise Http404
    return published


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Live figures for a signed-in user; a published report's frozen figures for anyone (they are public)."""
    params = request.GET
    if not request.user.is_authenticated and not params.get("published"):
        return redirect_to_login(request.get_full_path())
    fmt = params.get("format", "xlsx")
    if fmt not in FORMATS:
        return _bad_request({"format": _("Unknown format “%(value)s”; use xlsx, csv or docx.") % {"value": fmt}})
    # The official document is always in Vietnamese, labels of the figures included.
    language = docx.LANGUAGE if fmt == "docx" else translation.get_language()
    try:
        with translation.override(language):
            return _export(request, fmt, params)
    except SpecError as exc:
        return _bad_request(exc.errors)


def _export(request: HttpRequest, fmt: str, params: Mapping[str, str]) -> HttpResponse:
    # Every parameter is checked (SpecError) before any report runs.
    published = _published(request) if params.get("published") else None
    frozen: ReportResult | None = None
    if published is not None:
        if any(params.get(name) for name in COMPARISON_PARAMETERS):
            raise SpecError({"compare": _("A published report's figures are exported as they were published.")})
        frozen = result_from_figures(published.parameters, published.figures)
        spec = frozen.spec
    else:
        spec = spec_from_params(params)
    previous_spec, letterhead, province = None, None, None
    if fmt == "docx":
        previous_spec = docx.comparison_spec(params, spec) if published is None else None
        province = docx.letterhead_province(spec, request.user, published)
        letterhead = docx.letterhead_from_params(params, docx.default_letterhead(province, today=timezone.localdate()))
    result = frozen or report(request.user, spec)
    context = ExportContext(
        user=request.user,
        published=published,
        records_url=request.build_absolute_uri(result.total_link) if result.total_link else "",
    )
    stream = io.BytesIO()
    if fmt == "xlsx":
        xlsx.write_xlsx(result, context, stream)
    elif fmt == "csv":
        stream.write(csv_export.csv_bytes(result, context))
    else:
        assert letterhead is not None
        previous = report(request.user, previous_spec) if previous_spec is not None else None
        docx.write_docx(result, context, stream, letterhead=letterhead, province=province, previous=previous)
    return _attachment(stream.getvalue(), fmt, filename(result, context, fmt, with_basis=fmt == "csv"))


def _attachment(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, private=True, no_store=True)  # the figures are the user's scope
    return response
