"""Organisation pages (list, detail with history, create/edit, delete and restore), the same for registrations
(licences) with their decisions, and the licence watch page."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.scoping import Action
from amity.core.views import RecordActionView, RecordDetailView, RecordEditView, RecordListView
from amity.reference.models import CodelistItem

from . import selectors, services
from .choices import ChangeDecision, ChangeState, OrganisationKind
from .filtersets import OrganisationFilterSet, RegistrationFilterSet
from .forms import OrganisationForm, RegistrationDecisionForm, RegistrationForm
from .models import EXPIRING_DAYS, EXTENSION_DAYS, Organisation, OrganisationChange, Registration


class OrganisationListView(RecordListView):
    model = Organisation
    filterset_class = OrganisationFilterSet
    ordering_fields = {
        "name": "name",
        "acronym": "acronym",
        "kind": "kind",
        "updated": "updated_at",
        "country": "country__name_en",
        "province": "owning_province__code",
    }
    default_ordering = "name"

    def base_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.select_related("country", "owning_province")


class OrganisationDetailView(RecordDetailView):
    model = Organisation

    def base_queryset(self) -> QuerySet[Organisation]:
        # Deleted entries stay reachable by their link so that they can be restored.
        return Organisation.all_objects.select_related("country", "owning_province", "iati_type")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            registrations=list(
                selectors.registrations_of_organisation(
                    user=self.request.user, organisation=self.object, today=timezone.localdate()
                )
            ),
            proposals=list(
                OrganisationChange.objects.restrict(self.request.user, Action.VIEW)
                .filter(organisation=self.object, state=ChangeState.PROPOSED)
                .select_related("proposed_by")
            ),
            may_decide_changes=OrganisationChange.scope_policy.allows(self.request.user, Action.APPROVE),
            may_add_registration=(
                self.object.kind in (OrganisationKind.FOREIGN_NGO, OrganisationKind.FOUNDATION)
                and not self.object.is_deleted
                and Registration.scope_policy.allows(self.request.user, Action.ADD)
            ),
        )
        return context


class OrganisationEditView(RecordEditView):
    model = Organisation
    form_class = OrganisationForm
    template_name = "organisations/organisation_form.html"

    def create(self, *, form: Any) -> Organisation:
        return services.organisation_create(user=self.request.user, data=form.record_data())

    def update(self, *, instance: Any, form: Any, expected_version: int) -> Organisation:
        return services.organisation_update(
            organisation=instance, user=self.request.user, data=form.record_data(), expected_version=expected_version
        )

    def updated_message(self) -> str:
        if services.changes_need_acceptance(self.request.user):
            return str(_("Your change was sent to a central officer; the entry shows it once accepted."))
        return super().updated_message()


class OrganisationDeleteView(RecordActionView):
    model = Organisation
    action = Action.DELETE
    success_message = _("Deleted. The entry can be restored from its page.")

    def perform(self, *, instance: Any) -> None:
        services.organisation_delete(organisation=instance, user=self.request.user)


class OrganisationRestoreView(RecordActionView):
    model = Organisation
    action = Action.DELETE
    success_message = _("Restored.")

    def perform(self, *, instance: Any) -> None:
        services.organisation_restore(organisation=instance, user=self.request.user)


# --- registrations (Decree 58/2022) ---------------------------------------------------------------------------


class RegistrationListView(RecordListView):
    model = Registration
    filterset_class = RegistrationFilterSet
    ordering_fields = {
        "organisation": "organisation__name",
        "number": "number",
        "kind": "kind",
        "issue": "issue_date",
        "expiry": "expiry_date",
        "status": "computed_status",
        "updated": "updated_at",
    }
    default_ordering = "expiry_date"

    def base_queryset(self) -> QuerySet[Registration]:
        queryset = Registration.objects.select_related("organisation").prefetch_related("provinces")
        return selectors.registrations_with_status(queryset, today=timezone.localdate())


class RegistrationDetailView(RecordDetailView):
    model = Registration
    template_name = "organisations/registration_detail.html"

    def base_queryset(self) -> QuerySet[Registration]:
        # Deleted registrations stay reachable by their link so that they can be restored.
        return Registration.all_objects.select_related("organisation").prefetch_related(
            "provinces", Prefetch("sectors", queryset=CodelistItem.objects.order_by("code"))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        registration = self.object
        may_decide = context["may_change"] and not registration.is_deleted
        context.update(
            status=registration.status_on(timezone.localdate()),
            events=registration.events.all(),
            may_decide=may_decide,
        )
        if may_decide and "decision_form" not in context:
            context["decision_form"] = RegistrationDecisionForm(registration=registration)
        return context


class RegistrationEditView(RecordEditView):
    model = Registration
    form_class = RegistrationForm
    template_name = "organisations/registration_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        initial: dict[str, Any] = {}
        # "Add registration" on an organisation's page passes the organisation along.
        organisation = request.GET.get("organisation", "")
        if instance is None and organisation:
            with suppress(ValidationError):
                found = Organisation.objects.restrict(request.user, "view").filter(public_id=organisation).first()
                if found is not None:
                    initial["organisation"] = found.pk
        return self.render_form(self.form_class(instance=instance, user=request.user, initial=initial), instance)

    def create(self, *, form: Any) -> Registration:
        return services.registration_create(user=self.request.user, data=form.record_data())

    def update(self, *, instance: Any, form: Any, expected_version: int) -> Registration:
        data = form.record_data()
        data.pop("expiry_date", None)  # read-only here: changed by an extension or amendment
        return services.registration_update(
            registration=instance, user=self.request.user, data=data, expected_version=expected_version
        )


class RegistrationDecisionView(RegistrationDetailView):
    """POST a decision from the registration's page; errors show the page again with the form."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = registration = self.get_object()
        if not self.may(Action.CHANGE, registration):
            raise PermissionDenied
        form = RegistrationDecisionForm(request.POST, registration=registration)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.registration_record_decision(
                    registration=registration,
                    user=request.user,
                    kind=data["kind"],
                    on=data["date"],
                    decision_number=data["decision_number"],
                    new_expiry=data["new_expiry"],
                    note=data["note"],
                    expected_version=data["version"] or 0,
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                registration.refresh_from_db()
                posted = request.POST.copy()  # what the form is bound to, made mutable
                posted["version"] = str(registration.version)
                form.data = posted
                return self.render_to_response(self.get_context_data(decision_form=form), status=409)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The decision was recorded."))
                return HttpResponseRedirect(registration.get_absolute_url())
        return self.render_to_response(self.get_context_data(decision_form=form), status=400)


class RegistrationDeleteView(RecordActionView):
    model = Registration
    action = Action.DELETE
    success_message = _("Deleted. The registration can be restored from its page.")

    def perform(self, *, instance: Any) -> None:
        services.registration_delete(registration=instance, user=self.request.user)


class RegistrationRestoreView(RecordActionView):
    model = Registration
    action = Action.DELETE
    success_message = _("Restored.")

    def perform(self, *, instance: Any) -> None:
        services.registration_restore(registration=instance, user=self.request.user)


class WatchView(LoginRequiredMixin, TemplateView):
    """The licence watch lists: expiring soon, extension overdue, registered but inactive for 12 months."""

    template_name = "organisations/watch.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        user = self.request.user
        expiring = list(selectors.registrations_expiring(user=user, today=today))
        overdue = list(selectors.registrations_extension_overdue(user=user, today=today))
        for registration in (*expiring, *overdue):
            registration.days_left = (registration.expiry_date - today).days  # type: ignore[attr-defined]
        context.update(
            today=today,
            expiring=expiring,
            overdue=overdue,
            inactive=list(selectors.organisations_inactive(user=user, today=today)),
            expiring_days=EXPIRING_DAYS,
            extension_days=EXTENSION_DAYS,
            inactivity_months=selectors.INACTIVITY_MONTHS,
        )
        return context


# --- changes proposed by NGO representatives -----------------------------------------------------------------


class ProposedChangesView(LoginRequiredMixin, TemplateView):
    """The proposed changes waiting for a central officer's decision, the oldest first."""

    template_name = "organisations/proposed_changes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["proposals"] = list(
            OrganisationChange.objects.restrict(self.request.user, Action.VIEW)
            .filter(state=ChangeState.PROPOSED)
            .select_related("organisation", "proposed_by")
            .order_by("created_at", "pk")
        )
        context["may_decide_changes"] = OrganisationChange.scope_policy.allows(self.request.user, Action.APPROVE)
        return context


class ProposedChangeDecideView(LoginRequiredMixin, View):
    """POST a central officer's decision on a proposed change: accept, or reject with a reason."""

    def post(self, request: HttpRequest, public_id: str) -> HttpResponse:
        from django.shortcuts import get_object_or_404

        change = get_object_or_404(OrganisationChange.objects.restrict(request.user, Action.VIEW), public_id=public_id)
        decision = request.POST.get("decision", "")
        try:
            services.organisation_changes_decide(
                user=request.user,
                rows=[services.ChangeDecisionRow(change, decision, request.POST.get("decision_note", ""))],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The change was accepted.") if decision == ChangeDecision.ACCEPT else _("The change was rejected."),
            )
        return HttpResponseRedirect(change.organisation.get_absolute_url())
