"""Forms of the register's pages. Forms only read input: choices come from `restrict`, and the services save.
A record's parts are typed as lines (a unit's member counts, a delegation's programme days) and handed on as rows."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.aid.models import AidItem
from amity.core.forms import RecordForm, form_field
from amity.core.scoping import Action
from amity.documents.models import Document
from amity.documents.selectors import documents_linked_to
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit, Country

from .choices import AttachmentKind, UnionStatus, UnitKind
from .models import (
    AgreementRenewal,
    AssociationMember,
    Delegation,
    Event,
    Partnership,
    Union,
    UnionUnit,
    Visitor,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnionChoiceField(forms.ModelChoiceField[Union]):
    """The union a record is kept under. Offered (`queryset`): the unions the user keeps that are not merged, and
    the record's own. Read (`accepted`): any union the user keeps — a merged one sent by a page loaded before the
    merger reaches the service, which refuses it with a message naming the new union rather than "not one of the
    available choices"."""

    def __init__(self, *, accepted: QuerySet[Union], **kwargs: Any) -> None:
        self.accepted = accepted
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Union | None:
        if value in self.empty_values:
            return None
        try:
            return self.accepted.get(pk=value.pk if isinstance(value, Union) else value)
        except (ValueError, TypeError, Union.DoesNotExist):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


def _union_field(field: forms.ModelChoiceField[Any], user: Any, current: int | None) -> UnionChoiceField:
    kept = Union.objects.restrict(user, Action.CHANGE)
    offered = kept.filter(~Q(status=UnionStatus.MERGED) | Q(pk=current)).order_by("name")
    return UnionChoiceField(
        queryset=offered,
        accepted=kept,
        label=field.label,
        required=field.required,
        help_text=field.help_text,
        disabled=field.disabled,
    )


class _RegisterForm(RecordForm[Any]):
    """A record of a union: the unions offered are the open ones the user may keep records of."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                model = field.queryset.model
                if model is Union:
                    self.fields[name] = _union_field(field, self.user, getattr(self.instance, f"{name}_id", None))
                elif model is UnionUnit:
                    field.queryset = UnionUnit.objects.restrict(self.user, Action.VIEW).order_by("kind", "name")
                elif model is Partnership:
                    field.queryset = Partnership.objects.restrict(self.user, Action.VIEW).select_related("country")
                elif model is Organisation:
                    field.queryset = Organisation.objects.restrict(self.user, Action.VIEW).order_by("name")
                elif model is Event:
                    field.queryset = Event.objects.restrict(self.user, Action.VIEW).order_by("-start_date")
                elif model is Country:
                    field.queryset = Country.objects.order_by("name_en")
        if "union" in self.fields and self.instance.pk is None and not self.is_bound:
            choices = form_field(self, "union", forms.ModelChoiceField).queryset
            unions = list(choices[:2]) if choices is not None else []
            if len(unions) == 1:
                self.initial["union"] = unions[0].pk


class AidItemsField(forms.CharField):
    """Aid items by their public identifiers, one a line (the aid register has too many for a list)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "dir": "ltr"}))
        kwargs.setdefault("label", _("Linked aid items"))
        kwargs.setdefault(
            "help_text", _("The identifiers of the aid items, one a line (shown on each aid item's page).")
        )
        super().__init__(**kwargs)


def aid_items_from(text: str, user: Any) -> list[AidItem]:
    identifiers = []
    for line in text.split():
        try:
            identifiers.append(uuid.UUID(line.strip()))
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not an aid item identifier."), params={"value": line}
            ) from None
    found = list(AidItem.objects.restrict(user, Action.VIEW).filter(public_id__in=identifiers))
    if len(found) != len(set(identifiers)):
        raise forms.ValidationError(_("Some of these aid items do not exist or are not yours to see."))
    return found


class _WithAidItems(_RegisterForm):
    aid_item_ids = AidItemsField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["aid_item_ids"] = "\n".join(str(i.public_id) for i in self.instance.aid_items.all())

    def clean_aid_item_ids(self) -> list[AidItem]:
        return aid_items_from(self.cleaned_data.get("aid_item_ids", ""), self.user)

    def record_data(self) -> dict[str, Any]:
        data = super().record_data()
        data["aid_items"] = self.cleaned_data["aid_item_ids"]
        return data


class UnionForm(_RegisterForm):
    class Meta:
        model = Union
        fields = [
            "name",
            "name_en",
            "province",
            "founded_on",
            "organisation",
            "website",
            "website_opened_on",
            "address",
            "email",
            "phone",
        ]  # the status changes by the merger (`union_merge`), not by hand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "province", forms.ModelChoiceField).queryset = AdministrativeUnit.objects.filter(
            level="province"
        ).order_by("-era", "code")


def _lines(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in text.splitlines() if line.strip()]


class UnitForm(_RegisterForm):
    member_counts_text = forms.CharField(
        label=_("Members per year"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=_("One year a line: year | members, for example 2024 | 120."),
    )

    class Meta:
        model = UnionUnit
        fields = [
            "union",
            "kind",
            "name",
            "name_en",
            "partner_country",
            "partner_region",
            "founded_on",
            "founding_decision",
            "leader_name",
            "leader_title",
            "term",
            "email",
            "phone",
            "status",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["member_counts_text"] = "\n".join(
                f"{c.year} | {c.members}" for c in self.instance.member_counts.all()
            )

    def clean_member_counts_text(self) -> list[dict[str, Any]]:
        rows = []
        for parts in _lines(self.cleaned_data.get("member_counts_text", "")):
            try:
                year, members = int(parts[0]), int(parts[1])
            except (IndexError, ValueError):
                raise forms.ValidationError(_("Write each line as: year | members.")) from None
            rows.append({"year": year, "members": members})
        return rows

    def parts(self) -> list[dict[str, Any]]:
        return list(self.cleaned_data["member_counts_text"])


class PartnershipForm(_WithAidItems):
    class Meta:
        model = Partnership
        fields = [
            "union",
            "vietnamese_locality",
            "foreign_locality",
            "foreign_locality_vi",
            "country",
            "level",
            "signed_on",
            "signatories",
            "agreement_reference",
            "term_ends_on",
            "areas",
            "status",
            "organisations",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "vietnamese_locality", forms.ModelChoiceField).queryset = AdministrativeUnit.objects.filter(
            level="province"
        ).order_by("-era", "code")


class EventForm(_WithAidItems):
    photos = forms.FileField(
        label=_("Add a photo or document"),
        required=False,
        help_text=_("JPEG, PNG or WebP photos; PDF, Word, Excel or OpenDocument files."),
    )
    attachment_kind = forms.ChoiceField(label=_("Kind of file"), choices=AttachmentKind.choices, required=False)
    attachment_caption = forms.CharField(label=_("Caption"), required=False, max_length=500)

    class Meta:
        model = Event
        fields = [
            "union",
            "event_type",
            "title",
            "title_en",
            "start_date",
            "end_date",
            "place",
            "organising_units",
            "partnerships",
            "countries",
            "organisations",
            "vietnamese_participants",
            "foreign_participants",
            "description",
            "outcome",
            "public",
        ]


class DelegationForm(_WithAidItems):
    days_text = forms.CharField(
        label=_("Programme"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One day a line: date | place | programme, for example 2024-05-06 | Hải Dương | Visit to a school."
        ),
    )

    class Meta:
        model = Delegation
        fields = [
            "union",
            "direction",
            "country",
            "counterpart",
            "organisation",
            "partnership",
            "head_name",
            "head_title",
            "size",
            "start_date",
            "end_date",
            "purpose",
            "hosts",
            "outcome",
            "permit_number",
            "permit_date",
            "permit_authority",
            "events",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["days_text"] = "\n".join(
                f"{d.day.isoformat()} | {d.place} | {d.programme}" for d in self.instance.days.all()
            )

    def clean_days_text(self) -> list[dict[str, Any]]:
        rows = []
        for parts in _lines(self.cleaned_data.get("days_text", "")):
            try:
                day = date.fromisoformat(parts[0])
            except ValueError:
                raise forms.ValidationError(_("Write each line as: YYYY-MM-DD | place | programme.")) from None
            place, programme = (parts[1], " | ".join(parts[2:])) if len(parts) > 2 else ("", " | ".join(parts[1:]))
            rows.append({"day": day, "place": place, "programme": programme})
        return rows

    def parts(self) -> list[dict[str, Any]]:
        return list(self.cleaned_data["days_text"])


class VisitorForm(_RegisterForm):
    class Meta:
        model = Visitor
        fields = [
            "union",
            "kind",
            "group_name",
            "group_size",
            "full_name",
            "date_of_birth",
            "passport_number",
            "email",
            "phone",
            "nationality",
            "sending_organisation",
            "host_placement",
            "field",
            "start_date",
            "end_date",
            "status",
        ]


class MemberForm(_RegisterForm):
    """An individual member of an association; the associations offered are those the user keeps."""

    class Meta:
        model = AssociationMember
        fields = [
            "association",
            "full_name",
            "gender",
            "birth_year",
            "occupation",
            "email",
            "phone",
            "role",
            "joined_on",
            "left_on",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        associations = UnionUnit.objects.restrict(self.user, Action.CHANGE).filter(kind=UnitKind.ASSOCIATION)
        field = form_field(self, "association", forms.ModelChoiceField)
        field.queryset = associations.order_by("name")
        if self.instance.pk is None and not self.is_bound:
            only = list(field.queryset[:2])
            if len(only) == 1:
                self.initial.setdefault("association", only[0].pk)


class MemberLeaveForm(_RegisterForm):
    """The day a member left the association."""

    class Meta:
        model = AssociationMember
        fields = ["left_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["left_on"].required = True
        if not self.is_bound and self.instance.left_on is None:
            self.initial["left_on"] = timezone.localdate()


class RenewalForm(_RegisterForm):
    """A renewal of a partnership's agreement. The partnerships offered are those the user keeps (fixed, and not
    shown, when the form is the partnership page's own); the documents offered are those linked to the partnership
    that the user may read (its Documents panel)."""

    class Meta:
        model = AgreementRenewal
        fields = ["partnership", "renewed_on", "term_ends_on", "term_years", "signatories", "document", "notes"]
        widgets = {"signatories": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, partnership: Partnership | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = form_field(self, "partnership", forms.ModelChoiceField)
        choice.queryset = (
            Partnership.objects.restrict(self.user, Action.CHANGE)
            .select_related("country")
            .order_by("foreign_locality")
        )
        if self.instance.pk is not None:
            partnership = self.instance.partnership
            choice.disabled = True  # a renewal stays with its partnership
        elif partnership is not None:
            self.initial["partnership"] = partnership.pk
            choice.widget = forms.HiddenInput()
        else:
            partnership = self._chosen(choice)
        document = form_field(self, "document", forms.ModelChoiceField)
        document.queryset = (
            Document.objects.none() if partnership is None else documents_linked_to(user=self.user, record=partnership)
        )
        document.help_text = _(
            "A document linked to the partnership: link it in the partnership's Documents panel first."
        )

    def _chosen(self, choice: forms.ModelChoiceField[Any]) -> Partnership | None:
        """The partnership a new renewal's form was sent for or opened with, among those offered."""
        wanted = self.data.get(self.add_prefix("partnership")) if self.is_bound else self.initial.get("partnership")
        if not wanted or not str(wanted).isdigit() or choice.queryset is None:
            return None
        found: Partnership | None = choice.queryset.filter(pk=int(wanted)).first()
        return found


class CalendarMonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), required=False, input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )
