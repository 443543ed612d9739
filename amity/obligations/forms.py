"""Forms of the reporting duties: a submission (its file, a note, the figures confirmed or corrected) and a review
(return with a note, or accept). They hand clean data to the services, which hold the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.core.forms import RecordForm

from .choices import FIGURE_LABELS, ReviewDecision
from .models import DutyRule


def _date_input() -> forms.DateInput:
    # ISO format, as the browser's date picker sends and expects it, whatever the interface language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DutyRuleForm(RecordForm[DutyRule]):
    """A reporting rule, as central officers and administrators keep it; `duty_rules_save` holds its rules (a
    period, dates in order, kinds that fit together) and shows each breach on its field."""

    class Meta:
        model = DutyRule
        fields = [
            "code",
            "name_vi",
            "name_en",
            "name_ar",
            "form_number",
            "legal_basis",
            "reporter",
            "period_kind",
            "due_months_after",
            "due_day",
            "reviewer",
            "recipient_vi",
            "recipient_en",
            "recipient_ar",
            "prefill",
            "effective_from",
            "effective_until",
            "note",
        ]
        widgets = {
            "effective_from": _date_input(),
            "effective_until": _date_input(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class SubmissionForm(forms.Form):
    file = forms.FileField(
        label=_("Report file"), required=False, help_text=_("PDF, DOCX, ODT or a scan (JPEG, PNG, TIFF).")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, prefilled: Mapping[str, str] | None = None, version: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.figure_names = list(prefilled or {})
        for name, value in (prefilled or {}).items():
            self.fields[f"figure_{name}"] = forms.CharField(
                label=FIGURE_LABELS.get(name, name),
                initial=value,
                required=False,
                help_text=_("Filled in by Amity: %(value)s. Correct it if your figure differs.") % {"value": value},
            )
        if version is not None and not self.is_bound:
            self.initial["version"] = version

    def figures(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"figure_{name}") or "0" for name in self.figure_names}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the reporter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the report is returned: what must be corrected."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
