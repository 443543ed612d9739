"""Report pages: the dashboard, the report table (with its export links and the publish form), and published
reports with their live comparison. Every figure comes from `selectors.report` and links to the aid list behind
it; bad parameters are shown on the form with status 400."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from amity.accounts.choices import Role
from amity.core.exceptions import PermissionDenied
from amity.core.forms import add_service_errors
from amity.core.scoping import Action, is_national, jurisdiction
from amity.reference.choices import Era

from .dashboard import Dashboard, chart_series, dashboard, period_label
from .forms import LIST_PARAMETERS, PublishForm, ReportParametersForm, ReportTableForm, normalise_params
from .models import PublishedReport
from .province_map import ProvinceMap, report_province_map
from .selectors import ReportResult, frozen_rows, report
from .services import frozen_status_basis, may_publish, published_is_intact, report_publish
from .spec import FILTER_KEYS, Dimension, Measure, ReportSpec, SpecError, spec_from_params, spec_from_stored

TABLE_DEFAULTS = {"group_by": Dimension.YEAR.value}  # what the report table shows before any choice


def read_spec(form: ReportParametersForm, params: dict[str, str]) -> ReportSpec | None:
    """The spec the parameters ask for, or None with the errors on the form (the form checks that each choice
    is one the user may pick, `spec_from_params` everything else)."""
    valid = form.is_valid()
    try:
        spec = spec_from_params(params)
    except SpecError as error:
        form.add_spec_errors(error)
        return None
    return spec if valid else None


# --- dashboard ----------------------------------------------------------------------------------------------


class DashboardView(LoginRequiredMixin, View):
    template_name = "reports/dashboard.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        params = {k: v for k, v in normalise_params(request.GET).items() if k not in LIST_PARAMETERS}
        form = ReportParametersForm(params, user=request.user)
        spec = read_spec(form, params)
        context: dict[str, Any] = {"form": form, "scope_label": _scope_label(request.user, form)}
        if spec is not None:
            try:
                board = dashboard(request.user, spec, today=timezone.localdate())
            except SpecError as error:  # e.g. no exchange rate on the chosen date
                form.add_spec_errors(error)
            else:
                context.update(
                    board=board, charts=_charts(board), province_map=_province_map(board), **_dashboard_links(board)
                )
                context["no_data"] = no_data_note(form, board)
                currency = board.spec.currency
                context.update(
                    columns=[
                        MeasureColumn.of(Measure.COMMITTED, currency),
                        MeasureColumn.of(Measure.DISBURSED, currency),
                    ],
                    map_columns=[MeasureColumn.of(Measure.DISBURSED, currency)],
                    disbursed_column=MeasureColumn.of(Measure.DISBURSED, currency),
                )
        status = 400 if form.errors else 200
        return render(request, self.template_name, context, status=status)


def _scope_label(user: Any, form: ReportParametersForm) -> str:
    if jurisdiction(user) is not None:
        names = ", ".join(p.name for p in form.provinces) if form.chosen_era == Era.CURRENT else ""
        return _("Figures of your provinces: %(names)s") % {"names": names} if names else _("Figures of your provinces")
    if getattr(user, "role", "") == Role.NGO_REPRESENTATIVE:
        return _("Figures of your organisation's aid")
    return _("National consolidation (all provinces)")


def _dashboard_links(board: Dashboard) -> dict[str, str]:
    """The report table with the dashboard's parameters (by year and sector category), the dashboard in the
    current era (for the map), and the registration list of the licences expiring soon."""
    spec = board.spec
    table = replace(
        spec, measures=(Measure.COMMITTED, Measure.DISBURSED), group_by=(Dimension.YEAR, Dimension.SECTOR_CATEGORY)
    ).to_params()
    current = {k: v for k, v in replace(spec, era=Era.CURRENT).to_params().items() if k not in LIST_PARAMETERS}
    current.pop("province", None)  # an old province's code means another province now
    expiries = {"status": "expiring"}
    if spec.era == Era.CURRENT and spec.filters.get("province"):
        expiries["province"] = spec.filters["province"]
    return {
        "table_link": f"{reverse('reports:table')}?{urlencode(table)}",
        "current_era_link": f"{reverse('reports:dashboard')}?{urlencode(current)}",
        "expiries_link": f"{reverse('organisations:registration_list')}?{urlencode(expiries)}",
    }


@dataclass(frozen=True)
class Chart:
    id: str
    data: dict[str, Any]

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


def _charts(board: Dashboard) -> dict[str, Chart]:
    both = (Measure.COMMITTED, Measure.DISBURSED)
    return {
        "years": Chart("chart-years", chart_series(board.years, both, kind="years", title=_("By year"))),
        "sectors": Chart(
            "chart-sectors", chart_series(board.sectors, both, kind="hbar", title=_("By sector category"))
        ),
        "countries": Chart(
            "chart-countries", chart_series(board.donor_countries, both, kind="hbar", title=_("By donor country"))
        ),
        "donors": Chart("chart-donors", chart_series(board.donors, both, kind="hbar", title=_("Top 10 donors"))),
    }


def _province_map(board: Dashboard) -> ProvinceMap | None:
    """The map of the disbursements by current province, each province a link to the aid items behind it."""
    if board.provinces is None:
        return None
    return report_province_map(board.provinces, Measure.DISBURSED, map_id="chart-map", title=_("Disbursed by province"))


# --- report table -------------------------------------------------------------------------------------------


def _export_available() -> bool:
    try:
        reverse("reports:export")
    except NoReverseMatch:
        return False
    return True


@dataclass(frozen=True)
class MeasureColumn:
    measure: str
    label: str
    currency: str  # "" for counts

    @classmethod
    def of(cls, measure: Measure, currency: str) -> MeasureColumn:
        return cls(measure.value, measure.label, currency if measure.is_money else "")


def _flat_choices(choices: Any) -> dict[str, str]:
    flat: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.update(_flat_choices(label))
        else:
            flat[str(value)] = str(label)
    return flat


def parameter_summary(
    form: ReportParametersForm, spec: ReportSpec, basis_label: str, status_basis_label: str
) -> list[tuple[str, str]]:
    """What a table or a published report was computed with, in words (the bases as its result states them)."""
    items = [(_("Measures"), ", ".join(m.label for m in spec.measures))]
    if spec.group_by:
        items.append((_("Group by"), " × ".join(d.label for d in spec.group_by)))
    items += [
        (_("Period"), period_label(spec.date_from, spec.date_to)),
        (_("Provinces of"), str(Era(spec.era).label)),
        (_("Currency"), spec.currency),
        (_("Conversion basis"), basis_label),
        (_("Status basis"), status_basis_label),
    ]
    return items + filter_summary(form, spec)


def filter_summary(form: ReportParametersForm, spec: ReportSpec) -> list[tuple[str, str]]:
    """The filters a report was computed with, each as its label and its value in words."""
    items = []
    for name in FILTER_KEYS:
        value = spec.filters.get(name)
        if not value:
            continue
        field = form.fields.get(name)
        if field is None:
            items.append((name, value))
            continue
        label = _flat_choices(getattr(field, "choices", [])).get(value, value)
        items.append((str(field.label), label if name != "province" else f"{label} ({value})"))
    return items


def no_data_note(form: ReportParametersForm, board: Dashboard) -> str:
    """What an empty panel of the dashboard says: no figures for its period and filters."""
    filters = "; ".join(f"{label}: {value}" for label, value in filter_summary(form, board.spec))
    if filters:
        return _("No data for %(period)s with these filters: %(filters)s.") % {
            "period": board.period_label,
            "filters": filters,
        }
    return _("No data for %(period)s.") % {"period": board.period_label}


def _may_publish(user: Any, form: ReportParametersForm, spec: ReportSpec) -> bool:
    """Whether to offer the publish form (`services.may_publish` for the report the table shows)."""
    code = spec.filters.get("province")
    # A province the user does not hold, or of the old era, is none: only a national publisher may then publish.
    province = next((p for p in form.provinces if p.code == code), None) if code and spec.era == Era.CURRENT else None
    return may_publish(user, province)


def render_table(
    request: HttpRequest, params: dict[str, str], *, publish_form: PublishForm | None = None, status: int = 200
) -> HttpResponse:
    form = ReportTableForm(params or TABLE_DEFAULTS, user=request.user)
    spec = read_spec(form, params or TABLE_DEFAULTS)
    context: dict[str, Any] = {"form": form, "publish_form": publish_form}
    if spec is not None:
        try:
            result = report(request.user, spec)
        except SpecError as error:  # e.g. no exchange rate on the chosen date
            form.add_spec_errors(error)
        else:
            spec_params = spec.to_params()
            may_publish = _may_publish(request.user, form, spec)
            if may_publish and publish_form is None:
                publish_form = PublishForm(initial={"parameters": urlencode(spec_params)})
            context.update(
                spec=spec,
                result=result,
                summary=parameter_summary(form, spec, result.basis_label, result.status_basis_label),
                measure_columns=[MeasureColumn.of(m, spec.currency) for m in spec.measures],
                querystring=urlencode(spec_params),
                export_available=_export_available(),
                may_publish=may_publish,
                may_publish_some=PublishedReport.scope_policy.allows(request.user, Action.PUBLISH),
                publish_form=publish_form,
                has_counts=any(not m.is_money for m in spec.measures) and bool(spec.group_by),
            )
    if form.errors:
        status = 400
    return render(request, "reports/table.html", context, status=status)


class ReportTableView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render_table(request, normalise_params(request.GET))


class PublishView(LoginRequiredMixin, View):
    """Freeze the figures of the report table's parameters (POST from the table page)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not PublishedReport.scope_policy.allows(request.user, Action.PUBLISH):
            raise PermissionDenied
        form = PublishForm(request.POST)
        params = normalise_params(QueryDict(request.POST.get("parameters", "")))
        if not form.is_valid():
            return render_table(request, params, publish_form=form, status=400)
        try:
            spec = spec_from_params(params)
        except SpecError:
            return render_table(request, params, publish_form=form, status=400)  # the table shows the errors
        try:
            published = report_publish(user=request.user, spec=spec, title=form.cleaned_data["title"])
        except ValidationError as error:
            add_service_errors(form, error)
            return render_table(request, params, publish_form=form, status=400)
        messages.success(request, _("Published. These figures will not change."))
        return HttpResponseRedirect(published.get_absolute_url())


# --- published reports -------------------------------------------------------------------------------------


def may_compare_live(user: Any, published: PublishedReport) -> bool:
    """Whether the figures computed now for `user` cover the published report's scope, so that comparing the two
    means something: the national picture for a national report, the province's staff (or the centre) for a
    province's. Anyone else (the public, an NGO, another province) reads the published figures only."""
    if is_national(user):
        return True
    provinces = jurisdiction(user)
    return published.province_id is not None and provinces is not None and published.province_id in provinces


class PublishedListView(ListView[PublishedReport]):
    """Every published report, for anyone (the policy's public table): published figures are public."""

    template_name = "reports/published_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[PublishedReport]:
        return (
            PublishedReport.objects.restrict(self.request.user, Action.VIEW)
            .select_related("province", "published_by")
            .order_by("-published_at", "-pk")
        )


@dataclass
class ComparedValue:
    published: Decimal | int | None
    live: Decimal | int | None
    currency: str

    @property
    def difference(self) -> Decimal | None:
        if self.published is None and self.live is None:
            return None
        return Decimal(self.live or 0) - Decimal(self.published or 0)

    @property
    def changed(self) -> bool:
        return bool(self.difference)


@dataclass
class ComparedRow:
    labels: list[str]
    values: list[ComparedValue]
    link: str = ""

    @property
    def changed(self) -> bool:
        return any(value.changed for value in self.values)


def _number(value: Any) -> Decimal | int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else Decimal(str(value))


def compare_figures(
    figures: dict[str, Any], rows_published: list[dict[str, Any]], live: ReportResult
) -> tuple[list[ComparedRow], ComparedRow]:
    """The published rows (`frozen_rows`: labelled in the reader's language) beside the live ones (matched on
    their keys' values), rows only one side has included; and the totals."""
    measures = figures["measures"]
    currency = figures["currency"]
    money = {m: Measure(m).is_money for m in measures}

    def values(published: dict[str, Any], current: dict[Any, Any] | None) -> list[ComparedValue]:
        return [
            ComparedValue(
                _number(published.get(m)),
                _number((current or {}).get(Measure(m))),
                currency if money[m] else "",
            )
            for m in measures
        ]

    live_rows = {tuple(key.value for key in row.keys): row for row in live.rows}
    rows = []
    for stored in rows_published:
        key = tuple(k["value"] for k in stored["keys"])
        current = live_rows.pop(key, None)
        rows.append(
            ComparedRow(
                [k["label"] for k in stored["keys"]],
                values(stored["values"], current.values if current else None),
                current.link if current else "",
            )
        )
    for row in live_rows.values():
        rows.append(ComparedRow([k.label for k in row.keys], values({}, row.values), row.link))
    totals = ComparedRow([_("Total")], values(figures["totals"], live.totals), live.total_link)
    return rows, totals


class PublishedDetailView(View):
    """A published report's frozen figures, for anyone; the comparison with the figures now for those whose
    scope covers the report's (`may_compare_live`)."""

    template_name = "reports/published_detail.html"

    def get(self, request: HttpRequest, public_id: str) -> HttpResponse:
        published = get_object_or_404(
            PublishedReport.objects.restrict(request.user, Action.VIEW).select_related("province", "published_by"),
            public_id=public_id,
        )
        figures = published.figures
        currency = figures.get("currency", "")
        status_basis = frozen_status_basis(figures)
        rows = frozen_rows(figures, str(published.parameters.get("era", "")))
        context: dict[str, Any] = {
            "object": published,
            "figures": figures,
            "rows": rows,
            "status_basis": status_basis,
            "intact": published_is_intact(published),
            "dimension_labels": [Dimension(d).label for d in figures.get("dimensions", [])],
            "measure_columns": [MeasureColumn.of(Measure(m), currency) for m in figures.get("measures", [])],
            "may_compare": (may_compare := may_compare_live(request.user, published)),
            "compare": may_compare and request.GET.get("compare") == "1",
        }
        form = ReportTableForm(dict(published.parameters), user=request.user)
        try:
            spec = spec_from_stored(published.parameters)
        except SpecError as error:  # parameters stored by an older version that no longer reads them
            context["spec_error"] = str(error)
            spec = None
        if spec is not None:
            context["summary"] = parameter_summary(form, spec, figures.get("basis", ""), status_basis)
            if may_compare:
                context["table_link"] = f"{reverse('reports:table')}?{urlencode(spec.to_params())}"
            if context["compare"]:
                try:
                    live = report(request.user, spec)
                except SpecError as error:
                    context["spec_error"] = str(error)
                else:
                    compared, totals = compare_figures(figures, rows, live)
                    context.update(live=live, compared_rows=compared, compared_totals=totals)
                    context["changed"] = totals.changed or any(row.changed for row in compared)
        return render(request, self.template_name, context)
