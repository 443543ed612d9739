"""Base form for domain records: knows the acting user and carries the version the record was loaded at."""

from __future__ import annotations

from typing import Any

from django import forms


class RecordForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            # A form posted without a version cannot prove it saw the latest state.
            return 0
        return version

    def record_data(self) -> dict[str, Any]:
        """The model fields to hand to a service (the service, not the form, saves)."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
