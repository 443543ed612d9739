"""The report pages' parameter forms. `spec.spec_from_params` is what reads the parameters; these forms render
them, check that each choice is one the user may pick, and show `SpecError`'s messages on their fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from amity.aid.choices import AidStatus, BeneficiaryGroup, Modality
from amity.aid.filtersets import donor_widget
from amity.aid.selectors import donor_choices
from amity.core.forms import FilterableSelect
from amity.core.scoping import jurisdiction
from amity.organisations.models import Organisation
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, Country, UnitMapping
from amity.reference.selectors import sector_filter_choices

from .spec import (
    DIMENSION_LABELS,
    MEASURE_LABELS,
    BasisKind,
    Dimension,
    Measure,
    ReportSpec,
    SpecError,
    StatusBasis,
)

LIST_PARAMETERS = ("measures", "group_by")  # given either comma-separated or repeated (checkboxes, selects)

BASIS_CHOICES = [
    (BasisKind.VALUE_DATE.value, _("Rate of each value date")),
    (BasisKind.FIXED_RATE.value, _("One fixed rate (VND per USD)")),
    (BasisKind.RATES_ON.value, _("Rates of one chosen date")),
]
STATUS_BASIS_CHOICES = [
    (StatusBasis.OFFICIAL.value, _("Official: approved aid")),
    (StatusBasis.ALL.value, _("All statuses")),
]


def normalise_params(query: QueryDict | MultiValueDict[str, str]) -> dict[str, str]:
    """Parameters as `spec_from_params` reads them: the list parameters joined by commas, others the last
    value given."""
    params: dict[str, str] = {}
    for name in query:
        values = [value.strip() for value in query.getlist(name)]
        params[name] = ",".join(v for v in values if v) if name in LIST_PARAMETERS else values[-1]
    return params


def _form_data(params: dict[str, str]) -> MultiValueDict[str, str]:
    data = MultiValueDict({name: [value] for name, value in params.items()})
    for name in LIST_PARAMETERS:
        data.setlist(name, [part for part in params.get(name, "").split(",") if part])
    return data


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportParametersForm(forms.Form):
    """Period, era, currency, conversion basis, status basis and the filters the dashboard offers."""

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1901,
        max_value=2199,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())
    era = forms.ChoiceField(label=_("Provinces of"), choices=Era.choices, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=[("USD", "USD"), ("VND", "VND")], required=False)
    basis = forms.ChoiceField(label=_("Conversion basis"), choices=BASIS_CHOICES, required=False)
    rate = forms.DecimalField(label=_("Fixed rate (VND per USD)"), required=False)
    rate_date = forms.DateField(label=_("Date of the rates"), required=False, widget=_date_input())
    statuses = forms.ChoiceField(label=_("Status basis"), choices=STATUS_BASIS_CHOICES, required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False, widget=FilterableSelect)
    donor_country = forms.ChoiceField(label=_("Donor country"), required=False, widget=FilterableSelect)
    modality = forms.ChoiceField(label=_("Modality"), choices=[("", _("All")), *Modality.choices], required=False)

    def __init__(self, params: dict[str, str], *, user: Any) -> None:
        # Shown as the spec reads them: the defaults where nothing was chosen.
        shown = dict(params)
        for name, default in self.shown_defaults().items():
            shown[name] = shown.get(name) or default
        shown["currency"] = shown["currency"].upper()
        super().__init__(_form_data(shown))
        self.user = user
        self.chosen_era = shown["era"] if shown["era"] in Era.values else Era.CURRENT
        self.provinces = self._provinces()
        self.set_choices("province", [("", self.all_provinces_label()), *((p.code, p.name) for p in self.provinces)])
        self.set_choices("sector", [("", _("All")), *sector_filter_choices()])
        self.set_choices("donor_country", [("", _("All")), *self._countries()])
        self.fields["era"].widget.attrs["data-amity-era"] = ""

    def set_choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    @staticmethod
    def shown_defaults() -> dict[str, str]:
        spec = ReportSpec()
        return {
            "era": spec.era,
            "currency": spec.currency,
            "basis": spec.basis.kind.value,
            "statuses": spec.statuses.value,
        }

    def all_provinces_label(self) -> str:
        if jurisdiction(self.user) is not None:
            return str(_("All my provinces"))
        return str(_("National (all provinces)"))

    def _provinces(self) -> list[AdministrativeUnit]:
        """The provinces of the chosen era the user may pick: all, or a provincial user's own (in the old era,
        the old provinces that became theirs)."""
        provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=self.chosen_era).order_by("name_vi")
        limited = jurisdiction(self.user)
        if limited is not None:
            if self.chosen_era == Era.CURRENT:
                provinces = provinces.filter(pk__in=limited)
            else:
                old = UnitMapping.objects.filter(level=UnitLevel.PROVINCE, new_unit__in=limited)
                provinces = provinces.filter(pk__in=old.values("old_unit"))
        return list(provinces.only("pk", "code", "name_vi", "name_en", "name_ar"))

    @staticmethod
    def _countries() -> list[tuple[str, str]]:
        """Countries where at least one organisation has its seat."""
        countries = Country.objects.filter(pk__in=Organisation.all_objects.values("country"))
        return sorted(((c.code, c.name) for c in countries), key=lambda choice: choice[1].casefold())

    def add_spec_errors(self, error: SpecError) -> None:
        for name, message in error.errors.items():
            if name in self.fields:
                if name not in self.errors:  # the field's own check already said it
                    self.add_error(name, message)
            else:
                self.add_error(None, f"{name}: {message}")

    def province_names(self) -> dict[str, str]:
        return {p.code: p.name for p in self.provinces}


DIMENSION_CHOICES = [("", "—"), *((d.value, DIMENSION_LABELS[d]) for d in Dimension)]  # lazy: each request's language


class ReportTableForm(ReportParametersForm):
    """The report table's parameters: measures, up to three dimensions (rendered as three selects named
    `group_by`), and every filter of the report spec."""

    measures = forms.MultipleChoiceField(
        label=_("Measures"),
        choices=[(m.value, MEASURE_LABELS[m]) for m in Measure],
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    group_by = forms.MultipleChoiceField(label=_("Group by"), choices=DIMENSION_CHOICES[1:], required=False)
    donor = forms.ChoiceField(label=_("Donor"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *AidStatus.choices], required=False)
    beneficiary = forms.ChoiceField(
        label=_("Beneficiary group"), choices=[("", _("All")), *BeneficiaryGroup.choices], required=False
    )
    is_relief = forms.ChoiceField(
        label=_("Relief aid"), choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))], required=False
    )

    def __init__(self, params: dict[str, str], *, user: Any) -> None:
        super().__init__(params, user=user)
        # The chosen donor and the matches of the words typed, never every donor (`aid.filtersets.donor_widget`).
        self.fields["donor"].widget = donor_widget(user)
        chosen = [self.data["donor"]] if self.data.get("donor") else []
        self.set_choices("donor", [("", _("All")), *donor_choices(user, chosen=chosen).choices])

    @staticmethod
    def shown_defaults() -> dict[str, str]:
        return {**ReportParametersForm.shown_defaults(), "measures": ",".join(ReportSpec().measures)}

    def group_by_levels(self) -> list[str]:
        """The chosen dimension of each of the three group-by selects ("" for none)."""
        chosen = list(self["group_by"].value() or [])[:3]
        return chosen + [""] * (3 - len(chosen))

    def dimension_choices(self) -> list[tuple[str, Any]]:
        return DIMENSION_CHOICES


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Title of the published report"), max_length=300)
    parameters = forms.CharField(widget=forms.HiddenInput)
