"""A filtered, scoped list written into its Excel template, so that it can be edited and uploaded again: each
row carries the record's stable identifier and version in hidden columns. Rows come from
`restrict(user, "view")` and the list page's FilterSet, in a fixed number of queries whatever the number of
rows (the lists of the drop-downs, the records, one query per prefetched part)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from amity.aid.choices import ParticipantRole
from amity.aid.filtersets import AidItemFilterSet
from amity.aid.models import AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from amity.core.scoping import Action
from amity.core.text import set_cell
from amity.organisations.filtersets import OrganisationFilterSet, RegistrationFilterSet
from amity.organisations.models import Organisation, Registration
from amity.organisations.names import normalise_name

from .templates import (
    DATE,
    DATE_FORMAT,
    DECIMAL,
    DECIMAL_FORMAT,
    FIRST_DATA_ROW,
    MAX_DATA_ROWS,
    PERCENT,
    PERCENT_FORMAT,
    Choice,
    SheetSpec,
    WorkbookSpec,
    build_workbook,
    lists_for,
    spec_for,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InvalidFilter(ValueError):
    """The filter parameters do not validate: an export never silently ignores a filter."""

    def __init__(self, errors: Any) -> None:
        self.errors = errors
        super().__init__(errors.as_text() if hasattr(errors, "as_text") else str(errors))


class TooManyRows(ValueError):
    """More rows than a template takes: narrow the filter."""


@dataclass(frozen=True)
class _Cells:
    """How values become cells: codes as `code – label` from the lists, organisations by a name that finds
    them again on upload."""

    lists: Mapping[str, Mapping[str, Choice]]
    ambiguous_names: frozenset[str]

    def code(self, list_name: str, code: str | None) -> str | None:
        if code in (None, ""):
            return None
        choice = self.lists.get(list_name, {}).get(str(code))
        return choice.value if choice else str(code)

    def organisation(self, organisation: Organisation | None) -> str | None:
        if organisation is None:
            return None
        if organisation.iati_identifier and normalise_name(organisation.name) in self.ambiguous_names:
            return organisation.iati_identifier
        return organisation.name


def _filtered(filterset_class: Any, params: Mapping[str, Any], queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
    filterset = filterset_class(params or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        raise InvalidFilter(filterset.errors)
    filtered: QuerySet[Any] = filterset.qs  # django-filter is untyped
    return filtered


def aid_items_for_export(user: Any, params: Mapping[str, Any], request: Any = None) -> QuerySet[AidItem]:
    items = _filtered(AidItemFilterSet, params, AidItem.objects.restrict(user, Action.VIEW), request)
    return (
        items.select_related("owning_province")
        .prefetch_related(
            Prefetch("sectors", queryset=SectorSplit.objects.select_related("sector").order_by("-percentage", "pk")),
            Prefetch("locations", queryset=LocationSplit.objects.select_related("unit").order_by("-percentage", "pk")),
            Prefetch(
                "participants",
                queryset=AidParticipant.objects.filter(role=ParticipantRole.FUNDING).select_related("organisation"),
                to_attr="funders",
            ),
        )
        .order_by("-created_at", "pk")
    )


def transactions_for_export(user: Any, params: Mapping[str, Any], request: Any = None) -> QuerySet[Transaction]:
    """The transactions of the aid items the aid list's filter selects (the same filter as the list page)."""
    items = _filtered(AidItemFilterSet, params, AidItem.objects.restrict(user, Action.VIEW), request)
    return (
        Transaction.objects.restrict(user, Action.VIEW)
        .filter(aid_item__in=items.values("pk"))
        .select_related("aid_item", "currency", "provider", "receiver")
        .order_by("aid_item__created_at", "aid_item_id", "date", "pk")
    )


def organisations_for_export(user: Any, params: Mapping[str, Any], request: Any = None) -> QuerySet[Organisation]:
    organisations = _filtered(OrganisationFilterSet, params, Organisation.objects.restrict(user, Action.VIEW), request)
    return organisations.select_related("owning_province", "country", "iati_type").order_by("name", "pk")


def registrations_for_export(user: Any, params: Mapping[str, Any], request: Any = None) -> QuerySet[Registration]:
    registrations = _filtered(RegistrationFilterSet, params, Registration.objects.restrict(user, Action.VIEW), request)
    return (
        registrations.select_related("organisation")
        .prefetch_related("provinces", "sectors")
        .order_by("expiry_date", "pk")
        .distinct()
    )


def records_for_export(kind: str, user: Any, params: Mapping[str, Any], request: Any = None) -> QuerySet[Any]:
    """The main records an export of `kind` writes (to count them before choosing how to export)."""
    finders = {
        "organisations": organisations_for_export,
        "registrations": registrations_for_export,
        "aid_items": aid_items_for_export,
        "transactions": transactions_for_export,
    }
    return finders[kind](user, params, request)


def export_workbook(kind: str, user: Any, params: Mapping[str, Any] | None = None, request: Any = None) -> Workbook:
    """The template of `kind` filled with the records `params` select among those the user may see."""
    spec = spec_for(kind)
    params = params or {}
    lists = lists_for(spec, user)
    cells = _Cells(
        lists={name: {choice.code: choice for choice in choices} for name, choices in lists.items()},
        ambiguous_names=_ambiguous_names(user) if _uses_organisations(spec) else frozenset(),
    )
    workbook = build_workbook(spec, user, lists)
    sheets = {sheet.key: workbook.worksheets[index] for index, sheet in enumerate(spec.sheets)}
    if kind == "organisations":
        rows = {"organisations": (_organisation_row(o, cells) for o in organisations_for_export(user, params, request))}
    elif kind == "registrations":
        rows = {"registrations": (_registration_row(r, cells) for r in registrations_for_export(user, params, request))}
    elif kind == "aid_items":
        items = list(aid_items_for_export(user, params, request))
        rows = {
            "aid_items": (_aid_item_row(item, cells) for item in items),
            "sectors": (row for item in items for row in _sector_rows(item, cells)),
            "locations": (row for item in items for row in _location_rows(item, cells)),
        }
    else:
        rows = {"transactions": (_transaction_row(tx, cells) for tx in transactions_for_export(user, params, request))}
    for key, values in rows.items():
        _fill(sheets[key], spec.sheet(key), values)
    return workbook


def write_export(
    kind: str, user: Any, stream: IO[bytes], params: Mapping[str, Any] | None = None, request: Any = None
) -> None:
    export_workbook(kind, user, params, request).save(stream)


def _uses_organisations(spec: WorkbookSpec) -> bool:
    return any(column.type == "organisation" for sheet in spec.sheets for column in sheet.columns)


def _ambiguous_names(user: Any) -> frozenset[str]:
    names = Counter(
        normalise_name(name) for name in Organisation.objects.restrict(user, Action.VIEW).values_list("name", flat=True)
    )
    return frozenset(name for name, count in names.items() if count > 1)


def _fill(worksheet: Any, sheet: SheetSpec, rows: Iterable[dict[str, Any]]) -> None:
    formats = {
        index: {DATE: DATE_FORMAT, DECIMAL: DECIMAL_FORMAT, PERCENT: PERCENT_FORMAT}.get(column.type)
        for index, column in enumerate(sheet.columns, start=1)
    }
    for number, values in enumerate(rows, start=FIRST_DATA_ROW):
        if number >= FIRST_DATA_ROW + MAX_DATA_ROWS:
            raise TooManyRows(_("More than %(limit)s rows: narrow the filter.") % {"limit": MAX_DATA_ROWS})
        for index, column in enumerate(sheet.columns, start=1):
            value = values.get(column.key)
            if value is None or value == "":
                continue
            # Text as text (a title starting with "=" is no formula), without characters a workbook cannot hold.
            cell = set_cell(worksheet.cell(row=number, column=index), value)
            if formats[index]:
                cell.number_format = formats[index]


def _organisation_row(organisation: Organisation, cells: _Cells) -> dict[str, Any]:
    return {
        "id": str(organisation.public_id),
        "version": organisation.version,
        "name": organisation.name,
        "name_vi": organisation.name_vi,
        "acronym": organisation.acronym,
        "kind": cells.code("organisation_kinds", organisation.kind),
        "iati_identifier": organisation.iati_identifier,
        "iati_type": cells.code("organisation_types", organisation.iati_type.code if organisation.iati_type else None),
        "country": cells.code("countries", organisation.country.code if organisation.country else None),
        "website": organisation.website,
        "email": organisation.email,
        "phone": organisation.phone,
        "address": organisation.address,
        "status": cells.code("organisation_statuses", organisation.status),
        "owning_province": cells.code(
            "provinces", organisation.owning_province.code if organisation.owning_province else None
        ),
        "description": organisation.description,
    }


def _registration_row(registration: Registration, cells: _Cells) -> dict[str, Any]:
    return {
        "id": str(registration.public_id),
        "version": registration.version,
        "organisation": cells.organisation(registration.organisation),
        "kind": cells.code("registration_kinds", registration.kind),
        "number": registration.number,
        "issuing_body": registration.issuing_body,
        "issue_date": registration.issue_date,
        "expiry_date": registration.expiry_date,
        "provinces": ", ".join(sorted(unit.code for unit in registration.provinces.all())),
        "sectors": ", ".join(sorted(item.code for item in registration.sectors.all())),
        "note": registration.note,
    }


def _aid_item_row(item: AidItem, cells: _Cells) -> dict[str, Any]:
    funders = getattr(item, "funders", [])
    return {
        "id": str(item.public_id),
        "version": item.version,
        "reference": item.reference,
        "iati_identifier": item.iati_identifier,
        "title_vi": item.title_vi,
        "title_en": item.title_en,
        "modality": cells.code("modalities", item.modality),
        "is_relief": cells.code("yes_no", "1" if item.is_relief else "0"),
        "owning_province": cells.code("provinces", item.owning_province.code) if item.owning_province else None,
        "donor": cells.organisation(funders[0].organisation) if funders else None,
        "planned_start": item.planned_start,
        "planned_end": item.planned_end,
        "description": item.description,
    }


def _sector_rows(item: AidItem, cells: _Cells) -> Iterable[dict[str, Any]]:
    for share in item.sectors.all():
        yield {
            "aid_item": str(item.public_id),
            "aid_item_title": item.title_vi,
            "sector": cells.code("sectors", share.sector.code),
            "percentage": share.percentage,
        }


def _location_rows(item: AidItem, cells: _Cells) -> Iterable[dict[str, Any]]:
    for share in item.locations.all():
        yield {
            "aid_item": str(item.public_id),
            "aid_item_title": item.title_vi,
            "era": cells.code("eras", share.unit.era),
            "unit": cells.code("units", share.unit.code) if share.unit.era == "2025" else share.unit.code,
            "percentage": share.percentage,
        }


def _transaction_row(tx: Transaction, cells: _Cells) -> dict[str, Any]:
    return {
        "id": str(tx.public_id),
        "version": tx.version,
        "aid_item": str(tx.aid_item.public_id),
        "aid_item_title": tx.aid_item.title_vi,
        "transaction_type": cells.code("transaction_types", tx.transaction_type),
        "date": tx.date,
        "value_date": tx.value_date,
        "amount": tx.amount,
        "currency": cells.code("currencies", tx.currency.code),
        "provider": cells.organisation(tx.provider),
        "receiver": cells.organisation(tx.receiver),
        "description": tx.description,
    }


__all__ = [
    "CONTENT_TYPE",
    "InvalidFilter",
    "TooManyRows",
    "aid_items_for_export",
    "export_workbook",
    "organisations_for_export",
    "registrations_for_export",
    "transactions_for_export",
    "write_export",
]
