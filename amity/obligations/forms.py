"""Forms of the reporting duties: a submission (its file, a note, the figures confirmed or corrected) and a review
(return with a note, or accept). They hand clean data to the services, which hold the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import FIGURE_LABELS, ReviewDecision


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
