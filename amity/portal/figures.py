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
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from amity.core.scoping import Action
from amity.organisations.choices import OrganisationKind
from amity.organisations.models import Organisation
from amity.reports.dashboard import chart_series
from amity.reports.exports import ExportContext, csv_export, filename, result_from_figures, xlsx
from amity.reports.models import PublishedReport
from amity.reports.province_map import ProvinceMap, count_map_figures, province_map, report_province_map
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


def province_figures_link(code: str) -> str:
    """A province's published reports (the list narrowed to it): where a province of a public map leads."""
    return f"{reverse('portal-data:figures')}?province={code}"


def reports_by_province() -> dict[str, int]:
    """How many reports each province published (current province code → count; one query)."""
    return dict(
        published_reports()
        .filter(province__isnull=False)
        .order_by()
        .values_list("province__code")
        .annotate(count=Count("pk"))
        .values_list("province__code", "count")
    )


def reports_map(counts: dict[str, int], *, national: int) -> ProvinceMap:
    """The map of the figures list: each province by how many reports it published, a link to them."""

    def describe(count: int) -> str:
        return ngettext("%(count)s published report", "%(count)s published reports", count) % {"count": count}

    outside = ""
    if national:
        outside = ngettext(
            "National (all provinces): %(count)s published report",
            "National (all provinces): %(count)s published reports",
            national,
        ) % {"count": national}
    return province_map(
        count_map_figures(counts, describe),
        map_id="figures-map",
        title=_("Published reports by province"),
        short=lambda value: str(int(value)),
        link=province_figures_link,
        outside=outside,
        table_id="figures-by-province",
    )


@public_page(params=("province", "page"))
@require_GET
def figures_list(request: HttpRequest) -> HttpResponse:
    """`/figures/?province=<code|nationwide>`: the published reports, 25 a page; unfiltered, the map of the
    provinces' reports above them."""
    provinces = province_names()
    province = request.GET.get("province", "").strip()
    status = 200
    if province and province != NATIONWIDE_CODE and province not in provinces:
        province, status = "", 400
    page = Paginator(published_reports(province), PAGE_SIZE).get_page(request.GET.get("page"))
    by_province = None
    if not province and status == 200:
        counts = reports_by_province()
        national = published_reports(NATIONWIDE_CODE).count()
        by_province = {
            "map": reports_map(counts, national=national),
            "rows": [(code, provinces[code].name, n) for code, n in sorted(counts.items()) if code in provinces],
            "national": national,
        }
    context = {
        "by_province": by_province,
        "public_section": "figures",
        "page_obj": page,
        "reports": [(published, published.publisher_label) for published in page.object_list],
        "provinces": [(code, unit.name) for code, unit in provinces.items()],
        "province": province,
        "nationwide_code": NATIONWIDE_CODE,
        "bad_province": status == 400,
    }
    return render(request, "portal/data/figures_list.html", context, status=status)


def _chart(result: ReportResult) -> dict[str, Any] | None:
    """Bars of the first money measures when the report is grouped by one dimension other than the province
    (which gets the map)."""
    measures = [m for m in result.spec.measures if m.is_money]
    if len(result.spec.group_by) != 1 or not measures or not result.rows:
        return None
    dimension = result.spec.group_by[0]
    if dimension == Dimension.PROVINCE:
        return None
    kind = "years" if dimension == Dimension.YEAR else "hbar"
    return chart_series(result, tuple(measures[:2]), kind=kind, title=dimension.label)


def _map(result: ReportResult) -> ProvinceMap | None:
    """The province map of the first money measure when the report is grouped by province (either era), each
    province a link to its own published reports."""
    measure = next((m for m in result.spec.measures if m.is_money), None)
    if measure is None or not result.rows:
        return None
    title = _("%(measure)s by province (%(currency)s)") % {"measure": measure.label, "currency": result.currency}
    return report_province_map(
        result,
        measure,
        map_id="figures-map",
        title=title,
        link=province_figures_link,
        table_id="published-figures",
    )


@public_page
@require_GET
def figures_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    published = get_object_or_404(published_reports(), public_id=public_id)
    result = public_result(published)
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
        "chart": _chart(result),
        "province_map": _map(result),
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
