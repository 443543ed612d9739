"""One FilterSet per model of the aid register, shared by list pages, the API, CSV exports and the links
behind report figures."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from amity.core.filters import YearFilter
from amity.core.forms import FilterableSelect, SearchSelect
from amity.organisations.models import Organisation
from amity.organisations.names import normalise_name
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, Country
from amity.reference.selectors import sector_filter_choices

from .choices import COMMITMENT_TYPES, AidStatus, BeneficiaryGroup, Modality, ParticipantRole, TransactionType
from .models import AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from .selectors import donor_choices, donors_visible_to

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from .selectors import AidItemTotals


def _sector_choices() -> Callable[[], list[tuple[str, Any]]]:
    """The sector filter's choices, read once when the filter form is drawn (never for the API), in the page's
    language."""
    read: list[tuple[str, Any]] = []

    def choices() -> list[tuple[str, Any]]:
        if not read:
            read.extend([("", _("All")), *sector_filter_choices()])
        return read

    return choices


# The province filter's value for aid located in no province (nationwide, or not yet located).
NATIONWIDE = "nationwide"


def _province_choices(era: str) -> Callable[[], list[tuple[str, Any]]]:
    """The province filter's choices, by name in the page's language (the value stays the code, as the API and
    report links send it): the provinces of the era chosen, then aid located in no province. Read once when the
    filter form is drawn, never for the API."""
    read: list[tuple[str, Any]] = []

    def choices() -> list[tuple[str, Any]]:
        if not read:
            provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=era).only(
                "code", "name_vi", "name_en", "name_ar"
            )
            named = sorted(((p.code, p.name) for p in provinces), key=lambda choice: normalise_name(choice[1]))
            read.extend([("", _("All")), *named, (NATIONWIDE, _("Nationwide / not allocated to a province"))])
        return read

    return choices


def donor_widget(user: object) -> SearchSelect:
    """The donor filter's drop-down: the chosen donor and the matches of the words typed before it, searched on
    the server (`aid:donor_options`), never the thousands of donors a national user may see."""

    def options(chosen: list[str], words: str) -> list[tuple[str, str]]:
        return donor_choices(user, chosen=chosen, query=words).choices

    return SearchSelect(url=reverse_lazy("aid:donor_options"), options=options)


def _has(model: type[AidParticipant | LocationSplit | SectorSplit], **lookups: object) -> Exists:
    return Exists(model.objects.filter(aid_item=OuterRef("pk"), **lookups))


class AidItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    era = django_filters.ChoiceFilter(choices=Era.choices, method="noop", label=_("Era of the province"))
    # A province code (or NATIONWIDE), picked by name (its choices are read by each filter set, see __init__).
    province = django_filters.CharFilter(method="by_province", label=_("Province"))
    # A code (5-digit sector or 3-digit category), picked by name from a drop-down with a search box (its
    # choices are read by each filter set, see __init__).
    sector = django_filters.CharFilter(method="by_sector", label=_("Sector"))
    donor = django_filters.ModelChoiceFilter(
        # Checked against every donor the user may see; offered by search, never listed (see __init__).
        queryset=lambda request: donors_visible_to(getattr(request, "user", None)),
        to_field_name="public_id",
        method="by_donor",
        label=_("Donor"),
    )
    donor_country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        method="by_donor_country",
        label=_("Donor country"),
        widget=FilterableSelect,
    )
    modality = django_filters.ChoiceFilter(choices=Modality.choices, label=_("Modality"))
    status = django_filters.MultipleChoiceFilter(choices=AidStatus.choices, label=_("Status"))
    beneficiary = django_filters.ChoiceFilter(
        choices=BeneficiaryGroup.choices, method="by_beneficiary", label=_("Beneficiary group")
    )
    is_relief = django_filters.BooleanFilter(label=_("Relief aid"))
    year = YearFilter(method="by_year", label=_("Year (a transaction dated in it)"))
    date_from = django_filters.DateFilter(method="by_date_from", label=_("With a transaction from"))
    date_to = django_filters.DateFilter(method="by_date_to", label=_("With a transaction until"))
    committed_min = django_filters.NumberFilter(method="by_committed_min", label=_("Committed at least (USD)"))
    committed_max = django_filters.NumberFilter(method="by_committed_max", label=_("Committed at most (USD)"))

    class Meta:
        model = AidItem
        fields = [
            "q",
            "era",
            "province",
            "sector",
            "donor",
            "donor_country",
            "modality",
            "status",
            "beneficiary",
            "is_relief",
            "year",
            "date_from",
            "date_to",
            "committed_min",
            "committed_max",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["sector"].extra["widget"] = FilterableSelect(choices=_sector_choices())
        era = (self.data or {}).get("era") or Era.CURRENT
        self.filters["province"].extra["widget"] = FilterableSelect(
            choices=_province_choices(era if era in Era.values else Era.CURRENT)
        )
        self.filters["donor"].extra["widget"] = donor_widget(getattr(self.request, "user", None))

    def noop(self, queryset: QuerySet[AidItem], name: str, value: object) -> QuerySet[AidItem]:
        return queryset  # read by by_province

    def search(self, queryset: QuerySet[AidItem], name: str, value: str) -> QuerySet[AidItem]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title_vi__icontains=value)
            | Q(title_en__icontains=value)
            | Q(reference__icontains=value)
            | Q(iati_identifier__icontains=value)
            | Q(description__icontains=value)
            | _has(AidParticipant, organisation__name__icontains=value)
        )

    def by_province(self, queryset: QuerySet[AidItem], name: str, value: str) -> QuerySet[AidItem]:
        """Current era (default): located in the province, old-era locations mapped forward. Old era: located
        in units of the old province only; new-era locations are never mapped back."""
        if value == NATIONWIDE:  # the records behind a report's "Nationwide / not allocated" figure
            return queryset.filter(~_has(LocationSplit))
        era = self.form.cleaned_data.get("era") or Era.CURRENT
        if era == Era.CURRENT:
            return queryset.filter(_has(LocationSplit, current_province__code=value))
        return queryset.filter(
            _has(LocationSplit, unit__era=Era.PRE2025, unit__code=value, unit__level="province")
            | _has(LocationSplit, unit__era=Era.PRE2025, unit__province__code=value)
        )

    def by_sector(self, queryset: QuerySet[AidItem], name: str, value: str) -> QuerySet[AidItem]:
        if len(value) == 3:  # the category's sectors, or the category itself when only it was given
            return queryset.filter(
                _has(SectorSplit, sector__category__code=value)
                | _has(SectorSplit, sector__codelist__name="SectorCategory", sector__code=value)
            )
        return queryset.filter(_has(SectorSplit, sector__code=value, sector__codelist__name="Sector"))

    def by_donor(self, queryset: QuerySet[AidItem], name: str, value: Organisation) -> QuerySet[AidItem]:
        return queryset.filter(_has(AidParticipant, role=ParticipantRole.FUNDING, organisation=value))

    def by_donor_country(self, queryset: QuerySet[AidItem], name: str, value: Country) -> QuerySet[AidItem]:
        return queryset.filter(_has(AidParticipant, role=ParticipantRole.FUNDING, organisation__country=value))

    def by_beneficiary(self, queryset: QuerySet[AidItem], name: str, value: str) -> QuerySet[AidItem]:
        return queryset.filter(beneficiaries__group=value)

    def by_year(self, queryset: QuerySet[AidItem], name: str, value: int) -> QuerySet[AidItem]:
        return queryset.filter(Exists(Transaction.objects.filter(aid_item=OuterRef("pk"), value_date__year=value)))

    def by_date_from(self, queryset: QuerySet[AidItem], name: str, value: object) -> QuerySet[AidItem]:
        """Items with a transaction in the period [date_from, date_to] (either end may be open)."""
        period = Q(value_date__gte=value)
        if self.form.cleaned_data.get("date_to"):
            period &= Q(value_date__lte=self.form.cleaned_data["date_to"])
        return queryset.filter(Exists(Transaction.objects.filter(period, aid_item=OuterRef("pk"))))

    def by_date_to(self, queryset: QuerySet[AidItem], name: str, value: object) -> QuerySet[AidItem]:
        if self.form.cleaned_data.get("date_from"):
            return queryset  # applied together with date_from
        return queryset.filter(Exists(Transaction.objects.filter(aid_item=OuterRef("pk"), value_date__lte=value)))

    def _committed(self, queryset: QuerySet[AidItem]) -> QuerySet[WithAnnotations[AidItem, AidItemTotals]]:
        from .selectors import with_totals

        return with_totals(queryset)

    def by_committed_min(self, queryset: QuerySet[AidItem], name: str, value: Decimal) -> QuerySet[AidItem]:
        return self._committed(queryset).filter(committed_usd__gte=value)

    def by_committed_max(self, queryset: QuerySet[AidItem], name: str, value: Decimal) -> QuerySet[AidItem]:
        return self._committed(queryset).filter(committed_usd__lte=value)


class TransactionFilterSet(django_filters.FilterSet):
    aid_item = django_filters.UUIDFilter(field_name="aid_item__public_id", label=_("Aid item"))
    transaction_type = django_filters.MultipleChoiceFilter(choices=TransactionType.choices, label=_("Type"))
    currency = django_filters.CharFilter(field_name="currency__code", label=_("Currency"))
    year = YearFilter(field_name="value_date__year", label=_("Year"))
    date_from = django_filters.DateFilter(field_name="value_date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="value_date", lookup_expr="lte", label=_("To"))
    provider = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), to_field_name="public_id", label=_("Provider")
    )

    class Meta:
        model = Transaction
        fields = ["aid_item", "transaction_type", "currency", "year", "date_from", "date_to", "provider"]


__all__ = ["COMMITMENT_TYPES", "AidItemFilterSet", "TransactionFilterSet", "donor_widget", "donors_visible_to"]
