"""What a report asks for: measures, grouping, period, era, currency, conversion basis, status basis and
filters; read from and written to URL parameters so that any view can be bookmarked, shared, exported and
published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.aid.choices import OFFICIAL_STATUSES, AidStatus, BeneficiaryGroup, Modality
from amity.core.text import check_text
from amity.reference.choices import Era


class Measure(StrEnum):
    COMMITTED = "committed"
    DISBURSED = "disbursed"
    EXPENDITURE = "expenditure"
    AID_ITEMS = "aid_items"
    DONORS = "donors"

    @property
    def label(self) -> str:
        return str(MEASURE_LABELS[self])

    @property
    def is_money(self) -> bool:
        return self in MONEY_MEASURES


MEASURE_LABELS = {
    Measure.COMMITTED: gettext_lazy("Committed"),
    Measure.DISBURSED: gettext_lazy("Disbursed"),
    Measure.EXPENDITURE: gettext_lazy("Expenditure"),
    Measure.AID_ITEMS: gettext_lazy("Aid items"),
    Measure.DONORS: gettext_lazy("Donors"),
}
MONEY_MEASURES = frozenset({Measure.COMMITTED, Measure.DISBURSED, Measure.EXPENDITURE})


class Dimension(StrEnum):
    YEAR = "year"
    PROVINCE = "province"
    SECTOR = "sector"
    SECTOR_CATEGORY = "sector_category"
    DONOR = "donor"
    DONOR_COUNTRY = "donor_country"
    MODALITY = "modality"
    STATUS = "status"
    BENEFICIARY = "beneficiary"

    @property
    def label(self) -> str:
        return str(DIMENSION_LABELS[self])

    @property
    def is_additive(self) -> bool:
        """Beneficiary groups carry no percentages: an item with two groups is shown under both."""
        return self != Dimension.BENEFICIARY


DIMENSION_LABELS = {
    Dimension.YEAR: gettext_lazy("Year"),
    Dimension.PROVINCE: gettext_lazy("Province"),
    Dimension.SECTOR: gettext_lazy("Sector"),
    Dimension.SECTOR_CATEGORY: gettext_lazy("Sector category"),
    Dimension.DONOR: gettext_lazy("Donor"),
    Dimension.DONOR_COUNTRY: gettext_lazy("Donor country"),
    Dimension.MODALITY: gettext_lazy("Modality"),
    Dimension.STATUS: gettext_lazy("Status"),
    Dimension.BENEFICIARY: gettext_lazy("Beneficiary group"),
}


class BasisKind(StrEnum):
    VALUE_DATE = "value_date"
    FIXED_RATE = "fixed_rate"  # one number of VND per USD (e.g. 25,274)
    RATES_ON = "rates_on"  # every currency at its rate on one chosen date


@dataclass(frozen=True)
class Basis:
    kind: BasisKind = BasisKind.VALUE_DATE
    vnd_per_usd: Decimal | None = None
    on: date | None = None

    def label(self, currency: str = "VND") -> str:
        if self.kind == BasisKind.FIXED_RATE and currency == "VND":
            rate = formats.number_format(self.vnd_per_usd.normalize(), force_grouping=True) if self.vnd_per_usd else "?"
            return _("fixed rate %(rate)s VND/USD") % {"rate": rate}
        if self.kind == BasisKind.RATES_ON:
            on = formats.date_format(self.on, "SHORT_DATE_FORMAT") if self.on else "?"
            return _("rates of %(date)s") % {"date": on}
        # A fixed VND/USD rate says nothing about other currencies: USD figures stay at value-date rates.
        return _("value-date rates (finest loaded, else the year's average)")


class StatusBasis(StrEnum):
    """Which aid a report counts, by its status (DESIGN.md invariant 11)."""

    OFFICIAL = "official"  # from approval on (`amity.aid.choices.OFFICIAL_STATUSES`): the official figures
    ALL = "all"  # every status, proposals and rejected, cancelled or revoked aid included

    @property
    def counted(self) -> frozenset[str] | None:
        """The statuses counted; None when every status is."""
        return OFFICIAL_STATUSES if self == StatusBasis.OFFICIAL else None

    def counts(self, status: str) -> bool:
        return self.counted is None or status in self.counted

    @property
    def label(self) -> str:
        """What the figures count, printed beside them as the conversion basis is."""
        if self == StatusBasis.OFFICIAL:
            names = ", ".join(str(status.label).lower() for status in AidStatus if status in OFFICIAL_STATUSES)
            return _("approved aid (%(statuses)s)") % {"statuses": names}
        return _("aid of every status, unapproved aid included")


# Parameters stored before reports had a status basis (published reports) were computed over every status.
STORED_WITHOUT_STATUS_BASIS = StatusBasis.ALL

FILTER_KEYS = ("province", "sector", "donor", "donor_country", "modality", "status", "beneficiary", "is_relief")


@dataclass(frozen=True)
class ReportSpec:
    measures: tuple[Measure, ...] = (Measure.COMMITTED, Measure.DISBURSED)
    group_by: tuple[Dimension, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    era: str = Era.CURRENT
    currency: str = "USD"
    basis: Basis = field(default_factory=Basis)
    filters: Mapping[str, str] = field(default_factory=dict)
    statuses: StatusBasis = StatusBasis.OFFICIAL

    def with_period(self, date_from: date | None, date_to: date | None) -> ReportSpec:
        return replace(self, date_from=date_from, date_to=date_to)

    def previous_period(self) -> ReportSpec:
        """The period of the same length just before this one."""
        if self.date_from is None or self.date_to is None:
            raise ValueError("a comparison needs a period with both ends")
        length = self.date_to - self.date_from
        end = self.date_from - timedelta(days=1)
        return self.with_period(end - length, end)

    def to_params(self) -> dict[str, str]:
        """The URL parameters that rebuild this spec (and, without report-only keys, filter the aid list)."""
        params: dict[str, str] = {
            "measures": ",".join(self.measures),
            "group_by": ",".join(self.group_by),
            "era": self.era,
            "currency": self.currency,
            "basis": self.basis.kind,
            "statuses": self.statuses,  # always stated, so that a published report records it
        }
        if self.date_from:
            params["date_from"] = self.date_from.isoformat()
        if self.date_to:
            params["date_to"] = self.date_to.isoformat()
        if self.basis.vnd_per_usd is not None:
            params["rate"] = f"{self.basis.vnd_per_usd:f}"
        if self.basis.on is not None:
            params["rate_date"] = self.basis.on.isoformat()
        params.update({key: value for key, value in self.filters.items() if value not in ("", None)})
        return {key: value for key, value in params.items() if value != ""}


class SpecError(ValueError):
    """Bad report parameters; `errors` maps each parameter to its message (a 400 in the API)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _parse_date(raw: str, name: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def _parse_list(raw: str, kind: type[StrEnum], name: str, errors: dict[str, str]) -> tuple[Any, ...]:
    values = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            values.append(kind(item))
        except ValueError:
            errors[name] = _("Unknown value “%(value)s”.") % {"value": item}
    return tuple(dict.fromkeys(values))


def spec_from_params(params: Mapping[str, str], *, defaults: ReportSpec | None = None) -> ReportSpec:
    """Read a spec from URL parameters; raise SpecError naming every bad parameter."""
    base = defaults or ReportSpec()
    errors: dict[str, str] = {}
    measures = _parse_list(params.get("measures", ""), Measure, "measures", errors) or base.measures
    group_by = _parse_list(params.get("group_by", ""), Dimension, "group_by", errors) or base.group_by
    if len(group_by) > 3:
        errors["group_by"] = _("Group by at most three dimensions.")
    date_from = _parse_date(params.get("date_from", ""), "date_from", errors) or base.date_from
    date_to = _parse_date(params.get("date_to", ""), "date_to", errors) or base.date_to
    year = params.get("year", "")
    if year:
        if year.isascii() and year.isdigit() and 1900 < int(year) < 2200:
            date_from, date_to = date(int(year), 1, 1), date(int(year), 12, 31)
        else:
            errors["year"] = _("Enter a year such as 2023.")
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = _("The end of the period is before its start.")
    era = params.get("era") or base.era
    if era not in Era.values:
        errors["era"] = _("Unknown era.")
    currency = (params.get("currency") or base.currency).upper()
    if currency not in ("USD", "VND"):
        errors["currency"] = _("Reports are in USD or VND.")
    basis = base.basis
    kind_raw = params.get("basis", "")
    if kind_raw:
        try:
            kind = BasisKind(kind_raw)
        except ValueError:
            errors["basis"] = _("Unknown conversion basis.")
            kind = BasisKind.VALUE_DATE
        rate: Decimal | None = None
        on: date | None = None
        if kind == BasisKind.FIXED_RATE:
            try:
                rate = Decimal(params.get("rate", ""))
                if not rate.is_finite() or rate <= 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors["rate"] = _("Give the fixed rate as a positive number of VND per USD.")
                rate = None
        elif kind == BasisKind.RATES_ON:
            on = _parse_date(params.get("rate_date", ""), "rate_date", errors)
            if on is None and "rate_date" not in errors:
                errors["rate_date"] = _("Give the date whose rates to use.")
        basis = Basis(kind, rate, on)
    statuses = base.statuses
    if params.get("statuses"):
        try:
            statuses = StatusBasis(params["statuses"])
        except ValueError:
            errors["statuses"] = _("Unknown status basis; use “official” (from approval on) or “all”.")
    filters = {key: params[key] for key in FILTER_KEYS if params.get(key)}
    for key, value in filters.items():
        try:
            check_text(value)  # a NUL would fail in the database's query, a control character in an export
        except ValidationError as exc:
            errors[key] = exc.messages[0]
    choices = {"modality": Modality.values, "status": AidStatus.values, "beneficiary": BeneficiaryGroup.values}
    for key, allowed in choices.items():
        if key in filters and filters[key] not in allowed:
            errors[key] = _("Unknown value “%(value)s”.") % {"value": filters[key]}
    status = filters.get("status")
    if status in AidStatus.values and "statuses" not in errors and not statuses.counts(status):
        # Silently empty figures, or figures counting it under the official label, would both mislead.
        errors["status"] = _(
            "Aid that is “%(status)s” is not in the official figures: choose the status basis “All statuses”."
        ) % {"status": AidStatus(status).label}
    if errors:
        raise SpecError(errors)
    return ReportSpec(measures, group_by, date_from, date_to, era, currency, basis, filters, statuses)


def spec_from_stored(parameters: Mapping[str, Any]) -> ReportSpec:
    """A spec from parameters stored by a published report; those stored before the status basis existed
    counted every status, and are read so (their figures were computed that way)."""
    return spec_from_params({"statuses": STORED_WITHOUT_STATUS_BASIS, **{k: str(v) for k, v in parameters.items()}})
