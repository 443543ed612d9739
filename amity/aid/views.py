"""Aid register pages: list with CSV download, detail with transactions and lifecycle actions, the aid item
form with its inline parts, transactions, and the unit search that location rows use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.forms import add_service_errors
from amity.core.models import BaseModel
from amity.core.money import CENT, quantize
from amity.core.scoping import Action
from amity.core.selectors import HistoryEntry
from amity.core.text import CsvWriter
from amity.core.views import (
    RecordActionView,
    RecordDetailView,
    RecordEditView,
    RecordListView,
    RecordObjectMixin,
    RestrictedQuerysetMixin,
)
from amity.reference.choices import Era

from . import forms, selectors, services
from .choices import AidStatus
from .filtersets import AidItemFilterSet
from .lifecycle import STEPS, Step
from .models import AidItem, Transaction
from .rules import is_editable

VND_UNIT = Decimal(1)

# --- list and CSV --------------------------------------------------------------------------------------------


class AidItemListView(RecordListView[AidItem]):
    model = AidItem
    filterset_class = AidItemFilterSet
    template_name = "aid/aiditem_list.html"
    ordering_fields = {
        "title": "title_vi",
        "modality": "modality",
        "status": "status",
        "province": "owning_province__code",
        "committed": "committed_usd",
        "disbursed": "disbursed_usd",
        "updated": "updated_at",
    }
    default_ordering = "-created_at"

    def base_queryset(self) -> QuerySet[AidItem]:
        # The mixin applies restrict(user, "view"): the same rows as selectors.aid_items_for_list.
        return selectors.with_list_data(AidItem.objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A multiple choice as a short list box, so that the filter grid keeps its rows even.
        self.filterset.form.fields["status"].widget.attrs.setdefault("size", 3)
        return context


class _Echo:
    """A write-only file for csv.writer that hands each line back, to stream it."""

    def write(self, value: str) -> str:
        return value


class AidItemCsvView(RestrictedQuerysetMixin, View):
    """The filtered list as CSV, streamed: UTF-8 with a byte-order mark (so that Excel reads Vietnamese),
    amounts as plain decimals."""

    model = AidItem

    def base_queryset(self) -> QuerySet[AidItem]:
        return selectors.with_list_data(AidItem.objects.all())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        filterset = AidItemFilterSet(request.GET or None, queryset=self.get_queryset(), request=request)
        if filterset.is_bound and not filterset.is_valid():
            # An export must never silently ignore a filter.
            return HttpResponse(filterset.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
        sort = request.GET.get("sort", "")
        field = AidItemListView.ordering_fields.get(sort.removeprefix("-"))
        ordering = (f"-{field}" if sort.startswith("-") else field) if field else AidItemListView.default_ordering
        queryset = filterset.qs.order_by(ordering, "pk")
        writer = CsvWriter(_Echo())  # a title starting with "=" reaches a spreadsheet as text, not a formula
        lines = self.lines(writer, queryset, language=translation.get_language())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        filename = f"aid-items-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def lines(self, writer: Any, queryset: QuerySet[Any], *, language: str | None) -> Iterator[str]:
        # Rows are written while the response streams, after the view returned: keep the request's language.
        with translation.override(language):
            yield from self._lines(writer, queryset)

    def _lines(self, writer: Any, queryset: QuerySet[Any]) -> Iterator[str]:
        yield "\ufeff" + writer.writerow(
            [
                _("Identifier"),
                _("Reference number"),
                _("IATI identifier"),
                _("Title (Vietnamese)"),
                _("Title (English)"),
                _("Modality"),
                _("Relief aid"),
                _("Status"),
                _("Owning province code"),
                _("Owning province"),
                _("Donors"),
                _("Planned start"),
                _("Planned end"),
                _("Committed (USD)"),
                _("Disbursed (USD)"),
                _("Committed (VND)"),
                _("Disbursed (VND)"),
            ]
        )
        for item in queryset.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    item.public_id,
                    item.reference,
                    item.iati_identifier,
                    item.title_vi,
                    item.title_en,
                    item.get_modality_display(),
                    _("yes") if item.is_relief else _("no"),
                    item.get_status_display(),
                    item.owning_province.code if item.owning_province else "",
                    item.owning_province.name if item.owning_province else _("the centre (nationwide aid)"),
                    "; ".join(p.organisation.local_name for p in item.donor_participations),
                    _iso(item.planned_start),
                    _iso(item.planned_end),
                    _plain(item.committed_usd, CENT),
                    _plain(item.disbursed_usd, CENT),
                    _plain(item.committed_vnd, VND_UNIT),
                    _plain(item.disbursed_vnd, VND_UNIT),
                ]
            )


def _plain(amount: Decimal, quantum: Decimal) -> str:
    """A plain decimal (no grouping, a point), which every spreadsheet reads as a number."""
    return f"{quantize(amount, quantum):f}"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


# --- detail --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepPage:
    """How a lifecycle step looks on the pages: its form and its button."""

    form_class: type[forms.LifecycleForm]
    style: str = "outline-primary"
    icon: str = "arrow-right-circle"
    # The question asked before a step that ends the item's lifecycle for good is performed.
    confirm: Any = None


STEP_PAGES: dict[str, StepPage] = {
    "submit": StepPage(forms.SubmitForm, "primary", "send"),
    "approve": StepPage(forms.ApproveForm, "success", "check2-circle"),
    "reapprove": StepPage(forms.ApproveForm, "warning", "check2-all"),
    "reject": StepPage(
        forms.ReasonForm,
        "outline-danger",
        "x-circle",
        gettext_lazy("Reject this aid item? This is final: it can no longer be changed or approved."),
    ),
    "start": StepPage(forms.StartForm, "primary", "play-circle"),
    "complete": StepPage(forms.CompleteForm, "primary", "flag"),
    "close": StepPage(forms.CloseForm, "outline-primary", "archive"),
    "cancel": StepPage(
        forms.ReasonForm,
        "outline-danger",
        "slash-circle",
        gettext_lazy(
            "Cancel this aid item? This is final: it can no longer be changed and no longer counts in official figures."
        ),
    ),
    "revoke": StepPage(
        forms.ReasonForm,
        "outline-danger",
        "arrow-counterclockwise",
        gettext_lazy("Revoke the approval? This is final: the aid item no longer counts in official figures."),
    ),
}


class AidItemDetailView(RecordDetailView[AidItem]):
    model = AidItem
    template_name = "aid/aiditem_detail.html"

    def base_queryset(self) -> QuerySet[AidItem]:
        # Deleted items stay reachable by their link so that they can be restored.
        return selectors.with_detail_data(AidItem.all_objects.all())

    def history(self, instance: BaseModel) -> list[HistoryEntry]:
        return selectors.aid_item_history(cast(AidItem, instance))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item: AidItem = self.object
        today = timezone.localdate()
        if not is_editable(item.status, self.request.user):
            # Kept as it ended: the services refuse changes, so the page offers none.
            context["may_change"] = context["may_delete"] = False
        permitted: dict[str, bool] = {
            Action.CHANGE: context["may_change"],
            Action.APPROVE: self.may(Action.APPROVE, item),
        }
        since_approval = selectors.changes_since_approval(item)
        steps = [
            {"step": step, "page": STEP_PAGES[step.name]}
            for step in STEPS.values()
            if step.is_open(item, today)
            and permitted[step.permission]
            and (step.name != "reapprove" or since_approval is not None)  # offered when something needs it
        ]
        context.update(
            transactions=selectors.with_rate_notes(selectors.aid_item_transactions(item)),
            deleted_transactions=(list(selectors.aid_item_deleted_transactions(item)) if context["may_change"] else []),
            lifecycle_steps=steps,
            today=today,
            appraisal_deadline=item.appraisal_deadline if item.status == AidStatus.UNDER_APPRAISAL else None,
            start_deadline=item.start_deadline if item.status == AidStatus.APPROVED else None,
            since_approval=since_approval,
        )
        return context


# --- create and edit -----------------------------------------------------------------------------------------


class AidItemEditView(RecordEditView):
    """The aid item with its sector, location and participant rows on one page, saved by one service call
    (all or nothing). A service error on a part is shown above that part's rows."""

    model = AidItem
    form_class = forms.AidItemForm
    template_name = "aid/aiditem_form.html"

    def base_queryset(self) -> QuerySet[AidItem]:
        return selectors.with_detail_data(AidItem.objects.all())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = cast(AidItem | None, self.get_instance())
        form = self.form_class(instance=instance, user=request.user)
        part_forms = forms.AidItemPartForms(instance=instance, user=request.user)
        return self.render_form(form, instance, part_forms=part_forms)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = cast(AidItem | None, self.get_instance())
        stored = self.as_stored(instance)
        form = self.form_class(request.POST, instance=instance, user=request.user)
        part_forms = forms.AidItemPartForms(request.POST, instance=instance, user=request.user)
        if not all([form.is_valid(), part_forms.is_valid()]):  # a list, so that both show their errors
            return self.render_form(form, stored, status=400, part_forms=part_forms)
        parts = part_forms.parts(beneficiaries=form.cleaned_data["beneficiaries"])
        try:
            confirmed = part_forms.outside_confirmed
            if instance is None:
                saved = services.aid_item_create(
                    user=request.user, data=form.record_data(), parts=parts, confirmed=confirmed
                )
            else:
                saved = services.aid_item_update(
                    aid_item=instance,
                    user=request.user,
                    data=form.record_data(),
                    parts=parts,
                    expected_version=form.cleaned_data["version"],
                    confirmed=confirmed,
                )
        except ConflictError as exc:
            assert instance is not None  # a new record cannot conflict
            current = selectors.with_detail_data(AidItem.all_objects.filter(pk=instance.pk)).get()
            # The user's input stays in the form; saving it again now knowingly replaces the other save.
            data = request.POST.copy()
            data["version"] = str(current.version)
            form.data = data
            return self.render_form(form, stored, status=409, part_forms=part_forms, conflict=exc, current=current)
        except ValidationError as exc:
            part_forms.add_service_errors(form, exc)
            return self.render_form(form, stored, status=400, part_forms=part_forms)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


@login_required
def unit_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s of the provinces and communes matching what a location row's unit field holds (htmx), the
    user's provinces first, each with its province; and, out of band, the row's hint: the unit its field names
    now, with a warning when it lies outside the user's provinces.

    The row's inputs carry the formset prefix (`locations-3-unit`), hence the look-up by suffix."""

    def field(name: str) -> tuple[str, str]:
        for key in request.GET:
            if key == name or key.endswith(f"-{name}"):
                return key, request.GET.get(key, "")
        return "", ""

    era = field("era")[1] if field("era")[1] in Era.values else Era.CURRENT
    key, typed = field("unit")
    typed = typed or request.GET.get("q", "")
    options = selectors.location_unit_options(era=era, query=typed, user=request.user)
    chosen = selectors.location_unit(era=era, code=typed) if typed.strip().isdigit() else None
    if chosen is None:
        named = selectors.location_units_named(era=era, text=typed, user=request.user) if typed.strip() else []
        chosen = named[0].unit if len(named) == 1 else None
    context = {
        "options": options,
        "units": [option.unit for option in options],
        "hint_id": f"id_{key}-hint" if key else "",
        "option": selectors.unit_option(chosen, request.user) if chosen is not None else None,
    }
    return render(request, "aid/_unit_options.html", context)


@login_required
def donor_options(request: HttpRequest) -> HttpResponse:
    """The donor filter's search (JSON): up to `selectors.DONOR_MATCHES` donors the user may see whose name,
    Vietnamese name or acronym matches `q`, with or without diacritics, best first, and how many match in all:
    `{"results": [{"value": public id, "label": name}], "total": n}`."""
    words = request.GET.get("q", "")[:200]
    found = selectors.donor_choices(request.user, query=words)
    results = [{"value": value, "label": label} for value, label in found.choices]
    return JsonResponse({"results": results, "total": found.found})


# --- delete, restore, lifecycle ------------------------------------------------------------------------------


class AidItemDeleteView(RecordActionView):
    model = AidItem
    action = Action.DELETE
    success_message = gettext_lazy("Deleted. The aid item can be restored from its page.")

    def perform(self, *, instance: Any) -> None:
        services.aid_item_delete(aid_item=instance, user=self.request.user)


class AidItemRestoreView(RecordActionView):
    model = AidItem
    action = Action.DELETE
    success_message = gettext_lazy("Restored.")

    def perform(self, *, instance: Any) -> None:
        services.aid_item_restore(aid_item=instance, user=self.request.user)


class AidItemLifecycleView(RecordObjectMixin, View):
    """One lifecycle action: GET shows its small form, POST runs its service. The service checks the
    transition, the required inputs and the permission (approve, reject and revoke need "approve")."""

    model = AidItem
    template_name = "aid/aiditem_lifecycle.html"

    def get_item(self) -> tuple[AidItem, Step, StepPage]:
        step = STEPS.get(self.kwargs["step"])
        if step is None:
            raise Http404
        item: AidItem = self.get_object()
        if not self.may(step.permission, item):
            raise PermissionDenied
        return item, step, STEP_PAGES[step.name]

    def render_step(
        self, item: AidItem, step: Step, page: StepPage, form: forms.LifecycleForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {"object": item, "step": step, "page": page, "form": form, **extra}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item, step, page = self.get_item()
        if not step.is_open(item, timezone.localdate()):
            messages.error(request, _("This action is not possible in the aid item's current status."))
            return HttpResponseRedirect(item.get_absolute_url())
        return self.render_step(item, step, page, page.form_class(initial={"version": item.version}))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item, step, page = self.get_item()
        form = page.form_class(request.POST)
        if not form.is_valid():
            return self.render_step(item, step, page, form, status=400)
        try:
            step.run(
                aid_item=item,
                user=request.user,
                inputs=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            current = AidItem.all_objects.get(pk=item.pk)
            form = page.form_class({**request.POST.dict(), "version": str(current.version)})
            return self.render_step(current, step, page, form, status=409, conflict=exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_step(item, step, page, form, status=400)
        messages.success(request, _("Status: %(status)s.") % {"status": item.get_status_display()})
        return HttpResponseRedirect(item.get_absolute_url())


# --- transactions --------------------------------------------------------------------------------------------


class TransactionEditView(RecordEditView):
    """A transaction of an aid item: added from the item's page, edited on its own page."""

    model = Transaction
    form_class = forms.TransactionForm
    template_name = "aid/transaction_form.html"
    aid_item: AidItem

    def base_queryset(self) -> QuerySet[Transaction]:
        return selectors.live_transactions().select_related("aid_item", "currency")

    def get_instance(self) -> Transaction | None:
        if "public_id" in self.kwargs:
            # With a public_id the base finds the record among base_queryset's, so a Transaction, never None.
            instance = cast(Transaction, super().get_instance())
            self.aid_item = instance.aid_item
            return instance
        # Adding a transaction changes the aid item: its owning province's staff may.
        self.aid_item = get_object_or_404(
            AidItem.objects.restrict(self.request.user, Action.VIEW), public_id=self.kwargs["aid_item"]
        )
        if not self.may(Action.CHANGE, self.aid_item):
            raise PermissionDenied
        return None

    def render_form(self, form: Any, instance: Any, status: int = 200, **extra: Any) -> HttpResponse:
        return super().render_form(form, instance, status, aid_item=self.aid_item, **extra)

    def create(self, *, form: Any) -> Transaction:
        return services.transaction_create(user=self.request.user, aid_item=self.aid_item, data=form.record_data())

    def update(self, *, instance: Any, form: Any, expected_version: int) -> Transaction:
        return services.transaction_update(
            tx=instance, user=self.request.user, data=form.record_data(), expected_version=expected_version
        )


class TransactionRestoreView(RecordActionView):
    model = Transaction
    action = Action.DELETE
    success_message = gettext_lazy("Transaction restored.")

    def perform(self, *, instance: Any) -> None:
        services.transaction_restore(tx=instance, user=self.request.user)


class TransactionDeleteView(RecordActionView):
    model = Transaction
    action = Action.DELETE
    success_message = gettext_lazy("Transaction deleted.")

    def perform(self, *, instance: Any) -> None:
        services.transaction_delete(tx=instance, user=self.request.user)
