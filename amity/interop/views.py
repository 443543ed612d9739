"""Pages of the data exchange: the IATI upload, the import history, and each import's progress and report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from amity.aid.models import AidItem
from amity.core.exceptions import PermissionDenied
from amity.core.files import file_response
from amity.core.scoping import Action
from amity.core.text import CsvWriter

from .choices import ImportKind, ImportStatus
from .exports import export_run_progress
from .forms import ExcelUploadForm, ImportUploadForm
from .models import ExportRun, ImportRun
from .services import (
    import_run_confirm,
    import_run_create,
    import_run_discard,
    import_run_progress,
    import_run_start,
    problem_text,
)

REPORT_LINES_SHOWN = 500


class ImportRunListView(LoginRequiredMixin, ListView[ImportRun]):
    """The import history the user may see: who imported which file, when, with what result."""

    template_name = "interop/run_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[ImportRun]:
        return (
            ImportRun.objects.restrict(self.request.user, Action.VIEW)
            .select_related("created_by", "owning_province")
            .defer("problems", "options")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_import_iati"] = _may_import_iati(self.request.user)
        context["may_upload_excel"] = ImportRun.scope_policy.allows(self.request.user, Action.ADD)
        return context


def _run_of(request: HttpRequest, public_id: Any) -> ImportRun:
    runs = ImportRun.objects.restrict(request.user, Action.VIEW).select_related("created_by", "owning_province")
    return get_object_or_404(runs, public_id=public_id)


class ImportRunDetailView(LoginRequiredMixin, DetailView[ImportRun]):
    """One import: its file and options, a progress bar while it runs, then its counts and report."""

    template_name = "interop/run_detail.html"
    context_object_name = "run"

    def get_object(self, queryset: Any = None) -> ImportRun:
        return _run_of(self.request, self.kwargs["public_id"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = self.object
        context["progress"] = import_run_progress(run)
        context["report"] = [_report_line(p) for p in run.problems[:REPORT_LINES_SHOWN]]
        context["report_more"] = max(0, len(run.problems) - REPORT_LINES_SHOWN)
        context["error"] = problem_text({"message": run.error, "params": run.error_params}) if run.error else ""
        context["summary"] = run.options.get("summary", {})
        context["is_excel"] = run.kind != ImportKind.IATI
        context["preview"] = [_preview_line(line) for line in run.options.get("preview", [])]
        context["preview_more"] = max(0, run.created_count + run.updated_count - len(context["preview"]))
        context["confirmations"] = [_report_line(p) for p in run.options.get("confirmations", [])]
        context["may_confirm"] = run.status == "checked" and (
            run.created_by_id is None or run.created_by_id == self.request.user.pk
        )
        return context


def _preview_line(line: dict[str, Any]) -> dict[str, Any]:
    """A row of a checked Excel file as the confirmation page lists it: the fields it changes by their names in
    the reader's language."""
    try:
        fields = apps.get_model(line["model"])._meta
        names = [_field_name(fields, name) for name in line.get("changes", [])]
    except LookupError:
        names = list(line.get("changes", []))
    amount = Decimal(line["amount"]) if line.get("amount") else None  # formatted by the page, in its language
    return {**line, "changes": names, "amount": amount}


def _field_name(fields: Any, name: str) -> str:
    try:
        field = fields.get_field(name)
    except FieldDoesNotExist:
        return name
    label = getattr(field, "verbose_name", None)  # a part (sector shares…) is named by its model, in the plural
    return str(label or field.related_model._meta.verbose_name_plural)


def _report_line(problem: dict[str, Any]) -> dict[str, Any]:
    return {
        "where": problem.get("line") or "",
        "record": problem.get("record", ""),
        "field": problem.get("column", ""),
        "sheet": problem.get("sheet", ""),
        "row": problem.get("row", ""),
        "text": problem_text({"message": problem.get("message", ""), "params": problem.get("params")}),
        "skipped": problem.get("skipped", True),
    }


def _progress_response(request: HttpRequest, run: Any, progress: dict[str, Any], url_name: str) -> HttpResponse:
    """The progress bar alone; once the run has finished, the page is reloaded to show its outcome."""
    url = reverse(url_name, kwargs={"public_id": run.public_id})
    response = render(request, "interop/_progress.html", {"run": run, "progress": progress, "progress_url": url})
    if run.is_settled:
        response["HX-Refresh"] = "true"
    return response


class ImportRunProgressView(LoginRequiredMixin, View):
    """The progress bar alone, polled by the run's page (htmx) while the import runs; once it has finished,
    the page is reloaded to show the report."""

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        run = _run_of(request, public_id)
        return _progress_response(request, run, import_run_progress(run), "interop:run_progress")


class ImportRunReportCsvView(LoginRequiredMixin, View):
    """The whole report of a run as CSV (UTF-8 with BOM, for Excel), in the reader's language."""

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        run = _run_of(request, public_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-report-{run.public_id}.csv"'
        response.write("\ufeff")
        writer = CsvWriter(response)  # a message quoting a formula reaches a spreadsheet as text
        writer.writerow([_("Line"), _("Sheet"), _("Row"), _("Record"), _("Field"), _("Skipped"), _("Message")])
        for problem in run.problems:
            line = _report_line(problem)
            writer.writerow(
                [
                    line["where"],
                    line["sheet"],
                    line["row"],
                    line["record"],
                    line["field"],
                    _("yes") if line["skipped"] else _("no"),
                    problem_text({"message": problem.get("message", ""), "params": problem.get("params")}),
                ]
            )
        return response


def _may_import_iati(user: Any) -> bool:
    return ImportRun.scope_policy.allows(user, Action.ADD) and AidItem.scope_policy.allows(user, Action.ADD)


class IatiImportView(LoginRequiredMixin, FormView[ImportUploadForm]):
    """Upload an IATI activity file; the import runs in the background and its page shows the progress."""

    template_name = "interop/iati_import.html"
    form_class = ImportUploadForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not _may_import_iati(request.user):
            raise DjangoPermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: ImportUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            run = import_run_create(
                user=self.request.user,
                kind=ImportKind.IATI,
                stream=upload,
                file_name=upload.name,
                owning_province=form.cleaned_data["province"],
                options={
                    "vn_only": form.cleaned_data["vn_only"],
                    "locations_outside_confirmed": bool(form.cleaned_data.get("locations_outside_confirmed")),
                },
                dry_run=form.cleaned_data["dry_run"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        import_run_start(run=run)
        return HttpResponseRedirect(run.get_absolute_url())


class ExcelUploadView(LoginRequiredMixin, FormView[ExcelUploadForm]):
    """Upload a filled-in Amity template: it is checked completely in the background, then the run's page
    shows every problem by sheet, row and column, or what would be created and updated, to confirm."""

    template_name = "interop/excel_upload.html"
    form_class = ExcelUploadForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not ImportRun.scope_policy.allows(request.user, Action.ADD):
            raise DjangoPermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        return {"kind": self.request.GET.get("kind", "")}

    def form_valid(self, form: ExcelUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            run = import_run_create(
                user=self.request.user,
                kind=form.cleaned_data["kind"],
                stream=upload,
                file_name=upload.name,
                owning_province=form.cleaned_data["province"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        import_run_start(run=run)
        return HttpResponseRedirect(run.get_absolute_url())


class ImportRunDecisionView(LoginRequiredMixin, View):
    """Confirm (write every row) or discard a checked Excel upload (POST)."""

    decision = "confirm"

    def post(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        run = _run_of(request, public_id)
        try:
            if self.decision == "confirm":
                import_run_confirm(run=run, user=request.user)
            else:
                import_run_discard(run=run, user=request.user)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(run.get_absolute_url())


def _export_of(request: HttpRequest, public_id: Any) -> ExportRun:
    return get_object_or_404(ExportRun.objects.restrict(request.user, Action.VIEW), public_id=public_id)


class ExportRunDetailView(LoginRequiredMixin, View):
    """A large export being prepared: a progress bar, then the download."""

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        run = _export_of(request, public_id)
        progress = export_run_progress(run)
        error = problem_text({"message": run.error, "params": run.error_params}) if run.error else ""
        return render(request, "interop/export_detail.html", {"run": run, "progress": progress, "error": error})


class ExportRunProgressView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        run = _export_of(request, public_id)
        return _progress_response(request, run, export_run_progress(run), "interop:export_progress")


class ExportRunDownloadView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, public_id: Any) -> HttpResponseBase:
        run = _export_of(request, public_id)
        if run.status != ImportStatus.DONE or not run.file.name:  # no file until the export is done
            raise Http404
        return file_response(run.file)
