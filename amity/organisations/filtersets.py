"""One FilterSet per model (organisations, registrations), shared by the list page, the API and exports."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.forms import FilterableSelect
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, Country

from .choices import OrganisationKind, OrganisationStatus, RegistrationKind, RegistrationStatus
from .models import Organisation, Registration
from .selectors import registration_status_q


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=OrganisationStatus.choices, label=_("Status"))
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(),
        field_name="country",
        to_field_name="code",
        label=_("Country"),
        widget=FilterableSelect,
    )
    owning_province = django_filters.ModelChoiceFilter(
        queryset=AdministrativeUnit.objects.filter(level="province", era="2025"),
        field_name="owning_province",
        to_field_name="code",
        label=_("Recorded by province"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "status", "country", "owning_province"]

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(name_vi__icontains=value)
            | Q(acronym__icontains=value)
            | Q(iati_identifier__icontains=value)
        )


class RegistrationFilterSet(django_filters.FilterSet):
    """Registrations (licences): by organisation, kind, status on today's date, province covered, expiry."""

    q = django_filters.CharFilter(method="search", label=_("Organisation or number"))
    organisation = django_filters.UUIDFilter(field_name="organisation__public_id", label=_("Organisation"))
    kind = django_filters.ChoiceFilter(choices=RegistrationKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices, method="filter_status", label=_("Status"))
    province = django_filters.ModelChoiceFilter(
        queryset=AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT).order_by("code"),
        field_name="provinces",
        to_field_name="code",
        label=_("Province covered"),
    )
    expiring_before = django_filters.DateFilter(
        field_name="expiry_date",
        lookup_expr="lt",
        label=_("Expiring before"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Registration
        fields = ["q", "organisation", "kind", "status", "province", "expiring_before"]

    def search(self, queryset: QuerySet[Registration], name: str, value: str) -> QuerySet[Registration]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(organisation__name__icontains=value)
            | Q(organisation__name_vi__icontains=value)
            | Q(organisation__acronym__icontains=value)
        )

    def filter_status(self, queryset: QuerySet[Registration], name: str, value: str) -> QuerySet[Registration]:
        # Statuses follow from the decision state and the dates, so they are computed against today.
        return queryset.filter(registration_status_q(value, today=timezone.localdate())) if value else queryset
