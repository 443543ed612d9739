from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.core.forms import RecordForm
from amity.reference.models import AdministrativeUnit

from .models import Organisation


class OrganisationForm(RecordForm):
    class Meta:
        model = Organisation
        fields = [
            "name", "name_vi", "acronym", "kind", "iati_type", "iati_identifier", "country", "website",
            "email", "phone", "address", "description", "status", "owning_province",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = AdministrativeUnit.objects.filter(level="province", era="2025").order_by("code")
        if self.user is not None and getattr(self.user, "is_provincial", False):
            # A province records organisations for itself only.
            provinces = provinces.filter(pk__in=self.user.jurisdictions.values("pk"))
            self.fields["owning_province"].required = True
        self.fields["owning_province"].queryset = provinces
        self.fields["owning_province"].label = _("Recorded by province")
