"""Pages of the reporting duties: my duties, the list with filters, a duty with its submissions, the submit and
review forms and its history, the review queue of the receiving office, the overdue boards, the rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.files import file_response
from amity.core.forms import add_service_errors
from amity.core.models import BaseModel
from amity.core.scoping import Action
from amity.core.views import RecordDetailView, RecordEditView, RecordListView
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit

from . import selectors, services
from .choices import ObligationState, PreviewStatus
from .filtersets import ObligationFilterSet
from .forms import DutyRuleForm, ReviewForm, SubmissionForm
from .models import DutyRule, Obligation, RulePreview, Submission


class MyDutiesView(LoginRequiredMixin, TemplateView):
    """What I must submit, by when; and, for a receiving office, how many reports wait for its review."""

    template_name = "obligations/my_duties.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        user = self.request.user
        context.update(
            today=today,
            duties=list(selectors.my_duties(user=user, today=today)[:200]),
            waiting=selectors.review_queue(user=user).count(),
            may_review=Obligation.scope_policy.allows(user, Action.APPROVE),
        )
        return context


class ObligationListView(RecordListView[Obligation]):
    model = Obligation
    filterset_class = ObligationFilterSet
    ordering_fields = {"due": "due_date", "period": "period_start", "rule": "rule__code", "status": "computed_status"}
    default_ordering = "due_date"

    def base_queryset(self) -> QuerySet[Obligation]:
        return selectors.listed(selectors.with_status(Obligation.objects.all(), today=timezone.localdate()))


class ObligationDetailView(RecordDetailView[Obligation]):
    model = Obligation

    def base_queryset(self) -> QuerySet[Obligation]:
        return Obligation.objects.select_related("rule", "aid_item", "organisation", "province", "reviewing_province")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obligation = self.object
        today = timezone.localdate()
        may_submit = context["may_change"] and obligation.state != ObligationState.ACCEPTED
        may_review = self.may(Action.APPROVE, obligation) and obligation.state == ObligationState.SUBMITTED
        context.update(
            status=selectors.status_on(obligation, today),
            submissions=list(selectors.submissions_of(user=self.request.user, obligation=obligation)),
            may_submit=may_submit,
            may_review=may_review,
        )
        if may_submit and "submission_form" not in context:
            prefilled = selectors.prefill_figures(obligation)
            context["submission_form"] = SubmissionForm(prefilled=prefilled, version=obligation.version)
        if may_review and "review_form" not in context:
            context["review_form"] = ReviewForm(initial={"version": obligation.version})
        return context


def _run(form: Any, write: Callable[[], object]) -> int:
    """Call a service for a form: 200 when it wrote, else the status of its refusal with the reason on the form
    (409 for a conflict, 400 for broken rules)."""
    try:
        write()
    except ConflictError as exc:
        form.add_error(None, str(exc))
        return 409
    except ValidationError as exc:
        add_service_errors(form, exc)
        return 400
    return 200


class SubmitView(ObligationDetailView):
    """POST a report from the duty's page; errors show the page again with the form (400, or 409 on a conflict)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = obligation = self.get_object()
        if not self.may(Action.CHANGE, obligation):
            raise PermissionDenied
        form = SubmissionForm(
            request.POST, request.FILES, prefilled=selectors.prefill_figures(obligation), version=obligation.version
        )
        status = form.is_valid() and _run(
            form,
            lambda: services.submission_create(
                user=request.user,
                obligation=obligation,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                figures=form.figures(),
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 200:
            messages.success(request, _("The report was submitted."))
            return HttpResponseRedirect(obligation.get_absolute_url())
        return self.render_to_response(self.get_context_data(submission_form=form), status=status or 400)


class ReviewView(ObligationDetailView):
    """POST the receiving office's decision: return with a note, or accept."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = obligation = self.get_object()
        if not self.may(Action.APPROVE, obligation):
            raise PermissionDenied
        form = ReviewForm(request.POST)
        data = form.cleaned_data if form.is_valid() else None
        status = data is not None and _run(
            form,
            lambda: services.obligations_review(
                user=request.user,
                rows=[services.ReviewRow(obligation, data["decision"], data["note"], data["version"])],
            ),
        )
        if status == 200:
            messages.success(request, _("The review was recorded."))
            return HttpResponseRedirect(obligation.get_absolute_url())
        return self.render_to_response(self.get_context_data(review_form=form), status=status or 400)


class SubmissionFileView(LoginRequiredMixin, View):
    """A submission's file, to those the scope policy lets see the submission (else 404)."""

    def get(self, request: HttpRequest, public_id: str) -> HttpResponseBase:
        submission = get_object_or_404(Submission.objects.restrict(request.user, Action.VIEW), public_id=public_id)
        return file_response(submission.file)


class ReviewQueueView(LoginRequiredMixin, TemplateView):
    template_name = "obligations/review_queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["queue"] = list(selectors.review_queue(user=self.request.user)[:500])
        return context


class OverdueBoardView(LoginRequiredMixin, TemplateView):
    """Overdue duties counted by province (the national board for central officers; a province sees its own),
    the oldest first; with `?province=<code>`, that province's overdue duties."""

    template_name = "obligations/overdue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        code = self.request.GET.get("province", "")
        province = (
            AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT, code=code).first()
            if code.isdigit()
            else None
        )
        board = selectors.overdue_board(user=self.request.user, today=today)
        context.update(
            today=today,
            board=board,
            total=sum(row.overdue for row in board),
            province=province,
            overdue=list(selectors.overdue_list(user=self.request.user, today=today, province=province)[:500]),
        )
        return context


class RuleListView(LoginRequiredMixin, TemplateView):
    template_name = "obligations/rule_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rules"] = list(DutyRule.objects.restrict(self.request.user, Action.VIEW))
        context["may_add"] = DutyRule.scope_policy.allows(self.request.user, Action.ADD)
        return context


class RuleDetailView(RecordDetailView[DutyRule]):
    model = DutyRule

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["duty_counts"] = selectors.rule_duty_counts(user=self.request.user, rule=self.object)
        return context


class RuleEditView(RecordEditView):
    """Create or change a reporting rule (whoever the scope policy lets: central officers, administrators) through
    `duty_rules_save`. "Check the effect" checks the change as saving would (errors on their fields, a conflict)
    and has the task worker count what it would do to the duties (`rule_preview_request`: seconds for a national
    rule), shown on the form again, with the user's input, as soon as it is counted; saving does it, and the duties
    of the rule are generated again by the task worker after the commit."""

    model = DutyRule
    form_class = DutyRuleForm
    template_name = "obligations/dutyrule_form.html"

    def _row(self, form: DutyRuleForm, instance: BaseModel | None, expected_version: int | None) -> services.RuleChange:
        return services.RuleChange(
            form.record_data(),
            pk=instance.pk if instance is not None else None,
            expected_version=expected_version if instance is not None else None,
        )

    def create(self, *, form: Any) -> DutyRule:
        [rule] = services.duty_rules_save(user=self.request.user, rows=[self._row(form, None, None)])
        return rule

    def update(self, *, instance: Any, form: Any, expected_version: int) -> DutyRule:
        [rule] = services.duty_rules_save(user=self.request.user, rows=[self._row(form, instance, expected_version)])
        return rule

    def updated_message(self) -> str:
        return str(_("Saved. The duties of this rule are being brought in line with it."))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "preview" not in request.POST:
            return super().post(request, *args, **kwargs)
        instance = self.get_instance()
        stored = self.as_stored(instance)
        form = self.form_class(request.POST, instance=instance, user=request.user)
        if not form.is_valid():
            return self.render_form(form, stored, status=400)
        expected = form.cleaned_data["version"] if instance is not None else None
        try:
            preview = services.rule_preview_request(user=request.user, row=self._row(form, instance, expected))
        except ConflictError as exc:
            return self.render_form(
                form,
                stored,
                status=409,
                conflict=exc,
                current=type(instance).all_objects.get(pk=instance.pk) if instance else None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, stored, status=400)
        preview.refresh_from_db()  # counted already, by a worker quicker than this page: shown at once
        return self.render_form(form, stored, **_preview_context(request, preview))


def _preview_context(request: HttpRequest, preview: RulePreview) -> dict[str, Any]:
    """What the preview's block shows: "counting" (polled by htmx, with a link to its own page for a browser
    without JavaScript), or the counts and samples by province, or why it failed. A preview whose worker died is
    marked failed here."""
    services.rule_previews_recover([preview])
    done = preview.status == PreviewStatus.DONE
    return {
        "preview": preview,
        "preview_provinces": selectors.effect_for_display(user=request.user, result=preview.result) if done else [],
        "preview_part_url": reverse("obligations:rule_preview_part", kwargs={"public_id": preview.public_id}),
    }


def _preview_of(request: HttpRequest, public_id: Any) -> RulePreview:
    found = RulePreview.objects.restrict(request.user, Action.VIEW).select_related("rule")
    return get_object_or_404(found, public_id=public_id)


class RulePreviewView(LoginRequiredMixin, View):
    """A rule change's preview on its own page (the asker's only): what saving would do, once counted. While it
    is counted, the block is polled (htmx) and, without JavaScript, the page reloads itself every few seconds
    (`<noscript>` refresh) and offers a link to do so."""

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        preview = _preview_of(request, public_id)
        return render(request, "obligations/rule_preview.html", _preview_context(request, preview))


class RulePreviewPartView(LoginRequiredMixin, View):
    """The preview's block alone, polled by the rule's form and the preview's page until it is counted."""

    def get(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        preview = _preview_of(request, public_id)
        return render(request, "obligations/_rule_preview.html", _preview_context(request, preview))


class OrganisationSelfServiceView(LoginRequiredMixin, TemplateView):
    """The NGO representative's page: its registrations with their expiry and extension deadline, the aid items
    it takes part in or owns (any province, read-only: the aid policy grants it), and its reporting duties."""

    template_name = "obligations/organisation_self_service.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from amity.aid.models import AidItem
        from amity.organisations.models import EXTENSION_DAYS, Organisation
        from amity.organisations.selectors import registrations_of_organisation

        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        own: int | None = getattr(user, "organisation_id", None)
        organisation = Organisation.objects.restrict(user, Action.VIEW).filter(pk=own).first() if own else None
        registrations = (
            list(registrations_of_organisation(user=user, organisation=organisation, today=today))
            if organisation
            else []
        )
        for registration in registrations:
            registration.extension_deadline = registration.expiry_date - timedelta(days=EXTENSION_DAYS)  # type: ignore[attr-defined]
        context.update(
            today=today,
            organisation=organisation,
            registrations=registrations,
            aid_items=list(
                AidItem.objects.restrict(user, Action.VIEW)
                .select_related("owning_province")
                .order_by("-created_at")[:200]
            )
            if organisation
            else [],
            duties=list(
                selectors.listed(
                    selectors.with_status(Obligation.objects.restrict(user, Action.VIEW), today=today)
                ).order_by("-due_date", "pk")[:200]
            )
            if organisation
            else [],
        )
        return context
