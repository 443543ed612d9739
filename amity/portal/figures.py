"""Published figures on the public information page: every published report with its basis (currency, rates,
status basis), its date, its publisher (the office, never the person) and its SHA-256; its table (server-rendered),
a chart and the province map when it is grouped by province (drawn by reports.js over the table: they enhance it),
and its downloads through the reports' own writers (`reports.exports`: XLSX and CSV of the frozen figures).

Published reports are public by their scope policy (`restrict(anonymous, "view")` gives them all); nothing here
widens it. A donor that is a person is not named on a public page, though the stored figures keep the name."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amity.core.scoping import Action
from amity.organisations.choices import OrganisationKind
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reports.dashboard import chart_series, map_data
from amity.reports.exports import ExportContext, csv_export, filename, result_from_figures, xlsx
from amity.reports.models import PublishedReport
from amity.reports.selectors import Key, ReportResult, Row
from amity.reports.services import published_is_intact
from amity.reports.spec import Dimension

from .opendata import NATIONWIDE_CODE, province_names
from .public import public_page

DOWNLOADS = {"xlsx": xlsx.CONTENT_TYPE, "csv": csv_export.CONTENT_TYPE}
PAGE_SIZE = 25


def published_reports(province: str = "") -> QuerySet[PublishedReport]:
    """Every published report, newest first; `province` a current province's code, or "nationwide" for the
    national ones."""
    reports = (
        PublishedReport.objects.restrict(
            AnonymousUser(), Action.VIEW
        )  # what the public reads: the policy's public table
        .select_related("province")
        .order_by("-published_at", "-pk")
    )
    if province == NATIONWIDE_CODE:
        return reports.filter(province__isnull=True)
    if province:
        return reports.filter(province__code=province)
    return reports


def public_result(published: PublishedReport) -> ReportResult:
    """The frozen figures as a report result (the reports' own rebuilding), with any donor who is a person
    named "Individual donor"."""
    result = result_from_figures(published.parameters, published.figures)
    donor_ids = {key.value for row in result.rows for key in row.keys if key.dimension == Dimension.DONOR and key.value}
    people = set()
    valid_ids = [value for value in donor_ids if _is_uuid(str(value))]
    if valid_ids:
        people = {
            str(public_id)
            for public_id in Organisation.all_objects.filter(
                public_id__in=valid_ids, kind=OrganisationKind.INDIVIDUAL
            ).values_list("public_id", flat=True)
        }
    if people:
        anonymous = _("Individual donor")

        def hide(key: Key) -> Key:
            if key.dimension == Dimension.DONOR and str(key.value) in people:
                return Key(key.dimension, None, anonymous)
            return key

        result = replace(result, rows=[Row(tuple(hide(key) for key in row.keys), row.values) for row in result.rows])
    return result


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@public_page(params=("province", "page"))
@require_GET
def figures_list(request: HttpRequest) -> HttpResponse:
    """`/figures/?province=<code|nationwide>`: the published reports, 25 a page."""
    provinces = province_names()
    province = request.GET.get("province", "").strip()
    status = 200
    if province and province != NATIONWIDE_CODE and province not in provinces:
        province, status = "", 400
    page = Paginator(published_reports(province), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "public_section": "figures",
        "page_obj": page,
        "reports": [(published, published.publisher_label) for published in page.object_list],
        "provinces": [(code, unit.name) for code, unit in provinces.items()],
        "province": province,
        "nationwide_code": NATIONWIDE_CODE,
        "bad_province": status == 400,
    }
    return render(request, "portal/data/figures_list.html", context, status=status)


def _chart(result: ReportResult, era: str) -> dict[str, Any] | None:
    """A chart of the first money measure when the report is grouped by one dimension: the province map for
    current provinces, bars otherwise."""
    measures = [m for m in result.spec.measures if m.is_money]
    if len(result.spec.group_by) != 1 or not measures or not result.rows:
        return None
    dimension = result.spec.group_by[0]
    if dimension == Dimension.PROVINCE:
        if era != Era.CURRENT:
            return None
        names = {code: unit.name for code, unit in province_names().items()}
        data = map_data(result, measures[0], title=measures[0].label, names=names)
        return {**data, "geojson": static("reports/provinces_34.geojson")}
    kind = "years" if dimension == Dimension.YEAR else "hbar"
    return chart_series(result, tuple(measures[:2]), kind=kind, title=dimension.label)


@public_page
@require_GET
def figures_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    published = get_object_or_404(published_reports(), public_id=public_id)
    result = public_result(published)
    era = str(published.parameters.get("era", "") or Era.CURRENT)
    measures = [(m, m.label, result.currency if m.is_money else "") for m in result.spec.measures]
    context = {
        "public_section": "figures",
        "object": published,
        "publisher": published.publisher_label,
        "result": result,
        "rows": [
            {"labels": [key.label for key in row.keys], "values": [(row.values.get(m), c) for m, _l, c in measures]}
            for row in result.rows
        ],
        "totals": [(result.totals.get(m), c) for m, _l, c in measures],
        "measures": measures,
        "dimension_labels": [d.label for d in result.spec.group_by],
        "intact": published_is_intact(published),
        "chart": _chart(result, era),
        "downloads": [
            (
                fmt.upper(),
                reverse("portal-data:figures_download", kwargs={"public_id": published.public_id, "fmt": fmt}),
            )
            for fmt in DOWNLOADS
        ],
        "api_url": reverse("portal-api:published-report-detail", kwargs={"public_id": published.public_id}),
    }
    return render(request, "portal/data/figures_detail.html", context)


@require_GET
def figures_download(request: HttpRequest, public_id: uuid.UUID, fmt: str) -> HttpResponse:
    """The frozen figures as XLSX or CSV, written by the reports' exporters (the cover states the basis, the date,
    the hash)."""
    if fmt not in DOWNLOADS:
        raise Http404
    published = get_object_or_404(published_reports(), public_id=public_id)
    result = public_result(published)
    context = ExportContext(user=AnonymousUser(), published=published)  # "generated by" nobody; public scope
    stream = io.BytesIO()
    if fmt == "xlsx":
        xlsx.write_xlsx(result, context, stream)
    else:
        stream.write(csv_export.csv_bytes(result, context))
    response = HttpResponse(stream.getvalue(), content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{filename(result, context, fmt, with_basis=fmt == "csv")}"'
    )
    return response
