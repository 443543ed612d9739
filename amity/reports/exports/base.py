"""What every export format shares: the export's context (who, when, which published report), the one
rebuilding of a `ReportResult` from frozen figures, the table layout and the description of the parameters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from amity.aid.choices import AidStatus, BeneficiaryGroup, Modality
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, CodelistItem, Country

from ..selectors import Key, ReportResult, Row, frozen_rows
from ..services import frozen_status_basis
from ..spec import STORED_WITHOUT_STATUS_BASIS, Dimension, Measure, ReportSpec, SpecError, StatusBasis, spec_from_stored

if TYPE_CHECKING:
    from ..models import PublishedReport

Number = Decimal | int


@dataclass(frozen=True)
class ExportContext:
    """Who asked for the export and when; for a published report, the report whose frozen figures it shows."""

    user: Any
    generated_at: datetime = field(default_factory=timezone.now)
    title: str = ""
    published: PublishedReport | None = None
    records_url: str = ""  # absolute link to the aid list behind the totals (empty: not shown)

    @property
    def generated_by(self) -> str:
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return ""
        name: str = self.user.get_full_name() or self.user.get_username()  # `user` is typed Any: a signed-in User
        return name

    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.published is not None:
            return self.published.title
        return _("Foreign non-governmental aid report")


# --- frozen figures → result ----------------------------------------------------------------------------------


def result_from_figures(parameters: Mapping[str, Any], figures: Mapping[str, Any]) -> ReportResult:
    """The inverse of `services.result_to_figures`: a published report's stored JSON as a `ReportResult`, so
    that exports of live and of frozen figures go through the same code. The figures stay as they were
    published; codes are named in the reader's language (`frozen_rows`)."""
    measures = tuple(Measure(m) for m in figures.get("measures", ()))
    dimensions = tuple(Dimension(d) for d in figures.get("dimensions", ()))
    try:
        spec = spec_from_stored(parameters)
    except SpecError:  # parameters of an older version
        spec = ReportSpec(currency=str(figures.get("currency", "USD")), statuses=STORED_WITHOUT_STATUS_BASIS)
    spec = replace(
        spec,
        measures=measures or spec.measures,
        group_by=dimensions,
        currency=str(figures.get("currency", spec.currency)),
    )

    def number(measure: Measure, raw: Any) -> Number:
        return Decimal(str(raw)) if measure.is_money else int(raw)

    def values(raw: Mapping[str, Any]) -> dict[Measure, Number]:
        return {Measure(m): number(Measure(m), v) for m, v in raw.items()}

    rows = [
        Row(
            keys=tuple(Key(Dimension(k["dimension"]), k["value"], str(k["label"])) for k in raw_row["keys"]),
            values=values(raw_row["values"]),
        )
        for raw_row in frozen_rows(figures, spec.era)
    ]
    return ReportResult(
        spec=spec,
        rows=rows,
        totals=values(figures.get("totals", {})),
        basis_label=str(figures.get("basis", "")),
        notes=[str(note) for note in figures.get("notes", ())],
        status_basis_label=frozen_status_basis(figures),
    )


# --- the table --------------------------------------------------------------------------------------------------

TEXT, MONEY, COUNT = "text", "money", "count"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # TEXT, MONEY or COUNT
    measure: Measure | None = None


def table_columns(result: ReportResult) -> list[Column]:
    """One text column per dimension (one “Figures” column when ungrouped, to carry the “Total” label),
    then one column per measure; money headers name the currency."""
    columns = [Column(d.label, TEXT) for d in result.spec.group_by] or [Column(_("Figures"), TEXT)]
    for measure in result.spec.measures:
        if measure.is_money:
            header = _("%(measure)s (%(currency)s)") % {"measure": measure.label, "currency": result.currency}
            columns.append(Column(header, MONEY, measure))
        else:
            columns.append(Column(measure.label, COUNT, measure))
    return columns


def _zero(measure: Measure) -> Number:
    return Decimal(0) if measure.is_money else 0


def table_rows(result: ReportResult) -> Iterator[list[Any]]:
    """The body rows: labels, then numbers (Decimal for money, int for counts). A generator, so that large
    results are not copied."""
    measures = result.spec.measures
    for row in result.rows:
        yield [key.label for key in row.keys] + [row.values.get(m, _zero(m)) for m in measures]


def totals_row(result: ReportResult) -> list[Any]:
    width = max(len(result.spec.group_by), 1)
    return [_("Total")] + [""] * (width - 1) + [result.totals.get(m, _zero(m)) for m in result.spec.measures]


def has_counts(result: ReportResult) -> bool:
    return any(not m.is_money for m in result.spec.measures)


def export_notes(result: ReportResult) -> list[str]:
    """The result's notes plus what a reader of a table with counts must know."""
    notes = list(result.notes)
    if has_counts(result) and result.spec.group_by:
        notes.append(
            _(
                "Counts (aid items, donors) are distinct counts in each row and again in the total; an aid item "
                "in several rows is counted in each, so counts do not add up to the total."
            )
        )
    return notes


def money_places(currency: str) -> int:
    return 0 if currency == "VND" else 2


# --- the parameters, described ----------------------------------------------------------------------------------


def format_date(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def period_label(spec: ReportSpec) -> str:
    if spec.date_from and spec.date_to:
        return _("%(start)s to %(end)s") % {"start": format_date(spec.date_from), "end": format_date(spec.date_to)}
    if spec.date_from:
        return _("from %(start)s") % {"start": format_date(spec.date_from)}
    if spec.date_to:
        return _("until %(end)s") % {"end": format_date(spec.date_to)}
    return _("all dates")


def filter_descriptions(spec: ReportSpec, user: Any) -> list[tuple[str, str, str]]:
    """(parameter, label, value) for each filter, with names instead of codes where one query finds them."""
    f = spec.filters
    lines: list[tuple[str, str, str]] = []
    if f.get("province"):
        unit = AdministrativeUnit.objects.filter(era=spec.era, level="province", code=f["province"]).first()
        lines.append(("province", _("Province"), unit.full_name if unit else f["province"]))
    if f.get("sector"):
        codelist = "SectorCategory" if len(f["sector"]) == 3 else "Sector"
        item = CodelistItem.objects.of(codelist).filter(code=f["sector"]).first()
        lines.append(("sector", _("Sector"), f"{item.code} {item.name}" if item else f["sector"]))
    if f.get("donor"):
        donor = None
        if _is_uuid(f["donor"]):  # else shown as given (the report has no rows for it either)
            donor = Organisation.objects.restrict(user, "view").filter(public_id=f["donor"]).first()
        lines.append(("donor", _("Donor"), str(donor) if donor else f["donor"]))
    if f.get("donor_country"):
        country = Country.objects.filter(code=f["donor_country"]).first()
        lines.append(("donor_country", _("Donor country"), country.name if country else f["donor_country"]))
    choices: dict[str, tuple[str, Any]] = {
        "modality": (_("Modality"), Modality),
        "status": (_("Status"), AidStatus),
        "beneficiary": (_("Beneficiary group"), BeneficiaryGroup),
    }
    for key, (label, enum) in choices.items():
        if f.get(key):
            lines.append((key, label, str(enum(f[key]).label) if f[key] in enum.values else f[key]))
    if f.get("is_relief") in ("true", "false"):
        lines.append(("is_relief", _("Relief aid"), _("yes") if f["is_relief"] == "true" else _("no")))
    return lines


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def parameter_lines(result: ReportResult, context: ExportContext) -> list[tuple[str, str]]:
    """What the report was asked for, who generated it and when, as (label, value) lines for a cover page."""
    spec = result.spec
    lines = [
        (_("Period"), period_label(spec)),
        (_("Administrative units"), str(Era(spec.era).label) if spec.era in Era.values else spec.era),
        (_("Currency"), result.currency),
        (_("Conversion basis"), result.basis_label),
        (_("Status basis"), result.status_basis_label),
        (_("Measures"), ", ".join(m.label for m in spec.measures)),
        (_("Grouped by"), ", ".join(d.label for d in spec.group_by) or _("not grouped")),
    ]
    filters = filter_descriptions(spec, context.user)
    lines += [(label, value) for _key, label, value in filters] or [(_("Filters"), _("none"))]
    published = context.published
    if published is not None:
        lines += [
            (_("Published report"), published.title),
            (_("Publisher"), published.publisher_label),
            (_("Published"), formats.date_format(timezone.localtime(published.published_at), "SHORT_DATETIME_FORMAT")),
            (_("Content hash (SHA-256)"), published.content_hash),
            (_("Figures"), _("frozen when published; later edits do not change them")),
        ]
    lines += [
        (_("Generated by"), context.generated_by),
        (_("Generated"), formats.date_format(timezone.localtime(context.generated_at), "SHORT_DATETIME_FORMAT")),
    ]
    if context.records_url:
        lines.append((_("Records behind the figures"), context.records_url))
    return lines


# --- file names ----------------------------------------------------------------------------------------------------


def basis_slug(result: ReportResult) -> str:
    """A short, file-name-safe statement of the basis (the CSV carries it in its name)."""
    basis = result.spec.basis
    if basis.kind == "fixed_rate" and basis.vnd_per_usd is not None:
        return f"fixed-{basis.vnd_per_usd.normalize():f}"
    if basis.kind == "rates_on" and basis.on is not None:
        return f"rates-{basis.on.isoformat()}"
    return "value-date"


def filename(result: ReportResult, context: ExportContext, extension: str, *, with_basis: bool = False) -> str:
    stem = "amity-published-report" if context.published is not None else "amity-report"
    day = timezone.localdate(context.published.published_at if context.published else context.generated_at)
    parts = [stem, day.isoformat(), result.currency.lower()]
    if with_basis:
        parts.append(basis_slug(result))
        if result.spec.statuses != StatusBasis.OFFICIAL:
            parts.append(f"{result.spec.statuses}-statuses")
    return "-".join(parts) + f".{extension}"
