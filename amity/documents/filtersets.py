"""One FilterSet per model of the document register, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from amity.core.filters import YearFilter
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit

from . import links
from .choices import DocumentKind, DocumentStatus
from .models import Consultation, Document, DocumentLink
from .selectors import documents_search

# The province filter's value for documents of the centre (no province).
CENTRE = "centre"


class DocumentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_("Number, title, summary or the text of the files; with or without diacritics."),
    )
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices, label=_("Status"))
    year = YearFilter(field_name="issued_on", lookup_expr="year", label=_("Year issued"))
    province = django_filters.CharFilter(method="by_province", label=_("Province"))
    public = django_filters.BooleanFilter(label=_("Public"))
    linked_kind = django_filters.ChoiceFilter(
        method="by_linked_kind",
        label=_("Linked to"),
        choices=lambda: [(key, model._meta.verbose_name_plural) for key, model in links.kinds().items()],
    )

    class Meta:
        model = Document
        fields = ["q", "kind", "status", "year", "province", "public", "linked_kind"]

    def search(self, queryset: QuerySet[Document], name: str, value: str) -> QuerySet[Document]:
        return documents_search(queryset, value)

    def by_province(self, queryset: QuerySet[Document], name: str, value: str) -> QuerySet[Document]:
        value = value.strip()
        if not value:
            return queryset
        if value == CENTRE:
            return queryset.filter(owning_province__isnull=True)
        return queryset.filter(
            owning_province__in=AdministrativeUnit.objects.filter(
                era=Era.CURRENT, level=UnitLevel.PROVINCE, code=value[:10]
            )
        )

    def by_linked_kind(self, queryset: QuerySet[Document], name: str, value: str) -> QuerySet[Document]:
        model = links.model_of(value)
        if model is None:
            return queryset
        content_type = ContentType.objects.get_for_model(model)
        return queryset.filter(pk__in=DocumentLink.objects.filter(content_type=content_type).values("document"))


class ConsultationFilterSet(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull", label=_("Open"))

    class Meta:
        model = Consultation
        fields = ["open"]
