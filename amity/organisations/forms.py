"""Forms for organisations and their registrations (licences). Forms validate input and hand clean data to the
services; the rules of the field live in the services and are only called from here to place errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amity.core.forms import RecordForm, form_field
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem

from .choices import OrganisationKind, RegistrationEventKind
from .models import Organisation, Registration
from .services import check_registration_dates, check_registration_number

REGISTRANT_KINDS = [OrganisationKind.FOREIGN_NGO, OrganisationKind.FOUNDATION]


def _date_input() -> forms.DateInput:
    # ISO format, as the browser's date picker sends and expects it, whatever the interface language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationForm(RecordForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_vi",
            "acronym",
            "kind",
            "iati_type",
            "iati_identifier",
            "country",
            "website",
            "email",
            "phone",
            "address",
            "description",
            "status",
            "owning_province",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = AdministrativeUnit.objects.filter(level="province", era="2025").order_by("code")
        if self.user is not None and getattr(self.user, "is_provincial", False):
            # A province records organisations for itself only.
            provinces = provinces.filter(pk__in=self.user.jurisdictions.values("pk"))
            self.fields["owning_province"].required = True
        form_field(self, "owning_province", forms.ModelChoiceField).queryset = provinces
        self.preselect_own_province("owning_province")
        self.fields["owning_province"].label = _("Recorded by province")


class RegistrationForm(RecordForm):
    """Issue (create) or correct a registration. The expiry date changes only through a decision (extension,
    amendment), so it is read-only when editing."""

    class Meta:
        model = Registration
        fields = [
            "organisation",
            "kind",
            "number",
            "issuing_body",
            "issue_date",
            "expiry_date",
            "provinces",
            "sectors",
            "note",
        ]
        widgets = {
            "issue_date": _date_input(),
            "expiry_date": _date_input(),
            "provinces": forms.CheckboxSelectMultiple,
            "sectors": forms.SelectMultiple(attrs={"size": 10}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organisation", forms.ModelChoiceField).queryset = (
            Organisation.objects.restrict(self.user, "view").filter(kind__in=REGISTRANT_KINDS).order_by("name")
        )
        provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT).order_by("code")
        form_field(self, "provinces", forms.ModelMultipleChoiceField).queryset = provinces
        sectors = CodelistItem.objects.of("SectorCategory").order_by("code")
        form_field(self, "sectors", forms.ModelMultipleChoiceField).queryset = sectors
        self.fields["sectors"].help_text = _("OECD-DAC 3-digit sector categories.")
        if self.instance.pk:
            expiry = self.fields["expiry_date"]
            expiry.disabled = True
            expiry.help_text = _("To change the expiry date, record an extension or amendment on the registration.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # The same checks as the service, here so that the messages appear on their fields.
        try:
            check_registration_dates(
                kind=cleaned.get("kind") or "",
                issue_date=cleaned.get("issue_date"),
                expiry_date=cleaned.get("expiry_date"),
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        try:
            check_registration_number(
                kind=cleaned.get("kind") or "", number=cleaned.get("number") or "", exclude_pk=self.instance.pk
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class RegistrationDecisionForm(forms.Form):
    """A decision on a registration: extension, amendment, suspension, reinstatement, revocation, termination."""

    kind = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (value, label) for value, label in RegistrationEventKind.choices if value != RegistrationEventKind.ISSUED
        ],
    )
    date = forms.DateField(label=_("Decision date"), widget=_date_input())
    decision_number = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    new_expiry = forms.DateField(
        label=_("New expiry date"),
        required=False,
        widget=_date_input(),
        help_text=_("For an extension (at most one term after the current expiry) or an amendment."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, registration: Registration | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if registration is not None and not self.is_bound:
            self.initial["version"] = registration.version
