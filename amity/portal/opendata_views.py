"""The open data pages (no sign-in): the datasets with their downloads, the data dictionary, and the downloads
themselves — CSV streamed while it is written, XLSX written row by row to a temporary file (openpyxl's
write-only mode), IATI 2.03 through interop's exporter — so that memory stays flat at national scale."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from amity.core.text import CsvWriter, set_cell, xml_text
from amity.interop.iati.export import iter_activities, iter_organisations
from amity.interop.views_export import XML_CONTENT_TYPE

from .opendata import (
    AID_ITEMS,
    DATASETS,
    KIND_LABELS,
    LICENCE_NAME,
    LICENCE_URL,
    NGOS,
    DataFilterForm,
    Dataset,
    dataset_rows,
    dataset_size,
    licensed_ngos,
    published_aid_items,
    read_filters,
)
from .public import public_page

FORMATS = ("csv", "xlsx", "xml")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is written at about 3 ms a row (openpyxl, 33 columns): past this many rows the download would take
# minutes, so the page asks for a year or a province, or the CSV (streamed at a fraction of the cost).
XLSX_MAX_ROWS = 100_000
_BOLD = Font(bold=True)


def bad_request(errors: dict[str, list[str]]) -> HttpResponse:
    lines = [_("The download was not made: correct these parameters.")]
    lines += [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def download_name(dataset: Dataset, extension: str) -> str:
    return f"amity-{dataset.slug}-{timezone.localdate():%Y%m%d}.{extension}"


# --- CSV -------------------------------------------------------------------------------------------------------------


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def iter_csv(dataset: Dataset, rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese and Arabic), the header of stable column keys (the
    dictionary names them in each language), one line per row, handed on every few hundred rows."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)  # a value starting with "=" reaches a spreadsheet as text
    buffer.write("\ufeff")
    writer.writerow(dataset.keys)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_value(row[key]) for key in dataset.keys])
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------------------------------


def write_xlsx(dataset: Dataset, rows: Iterator[dict[str, Any]], stream: IO[bytes], *, source_url: str) -> None:
    """A sheet about the data (title, licence, source, date, bases), the columns explained, then the data: labels
    in the reader's language in row 1, the stable keys in row 2, rows from row 3."""
    workbook = Workbook(write_only=True)
    right_to_left = translation.get_language_bidi()

    def cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
        made = set_cell(WriteOnlyCell(sheet), value)
        if bold:
            made.font = _BOLD
        return made

    about = workbook.create_sheet(_("About"))
    about.sheet_view.rightToLeft = right_to_left
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100
    for label, value in (
        (_("Dataset"), dataset.title),
        (_("Description"), dataset.description),
        (_("Licence"), f"{LICENCE_NAME} — {LICENCE_URL}"),
        (_("Source"), source_url),
        (_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ):
        about.append([cell(about, label, bold=True), cell(about, str(value))])

    columns = workbook.create_sheet(_("Columns"))
    columns.sheet_view.rightToLeft = right_to_left
    columns.append([cell(columns, text, bold=True) for text in (_("Key"), _("Column"), _("Type"), _("Meaning"))])
    for column in dataset.columns:
        columns.append(
            [cell(columns, value) for value in (column.key, column.label, KIND_LABELS[column.kind], column.description)]
        )

    sheet = workbook.create_sheet(_("Data"))
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.freeze_panes = "A3"
    sheet.append([cell(sheet, str(column.label), bold=True) for column in dataset.columns])
    sheet.append([cell(sheet, key) for key in dataset.keys])
    for row in rows:
        sheet.append([_value(sheet, row[key]) for key in dataset.keys])
    workbook.save(stream)


def _value(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A data value as openpyxl writes it fastest — plain — unless it is text a workbook would take for a formula
    (then a text cell, `set_cell`); text always without the characters a workbook cannot hold."""
    if isinstance(value, str):
        text = xml_text(value)
        return set_cell(WriteOnlyCell(sheet), text) if text.startswith("=") else text
    return value


# --- views -----------------------------------------------------------------------------------------------------------


@require_GET
def dataset_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """`/data/<dataset>.<csv|xlsx|xml>?year=&province=&sector=&donor=` for anyone."""
    dataset = DATASETS.get(slug)
    if dataset is None or fmt not in FORMATS or (fmt == "xml" and not dataset.iati):
        raise Http404
    filters, errors = read_filters(request.GET)
    if errors:
        return bad_request(errors)
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(
            iter_csv(dataset, dataset_rows(dataset, filters)), content_type=CSV_CONTENT_TYPE
        )
    elif fmt == "xlsx":
        if dataset_size(dataset, filters) > XLSX_MAX_ROWS:
            message = _(
                "More than %(count)s rows: too many for a workbook. Choose a year or a province, or download the CSV."
            ) % {"count": f"{XLSX_MAX_ROWS:,}"}
            return bad_request({"format": [message]})
        stream = tempfile.TemporaryFile()  # noqa: SIM115  # closed by FileResponse once sent
        write_xlsx(dataset, dataset_rows(dataset, filters), stream, source_url=request.build_absolute_uri())
        stream.seek(0)
        response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE)
    elif dataset is NGOS:
        response = StreamingHttpResponse(iter_organisations(licensed_ngos()), content_type=XML_CONTENT_TYPE)
    else:
        # Every published aid item with its transactions, as IATI activities (transactions are inside them).
        response = StreamingHttpResponse(
            iter_activities(published_aid_items(filters), public=True), content_type=XML_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{download_name(dataset, "xml" if fmt == "xml" else fmt)}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response


def download_links(dataset: Dataset, query: dict[str, Any]) -> list[tuple[str, str]]:
    names = {"csv": "CSV", "xlsx": "XLSX", "xml": "IATI 2.03 XML"}
    suffix = f"?{urlencode(query)}" if query else ""
    return [
        (names[fmt], reverse("portal-data:dataset", kwargs={"slug": dataset.slug, "fmt": fmt}) + suffix)
        for fmt in FORMATS
        if fmt != "xml" or dataset.iati
    ]


@public_page(params=("year", "province", "sector", "donor"))
@require_GET
def data_index(request: HttpRequest) -> HttpResponse:
    """The datasets, their downloads (filtered by the form), the licence and the links to the dictionary and API."""
    form = DataFilterForm(request.GET or None)
    filters, errors = read_filters(request.GET) if request.GET else ({}, {})
    query = {name: str(value) for name, value in filters.items()}
    datasets = [
        {"dataset": dataset, "links": download_links(dataset, query if dataset is not NGOS else {})}
        for dataset in DATASETS.values()
    ]
    context = {
        "public_section": "data",
        "form": form,
        "datasets": datasets,
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "aid_items": AID_ITEMS,
        "provinces": _province_choices(),
    }
    return render(request, "portal/data/index.html", context, status=400 if errors else 200)


def _province_choices() -> list[tuple[str, str]]:
    from .opendata import province_names

    return [(code, unit.name) for code, unit in province_names().items()]


@public_page
@require_GET
def data_dictionary(request: HttpRequest) -> HttpResponse:
    """Every column of every dataset: its key, its name in the reader's language, its type and meaning."""
    return render(
        request,
        "portal/data/dictionary.html",
        {
            "public_section": "data",
            "datasets": list(DATASETS.values()),
            "kind_labels": KIND_LABELS,
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
        },
    )
