from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from amity.core.forms import RecordForm, form_field
from amity.core.scoping import jurisdiction
from amity.reference.models import AdministrativeUnit

from .models import NewsArticle


class NewsArticleForm(RecordForm[NewsArticle]):
    attachment = forms.FileField(
        label=_("Add an attachment"),
        required=False,
        help_text=_("PDF, Word, Excel, OpenDocument or an image."),
    )
    attachment_title = forms.CharField(label=_("Title of the attachment"), required=False, max_length=300)

    class Meta:
        model = NewsArticle
        fields = [
            "owning_province",
            "category",
            "title_vi",
            "summary_vi",
            "body_vi",
            "title_en",
            "summary_en",
            "body_en",
            "title_ar",
            "summary_ar",
            "body_ar",
            "image",
            "image_alt_vi",
            "image_alt_en",
            "image_alt_ar",
        ]
        widgets = {
            "body_vi": forms.Textarea(attrs={"rows": 10}),
            "body_en": forms.Textarea(attrs={"rows": 10}),
            "body_ar": forms.Textarea(attrs={"rows": 10, "dir": "rtl", "lang": "ar"}),
            "title_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "summary_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "image_alt_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = AdministrativeUnit.objects.filter(era="2025", level="province").order_by("code")
        own = jurisdiction(self.user)
        if own is not None:
            provinces = provinces.filter(pk__in=own)
        field = form_field(self, "owning_province", forms.ModelChoiceField)
        field.queryset = provinces
        field.empty_label = str(_("National portal (the centre)"))
        self.preselect_own_province("owning_province")

    def news_data(self) -> dict[str, Any]:
        data = self.record_data()
        image = data.pop("image", None)
        if image is False:
            data["image"] = ""  # "clear" ticked
        elif isinstance(image, UploadedFile):
            data["image"] = image  # else nothing uploaded: the stored image stays
        return data

    def new_attachments(self) -> list[tuple[UploadedFile, str]]:
        upload = self.cleaned_data.get("attachment")
        return [(upload, self.cleaned_data.get("attachment_title", ""))] if upload else []
