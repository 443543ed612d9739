"""Base form for domain records: knows the acting user and carries the version the record was loaded at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms.utils import ErrorDict, flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import BaseModel
from .scoping import jurisdiction

_Field = TypeVar("_Field", bound=forms.Field)
_Record = TypeVar("_Record", bound=BaseModel)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's field `name`, which must be a `kind` (`form.fields` holds them as plain fields), to change
    what only that kind has: a model choice field's queryset, a choice field's choices."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}.")
    return field


class QuickSelect(forms.Select):
    """A select whose options are written in Python, with the markup Django's templates give them: Django renders
    each option through two template includes, which is most of the time a page with a few hundred options
    (sectors, countries) takes."""

    template_name = "forms/widgets/quick_select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        parts: list[str] = []
        for group, options, _index in context["widget"]["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    "" if option["value"] is None else option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        context["widget"]["options_html"] = mark_safe("\n".join(parts))
        return context


class FilterableSelect(QuickSelect):
    """A long drop-down (the DAC sectors) with a search box before it (`amity.js`): typing a code or a few
    words keeps the options whose code, name or group contains each of them, with or without Vietnamese
    diacritics or Arabic vowel marks. The selected option always stays. Without JavaScript it is a plain
    select."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__(
            {
                "data-filter": _("Type a code or a few words to narrow the list"),
                # %(count)s and %(total)s are filled in by amity.js.
                "data-filter-count": _("%(count)s of %(total)s shown"),
                "data-filter-none": _("Nothing matches: the list shows only the current choice."),
                **(attrs or {}),
            },
            choices,
        )


class SearchSelect(QuickSelect):
    """A choice among too many to list (the donors: thousands; the documents to link): a search box before a select
    that holds only the empty choice, the chosen value and the options `options(chosen, words)` gives for the box's
    words — (value, label) pairs, in the user's scope (with no words: none, or a few to start from).

    With JavaScript (`amity.js`), typing asks `url` (JSON `{"results": [{"value", "label"}], "total": n}` or
    `"more": true`; the same search) and refills the select, and Enter picks the best match.

    Without it, the widget's **Search** button (`<name>_search_go`, which `amity.js` removes) sends the form with
    the words (`<name>_search`), and the page that answers offers their matches in the select, to pick and send
    again: a GET form (a list's filters) does so by itself; a view that saves a POSTed form asks
    `search_asked(form)` first and shows the form again instead (`RecordEditView` does, for every record form);
    a form posted to a view that cannot show it again (the documents panel on another app's page) sends the user
    to a page of its own. A URL naming a value (`donor=<id>`) keeps working: the chosen value is always offered."""

    template_name = "forms/widgets/search_select.html"

    def __init__(
        self,
        *,
        url: Any,  # a path, or reverse_lazy's promise of one
        options: Callable[[list[str], str], list[tuple[str, str]]],
        empty_label: Any = None,
        search_label: Any = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            {
                "data-search-url": url,
                "data-search-none": _("Nothing matches these words."),
                # %(count)s and %(total)s are filled in by amity.js.
                "data-search-count": _("%(count)s of %(total)s matches shown; type more to narrow them."),
                "data-search-more": _("More match than are shown; type more to narrow them."),
                **(attrs or {}),
            }
        )
        self.options_for = options
        self.empty_label = _("All") if empty_label is None else empty_label
        self.search_label = _("Type a few letters of the name") if search_label is None else search_label
        self.words = ""

    def __deepcopy__(self, memo: dict[int, Any]) -> SearchSelect:
        copied = super().__deepcopy__(memo)
        copied.words = ""
        return copied

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # The form's data is read here, before rendering: keep the search box's words for `get_context`.
        self.words = str(data.get(f"{name}_search", "") or "")[:200]
        return super().value_from_datadict(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        chosen = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in (None, "")]
        self.choices = [("", self.empty_label), *self.options_for(chosen, self.words)]
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            search_name=f"{name}_search",
            search_go_name=f"{name}{SEARCH_GO_SUFFIX}",
            search_words=self.words,
            search_label=self.search_label,
        )
        return context


SEARCH_GO_SUFFIX = "_search_go"  # the name of a SearchSelect's Search button (without JavaScript)


def search_asked(form: forms.BaseForm) -> bool:
    """Whether the form was sent by the Search button of one of its `SearchSelect`s (a browser without JavaScript):
    the user wants the matches of the words offered, not the form saved. A view then shows the form again with
    `show_without_errors(form)`."""
    if not form.is_bound:
        return False
    return any(
        isinstance(field.widget, SearchSelect) and form.add_prefix(name) + SEARCH_GO_SUFFIX in form.data
        for name, field in form.fields.items()
    )


def show_without_errors(form: forms.BaseForm) -> forms.BaseForm:
    """A bound form to show again as the user left it, unchecked: a search is not a save, so no "required" error
    stands beside a field the user has not reached yet. Its SearchSelects offer the matches of their words."""
    # Checked, nothing to say: Django validates when `errors` is first read, unless it was set (stubs omit it).
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    return form


class RecordForm(forms.ModelForm[_Record]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        # Fields the user's role may not change (the model's scope policy) are shown read-only; a forged post
        # of one is ignored here and refused by the service.
        changeable = None if user is None else self._meta.model.scope_policy.changeable_fields_for(user)
        if changeable is not None:
            for name, field in self.fields.items():
                if name != "version" and name not in changeable:
                    field.disabled = True

    def preselect_own_province(self, name: str) -> None:
        """On a new record's empty form, choose the province of a user who works in one province only (the one
        choice a provincial editor has), so that they need not pick it."""
        provinces = jurisdiction(self.user)
        if self.instance.pk is None and not self.is_bound and provinces is not None and len(provinces) == 1:
            self.initial.setdefault(name, next(iter(provinces)))

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            # A form posted without a version cannot prove it saw the latest state.
            return 0
        return version

    def record_data(self) -> dict[str, Any]:
        """The model fields to hand to a service (the service, not the form, saves)."""
        fields = self._meta.fields
        if fields is None:  # Meta.fields = "__all__", or only Meta.exclude: a form must list what it hands on
            raise ImproperlyConfigured(f"{type(self).__name__} must list its fields in Meta.fields.")
        return {name: self.cleaned_data[name] for name in fields if name in self.cleaned_data}


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the fields it names that the form has, the rest
    above the form (a service may check things no single field holds, e.g. percentages of a formset)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
