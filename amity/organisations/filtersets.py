"""One FilterSet for organisations, shared by the list page, the API and exports."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from amity.reference.models import AdministrativeUnit, Country

from .choices import OrganisationKind, OrganisationStatus
from .models import Organisation


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=OrganisationStatus.choices, label=_("Status"))
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), field_name="country", to_field_name="code", label=_("Country")
    )
    owning_province = django_filters.ModelChoiceFilter(
        queryset=AdministrativeUnit.objects.filter(level="province", era="2025"),
        field_name="owning_province", to_field_name="code", label=_("Recorded by province"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "status", "country", "owning_province"]

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(name_vi__icontains=value) | Q(acronym__icontains=value)
            | Q(iati_identifier__icontains=value)
        )
