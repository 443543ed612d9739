"""Forms of the document register. They validate input and hand clean data to the services, which hold the rules."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from amity.accounts.models import User
from amity.core.forms import RecordForm, SearchSelect, form_field
from amity.core.models import BaseModel
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit

from . import links, selectors
from .choices import DocumentKind
from .models import Document
from .selectors import LinkChoices


def _date_input() -> forms.DateInput:
    # ISO format, as the browser's date picker sends and expects it, whatever the interface language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's recipe); each is checked by the service, not here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DocumentForm(RecordForm[Document]):
    upload = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("PDF, DOCX, ODT or scans (JPEG, PNG, TIFF); checked by their content."),
    )

    class Meta:
        model = Document
        fields = [
            "kind",
            "number_symbol",
            "title",
            "issuing_body",
            "signer",
            "issued_on",
            "effective_from",
            "expires_on",
            "summary",
            "status",
            "replaced_by",
            "implements",
            "owning_province",
            "public",
        ]
        widgets = {
            "issued_on": _date_input(),
            "effective_from": _date_input(),
            "expires_on": _date_input(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "implements": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = form_field(self, "kind", forms.ChoiceField)
        kind.required = False
        kind.choices = [("", _("From the number")), *DocumentKind.choices]
        visible = Document.objects.restrict(self.user, "view").order_by("-issued_on", "-pk")
        if self.instance.pk:
            visible = visible.exclude(pk=self.instance.pk)
        form_field(self, "replaced_by", forms.ModelChoiceField).queryset = visible
        form_field(self, "implements", forms.ModelMultipleChoiceField).queryset = visible
        provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT).order_by("code")
        if self.user is not None and getattr(self.user, "is_provincial", False):
            provinces = provinces.filter(pk__in=self.user.jurisdictions.values("pk"))
            self.fields["owning_province"].required = True
        form_field(self, "owning_province", forms.ModelChoiceField).queryset = provinces
        self.preselect_own_province("owning_province")

    def record_data(self) -> dict[str, Any]:
        data = super().record_data()
        data["kind"] = data.get("kind") or ""
        return data


class ConsultationForm(forms.Form):
    """Send a draft for comments. Recipients are people who sign in to Amity, each answering for their unit or
    association (their organisation of the directory, when they have one)."""

    subject = forms.CharField(label=_("Subject"), max_length=300)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), widget=_date_input())
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipients"),
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("The people asked for comments, each answering for their unit or association."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "recipients", forms.ModelMultipleChoiceField).queryset = (
            User.objects.filter(is_active=True).exclude(role="").select_related("organisation").order_by("username")
        )
        self.fields["recipients"].label_from_instance = _recipient_label  # type: ignore[attr-defined]


def _recipient_label(user: User) -> str:
    name = user.get_full_name() or user.username
    return f"{name} — {user.organisation}" if user.organisation_id else name


class ReplyForm(forms.Form):
    no_comment = forms.BooleanField(label=_("No comment"), required=False)
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label=_("Attachment"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def document_label(document: Document) -> str:
    """A document as a chooser offers it: number, title, date issued."""
    parts = [document.number_symbol or "—", Truncator(document.title).chars(90)]
    if document.issued_on:
        parts.append(date_format(document.issued_on, "SHORT_DATE_FORMAT"))
    return " · ".join(parts)


def document_chooser(*, user: Any, record: BaseModel, kind: str, latest: LinkChoices | None = None) -> SearchSelect:
    """The select of a record's documents panel (`core.forms.SearchSelect`): the latest documents the user may link
    there (`latest`, read once by the panel), and as the user types — or sends the words without JavaScript —
    those matching the words among all they may link (`selectors.linkable_documents`)."""

    def options(chosen: list[str], words: str) -> list[tuple[str, str]]:
        found = latest if latest is not None and not words.strip() else None
        if found is None:
            found = selectors.linkable_documents(user=user, record=record, query=words)
        return [(str(document.public_id), document_label(document)) for document in found.documents]

    query = urlencode({"kind": kind, "record": str(record.public_id)})
    return SearchSelect(
        url=f"{reverse('documents:link_options')}?{query}",
        options=options,
        empty_label="—",
        search_label=_("Search by number or title, with or without accents"),
        # The titles are Vietnamese text; an empty box asks again for the latest (data-search-blank).
        attrs={"class": "form-select form-select-sm", "lang": "vi", "required": True, "data-search-blank": ""},
    )


class LinkForm(forms.Form):
    """Link a document to a record (or remove the link): the record named by its kind and public identifier. Given
    the user and the record, the document is chosen with `document_chooser` (the panel)."""

    document = forms.UUIDField(label=_("Link a document"))
    kind = forms.ChoiceField(label=_("Kind of record"), choices=())
    record = forms.UUIDField(label=_("Record"))
    remove = forms.BooleanField(required=False)
    next = forms.CharField(required=False)

    def __init__(
        self,
        *args: Any,
        user: Any = None,
        linked_to: BaseModel | None = None,
        latest: LinkChoices | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = [
            (key, model._meta.verbose_name) for key, model in links.kinds().items()
        ]
        kind = links.key_of(type(linked_to)) if linked_to is not None else None
        if user is not None and linked_to is not None and kind is not None:
            self.fields["document"].widget = document_chooser(user=user, record=linked_to, kind=kind, latest=latest)


class LinkOptionsForm(forms.Form):
    """What a record's link chooser asks for: the record (kind, public identifier), the words (as the user types,
    or sent without JavaScript to the chooser's own page, with the page to go back to)."""

    kind = forms.ChoiceField(choices=())
    record = forms.UUIDField()
    q = forms.CharField(required=False, max_length=200)
    next = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = [(key, key) for key in links.kinds()]
