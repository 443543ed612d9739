"""Read-only browse pages of reference data for signed-in users (changes: `load_reference`, the admin)."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import django_filters
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from . import selectors
from .choices import Era, UnitLevel
from .filtersets import (
    AdministrativeUnitFilterSet,
    CodelistItemFilterSet,
    CountryFilterSet,
    CurrencyFilterSet,
    ExchangeRateFilterSet,
)
from .models import AdministrativeUnit, Codelist, CodelistItem, Country, Currency, ExchangeRate

_Row = TypeVar("_Row", bound=Model)


class ReferenceListView(LoginRequiredMixin, ListView[_Row]):
    """A filtered, paginated list: subclasses give `filterset_class` and `base_queryset`."""

    filterset_class: ClassVar[type[django_filters.FilterSet]]

    def get_paginate_by(self, queryset: QuerySet[Any]) -> int:
        return settings.AMITY_PAGE_SIZE

    def base_queryset(self) -> QuerySet[_Row]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[_Row]:
        queryset = self.base_queryset()
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        if self.filterset.is_bound and not self.filterset.is_valid():
            # A filter that cannot be applied shows nothing rather than everything (the form shows why).
            return queryset.none()
        filtered: QuerySet[_Row] = self.filterset.qs  # django-filter is untyped: the queryset's rows, filtered
        return filtered

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filterset=self.filterset, querystring=query.urlencode())
        return context


class IndexView(LoginRequiredMixin, TemplateView):
    template_name = "reference/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(counts=selectors.reference_counts(), era_current=Era.CURRENT, era_pre2025=Era.PRE2025)
        return context


class CountryListView(ReferenceListView[Country]):
    filterset_class = CountryFilterSet
    template_name = "reference/country_list.html"

    def base_queryset(self) -> QuerySet[Country]:
        return selectors.country_list()


class CurrencyListView(ReferenceListView[Currency]):
    filterset_class = CurrencyFilterSet
    template_name = "reference/currency_list.html"

    def base_queryset(self) -> QuerySet[Currency]:
        return selectors.currency_list()


class CodelistListView(LoginRequiredMixin, ListView[Codelist]):
    template_name = "reference/codelist_list.html"

    def get_queryset(self) -> QuerySet[Codelist]:
        return selectors.codelist_list()


class CodelistItemListView(ReferenceListView[CodelistItem]):
    filterset_class = CodelistItemFilterSet
    template_name = "reference/codelistitem_list.html"

    def base_queryset(self) -> QuerySet[CodelistItem]:
        self.codelist = get_object_or_404(Codelist, name=self.kwargs["name"])
        return selectors.codelist_items(codelist=self.codelist)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(codelist=self.codelist, **kwargs)


class UnitListView(ReferenceListView[AdministrativeUnit]):
    filterset_class = AdministrativeUnitFilterSet
    template_name = "reference/administrativeunit_list.html"

    def base_queryset(self) -> QuerySet[AdministrativeUnit]:
        return selectors.unit_list()


class UnitDetailView(LoginRequiredMixin, DetailView[AdministrativeUnit]):
    template_name = "reference/administrativeunit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> AdministrativeUnit:
        return get_object_or_404(
            AdministrativeUnit.objects.select_related("parent", "province"),
            era=self.kwargs["era"],
            level=self.kwargs["level"],
            code=self.kwargs["code"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit = self.object
        counts = selectors.unit_children_counts(unit=unit)
        mapping_rows = list(selectors.unit_mapping_rows(unit=unit))
        context.update(
            children=[(level, label, counts[level]) for level, label in UnitLevel.choices if level in counts],
            mapping_rows=mapping_rows,
            has_split=any(row.is_split for row in mapping_rows),
            is_current_era=unit.era == Era.CURRENT,
        )
        return context


class ExchangeRateListView(ReferenceListView[ExchangeRate]):
    filterset_class = ExchangeRateFilterSet
    template_name = "reference/exchangerate_list.html"

    def base_queryset(self) -> QuerySet[ExchangeRate]:
        return selectors.exchange_rate_list()
