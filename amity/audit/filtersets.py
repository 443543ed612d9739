from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from amity.core.audit import AuditKind

from .models import AuditEvent

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditEventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AuditKind.choices, label=_("Event"))
    user = django_filters.CharFilter(method="by_user", label=_("User name"))
    ip_address = django_filters.CharFilter(lookup_expr="exact", label=_("Address"))
    date_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"), widget=_DATE)
    date_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"), widget=_DATE)

    class Meta:
        model = AuditEvent
        fields = ["kind", "user", "ip_address", "date_from", "date_to"]

    def by_user(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        """Events by the user, about the user, or naming the user (a failed sign-in with that name)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__iexact=value) | Q(actor__username__iexact=value) | Q(subject__username__iexact=value)
        )
