"""Forms of the data exchange: the upload of a file to import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from amity.aid.models import AidItem
from amity.core.forms import form_field
from amity.core.scoping import Action, jurisdiction
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit


def checked_upload(upload: Any) -> Any:
    """An uploaded file within the size an import takes, and not empty."""
    limit = settings.AMITY_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)s; the largest file Amity takes is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."))
    return upload


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    province = forms.ModelChoiceField(
        label=_("Province that owns the imported aid"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        help_text=_("Leave empty to take each activity's province from its locations (administrators only)."),
    )
    vn_only = forms.BooleanField(
        label=_("Only activities for Viet Nam"),
        required=False,
        initial=True,
        help_text=_("Keep activities whose recipient country, or one of whose transactions' recipient country, is VN."),
    )
    locations_outside_confirmed = forms.BooleanField(
        label=_("Also import aid located outside my provinces"),
        required=False,
        help_text=_(
            "Such aid items will also be shown to those provinces and counted in their figures. Unticked, "
            "activities located outside your provinces are skipped and listed in the report."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run"), required=False, help_text=_("Check the whole file and show the report; write nothing.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if jurisdiction(user) is None:  # national users have no provinces to leave: nothing to confirm
            del self.fields["locations_outside_confirmed"]
        # The provinces the user may import aid for, by the scope policy; none chosen is the centre's aid,
        # for those who may import that (central officers, administrators).
        every = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.PROVINCE).order_by("name_vi")
        policy = AidItem.scope_policy
        allowed = [p.pk for p in every if policy.allows(user, Action.ADD, AidItem(owning_province=p))]
        if not policy.allows(user, Action.ADD, AidItem(owning_province=None)):
            self.fields["province"].required = True
            self.fields["province"].help_text = ""
        if len(allowed) == 1:
            self.initial.setdefault("province", allowed[0])
        form_field(self, "province", forms.ModelChoiceField).queryset = every.filter(pk__in=allowed)

    def clean_file(self) -> Any:
        return checked_upload(self.cleaned_data["file"])


class ExcelUploadForm(forms.Form):
    """An Excel workbook made from one of Amity's templates; checked completely before anything is written."""

    kind = forms.ChoiceField(label=_("What the file holds"), choices=[])
    file = forms.FileField(label=_("File (.xlsx)"))
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        help_text=_("The province the upload is recorded for; each row keeps the province it gives."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .choices import ImportKind

        form_field(self, "kind", forms.ChoiceField).choices = [
            (k.value, k.label) for k in ImportKind if k != ImportKind.IATI
        ]
        provinces = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.PROVINCE).order_by("name_vi")
        limited = jurisdiction(user)
        if limited is not None:
            provinces = provinces.filter(pk__in=limited)
            self.fields["province"].required = True
            if len(limited) == 1:
                self.initial.setdefault("province", next(iter(limited)))
        form_field(self, "province", forms.ModelChoiceField).queryset = provinces

    def clean_file(self) -> Any:
        return checked_upload(self.cleaned_data["file"])
