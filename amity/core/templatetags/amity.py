"""Template helpers shared by every page (`{% load amity %}`): Bootstrap 5 classes for form widgets, model
field labels, and the field-by-field view of an edit conflict.

Query strings for sorting and pagination use Django's built-in `{% querystring %}` tag.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.db import models
from django.forms.models import model_to_dict
from django.utils.safestring import SafeString
from django.utils.text import capfirst

register = template.Library()

EMPTY = "—"

# Bootstrap's base class for each kind of widget (see `widget_kind`).
_WIDGET_CLASSES = {
    "hidden": "",
    "checkbox": "form-check-input",
    "choices": "form-check-input",
    "select": "form-select",
    "file": "form-control",
    "control": "form-control",
}
_SIZED_KINDS = {"select", "file", "control"}


def _kind_of_widget(widget: forms.Widget) -> str:
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is a RadioSelect
        return "choices"
    if isinstance(widget, forms.Select | forms.SelectDateWidget):
        return "select"
    if isinstance(widget, forms.MultiWidget) and widget.widgets:
        return _kind_of_widget(widget.widgets[0])
    if isinstance(widget, forms.FileInput):
        return "file"
    return "control"


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """How a field is laid out: hidden, checkbox, choices (radio/checkbox list), select, file or control."""
    return _kind_of_widget(field.field.widget)


@register.filter
def bootstrap_widget(field: forms.BoundField, size: str = "") -> SafeString:
    """The field's widget with Bootstrap classes added (`is-invalid` when it has errors); `size` is "sm" or
    "lg". Classes the form already set on the widget are kept."""
    kind = widget_kind(field)
    base = _WIDGET_CLASSES[kind]
    classes = [field.field.widget.attrs.get("class", ""), base]
    if size and kind in _SIZED_KINDS:
        classes.append(f"{base}-{size}")
    if field.errors:
        classes.append("is-invalid")
    html = field.as_widget(attrs={"class": " ".join(name for name in classes if name)})
    if field.field.show_hidden_initial:
        html += field.as_hidden(only_initial=True)
    return html


@register.simple_tag
def field_label(instance: models.Model, name: str) -> str:
    """The verbose name of a model field, capitalised, for definition lists and table headers; for a relation
    other records hold (no field of this model), the name of those records."""
    field = instance._meta.get_field(name)
    if isinstance(field, models.ForeignObjectRel):
        return capfirst(str(field.related_model._meta.verbose_name_plural))
    return capfirst(str(field.verbose_name))


def _display_stored(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all()) or EMPTY
    value = getattr(instance, name)
    if getattr(field, "choices", None):  # so a model Field: relations and generic keys have no choices
        value = dict(field.flatchoices).get(value, value)  # type: ignore[union-attr]
    return EMPTY if value is None or value == "" else value


def _display_input(form: forms.BaseForm, name: str, instance: models.Model) -> Any:
    cleaned = getattr(form, "cleaned_data", {})
    value = cleaned[name] if name in cleaned else form[name].data
    field = instance._meta.get_field(name)
    if field.many_to_many and value is not None:
        return ", ".join(str(item) for item in value) or EMPTY
    if getattr(field, "choices", None):  # so a model Field: relations and generic keys have no choices
        value = dict(field.flatchoices).get(value, value)  # type: ignore[union-attr]
    return EMPTY if value is None or value == "" else value


@register.simple_tag
def conflicting_fields(form: forms.BaseModelForm[Any], current: models.Model | None) -> list[dict[str, Any]]:
    """The fields whose stored value (saved meanwhile by someone else) differs from the user's input, each
    as {"label", "current", "yours"}, in form order."""
    if current is None:
        return []
    stored = model_to_dict(current, fields=list(form.fields))
    rows = []
    for name, field in form.fields.items():
        if name not in stored:  # fields that are not model fields, e.g. the version the form was loaded at
            continue
        if not field.has_changed(stored[name], form[name].data):
            continue
        rows.append(
            {
                "label": form[name].label,
                "current": _display_stored(current, name),
                "yours": _display_input(form, name, current),
            }
        )
    return rows


@register.simple_tag(takes_context=True)
def record_panels(context: template.Context, instance: models.Model) -> SafeString:
    """The panels higher apps registered for this record's model (`amity.core.panels`), e.g. its documents."""
    from amity.core import panels

    request = context.get("request")
    if request is None:
        return SafeString("")
    return panels.render(request, instance)
