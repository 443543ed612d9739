"""Aid register pages: list with CSV download, detail with transactions and lifecycle actions, the aid item
form with its inline parts, transactions, and the unit search that location rows use."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.scoping import Action
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
from .choices import TRANSITIONS, AidStatus
from .filtersets import AidItemFilterSet
from .models import AidItem, Transaction

# --- list and CSV --------------------------------------------------------------------------------------------


class AidItemListView(RecordListView):
    model = AidItem
    filterset_class = AidItemFilterSet
    template_name = "aid/aiditem_list.html"
    ordering_fields = {
        "title": "title_vi", "modality": "modality", "status": "status", "province": "owning_province__code",
        "committed": "committed_usd", "disbursed": "disbursed_usd", "updated": "updated_at",
    }
    default_ordering = "-created_at"

    def base_queryset(self) -> QuerySet[AidItem]:
        # The mixin applies restrict(user, "view"): the same rows as selectors.aid_items_for_list.
        return selectors.with_list_data(AidItem.objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["csv_querystring"] = context["querystring"]
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

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = AidItemFilterSet(request.GET or None, queryset=self.get_queryset(), request=request)
        if filterset.is_bound and not filterset.is_valid():
            # An export must never silently ignore a filter.
            return HttpResponse(filterset.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
        queryset = filterset.qs.order_by("-created_at", "pk")
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            self.lines(writer, queryset), content_type="text/csv; charset=utf-8"
        )
        filename = f"aid-items-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def lines(self, writer: Any, queryset: QuerySet[AidItem]) -> Iterator[str]:
        yield "\ufeff" + writer.writerow([
            _("Identifier"), _("Reference number"), _("IATI identifier"), _("Title (Vietnamese)"),
            _("Title (English)"), _("Modality"), _("Relief aid"), _("Status"), _("Owning province code"),
            _("Owning province"), _("Donors"), _("Planned start"), _("Planned end"), _("Committed (USD)"),
            _("Disbursed (USD)"), _("Committed (VND)"), _("Disbursed (VND)"),
        ])
        for item in queryset.iterator(chunk_size=500):
            yield writer.writerow([
                item.public_id, item.reference, item.iati_identifier, item.title_vi, item.title_en,
                item.get_modality_display(), _("yes") if item.is_relief else _("no"), item.get_status_display(),
                item.owning_province.code, item.owning_province.name,
                "; ".join(p.organisation.name for p in item.donor_participations),
                _iso(item.planned_start), _iso(item.planned_end),
                f"{item.committed_usd:f}", f"{item.disbursed_usd:f}",
                f"{item.committed_vnd:f}", f"{item.disbursed_vnd:f}",
            ])


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


# --- detail --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LifecycleStep:
    """One lifecycle action: the status it leads to, the permission it needs, its form and its service."""

    name: str
    to: str
    permission: str
    label: Any
    form_class: type[forms.LifecycleForm]
    perform: Callable[..., AidItem]
    style: str = "outline-primary"
    icon: str = "arrow-right-circle"


LIFECYCLE: dict[str, LifecycleStep] = {
    step.name: step
    for step in (
        LifecycleStep(
            "submit", AidStatus.UNDER_APPRAISAL, Action.CHANGE, gettext_lazy("Submit for appraisal"),
            forms.SubmitForm, lambda item, user, data, version: services.aid_item_submit_for_appraisal(
                aid_item=item, user=user, received_on=data["received_on"], expected_version=version),
            style="primary", icon="send",
        ),
        LifecycleStep(
            "approve", AidStatus.APPROVED, Action.APPROVE, gettext_lazy("Approve"), forms.ApproveForm,
            lambda item, user, data, version: services.aid_item_approve(
                aid_item=item, user=user, decision_number=data["decision_number"],
                decision_date=data["decision_date"], authority=data["decision_authority"],
                expected_version=version),
            style="success", icon="check2-circle",
        ),
        LifecycleStep(
            "reject", AidStatus.REJECTED, Action.APPROVE, gettext_lazy("Reject"), forms.ReasonForm,
            lambda item, user, data, version: services.aid_item_reject(
                aid_item=item, user=user, reason=data["reason"], expected_version=version),
            style="outline-danger", icon="x-circle",
        ),
        LifecycleStep(
            "start", AidStatus.IN_PROGRESS, Action.CHANGE, gettext_lazy("Record the start"), forms.StartForm,
            lambda item, user, data, version: services.aid_item_start(
                aid_item=item, user=user, started_on=data["started_on"], expected_version=version),
            style="primary", icon="play-circle",
        ),
        LifecycleStep(
            "complete", AidStatus.COMPLETED, Action.CHANGE, gettext_lazy("Record the completion"),
            forms.CompleteForm, lambda item, user, data, version: services.aid_item_complete(
                aid_item=item, user=user, ended_on=data["ended_on"], expected_version=version),
            style="primary", icon="flag",
        ),
        LifecycleStep(
            "close", AidStatus.CLOSED, Action.CHANGE, gettext_lazy("Close"), forms.CloseForm,
            lambda item, user, data, version: services.aid_item_close(
                aid_item=item, user=user, expected_version=version),
            icon="archive",
        ),
        LifecycleStep(
            "cancel", AidStatus.CANCELLED, Action.CHANGE, gettext_lazy("Cancel"), forms.ReasonForm,
            lambda item, user, data, version: services.aid_item_cancel(
                aid_item=item, user=user, reason=data["reason"], expected_version=version),
            style="outline-danger", icon="slash-circle",
        ),
        LifecycleStep(
            "revoke", AidStatus.APPROVAL_REVOKED, Action.APPROVE, gettext_lazy("Revoke the approval"),
            forms.ReasonForm, lambda item, user, data, version: services.aid_item_revoke_approval(
                aid_item=item, user=user, reason=data["reason"], expected_version=version),
            style="outline-danger", icon="arrow-counterclockwise",
        ),
    )
}


def is_step_open(step: LifecycleStep, aid_item: AidItem, today: date) -> bool:
    """Whether the status allows the step now (the revocation waits for the start deadline)."""
    if aid_item.is_deleted or step.to not in TRANSITIONS[aid_item.status]:
        return False
    if step.name == "revoke":
        deadline = aid_item.start_deadline
        return deadline is not None and today >= deadline
    return True


class AidItemDetailView(RecordDetailView):
    model = AidItem
    template_name = "aid/aiditem_detail.html"

    def base_queryset(self) -> QuerySet[AidItem]:
        # Deleted items stay reachable by their link so that they can be restored.
        return selectors.with_detail_data(AidItem.all_objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item: AidItem = self.object
        today = timezone.localdate()
        permitted = {Action.CHANGE: context["may_change"], Action.APPROVE: self.may(Action.APPROVE, item)}
        steps = [step for step in LIFECYCLE.values() if is_step_open(step, item, today) and permitted[step.permission]]
        context.update(
            transactions=list(selectors.aid_item_transactions(item)),
            lifecycle_steps=steps,
            today=today,
            appraisal_deadline=item.appraisal_deadline if item.status == AidStatus.UNDER_APPRAISAL else None,
            start_deadline=item.start_deadline if item.status == AidStatus.APPROVED else None,
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
        instance = self.get_instance()
        form = self.form_class(instance=instance, user=request.user)
        part_forms = forms.AidItemPartForms(instance=instance, user=request.user)
        return self.render_form(form, instance, part_forms=part_forms)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        form = self.form_class(request.POST, instance=instance, user=request.user)
        part_forms = forms.AidItemPartForms(request.POST, instance=instance, user=request.user)
        if not all([form.is_valid(), part_forms.is_valid()]):  # a list, so that both show their errors
            return self.render_form(form, instance, status=400, part_forms=part_forms)
        parts = part_forms.parts(beneficiaries=form.cleaned_data["beneficiaries"])
        try:
            if instance is None:
                saved = services.aid_item_create(user=request.user, data=form.record_data(), parts=parts)
            else:
                saved = services.aid_item_update(
                    aid_item=instance, user=request.user, data=form.record_data(), parts=parts,
                    expected_version=form.cleaned_data["version"],
                )
        except ConflictError as exc:
            assert instance is not None  # a new record cannot conflict
            current = selectors.with_detail_data(AidItem.all_objects.filter(pk=instance.pk)).get()
            # The user's input stays in the form; saving it again now knowingly replaces the other save.
            form.data = form.data.copy()
            form.data["version"] = str(current.version)
            return self.render_form(form, instance, status=409, part_forms=part_forms, conflict=exc, current=current)
        except ValidationError as exc:
            part_forms.add_service_errors(form, exc)
            return self.render_form(form, instance, status=400, part_forms=part_forms)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


@login_required
def unit_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s of the provinces and communes matching what a location row's code field holds (htmx).

    The row's inputs carry the formset prefix (`locations-3-unit`), hence the look-up by suffix."""

    def value(name: str) -> str:
        for key, item in request.GET.items():
            if key == name or key.endswith(f"-{name}"):
                return item
        return ""

    era = value("era") if value("era") in Era.values else Era.CURRENT
    units = selectors.location_unit_options(era=era, query=value("unit") or value("q"))
    return render(request, "aid/_unit_options.html", {"units": units})


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

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.step = LIFECYCLE.get(kwargs.get("step", ""))

    def render_step(self, item: AidItem, form: forms.LifecycleForm, status: int = 200, **extra: Any) -> HttpResponse:
        context = {"object": item, "step": self.step, "form": form, **extra}
        return render(self.request, self.template_name, context, status=status)

    def get_item(self) -> AidItem:
        if self.step is None:
            raise Http404
        item: AidItem = self.get_object()
        if not self.may(self.step.permission, item):
            raise PermissionDenied
        return item

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = self.get_item()
        assert self.step is not None
        if not is_step_open(self.step, item, timezone.localdate()):
            messages.error(request, _("This action is not possible in the aid item's current status."))
            return HttpResponseRedirect(item.get_absolute_url())
        return self.render_step(item, self.step.form_class(initial={"version": item.version}))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = self.get_item()
        assert self.step is not None
        form = self.step.form_class(request.POST)
        if not form.is_valid():
            return self.render_step(item, form, status=400)
        try:
            self.step.perform(item, request.user, form.cleaned_data, form.cleaned_data["version"] or None)
        except ConflictError as exc:
            current = AidItem.all_objects.get(pk=item.pk)
            form = self.step.form_class(request.POST.copy())
            form.data["version"] = str(current.version)
            return self.render_step(current, form, status=409, conflict=exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.render_step(item, form, status=400)
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
        return Transaction.objects.select_related("aid_item", "currency")

    def get_instance(self) -> Transaction | None:
        if "public_id" in self.kwargs:
            instance: Transaction = super().get_instance()  # type: ignore[assignment]
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
        with forms.errors_for(form):
            return services.transaction_create(
                user=self.request.user, aid_item=self.aid_item, data=form.record_data()
            )

    def update(self, *, instance: Any, form: Any, expected_version: int) -> Transaction:
        with forms.errors_for(form):
            return services.transaction_update(
                tx=instance, user=self.request.user, data=form.record_data(), expected_version=expected_version
            )


class TransactionDeleteView(RecordActionView):
    model = Transaction
    action = Action.DELETE
    success_message = gettext_lazy("Transaction deleted.")

    def perform(self, *, instance: Any) -> None:
        services.transaction_delete(tx=instance, user=self.request.user)
