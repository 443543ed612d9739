"""Pages of the diplomacy register: a list, a page and a form for each kind of record (the generic record views
of `amity.core.views`, through `restrict` and the batch services), the calendar with its private feed, the event
files served through the scope policy, the dashboard and the union's period report."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from amity.core.forms import form_field
from amity.core.models import BaseModel
from amity.core.scoping import Action, is_national
from amity.core.views import RecordActionView, RecordDetailView, RecordEditView, RecordListView
from amity.interop.excel.problems import problem_text
from amity.reference.models import AdministrativeUnit
from amity.reports.views import Chart

from . import excel, exports, feed, personal, report, selectors, services
from .choices import AttachmentKind, Direction, UnitKind
from .filtersets import (
    DelegationFilterSet,
    EventFilterSet,
    PartnershipFilterSet,
    RenewalFilterSet,
    UnionFilterSet,
    UnitFilterSet,
    VisitorFilterSet,
)
from .forms import (
    CalendarMonthForm,
    DelegationForm,
    EventForm,
    MemberForm,
    MemberLeaveForm,
    PartnershipForm,
    RenewalForm,
    UnionForm,
    UnitForm,
    VisitorForm,
)
from .models import (
    AgreementRenewal,
    AssociationMember,
    Delegation,
    Event,
    EventAttachment,
    Partnership,
    Union,
    UnionUnit,
    Visitor,
)


def _date(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _names(records: Any) -> str:
    return ", ".join(str(r) for r in records) or "—"


# --- generic pages of the register -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowMark:
    """A list row's state: its code (a data attribute), its words, the row's and the badge's classes (none: the
    words in grey)."""

    state: str
    label: str
    row_class: str = ""
    badge_class: str = ""


class RegisterListView(RecordListView[Any]):
    """A list whose columns the subclass names: `cells(record)` gives the row's texts after the linked first one."""

    template_name = "diplomacy/record_list.html"
    heading: ClassVar[Any] = ""
    add_url: ClassVar[str] = ""
    columns: ClassVar[list[Any]] = []
    related: ClassVar[tuple[str, ...]] = ("union", "owning_province")
    excel_kind: ClassVar[str] = ""  # events, delegations, visitors: Excel template, export and upload

    def base_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = self.model.objects.select_related(*self.related)
        return queryset

    def cells(self, record: Any) -> list[Any]:
        raise NotImplementedError

    def mark(self, record: Any) -> RowMark | None:
        """What the row's last column says and how the row is highlighted (a list that marks its rows)."""
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            heading=self.heading,
            columns=self.columns,
            rows=[(record, self.cells(record), self.mark(record)) for record in context["object_list"]],
            add_url=reverse(self.add_url) if self.add_url else "",
            excel_url=reverse("diplomacy:excel", kwargs={"kind": self.excel_kind}) if self.excel_kind else "",
        )
        return context


class RegisterDetailView(RecordDetailView[Any]):
    template_name = "diplomacy/record_detail.html"
    list_url: ClassVar[str] = ""
    edit_url: ClassVar[str] = ""
    delete_url: ClassVar[str] = ""
    restore_url: ClassVar[str] = ""
    heading: ClassVar[Any] = ""

    def base_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = self.model.all_objects.select_related("owning_province", "old_province")
        return queryset

    def rows(self, record: Any) -> list[tuple[Any, Any]]:
        raise NotImplementedError

    def sections(self, record: Any) -> list[dict[str, Any]]:
        return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        record = self.object
        key = {"public_id": record.public_id}
        context.update(
            heading=self.heading,
            list_url=reverse(self.list_url),
            rows=self.rows(record),
            sections=self.sections(record),
            edit_url=reverse(self.edit_url, kwargs=key),
            delete_url=reverse(self.delete_url, kwargs=key),
            restore_url=reverse(self.restore_url, kwargs=key),
        )
        return context


def _province_rows(record: Any) -> list[tuple[Any, Any]]:
    rows: list[tuple[Any, Any]] = [(_("Owning province"), record.owning_province.full_name)]
    if record.old_province_id:
        rows.append((_("Province before 2025"), record.old_province.full_name))
    return rows


class RegisterEditView(RecordEditView):
    template_name = "diplomacy/record_form.html"

    def render_form(self, form: Any, instance: BaseModel | None, status: int = 200, **extra: Any) -> HttpResponse:
        return super().render_form(form, instance, status, heading=self.model._meta.verbose_name, **extra)

    def parts(self, form: Any) -> list[dict[str, Any]] | None:
        return form.parts() if hasattr(form, "parts") else None

    def create(self, *, form: Any) -> BaseModel:
        saved: BaseModel = services.record_save(
            model=self.model, user=self.request.user, data=form.record_data(), parts=self.parts(form)
        )
        return saved

    def update(self, *, instance: BaseModel, form: Any, expected_version: int) -> BaseModel:
        saved: BaseModel = services.record_save(
            model=self.model,
            user=self.request.user,
            data=form.record_data(),
            instance=instance,
            expected_version=expected_version,
            parts=self.parts(form),
        )
        return saved


class RegisterDeleteView(RecordActionView):
    action = Action.DELETE
    success_message = gettext_lazy("Deleted. The record can be restored from its page.")

    def perform(self, *, instance: Any) -> None:
        services.record_delete(instance=instance, user=self.request.user)


class RegisterRestoreView(RecordActionView):
    action = Action.DELETE
    success_message = gettext_lazy("Restored.")

    def perform(self, *, instance: Any) -> None:
        services.record_undelete(instance=instance, user=self.request.user)


# --- unions ------------------------------------------------------------------------------------------------------


class UnionListView(RegisterListView):
    model = Union
    filterset_class = UnionFilterSet
    heading = gettext_lazy("Unions of friendship organizations")
    add_url = "diplomacy:union_add"
    columns = [gettext_lazy("Name"), gettext_lazy("Province served"), gettext_lazy("Founded"), gettext_lazy("Status")]
    related = ("province", "owning_province")
    default_ordering = "name"

    def cells(self, record: Union) -> list[Any]:
        return [record.province.full_name, _date(record.founded_on), record.get_status_display()]


class UnionDetailView(RegisterDetailView):
    model = Union
    heading = gettext_lazy("Union of friendship organizations")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:union_list",
        "diplomacy:union_edit",
        "diplomacy:union_delete",
        "diplomacy:union_restore",
    )

    template_name = "diplomacy/union_detail.html"

    def base_queryset(self) -> QuerySet[Union]:
        return Union.all_objects.select_related("province", "owning_province", "organisation", "merged_into")

    def rows(self, union: Union) -> list[tuple[Any, Any]]:
        return [
            (_("Name"), union.name),
            (_("Name (English)"), union.name_en or "—"),
            (_("Province served"), union.province.full_name),
            (_("Founded on"), _date(union.founded_on)),
            (_("Electronic information page"), union.website or "—"),
            (_("Information page opened on"), _date(union.website_opened_on)),
            (_("Status"), union.get_status_display()),
            (_("Merged into"), f"{union.merged_into} ({_date(union.merged_on)})" if union.merged_into else "—"),
            *_province_rows(union),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["report_url"] = reverse("diplomacy:report", kwargs={"public_id": self.object.public_id})
        return context


class UnionEditView(RegisterEditView):
    model = Union
    form_class = UnionForm


class UnionDeleteView(RegisterDeleteView):
    model = Union


class UnionRestoreView(RegisterRestoreView):
    model = Union


# --- units and associations --------------------------------------------------------------------------------------


class UnitListView(RegisterListView):
    model = UnionUnit
    filterset_class = UnitFilterSet
    heading = gettext_lazy("Units and member associations")
    add_url = "diplomacy:unit_add"
    columns = [
        gettext_lazy("Name"),
        gettext_lazy("Kind"),
        gettext_lazy("Partner country"),
        gettext_lazy("Leader"),
        gettext_lazy("Status"),
    ]
    related = ("union", "owning_province", "partner_country")
    default_ordering = "kind"

    def cells(self, unit: UnionUnit) -> list[Any]:
        country = unit.partner_country.name if unit.partner_country else unit.partner_region or "—"
        return [unit.get_kind_display(), country, unit.leader_name or "—", unit.get_status_display()]


class UnitDetailView(RegisterDetailView):
    model = UnionUnit
    heading = gettext_lazy("Unit of the union")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:unit_list",
        "diplomacy:unit_edit",
        "diplomacy:unit_delete",
        "diplomacy:unit_restore",
    )

    def rows(self, unit: UnionUnit) -> list[tuple[Any, Any]]:
        return [
            (_("Union"), unit.union),
            (_("Kind"), unit.get_kind_display()),
            (_("Name"), unit.name),
            (_("Name (English)"), unit.name_en or "—"),
            (_("Partner country"), unit.partner_country.name if unit.partner_country else "—"),
            (_("Partner region"), unit.partner_region or "—"),
            (_("Founded on"), _date(unit.founded_on)),
            (_("Founding decision"), unit.founding_decision or "—"),
            (_("Leader"), f"{unit.leader_name} — {unit.leader_title}" if unit.leader_name else "—"),
            (_("Term"), unit.term or "—"),
            (_("Contacts"), " · ".join(x for x in (unit.email, unit.phone) if x) or "—"),
            (_("Status"), unit.get_status_display()),
            *_province_rows(unit),
        ]

    def get_template_names(self) -> list[str]:
        return ["diplomacy/unit_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """An association's page adds its members per year — declared, and counted from its individual members —
        and, for the staff who may read personal data, the list of its members."""
        context = super().get_context_data(**kwargs)
        unit = self.object
        if unit.kind != UnitKind.ASSOCIATION:
            return context
        user = self.request.user
        personal_data = personal.may_see_personal_data(user, unit)
        members = list(selectors.association_members(user, unit)) if personal_data else []
        today = timezone.localdate()
        context.update(
            association=True,
            members_by_year=selectors.members_by_year(unit, today=today),
            personal_data=personal_data,
            members=[(member, member_current(member, today)) for member in members],
            # A member is owned by its association's province: the user may add one where they may add a record
            # of that province (the scope policy decides from the association's own `owning_province`).
            may_add_member=not unit.is_deleted and AssociationMember.scope_policy.allows(user, Action.ADD, unit),
            add_member_url=reverse("diplomacy:member_add") + "?" + urlencode({"association": unit.public_id}),
            members_excel_url=reverse("diplomacy:excel", kwargs={"kind": "members"}),
            members_filter=urlencode({"association": unit.public_id}),
        )
        return context


class UnitEditView(RegisterEditView):
    model = UnionUnit
    form_class = UnitForm


class UnitDeleteView(RegisterDeleteView):
    model = UnionUnit


class UnitRestoreView(RegisterRestoreView):
    model = UnionUnit


# --- partnerships ------------------------------------------------------------------------------------------------


class PartnershipListView(RegisterListView):
    model = Partnership
    filterset_class = PartnershipFilterSet
    heading = gettext_lazy("Partnerships with foreign localities")
    add_url = "diplomacy:partnership_add"
    columns = [
        gettext_lazy("Foreign locality"),
        gettext_lazy("Country"),
        gettext_lazy("Vietnamese province"),
        gettext_lazy("Signed"),
        gettext_lazy("Status"),
    ]
    related = ("union", "owning_province", "country", "vietnamese_locality")
    default_ordering = "signed_on"

    def cells(self, partnership: Partnership) -> list[Any]:
        return [
            partnership.country.name,
            str(partnership.vietnamese_locality),
            _date(partnership.signed_on),
            partnership.get_status_display(),
        ]


class RenewalListView(RegisterListView):
    """Partnerships whose agreement ends: the expired and those ending within three months highlighted, filtered
    by when the renewal is due, country, province and union (the API's `/partnership-renewals/` is the same list)."""

    model = Partnership
    filterset_class = RenewalFilterSet
    heading = gettext_lazy("Agreements to renew")
    columns = [
        gettext_lazy("Foreign locality"),
        gettext_lazy("Country"),
        gettext_lazy("Vietnamese province"),
        gettext_lazy("Signed"),
        gettext_lazy("Last renewed"),
        gettext_lazy("Term ends"),
        gettext_lazy("Renewal"),
    ]
    ordering_fields = {"term_ends_on": "current_term_ends_on", "signed_on": "signed_on"}
    default_ordering = "current_term_ends_on"

    def base_queryset(self) -> QuerySet[Any]:
        return selectors.renewals()

    def cells(self, partnership: selectors.PartnershipWithTerm) -> list[Any]:
        return [
            partnership.country.name,
            str(partnership.vietnamese_locality),
            _date(partnership.signed_on),
            _date(partnership.last_renewed_on),
            _date(partnership.current_term_ends_on),
        ]

    def mark(self, partnership: selectors.PartnershipWithTerm) -> RowMark:
        state = selectors.renewal_state(partnership, timezone.localdate())
        if state == selectors.RENEWAL_EXPIRED:
            return RowMark(state, _("Expired"), "table-danger", "text-bg-danger")
        if state == selectors.RENEWAL_SOON:
            return RowMark(state, _("Due soon"), "table-warning", "text-bg-warning")
        return RowMark(state, _("Later"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["note"] = ngettext(
            "Active partnerships whose agreement's term in force (the latest renewal's, else the term as signed) has "
            "an end, the first to end first. Expired agreements and those ending within %(days)s day are marked.",
            "Active partnerships whose agreement's term in force (the latest renewal's, else the term as signed) has "
            "an end, the first to end first. Expired agreements and those ending within %(days)s days are marked.",
            selectors.RENEWAL_SOON_DAYS,
        ) % {"days": selectors.RENEWAL_SOON_DAYS}
        context["empty"] = _("No agreement to renew matches.")
        return context


class PartnershipDetailView(RegisterDetailView):
    """A partnership with its agreement — the term as signed and the term in force (`selectors.with_agreement_term`)
    —, the renewals of the agreement with a form to record one, and the events and delegations linked to it."""

    model = Partnership
    template_name = "diplomacy/partnership_detail.html"
    heading = gettext_lazy("Partnership")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:partnership_list",
        "diplomacy:partnership_edit",
        "diplomacy:partnership_delete",
        "diplomacy:partnership_restore",
    )

    def base_queryset(self) -> QuerySet[selectors.PartnershipWithTerm]:
        related = ("owning_province", "old_province", "union", "country", "vietnamese_locality")
        return selectors.with_agreement_term(Partnership.all_objects.select_related(*related))

    def rows(self, p: selectors.PartnershipWithTerm) -> list[tuple[Any, Any]]:
        return [
            (_("Union"), p.union),
            (_("Vietnamese province"), str(p.vietnamese_locality)),
            (_("Foreign locality"), f"{p.foreign_locality} ({p.get_level_display()})"),
            (_("Country"), p.country.name),
            (_("Agreement signed on"), _date(p.signed_on)),
            (_("Signatories"), p.signatories or "—"),
            (_("Agreement document"), p.agreement_reference or "—"),
            (_("Term ends on (as signed)"), _date(p.term_ends_on)),
            (_("Last renewed on"), _date(p.last_renewed_on)),
            (_("Term in force ends on"), _date(p.current_term_ends_on)),
            (_("Areas of cooperation"), p.areas or "—"),
            (_("Status"), p.get_status_display()),
            (_("Organisations taking part"), _names(p.organisations.all())),
            (_("Aid items"), _names(p.aid_items.all())),
            *_province_rows(p),
        ]

    def sections(self, p: Partnership) -> list[dict[str, Any]]:
        return [
            {
                "heading": _("Events"),
                "header": [_("Date"), _("Event")],
                "rows": [[_date(e.start_date), e] for e in p.events.all()],
            },
            {
                "heading": _("Delegations"),
                "header": [_("Date"), _("Delegation")],
                "rows": [[_date(d.start_date), d] for d in p.delegations.all()],
            },
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        partnership, user = self.object, self.request.user
        may_add = not partnership.is_deleted and AgreementRenewal.scope_policy.allows(user, Action.ADD, partnership)
        context.update(
            renewals=selectors.agreement_renewals(user, partnership),
            renewal_form=RenewalForm(user=user, partnership=partnership) if may_add else None,
        )
        return context


class PartnershipEditView(RegisterEditView):
    model = Partnership
    form_class = PartnershipForm


class PartnershipDeleteView(RegisterDeleteView):
    model = Partnership


class PartnershipRestoreView(RegisterRestoreView):
    model = Partnership


# --- renewals of agreements ----------------------------------------------------------------------------------------


class RenewalDetailView(RegisterDetailView):
    """A renewal of an agreement: its page holds its history, and its edit, delete and restore; the partnership's
    page stands for the list."""

    model = AgreementRenewal
    heading = gettext_lazy("Renewal of the agreement")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:renewals",
        "diplomacy:agreement_renewal_edit",
        "diplomacy:agreement_renewal_delete",
        "diplomacy:agreement_renewal_restore",
    )

    def base_queryset(self) -> QuerySet[AgreementRenewal]:
        related = ("partnership", "partnership__country", "document", "owning_province", "old_province")
        return AgreementRenewal.all_objects.select_related(*related)

    def rows(self, r: AgreementRenewal) -> list[tuple[Any, Any]]:
        document = selectors.readable_document(self.request.user, r)
        return [
            (_("Partnership"), f"{r.partnership} ({r.partnership.country.name})"),
            (_("Renewed on"), _date(r.renewed_on)),
            (_("New term ends on"), _date(r.term_ends_on)),
            (_("Term in years"), r.term_years or "—"),
            (_("Signatories"), r.signatories or "—"),
            (_("Renewal document"), document or "—"),
            (_("Notes"), r.notes or "—"),
            *_province_rows(r),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(heading=self.object.partnership, list_url=self.object.partnership.get_absolute_url())
        return context


class RenewalEditView(RegisterEditView):
    """Record a renewal (from the partnership's page, or `?partnership=<id>`) or change one; back to the
    partnership's page once saved."""

    model = AgreementRenewal
    form_class = RenewalForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        partnership = None
        if instance is None:
            try:
                wanted = uuid.UUID(request.GET.get("partnership", ""))
            except ValueError:
                wanted = None
            kept = Partnership.objects.restrict(request.user, Action.CHANGE)
            partnership = kept.filter(public_id=wanted).first() if wanted is not None else None
        return self.render_form(
            self.form_class(instance=instance, user=request.user, partnership=partnership), instance
        )

    def saved_url(self, saved: BaseModel) -> str:
        assert isinstance(saved, AgreementRenewal)
        return saved.partnership.get_absolute_url() + "#renewals"


class RenewalDeleteView(RegisterDeleteView):
    model = AgreementRenewal


class RenewalRestoreView(RegisterRestoreView):
    model = AgreementRenewal


# --- events --------------------------------------------------------------------------------------------------------


class EventListView(RegisterListView):
    excel_kind = "events"
    model = Event
    filterset_class = EventFilterSet
    heading = gettext_lazy("Events and activities")
    add_url = "diplomacy:event_add"
    columns = [
        gettext_lazy("Title"),
        gettext_lazy("Type"),
        gettext_lazy("Dates"),
        gettext_lazy("Place"),
        gettext_lazy("Participants"),
    ]
    default_ordering = "-start_date"
    ordering_fields = {"date": "start_date", "title": "title"}

    def cells(self, event: Event) -> list[Any]:
        dates = _date(event.start_date) + (f" – {_date(event.end_date)}" if event.end_date else "")
        participants = _("%(vn)s Vietnamese, %(foreign)s foreign") % {
            "vn": event.vietnamese_participants,
            "foreign": event.foreign_participants,
        }
        return [event.get_event_type_display(), dates, event.place or "—", participants]


class EventDetailView(RegisterDetailView):
    model = Event
    template_name = "diplomacy/event_detail.html"
    heading = gettext_lazy("Event")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:event_list",
        "diplomacy:event_edit",
        "diplomacy:event_delete",
        "diplomacy:event_restore",
    )

    def rows(self, e: Event) -> list[tuple[Any, Any]]:
        return [
            (_("Union"), e.union),
            (_("Type"), e.get_event_type_display()),
            (_("Title (English)"), e.title_en or "—"),
            (_("Dates"), _date(e.start_date) + (f" – {_date(e.end_date)}" if e.end_date else "")),
            (_("Place"), e.place or "—"),
            (_("Organising units and associations"), _names(e.organising_units.all())),
            (_("Partnerships"), _names(e.partnerships.all())),
            (_("Foreign countries"), _names(c.name for c in e.countries.all())),
            (_("Foreign partners"), _names(e.organisations.all())),
            (_("Vietnamese participants"), e.vietnamese_participants),
            (_("Foreign participants"), e.foreign_participants),
            (_("Aid items"), _names(e.aid_items.all())),
            (_("Description"), e.description or "—"),
            (_("Outcome"), e.outcome or "—"),
            (_("On the public page"), _("Yes") if e.public else _("No")),
            *_province_rows(e),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["attachments"] = list(self.object.attachments.all())
        return context


class EventEditView(RegisterEditView):
    model = Event
    form_class = EventForm

    def create(self, *, form: Any) -> BaseModel:
        with transaction.atomic():  # the event and its file, or neither
            event = super().create(form=form)
            self.add_attachment(form, event)
        return event

    def update(self, *, instance: BaseModel, form: Any, expected_version: int) -> BaseModel:
        with transaction.atomic():  # the event and its file, or neither
            event = super().update(instance=instance, form=form, expected_version=expected_version)
            self.add_attachment(form, event)
        return event

    def add_attachment(self, form: Any, event: Any) -> None:
        upload = form.cleaned_data.get("photos")
        if not upload:
            return
        kind = form.cleaned_data.get("attachment_kind") or AttachmentKind.PHOTO
        try:
            services.event_attachments_add(
                user=self.request.user,
                event=event,
                uploads=[services.Upload(upload, kind, form.cleaned_data.get("attachment_caption", ""))],
            )
        except ValidationError as exc:  # shown on the file field
            raise ValidationError({"photos": exc.messages}) from exc


class EventDeleteView(RegisterDeleteView):
    model = Event


class EventRestoreView(RegisterRestoreView):
    model = Event


class AttachmentView(LoginRequiredMixin, View):
    """An event's file, to those who may see the event (its scope policy), never by a media URL."""

    def get(self, request: HttpRequest, public_id: str, pk: int) -> HttpResponseBase:
        event = get_object_or_404(Event.objects.restrict(request.user, Action.VIEW), public_id=public_id)
        attachment = get_object_or_404(EventAttachment, event=event, pk=pk)
        return attachment.response()


class AttachmentRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
        event = get_object_or_404(Event.objects.restrict(request.user, Action.VIEW), public_id=public_id)
        attachment = get_object_or_404(EventAttachment, event=event, pk=pk)
        services.event_attachment_remove(user=request.user, attachment=attachment)
        messages.success(request, _("The file was removed."))
        return HttpResponseRedirect(event.get_absolute_url())


# --- delegations -----------------------------------------------------------------------------------------------------


class DelegationListView(RegisterListView):
    excel_kind = "delegations"
    model = Delegation
    filterset_class = DelegationFilterSet
    heading = gettext_lazy("Delegations")
    add_url = "diplomacy:delegation_add"
    columns = [
        gettext_lazy("Delegation"),
        gettext_lazy("Direction"),
        gettext_lazy("Country"),
        gettext_lazy("Dates"),
        gettext_lazy("Members"),
    ]
    related = ("union", "owning_province", "country")
    default_ordering = "-start_date"

    def cells(self, d: Delegation) -> list[Any]:
        return [d.get_direction_display(), d.country.name, f"{_date(d.start_date)} – {_date(d.end_date)}", d.size]


class DelegationDetailView(RegisterDetailView):
    model = Delegation
    heading = gettext_lazy("Delegation")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:delegation_list",
        "diplomacy:delegation_edit",
        "diplomacy:delegation_delete",
        "diplomacy:delegation_restore",
    )

    def rows(self, d: Delegation) -> list[tuple[Any, Any]]:
        permit = "—"
        if d.direction == Direction.OUTGOING and d.permit_number:
            permit = f"{d.permit_number}, {_date(d.permit_date)}, {d.permit_authority}"
        return [
            (_("Union"), d.union),
            (_("Direction"), d.get_direction_display()),
            (_("Country"), d.country.name),
            (_("Organisation or locality"), d.counterpart),
            (_("Partnership"), d.partnership or "—"),
            (_("Head of delegation"), f"{d.head_name} — {d.head_title}" if d.head_name else "—"),
            (_("Members"), d.size),
            (_("Dates"), f"{_date(d.start_date)} – {_date(d.end_date)}"),
            (_("Purpose"), d.purpose or "—"),
            (_("Hosts"), d.hosts or "—"),
            (_("Outcome"), d.outcome or "—"),
            (_("Permitting decision"), permit),
            (_("Events"), _names(d.events.all())),
            (_("Aid items"), _names(d.aid_items.all())),
            *_province_rows(d),
        ]

    def sections(self, d: Delegation) -> list[dict[str, Any]]:
        return [
            {
                "heading": _("Programme"),
                "header": [_("Day"), _("Place"), _("Programme")],
                "rows": [[_date(day.day), day.place, day.programme] for day in d.days.all()],
            }
        ]


class DelegationEditView(RegisterEditView):
    model = Delegation
    form_class = DelegationForm


class DelegationDeleteView(RegisterDeleteView):
    model = Delegation


class DelegationRestoreView(RegisterRestoreView):
    model = Delegation


# --- visitors and volunteers ---------------------------------------------------------------------------------------


class VisitorListView(RegisterListView):
    excel_kind = "visitors"
    model = Visitor
    filterset_class = VisitorFilterSet
    heading = gettext_lazy("International visitors and volunteers")
    add_url = "diplomacy:visitor_add"
    columns = [
        gettext_lazy("Name or group"),
        gettext_lazy("Kind"),
        gettext_lazy("People"),
        gettext_lazy("Nationality"),
        gettext_lazy("Period"),
        gettext_lazy("Status"),
    ]
    related = ("union", "owning_province", "nationality")
    default_ordering = "-start_date"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["note"] = _(
            "Names are shown only to the staff of the province that keeps the record; others see counts."
        )
        return context

    def cells(self, v: Visitor) -> list[Any]:
        return [
            v.get_kind_display(),
            v.group_size,
            v.nationality.name,
            f"{_date(v.start_date)} – {_date(v.end_date)}",
            v.get_status_display(),
        ]


def visitor_label(user: Any, visitor: Visitor) -> str:
    """How a visitor is named to this user: the person's name for the owning province's staff, else the group."""
    if visitor.full_name and personal.may_see_personal_data(user, visitor):
        return visitor.full_name
    return visitor.group_name or _("%(kind)s from %(country)s") % {
        "kind": visitor.get_kind_display(),
        "country": visitor.nationality.name,
    }


class PersonalDataDetailView(RegisterDetailView):
    """The page of a record about a person: its personal fields, and its history (which shows each change's
    values), only for those who may read them (`personal.may_see_personal_data`)."""

    def may_see_personal_data(self, record: Any) -> bool:
        return personal.may_see_personal_data(self.request.user, record)

    def history(self, instance: BaseModel) -> list[Any]:
        if self.may_see_personal_data(instance):
            return super().history(instance)
        return []


class VisitorDetailView(PersonalDataDetailView):
    model = Visitor
    heading = gettext_lazy("Visitor or volunteer")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:visitor_list",
        "diplomacy:visitor_edit",
        "diplomacy:visitor_delete",
        "diplomacy:visitor_restore",
    )

    def rows(self, v: Visitor) -> list[tuple[Any, Any]]:
        rows: list[tuple[Any, Any]] = [
            (_("Union"), v.union),
            (_("Kind"), v.get_kind_display()),
            (_("Group"), v.group_name or "—"),
            (_("People"), v.group_size),
        ]
        if self.may_see_personal_data(v):
            rows += [
                (_("Full name"), v.full_name or "—"),
                (_("Date of birth"), _date(v.date_of_birth)),
                (_("Passport number"), v.passport_number or "—"),
                (_("Contacts"), " · ".join(x for x in (v.email, v.phone) if x) or "—"),
            ]
        if v.personal_data_removed_on:
            rows.append((_("Personal data removed on"), _date(v.personal_data_removed_on)))
        return [
            *rows,
            (_("Nationality"), v.nationality.name),
            (_("Sending organisation"), v.sending_organisation or "—"),
            (_("Host placement"), v.host_placement or "—"),
            (_("Field"), v.field or "—"),
            (_("Period"), f"{_date(v.start_date)} – {_date(v.end_date)}"),
            (_("Status"), v.get_status_display()),
            *_province_rows(v),
        ]


class VisitorEditView(RegisterEditView):
    model = Visitor
    form_class = VisitorForm


class VisitorDeleteView(RegisterDeleteView):
    model = Visitor


class VisitorRestoreView(RegisterRestoreView):
    model = Visitor


# --- individual members of associations ---------------------------------------------------------------------------


def member_current(member: AssociationMember, today: date) -> bool:
    return member.left_on is None or member.left_on > today


class MemberDetailView(PersonalDataDetailView):
    """A member of an association: its name, contacts and history for the owning province's staff; its role and
    dates for everyone who may see it. Reached from its association's page, which stands for the list."""

    model = AssociationMember
    heading = gettext_lazy("Individual members")
    list_url, edit_url, delete_url, restore_url = (
        "diplomacy:unit_list",
        "diplomacy:member_edit",
        "diplomacy:member_delete",
        "diplomacy:member_restore",
    )

    def base_queryset(self) -> QuerySet[AssociationMember]:
        return AssociationMember.all_objects.select_related("association", "owning_province", "old_province")

    def rows(self, m: AssociationMember) -> list[tuple[Any, Any]]:
        rows: list[tuple[Any, Any]] = [(_("Association"), m.association)]
        if self.may_see_personal_data(m):
            rows += [
                (_("Full name"), m.full_name or "—"),
                (_("Gender"), m.get_gender_display() or "—"),
                (_("Year of birth"), m.birth_year or "—"),
                (_("Occupation or workplace"), m.occupation or "—"),
                (_("Contacts"), " · ".join(x for x in (m.email, m.phone) if x) or "—"),
                (_("Notes"), m.notes or "—"),
            ]
        if m.personal_data_removed_on:
            rows.append((_("Personal data removed on"), _date(m.personal_data_removed_on)))
        return [
            *rows,
            (_("Role in the association"), m.get_role_display()),
            (_("Joined on"), _date(m.joined_on)),
            (_("Left on"), _date(m.left_on)),
            *_province_rows(m),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        member = self.object
        context.update(
            heading=member.association,
            list_url=member.association.get_absolute_url(),
            record_label=member.full_name if member.full_name and self.may_see_personal_data(member) else "",
            leave_url=reverse("diplomacy:member_leave", kwargs={"public_id": member.public_id})
            if member_current(member, timezone.localdate())
            else "",
        )
        return context


class MemberEditView(RegisterEditView):
    model = AssociationMember
    form_class = MemberForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """A new member of the association the page came from (`?association=`), when the user keeps it."""
        instance = self.get_instance()
        form = self.form_class(instance=instance, user=request.user)
        try:
            wanted = uuid.UUID(request.GET.get("association", ""))
        except ValueError:
            wanted = None
        if instance is None and wanted is not None:
            choices = form_field(form, "association", forms.ModelChoiceField).queryset
            found = choices.filter(public_id=wanted).first() if choices is not None else None
            if found is not None:
                form.initial["association"] = found.pk
        return self.render_form(form, instance)


class MemberLeaveView(RegisterEditView):
    """Record that a member left the association: the day, checked by the members' service (not before joining)."""

    model = AssociationMember
    form_class = MemberLeaveForm

    def render_form(self, form: Any, instance: BaseModel | None, status: int = 200, **extra: Any) -> HttpResponse:
        return super().render_form(form, instance, status, form_heading=_("The member leaves the association"), **extra)

    def update(self, *, instance: BaseModel, form: Any, expected_version: int) -> BaseModel:
        assert isinstance(instance, AssociationMember)
        return services.member_leave(
            user=self.request.user, member=instance, on=form.cleaned_data["left_on"], expected_version=expected_version
        )


class MemberDeleteView(RegisterDeleteView):
    model = AssociationMember


class MemberRestoreView(RegisterRestoreView):
    model = AssociationMember


# --- calendar --------------------------------------------------------------------------------------------------------


CALENDAR_FIELDS = ("public_id", "title", "event_type", "start_date", "end_date", "place")


class CalendarView(LoginRequiredMixin, TemplateView):
    """The events of a month, as a grid (Monday first) and as a list, with the filters of the event list."""

    template_name = "diplomacy/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = CalendarMonthForm(self.request.GET or None)
        month = timezone.localdate().replace(day=1)
        if form.is_bound and form.is_valid() and form.cleaned_data.get("month"):
            month = form.cleaned_data["month"].replace(day=1)
        last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        events = selectors.events_between(self.request.user, month - timedelta(days=7), last + timedelta(days=7))
        filterset = EventFilterSet(self.request.GET, queryset=events, request=self.request)
        events = filterset.qs if filterset.is_valid() else events
        events_list = list(events.only(*CALENDAR_FIELDS))
        in_month = [e for e in events_list if e.start_date <= last and (e.end_date or e.start_date) >= month]
        context.update(
            form=form,
            filterset=filterset,
            month=month,
            previous=(month - timedelta(days=1)).strftime("%Y-%m"),
            next=(last + timedelta(days=1)).strftime("%Y-%m"),
            weeks=selectors.month_weeks(month.year, month.month, events_list),
            events=in_month[: selectors.MONTH_LISTED],
            events_count=len(in_month),
            month_list_url=reverse("diplomacy:event_list")
            + f"?date_from={month.isoformat()}&date_to={last.isoformat()}",
            may_add=Event.scope_policy.allows(self.request.user, Action.ADD),
        )
        return context


class CalendarFeedView(LoginRequiredMixin, View):
    """The user's private calendar feed: issue a new address (the old one stops working) or revoke it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "diplomacy/calendar_feed.html", {"has_feed": feed.has_feed(request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("Your calendar address no longer works."))
            return HttpResponseRedirect(reverse("diplomacy:calendar_feed"))
        token = services.calendar_feed_issue(user=request.user)
        address = request.build_absolute_uri(reverse("diplomacy:calendar_ics", kwargs={"token": token}))
        return render(request, "diplomacy/calendar_feed.html", {"has_feed": True, "address": address})


def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed: no session (a calendar program has none), the token names the user whose scope applies."""
    user = feed.user_for_token(token)
    if user is None:
        raise Http404
    return HttpResponse(
        feed.ics_for(user, today=timezone.localdate()),
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="amity-diplomacy.ics"', "Cache-Control": "private"},
    )


# --- dashboard and period report -------------------------------------------------------------------------------------


def _period_from(request: HttpRequest) -> tuple[date, date, dict[str, str]]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    first, last = date(today.year - 6, 1, 1), date(today.year, 12, 31)
    for name in ("date_from", "date_to"):
        raw = request.GET.get(name, "")
        if raw:
            try:
                value = date.fromisoformat(raw)
            except ValueError:
                errors[name] = _("Enter a date as YYYY-MM-DD.")
                continue
            if name == "date_from":
                first = value
            else:
                last = value
    if first > last:
        errors["date_to"] = _("The end date is before the start date.")
    return first, last, errors


def area_from(request: HttpRequest) -> tuple[selectors.Area, dict[str, str]]:
    code, era = request.GET.get("province", ""), request.GET.get("era", "2025")
    if not code:
        return selectors.Area(), {}
    province = AdministrativeUnit.objects.filter(level="province", era=era, code=code).first()
    if province is None:
        return selectors.Area(), {"province": _("Unknown province for this era.")}
    return selectors.Area(province), {}


def _dashboard_spec(request: HttpRequest) -> tuple[date, date, selectors.Area, dict[str, str]]:
    """The dashboard's parameters from the URL (its spec: period, era and province), with an error per bad one."""
    first, last, errors = _period_from(request)
    area, area_errors = area_from(request)
    errors.update(area_errors)
    return first, last, area, errors


class DashboardView(LoginRequiredMixin, TemplateView):
    """The register's figures for a period against the previous one, for a province (either era) or the country;
    each figure links to its records, the main ones drawn as charts; the same figures download as XLSX or CSV with
    the page's parameters (`DashboardExportView`)."""

    template_name = "diplomacy/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        first, last, area, errors = _dashboard_spec(self.request)
        if errors:
            context.update(errors=errors)
            first, last = date(timezone.localdate().year - 6, 1, 1), date(timezone.localdate().year, 12, 31)
        board = exports.dashboard(user, date_from=first, date_to=last, area=area)
        spec = urlencode({**board.current.area.params, **_period_params(first, last)})
        context.update(
            figures=board.current,
            previous=board.previous,
            compared=board.compared,
            countries=board.countries,
            differ=[(row.year, differ) for row in board.current.members_by_year for differ in row.differ],
            national=is_national(user) and area.province is None,
            provinces=selectors.province_choices(user),
            params=self.request.GET,
            charts={key: Chart(f"chart-{key}", data) for key, data in exports.charts(board.current).items()},
            spec=spec,
        )
        return context


def _period_params(first: date, last: date) -> dict[str, str]:
    return {"date_from": first.isoformat(), "date_to": last.isoformat()}


class DashboardExportView(LoginRequiredMixin, View):
    """The dashboard's figures as XLSX or CSV (`?format=`), with the dashboard's parameters; a bad one is a 400
    naming it (the link was built by hand or by a script), never the default period in its place."""

    def get(self, request: HttpRequest) -> HttpResponse:
        fmt = request.GET.get("format", "xlsx")
        first, last, area, errors = _dashboard_spec(request)
        if fmt not in exports.FORMATS:
            errors["format"] = _("Unknown format “%(value)s”; use xlsx or csv.") % {"value": fmt}
        if errors:
            lines = [_("The export was not made: correct these parameters.")]
            lines += [f"{name}: {message}" for name, message in errors.items()]
            return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")
        board = exports.dashboard(request.user, date_from=first, date_to=last, area=area)
        if fmt == "csv":
            content, content_type = exports.csv_bytes(board, request.user), exports.CSV
        else:
            content, content_type = exports.xlsx_bytes(board, request.user), exports.XLSX
        name = exports.filename(board, fmt)
        return HttpResponse(
            content, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )


class ReportView(RecordDetailView[Union]):
    """The union's period report: DOCX (the Vietnamese administrative layout) or its XLSX annex."""

    model = Union

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        union = self.get_object()
        first, last, errors = _period_from(request)
        if errors or "date_from" not in request.GET:
            first, last = date(2018, 1, 1), date(2024, 12, 31)
        rate = request.GET.get("rate", "")
        try:
            if request.GET.get("format") == "xlsx":
                built = report.union_report(
                    request.user, union, date_from=first, date_to=last, vnd_per_usd=rate or None
                )
                return report.xlsx_response(built)
            return report.docx_response(request.user, union, date_from=first, date_to=last, vnd_per_usd=rate or None)
        except ValueError as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


# --- Excel: templates, exports, all-or-nothing uploads ----------------------------------------------------------------


def _workbook_response(workbook: Any, name: str) -> HttpResponse:
    stream = io.BytesIO()
    workbook.save(stream)
    return HttpResponse(
        stream.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _excel_context(kind: str, **extra: Any) -> dict[str, Any]:
    found = excel.KINDS[kind]
    return {"kind": kind, "title": found.spec.title, "personal_note": found.personal_note, **extra}


class ExcelView(LoginRequiredMixin, View):
    """GET: the page with the template, the export of the list's filters and the upload form; `?file=template`
    or `?file=export` download. POST: check the file (the service's dry run) and, unless only checking, write it
    all or nothing."""

    def kind(self) -> str:
        kind = self.kwargs["kind"]
        if kind not in excel.KINDS:
            raise Http404
        return str(kind)

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        kind = self.kind()
        wanted = request.GET.get("file")
        if wanted == "template":
            return _workbook_response(excel.template(kind, request.user), f"amity-{kind}-template.xlsx")
        if wanted == "export":
            params = request.GET.copy()
            params.pop("file", None)
            try:
                workbook = excel.export(kind, request.user, params, request)
            except ValidationError as exc:
                return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
            return _workbook_response(workbook, f"amity-{kind}.xlsx")
        return render(request, "diplomacy/excel.html", _excel_context(kind))

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        kind = self.kind()
        upload = request.FILES.get("file")
        if upload is None:
            return render(request, "diplomacy/excel.html", _excel_context(kind, missing=True), status=400)
        write = request.POST.get("check_only") != "1"
        result = excel.upload(kind, upload, request.user, write=write)
        problems = [{**item, "text": problem_text(item)} for item in result.problems]
        context = _excel_context(kind, result=result, problems=problems)
        return render(request, "diplomacy/excel.html", context, status=400 if result.problems else 200)
