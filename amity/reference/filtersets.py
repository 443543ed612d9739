"""FilterSets for reference data, shared by the browse pages and (later) the API and exports."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from amity.core.filters import YearFilter

from .choices import CodeStatus, Era, RateFrequency, UnitLevel
from .models import AdministrativeUnit, CodelistItem, Country, Currency, ExchangeRate


def _search_names(queryset: QuerySet[Any], value: str, *fields: str) -> QuerySet[Any]:
    value = value.strip()
    if not value:
        return queryset
    condition = Q(code__iexact=value)
    for name in fields:
        condition |= Q(**{f"{name}__icontains": value})
    return queryset.filter(condition)


class CountryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=CodeStatus.choices, label=_("Status"))

    class Meta:
        model = Country
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[Country], name: str, value: str) -> QuerySet[Country]:
        return _search_names(queryset, value, "name_en", "name_vi", "name_ar", "name_fr")


class CurrencyFilterSet(CountryFilterSet):
    class Meta:
        model = Currency
        fields = ["q", "status"]


class CodelistItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=CodeStatus.choices, label=_("Status"))

    class Meta:
        model = CodelistItem
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[CodelistItem], name: str, value: str) -> QuerySet[CodelistItem]:
        return _search_names(queryset, value, "name_en", "name_vi", "name_ar", "name_fr", "code")


class AdministrativeUnitFilterSet(django_filters.FilterSet):
    """Units of one era (the current one unless asked otherwise: a code means something only with its era)."""

    era = django_filters.ChoiceFilter(choices=Era.choices, label=_("Era"), empty_label=None)
    level = django_filters.ChoiceFilter(choices=UnitLevel.choices, label=_("Level"))
    province = django_filters.ChoiceFilter(method="in_province", label=_("Province"))
    q = django_filters.CharFilter(method="search", label=_("Name or code"))

    class Meta:
        model = AdministrativeUnit
        fields = ["era", "level", "province", "q"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("era"):
            data["era"] = Era.CURRENT.value
        super().__init__(data, *args, **kwargs)
        era = data["era"] if data["era"] in Era.values else Era.CURRENT
        # The province list follows the era; the value is the code (stable where names are not).
        provinces = AdministrativeUnit.objects.filter(era=era, level=UnitLevel.PROVINCE).order_by("code")
        self.filters["province"].extra["choices"] = [
            (province.code, f"{province.code} {province.name}")
            for province in provinces.only("code", "name_vi", "name_en", "name_ar")
        ]

    def in_province(
        self, queryset: QuerySet[AdministrativeUnit], name: str, value: str
    ) -> QuerySet[AdministrativeUnit]:
        return queryset.filter(Q(province__code=value) | Q(level=UnitLevel.PROVINCE, code=value))

    def search(self, queryset: QuerySet[AdministrativeUnit], name: str, value: str) -> QuerySet[AdministrativeUnit]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code=value)
            | Q(name_vi__icontains=value)
            | Q(name_en__icontains=value)
            | Q(full_name_vi__icontains=value)
            | Q(full_name_en__icontains=value)
            | Q(name_ar__icontains=value)
        )


class ExchangeRateFilterSet(django_filters.FilterSet):
    currency = django_filters.ModelChoiceFilter(
        queryset=Currency.objects.order_by("code"), to_field_name="code", label=_("Currency")
    )
    year = YearFilter(field_name="period_start", lookup_expr="year", label=_("Year"))
    frequency = django_filters.ChoiceFilter(choices=RateFrequency.choices, label=_("Frequency"))

    class Meta:
        model = ExchangeRate
        fields = ["currency", "year", "frequency"]
