"""Forms of the aid register: the aid item with its inline parts (sector, location and participant shares),
transactions, and the small forms of the lifecycle actions. Forms validate input; the services decide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet, formset_factory
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.forms import FilterableSelect, RecordForm, add_service_errors
from amity.core.money import HUNDRED
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, CodelistItem, Currency

from . import rules, selectors
from .choices import BeneficiaryGroup, ParticipantRole
from .models import AidItem, LocationSplit, Transaction
from .services import AidItemParts, LocationShare, Participation, SectorShare

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERCENT_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "class": "text-end"})


class CodeAndNameChoiceField(forms.ModelChoiceField[Currency | CodelistItem]):
    """A choice of reference rows labelled "code — name" (currencies, sectors)."""

    def label_from_instance(self, obj: Currency | CodelistItem) -> str:
        return f"{obj.code} — {obj.name}"


class SectorChoiceIterator(forms.models.ModelChoiceIterator[CodelistItem]):
    """The 5-digit sectors grouped by their DAC 3-digit category (an <optgroup> each, in the active language),
    so that the filter of the drop-down also finds a sector by its category's name."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list[tuple[Any, str]]] = {}
        for sector in self.queryset.select_related("category"):
            category = sector.category
            groups.setdefault(f"{category.code} {category.name}" if category else "", []).append(self.choice(sector))
        for label, choices in groups.items():
            if label:
                yield (label, choices)
            else:
                yield from choices


class SectorChoiceField(forms.ModelChoiceField[CodelistItem]):
    """A 5-digit sector, "code — name", grouped by category, in a drop-down with a search box."""

    iterator = SectorChoiceIterator
    widget = FilterableSelect

    def label_from_instance(self, obj: CodelistItem) -> str:
        return f"{obj.code} — {obj.name}"


def currency_field(*, required: bool, label: Any) -> CodeAndNameChoiceField:
    return CodeAndNameChoiceField(queryset=Currency.objects.order_by("code"), required=required, label=label)


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Narrow a model choice field to `queryset` (a scoped or filtered list)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- aid item ------------------------------------------------------------------------------------------------


class AidItemForm(RecordForm[AidItem]):
    # Laid out across the whole page width; the other fields share a row.
    wide_fields = ("title_vi", "title_en", "description", "beneficiaries")

    beneficiaries = forms.MultipleChoiceField(
        label=_("Beneficiary groups"),
        choices=BeneficiaryGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AidItem
        fields = [
            "modality",
            "is_relief",
            "title_vi",
            "title_en",
            "reference",
            "iati_identifier",
            "description",
            "owning_province",
            "managing_agency",
            "aid_owner",
            "planned_start",
            "planned_end",
            "counterpart_amount",
            "counterpart_currency",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "planned_start": DATE_INPUT,
            "planned_end": DATE_INPUT,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = AdministrativeUnit.objects.filter(level="province", era=Era.CURRENT).order_by("code")
        if self.user is not None and getattr(self.user, "is_provincial", False):
            # A province records aid for itself only.
            provinces = provinces.filter(pk__in=self.user.jurisdictions.values("pk"))
        limit_choices(self, "owning_province", provinces)
        self.preselect_own_province("owning_province")
        organisations = Organisation.objects.restrict(self.user, "view").order_by("name")
        limit_choices(self, "managing_agency", organisations)
        limit_choices(self, "aid_owner", organisations)
        self.fields["counterpart_currency"] = currency_field(
            required=False, label=self.fields["counterpart_currency"].label
        )
        if self.instance.pk and not self.is_bound:
            self.initial["beneficiaries"] = [row.group for row in self.instance.beneficiaries.all()]


class PartForm(forms.Form):
    """One row of an inline part. Every row form takes the acting user (for scoped choice lists) and the
    choice lists its formset already read, so that a page of rows reads each list once."""

    def __init__(
        self, *args: Any, user: Any = None, shared_choices: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.limit_choices()
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and shared_choices is not None:
                if name not in shared_choices:
                    # The stub's getter allows what only the setter takes (a Choices class, a callable).
                    shared_choices[name] = list(field.choices)  # type: ignore[arg-type]
                field.choices = shared_choices[name]

    def limit_choices(self) -> None:
        """Narrow the model choice fields for `self.user`."""


class BasePartFormSet(BaseFormSet[PartForm]):
    """Rows of one part. New rows left empty are ignored; rows ticked "delete" are dropped."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        self.shared_choices: dict[str, Any] = {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "user": self.user, "shared_choices": self.shared_choices}

    def kept_forms(self) -> list[forms.Form]:
        """The rows that remain after the user's deletions, empty rows left out."""
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed()) and not form.cleaned_data.get("DELETE")
        ]


class SectorShareForm(PartForm):
    sector = SectorChoiceField(
        label=_("Sector"),
        queryset=CodelistItem.objects.of("Sector").active().order_by("code"),
        help_text=_("OECD-DAC 5-digit purpose code."),
    )
    percentage = forms.DecimalField(
        label=_("Percentage"), max_digits=5, decimal_places=2, min_value=0, max_value=100, widget=PERCENT_INPUT
    )


class LocationShareForm(PartForm):
    """A province or commune of either era: 14,000 communes do not fit a drop-down, so the field takes a code
    or a name and asks the server for matching units as the user types (htmx fills a shared datalist, the
    user's provinces first, and shows below the field the unit it names, warning when it lies outside them)."""

    era = forms.ChoiceField(label=_("Era"), choices=Era.choices, initial=Era.CURRENT)
    unit = forms.CharField(
        label=_("Province or commune"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "list": "aid-unit-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("aid:unit_options"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#aid-unit-options",
                "hx-include": "closest .aid-part-row",
                "hx-sync": "this:replace",
            }
        ),
        help_text=_("Type a name, with or without accents, or a code; your provinces come first."),
    )
    percentage = forms.DecimalField(
        label=_("Percentage"), max_digits=5, decimal_places=2, min_value=0, max_value=100, widget=PERCENT_INPUT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shown below the field, so that the user sees which unit it names and where that lies.
        self.unit_object: AdministrativeUnit | None = self.initial.get("unit_object")
        self.unit_option = selectors.unit_option(self.unit_object, self.user) if self.unit_object else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        typed, era = (cleaned.get("unit") or "").strip(), cleaned.get("era")
        if typed and era:
            unit = selectors.location_unit(era=era, code=typed) if typed.isdigit() else None
            if unit is None and not typed.isdigit():
                named = selectors.location_units_named(era=era, text=typed, user=self.user)
                if len(named) > 1:
                    message = _("Several units are named “%(name)s”: choose one from the list.")
                    self.add_error("unit", message % {"name": typed})
                    return cleaned
                unit = named[0].unit if named else None
            if unit is None:
                message = _("No province or commune of this era has the code or name “%(text)s”.")
                self.add_error("unit", message % {"text": typed})
            else:
                self.unit_object = unit
                self.unit_option = selectors.unit_option(unit, self.user)
                cleaned["unit_object"] = unit
        return cleaned


class ParticipantForm(PartForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.FUNDING)

    def limit_choices(self) -> None:
        limit_choices(self, "organisation", Organisation.objects.restrict(self.user, "view").order_by("name"))


def part_formset(form: type[PartForm]) -> type[BasePartFormSet]:
    return cast(type[BasePartFormSet], formset_factory(form, formset=BasePartFormSet, extra=1, can_delete=True))


SectorFormSet = part_formset(SectorShareForm)
LocationFormSet = part_formset(LocationShareForm)
ParticipantFormSet = part_formset(ParticipantForm)


class AidItemPartForms:
    """The three inline formsets of the aid item page, turned into the `AidItemParts` a service takes, and
    the place where a service's errors on `sectors`, `locations` or `participants` are shown."""

    PREFIXES = ("sectors", "locations", "participants")

    # The box a provincial user ticks to save locations outside their provinces: shown once the service has asked
    # for that confirmation (`rules.check_locations_within_provinces`), and what the page tells the service.
    CONFIRM_OUTSIDE = "locations-outside-confirmed"

    def __init__(self, data: Any = None, *, instance: AidItem | None, user: Any) -> None:
        self.data = data
        self.confirmation_asked = False  # the service asked the user to confirm (locations outside their provinces)
        initial: dict[str, list[dict[str, Any]]] = {prefix: [] for prefix in self.PREFIXES}
        if instance is not None and instance.pk:
            initial["sectors"] = [
                {"sector": row.sector_id, "percentage": row.percentage} for row in instance.sectors.all()
            ]
            initial["locations"] = [self._location_initial(row) for row in instance.locations.all()]
            initial["participants"] = [
                {"organisation": row.organisation_id, "role": row.role} for row in instance.participants.all()
            ]
        self.sectors = SectorFormSet(data, prefix="sectors", initial=initial["sectors"], user=user)
        self.locations = LocationFormSet(data, prefix="locations", initial=initial["locations"], user=user)
        self.participants = ParticipantFormSet(data, prefix="participants", initial=initial["participants"], user=user)

    @staticmethod
    def _location_initial(row: LocationSplit) -> dict[str, Any]:
        return {"era": row.unit.era, "unit": row.unit.code, "percentage": row.percentage, "unit_object": row.unit}

    def __iter__(self) -> Iterator[BasePartFormSet]:
        return iter((self.sectors, self.locations, self.participants))

    def is_valid(self) -> bool:
        return all([formset.is_valid() for formset in self])  # a list, so every formset is validated

    @property
    def outside_confirmed(self) -> bool:
        """Whether the user ticked the box: the page's confirmation, passed to the service."""
        return bool(self.data is not None and self.data.get(self.CONFIRM_OUTSIDE))

    def parts(self, *, beneficiaries: list[str]) -> AidItemParts:
        return AidItemParts(
            sectors=[
                SectorShare(sector=form.cleaned_data["sector"], percentage=form.cleaned_data["percentage"])
                for form in self.sectors.kept_forms()
            ],
            locations=[
                LocationShare(unit=form.cleaned_data["unit_object"], percentage=form.cleaned_data["percentage"])
                for form in self.locations.kept_forms()
            ],
            participants=[
                Participation(organisation=form.cleaned_data["organisation"], role=form.cleaned_data["role"])
                for form in self.participants.kept_forms()
            ],
            beneficiaries=beneficiaries,
        )

    def add_service_errors(self, form: forms.BaseForm, error: ValidationError) -> None:
        """Errors on a part go above that part's formset; the others go to the aid item form. A refusal that
        only asks for the user's confirmation shows the box to tick."""
        self.confirmation_asked = any(found.breach.confirmable for found in getattr(error, "breaches", ()))
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        rest: dict[str, list[str]] = {}
        for field, messages in error.message_dict.items():
            formset = getattr(self, field, None) if field in self.PREFIXES else None
            if formset is not None:
                formset.non_form_errors().extend(messages)
            else:
                rest[field] = messages
        if rest:
            add_service_errors(form, ValidationError(rest))

    @property
    def has_errors(self) -> bool:
        return any(formset.total_error_count() for formset in self)


# --- transactions --------------------------------------------------------------------------------------------


class TransactionForm(RecordForm[Transaction]):
    class Meta:
        model = Transaction
        fields = [
            "transaction_type",
            "date",
            "value_date",
            "amount",
            "currency",
            "viet_nam_share",
            "provider",
            "receiver",
            "description",
        ]
        widgets = {"date": DATE_INPUT, "value_date": DATE_INPUT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value_date"].required = False
        self.fields["value_date"].help_text = _("The date whose exchange rate values the amount; empty: the date.")
        self.fields["amount"].widget.attrs.update({"step": "0.01", "class": "text-end"})
        self.fields["amount"].help_text = _("Negative for a reversal, refund or de-obligation.")
        self.fields["viet_nam_share"].required = False  # empty: the whole amount is Viet Nam's
        self.fields["currency"] = currency_field(required=True, label=self.fields["currency"].label)
        organisations = Organisation.objects.restrict(self.user, "view").order_by("name")
        limit_choices(self, "provider", organisations)
        limit_choices(self, "receiver", organisations)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault(
                "currency", Currency.objects.filter(code="USD").values_list("pk", flat=True).first()
            )

    def clean_amount(self) -> Any:
        # The service checks it again; here the message lands on the field before the database's constraint.
        amount = self.cleaned_data.get("amount")
        try:
            rules.check_amount(amount)
        except rules.Breach as breach:
            raise forms.ValidationError(breach.text()) from None
        return amount

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date"):
            cleaned["value_date"] = rules.value_date_of(cleaned["date"], cleaned.get("value_date"))
        if cleaned.get("viet_nam_share") is None:
            cleaned["viet_nam_share"] = HUNDRED
        return cleaned


# --- lifecycle -----------------------------------------------------------------------------------------------


class LifecycleForm(forms.Form):
    """The inputs of one lifecycle action (named as in `lifecycle.STEPS`), with the version the aid item was
    shown at. The service decides what is required; the form only parses."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class SubmitForm(LifecycleForm):
    received_on = forms.DateField(
        label=_("Complete dossier received on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("The 20-day appraisal runs from this date; empty: today."),
    )


class ApproveForm(LifecycleForm):
    decision_number = forms.CharField(label=_("Approval decision number"), max_length=100, required=False)
    decision_date = forms.DateField(label=_("Approval decision date"), widget=DATE_INPUT, required=False)
    decision_authority = forms.CharField(label=_("Approving authority"), max_length=300, required=False)


class ReasonForm(LifecycleForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class StartForm(LifecycleForm):
    started_on = forms.DateField(label=_("Actual start"), widget=DATE_INPUT, required=False)


class CompleteForm(LifecycleForm):
    ended_on = forms.DateField(label=_("Actual end"), widget=DATE_INPUT, required=False)


class CloseForm(LifecycleForm):
    pass
