"""One FilterSet per model of the register, shared by the list pages, the calendar, the API, the exports and the
links behind every figure of the dashboard. A province is read with its era: `era=pre2025&province=30` is the
records kept under old Hải Dương, `province=31` those of Hải Phòng today (Hải Dương's included after the merger)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.dates import add_months
from amity.core.filters import YearFilter
from amity.core.forms import FilterableSelect
from amity.reference.choices import Era
from amity.reference.models import Country

from .choices import (
    Direction,
    EventType,
    MemberRole,
    PartnershipStatus,
    PersonKind,
    PersonStatus,
    UnitKind,
    UnitStatus,
)
from .models import AgreementRenewal, AssociationMember, Delegation, Event, Partnership, Union, UnionUnit, Visitor
from .personal import personal_data_q

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members_on(day: date) -> Q:
    """The individual members of an association on a day: joined on or before it and not left by it (a member who
    leaves on 31 December is no longer one that day). One rule, for the filters and the counts (`selectors`)."""
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def province_q(era: str, code: str) -> Q:
    """The records of a province of either era: the old era through the province they were kept under."""
    if era == Era.PRE2025:
        return Q(old_province__code=code)
    return Q(owning_province__code=code)


class RegisterFilterSet(django_filters.FilterSet):
    """What every list of the register filters by: words, union, province of an era, and a period."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    union = django_filters.UUIDFilter(field_name="union__public_id", label=_("Union"))
    era = django_filters.ChoiceFilter(choices=Era.choices, method="no_filter", label=_("Era"))
    province = django_filters.CharFilter(method="filter_province", label=_("Province code"), max_length=5)
    date_from = django_filters.DateFilter(method="filter_from", label=_("From"), widget=DATE_INPUT)
    date_to = django_filters.DateFilter(method="filter_to", label=_("To"), widget=DATE_INPUT)
    year = YearFilter(method="filter_year", label=_("Year"))

    search_fields: tuple[str, ...] = ()
    date_field = "start_date"

    def no_filter(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset  # read by `filter_province`

    def filter_province(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        era = self.form.cleaned_data.get("era") or Era.CURRENT
        return queryset.filter(province_q(era, value.strip()))

    def filter_from(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_to(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(**{f"{self.date_field}__lte": value})

    def filter_year(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(**{f"{self.date_field}__year": int(value)})

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        words = value.strip()
        if not words:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": words})
        return queryset.filter(query)


class UnionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Union
        fields = ["q", "status"]


class UnitFilterSet(RegisterFilterSet):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label=_("Status"))
    partner_country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), to_field_name="code", label=_("Partner country"), widget=FilterableSelect
    )
    founded_by = django_filters.DateFilter(
        method="filter_founded_by", label=_("Founded by"), widget=DATE_INPUT
    )  # the units a figure of a year counts: founded by then, or of no known founding date
    search_fields = ("name", "name_en", "leader_name")
    date_field = "founded_on"

    class Meta:
        model = UnionUnit
        fields = ["q", "union", "era", "province", "kind", "status", "partner_country", "founded_by"]

    def filter_founded_by(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=value))


class _PartnershipFilters(RegisterFilterSet):
    """What the lists of partnerships filter by besides the register's own: the country, and words of the names and
    areas."""

    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), to_field_name="code", label=_("Country"), widget=FilterableSelect
    )
    search_fields = ("foreign_locality", "foreign_locality_vi", "areas")


class PartnershipFilterSet(_PartnershipFilters):
    status = django_filters.ChoiceFilter(choices=PartnershipStatus.choices, label=_("Status"))
    date_field = "signed_on"

    class Meta:
        model = Partnership
        fields = ["q", "union", "era", "province", "country", "status"]


RENEWAL_DUE_CHOICES = (
    ("expired", _("Expired")),
    ("90", _("Ending within 3 months (or expired)")),
    ("180", _("Ending within 6 months (or expired)")),
    ("365", _("Ending within a year (or expired)")),
)


class MonthsFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class RenewalFilterSet(_PartnershipFilters):
    """The agreements due for renewal (page and API): active partnerships whose agreement's term in force ends
    (`selectors.renewals`), by when it ends — `due` (expired; within 90, 180 or 365 days) or `months` (within N
    months, expired included) — and by the period its term ends in (`date_from`, `date_to`), besides the
    partnerships' own filters."""

    due = django_filters.ChoiceFilter(choices=RENEWAL_DUE_CHOICES, method="filter_due", label=_("Renewal due"))
    months = MonthsFilter(method="filter_months", label=_("Ending within (months)"), min_value=1, max_value=120)
    date_field = "current_term_ends_on"  # the term in force (`selectors.with_agreement_term`)

    class Meta:
        model = Partnership
        fields = ["q", "union", "era", "province", "country", "due", "months"]

    def filter_due(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(current_term_ends_on__lt=today)
        return queryset.filter(current_term_ends_on__lte=today + timedelta(days=int(value)))

    def filter_months(self, queryset: QuerySet[Any], name: str, value: int | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(current_term_ends_on__lte=add_months(timezone.localdate(), int(value)))


class AgreementRenewalFilterSet(RegisterFilterSet):
    """Renewals of agreements: by partnership (or its union), province, the day renewed (`date_from`, `date_to`,
    `year`) and words of the signatories, notes and the foreign locality."""

    union = django_filters.UUIDFilter(field_name="partnership__union__public_id", label=_("Union"))
    partnership = django_filters.UUIDFilter(field_name="partnership__public_id", label=_("Partnership"))
    search_fields = ("signatories", "notes", "partnership__foreign_locality")
    date_field = "renewed_on"

    class Meta:
        model = AgreementRenewal
        fields = ["q", "union", "partnership", "era", "province"]


class EventFilterSet(RegisterFilterSet):
    event_type = django_filters.ChoiceFilter(choices=EventType.choices, label=_("Type"))
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(),
        field_name="countries",
        to_field_name="code",
        label=_("Country"),
        widget=FilterableSelect,
    )
    partnership = django_filters.UUIDFilter(field_name="partnerships__public_id", label=_("Partnership"))
    search_fields = ("title", "title_en", "place")

    class Meta:
        model = Event
        fields = ["q", "union", "era", "province", "event_type", "country", "partnership"]


class DelegationFilterSet(RegisterFilterSet):
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("Direction"))
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), to_field_name="code", label=_("Country"), widget=FilterableSelect
    )
    partnership = django_filters.UUIDFilter(field_name="partnership__public_id", label=_("Partnership"))
    search_fields = ("counterpart", "head_name", "purpose")

    class Meta:
        model = Delegation
        fields = ["q", "union", "era", "province", "direction", "country", "partnership"]


class VisitorFilterSet(RegisterFilterSet):
    kind = django_filters.ChoiceFilter(choices=PersonKind.choices, label=_("Kind"))
    nationality = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), to_field_name="code", label=_("Nationality"), widget=FilterableSelect
    )
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices, label=_("Status"))
    # Not the names: personal data is not searched by those who may not read it.
    search_fields = ("group_name", "sending_organisation", "host_placement", "field")

    class Meta:
        model = Visitor
        fields = ["q", "union", "era", "province", "kind", "nationality", "status"]


class MemberFilterSet(RegisterFilterSet):
    """Individual members of associations: by association (or its union), role, whether still a member, and the
    date they joined (`date_from`, `date_to`, `year`). The words search names, occupations and workplaces, which are
    personal data: only among the members whose personal data the reader may read."""

    union = django_filters.UUIDFilter(field_name="association__union__public_id", label=_("Union"))
    association = django_filters.UUIDFilter(field_name="association__public_id", label=_("Association"))
    role = django_filters.ChoiceFilter(choices=MemberRole.choices, label=_("Role"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("Still a member"))
    date_field = "joined_on"

    class Meta:
        model = AssociationMember
        fields = ["q", "union", "association", "era", "province", "role", "current"]

    def filter_current(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        still = members_on(timezone.localdate())
        return queryset.filter(still) if value else queryset.exclude(still)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        words = value.strip()
        if not words:
            return queryset
        readable = personal_data_q(getattr(self.request, "user", None))
        return queryset.filter(readable, Q(full_name__icontains=words) | Q(occupation__icontains=words))
