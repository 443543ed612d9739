"""Reads of reference data for pages and reports: querysets, or a fixed number of queries each."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from .choices import Era, UnitLevel
from .models import AdministrativeUnit, Codelist, CodelistItem, Country, Currency, ExchangeRate, UnitMapping


def reference_counts() -> dict[str, int]:
    """Row counts for the index page (one query per table)."""
    units = AdministrativeUnit.objects.values("era", "level").annotate(total=Count("pk")).order_by()
    counts = {f"units_{row['era']}_{row['level']}": row["total"] for row in units}
    counts.update(
        countries=Country.objects.count(),
        currencies=Currency.objects.count(),
        codelists=Codelist.objects.count(),
        codelist_items=CodelistItem.objects.count(),
        mappings=UnitMapping.objects.count(),
        rates=ExchangeRate.objects.count(),
    )
    return counts


def country_list() -> QuerySet[Country]:
    return Country.objects.order_by("code")


def currency_list() -> QuerySet[Currency]:
    """Currencies with their latest rate (any frequency), in one query."""
    latest = ExchangeRate.objects.filter(currency=OuterRef("pk")).order_by("-period_start", "frequency")
    return Currency.objects.order_by("code").annotate(
        latest_rate=Subquery(latest.values("rate")[:1]),
        latest_rate_start=Subquery(latest.values("period_start")[:1]),
        latest_rate_end=Subquery(latest.values("period_end")[:1]),
    )


def codelist_list() -> QuerySet[Codelist]:
    return Codelist.objects.order_by("name").annotate(item_count=Count("items"))


def sector_filter_choices() -> list[tuple[str, Any]]:
    """The choices of a sector filter, in the active language (one query): each DAC 3-digit category as a
    group whose first option is the whole category, then its 5-digit sectors ("11220 Giáo dục tiểu học")."""
    groups: dict[str, tuple[CodelistItem | None, list[tuple[str, str]]]] = {}
    for sector in CodelistItem.objects.of("Sector").select_related("category").order_by("category__code", "code"):
        category = sector.category
        code = category.code if category else ""
        entry = groups.setdefault(code, (category, []))
        entry[1].append((sector.code, f"{sector.code} {sector.name}"))
    choices: list[tuple[str, Any]] = []
    for code, (category, sectors) in groups.items():
        if category is None:
            choices.extend(sectors)
            continue
        label = f"{category.code} {category.name}"
        choices.append((label, [(code, _("%(category)s (whole category)") % {"category": label}), *sectors]))
    return choices


def codelist_items(*, codelist: Codelist) -> QuerySet[CodelistItem]:
    return codelist.items.select_related("category").order_by("code")


def unit_list() -> QuerySet[AdministrativeUnit]:
    """Units with parent and province joined, provinces first, then by code."""
    return (
        AdministrativeUnit.objects.select_related("parent", "province")
        .annotate(
            level_rank=Case(
                When(level=UnitLevel.PROVINCE, then=Value(0)),
                When(level=UnitLevel.DISTRICT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("era", "level_rank", "code")
    )


def unit_children_counts(*, unit: AdministrativeUnit) -> dict[str, int]:
    """How many units of each level lie directly under `unit` (a province of 2025 has communes only)."""
    rows = unit.children.values("level").annotate(total=Count("pk")).order_by()
    return {row["level"]: row["total"] for row in rows}


def unit_mapping_rows(*, unit: AdministrativeUnit) -> QuerySet[UnitMapping]:
    """Where a 2025 unit came from, or where a pre-2025 unit went, with the unit on the other side joined."""
    if unit.era == Era.CURRENT:
        return unit.predecessors.select_related("old_unit", "old_unit__province").order_by(
            "old_unit__level", "old_unit__code"
        )
    return unit.successors.select_related("new_unit", "new_unit__province").order_by("new_unit__code")


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.select_related("currency").order_by("currency__code", "-period_start", "frequency")
