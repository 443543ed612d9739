"""Form rendering with Bootstrap 5 markup for every form (`{{ form }}` renders fields, help and errors)."""

from django.forms.renderers import TemplatesSetting


class AmityFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
