"""Reference data: countries, currencies, IATI codelists, administrative units of both eras with the
old→new mapping, and exchange rates. Loaded by `manage.py load_reference`; edited only by administrators."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import CodeStatus, Era, RateFrequency, UnitLevel


class LocalizedNameMixin(models.Model):
    """Names in the interface languages; `name` is the one for the active language, English as fall-back."""

    # 1000 characters: some IATI names are whole sentences (UNSDG-Targets 3.b is 670 characters in French).
    name_en = models.CharField(_("name (English)"), max_length=1000)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=1000, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=1000, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=1000, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"  # type: ignore[attr-defined]  # each concrete model has a code

    @property
    def name(self) -> str:
        language = (translation.get_language() or "vi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_en


class Country(LocalizedNameMixin):
    code = models.CharField(_("code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2"))
    status = models.CharField(_("status"), max_length=16, choices=CodeStatus.choices, default=CodeStatus.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["code"]


class Currency(LocalizedNameMixin):
    code = models.CharField(_("code"), max_length=3, unique=True, help_text=_("ISO 4217"))
    minor_units = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    status = models.CharField(_("status"), max_length=16, choices=CodeStatus.choices, default=CodeStatus.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]


class Codelist(models.Model):
    """One IATI codelist (e.g. Sector, TransactionType), as published for standard 2.03."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    embedded = models.BooleanField(_("embedded"), default=False)
    category_codelist = models.CharField(
        _("category codelist"),
        max_length=100,
        blank=True,
        help_text=_("The codelist that groups this one's items (e.g. SectorCategory for Sector)."),
    )

    class Meta:
        verbose_name = _("codelist")
        verbose_name_plural = _("codelists")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CodelistItemQuerySet(models.QuerySet["CodelistItem"]):
    def of(self, codelist: str) -> Self:
        return self.filter(codelist__name=codelist)

    def active(self) -> Self:
        return self.filter(status=CodeStatus.ACTIVE)


class CodelistItem(LocalizedNameMixin):
    codelist = models.ForeignKey(Codelist, on_delete=models.CASCADE, related_name="items", verbose_name=_("codelist"))
    # FileFormat codes are media types of up to 84 characters.
    code = models.CharField(_("code"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("category"),
        help_text=_("e.g. the DAC 3-digit category of a 5-digit sector"),
    )
    status = models.CharField(_("status"), max_length=16, choices=CodeStatus.choices, default=CodeStatus.ACTIVE)

    objects = CodelistItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("codelist item")
        verbose_name_plural = _("codelist items")
        ordering = ["codelist", "code"]
        constraints = [models.UniqueConstraint(fields=["codelist", "code"], name="reference_codelist_item_unique")]


class AdministrativeUnit(models.Model):
    """A province, district or commune of one era. Codes are official GSO codes, reused across eras."""

    era = models.CharField(_("era"), max_length=8, choices=Era.choices)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    code = models.CharField(_("code"), max_length=5)
    name_vi = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    full_name_vi = models.CharField(_("full name"), max_length=200)
    full_name_en = models.CharField(_("full name (English)"), max_length=200)
    # A province's is a transliteration (data/translations/provinces_ar.csv); a district or commune has none and
    # is named in Arabic by its Vietnamese name, its full name being the Arabic word for its kind before it.
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=200, blank=True)
    unit_type = models.CharField(_("unit type"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    province = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("The province this unit lies in (empty for a province)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["era", "code"]
        constraints = [
            models.UniqueConstraint(fields=["era", "level", "code"], name="reference_unit_unique_code_per_era"),
        ]
        indexes = [models.Index(fields=["era", "level"], name="reference_unit_era_level")]

    def __str__(self) -> str:
        if self.era == Era.CURRENT:
            return f"{self.full_name} ({self.code})"
        return f"{self.full_name} ({self.code}, {_('before 2025')})"

    def _in_language(self, field: str) -> str:
        """`field`'s Vietnamese value on Vietnamese pages; on Arabic pages its Arabic one, else (a district's or
        commune's name) the official Vietnamese one, never the English one, which drops the diacritics; its
        English one on English pages."""
        language = (translation.get_language() or "vi")[:2]
        if language == "vi":
            return str(getattr(self, f"{field}_vi"))
        if language == "ar":
            return str(getattr(self, f"{field}_ar")) or str(getattr(self, f"{field}_vi"))
        return str(getattr(self, f"{field}_en"))

    @property
    def name(self) -> str:
        return self._in_language("name")

    @property
    def full_name(self) -> str:
        return self._in_language("full_name")


class UnitMapping(models.Model):
    """One (old unit, new unit) pair of the 1 Jul 2025 reorganisation. An old commune split between several
    new communes has one row per new commune, each with the same `old_split_count` > 1."""

    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    old_unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="successors",
        verbose_name=_("old unit"),
        limit_choices_to={"era": Era.PRE2025},
    )
    new_unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("new unit"),
        limit_choices_to={"era": Era.CURRENT},
    )
    old_split_count = models.PositiveSmallIntegerField(
        _("number of new units"),
        default=1,
        help_text=_("More than 1 when the old unit was split."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit mapping")
        verbose_name_plural = _("unit mappings")
        ordering = ["level", "old_unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["old_unit", "new_unit"], name="reference_mapping_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit}"

    @property
    def is_split(self) -> bool:
        return self.old_split_count > 1


class ExchangeRate(models.Model):
    """Units of `currency` per 1 USD over a period (a year, a month or a day)."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates", verbose_name=_("currency"))
    frequency = models.CharField(_("frequency"), max_length=1, choices=RateFrequency.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    rate = models.DecimalField(_("units per USD"), max_digits=28, decimal_places=12)
    source = models.CharField(_("source"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency__code", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "frequency", "period_start"], name="reference_rate_unique_period"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="reference_rate_positive"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="reference_rate_period_order"
            ),
        ]
        indexes = [models.Index(fields=["currency", "period_start", "period_end"], name="reference_rate_lookup")]

    def __str__(self) -> str:
        return f"{self.currency.code} {self.rate} / USD ({self.period_start}–{self.period_end})"
