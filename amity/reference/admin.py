"""Admin for reference data: administrators correct or complete what `load_reference` loaded, with history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import AdministrativeUnit, Codelist, CodelistItem, Country, Currency, ExchangeRate, UnitMapping
from .signals import rates_changed

NAME_FIELDS = ["name_en", "name_vi", "name_ar", "name_fr"]


@admin.register(Country)
class CountryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_en", "name_vi", "name_ar", "status"]
    list_filter = ["status"]
    search_fields = ["code", *NAME_FIELDS]


@admin.register(Currency)
class CurrencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_en", "name_vi", "minor_units", "status"]
    list_filter = ["status", "minor_units"]
    search_fields = ["code", *NAME_FIELDS]


@admin.register(Codelist)
class CodelistAdmin(admin.ModelAdmin[Codelist]):
    list_display = ["name", "title", "category_codelist", "embedded"]
    list_filter = ["embedded"]
    search_fields = ["name", "title"]


@admin.register(CodelistItem)
class CodelistItemAdmin(SimpleHistoryAdmin):
    list_display = ["codelist", "code", "name_en", "name_vi", "category", "status"]
    list_filter = ["status", "codelist"]
    list_select_related = ["codelist", "category"]
    search_fields = ["code", *NAME_FIELDS]
    raw_id_fields = ["category"]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "full_name_vi", "level", "era", "parent", "province"]
    list_filter = ["era", "level"]
    list_select_related = ["parent", "province"]
    search_fields = ["code", "name_vi", "name_en", "full_name_vi", "full_name_en"]
    raw_id_fields = ["parent", "province"]


@admin.register(UnitMapping)
class UnitMappingAdmin(SimpleHistoryAdmin):
    list_display = ["old_unit", "new_unit", "level", "old_split_count"]
    list_filter = ["level"]
    list_select_related = ["old_unit", "new_unit"]
    search_fields = ["old_unit__code", "old_unit__name_vi", "new_unit__code", "new_unit__name_vi"]
    raw_id_fields = ["old_unit", "new_unit"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    list_display = ["currency", "frequency", "period_start", "period_end", "rate", "source"]
    list_filter = ["frequency", "source"]
    list_select_related = ["currency"]
    search_fields = ["currency__code"]
    raw_id_fields = ["currency"]
    date_hierarchy = "period_start"

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        rates_changed.send(sender=ExchangeRate, currencies=[obj.currency.code])

    def delete_model(self, request: HttpRequest, obj: ExchangeRate) -> None:
        super().delete_model(request, obj)
        rates_changed.send(sender=ExchangeRate, currencies=[obj.currency.code])
