"""One FilterSet for reporting duties, shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.filters import YearFilter
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit

from .choices import ObligationStatus, Reporter
from .models import DutyRule, Obligation
from .selectors import status_q

_PROVINCES = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=Era.CURRENT)


class ObligationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=ObligationStatus.choices, method="by_status", label=_("Status"))
    rule = django_filters.ModelChoiceFilter(queryset=DutyRule.objects.all(), to_field_name="code", label=_("Rule"))
    reporter = django_filters.ChoiceFilter(
        field_name="rule__reporter", choices=Reporter.choices, label=_("Who reports")
    )
    province = django_filters.ModelChoiceFilter(
        queryset=_PROVINCES, method="by_province", to_field_name="code", label=_("Province")
    )
    year = YearFilter(field_name="due_date__year", label=_("Due in year"))

    class Meta:
        model = Obligation
        fields = ["q", "status", "rule", "reporter", "province", "year"]

    def search(self, queryset: QuerySet[Obligation], name: str, value: str) -> QuerySet[Obligation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(aid_item__title_vi__icontains=value)
            | Q(organisation__name__icontains=value)
            | Q(organisation__name_vi__icontains=value)
            | Q(rule__name_vi__icontains=value)
            | Q(rule__name_en__icontains=value)
        )

    def by_status(self, queryset: QuerySet[Obligation], name: str, value: str) -> QuerySet[Obligation]:
        return queryset.filter(status_q(value, today=timezone.localdate())) if value else queryset

    def by_province(
        self, queryset: QuerySet[Obligation], name: str, value: AdministrativeUnit | None
    ) -> QuerySet[Obligation]:
        if value is None:
            return queryset
        return queryset.filter(Q(province=value) | Q(reviewing_province=value))
