"""The open data pages (no sign-in): the datasets with their ready files (size, date, SHA-256), the data
dictionary, and the downloads — each the ready file written in the background (`opendata_files`), sent as it is
with its validators (ETag = its SHA-256, Last-Modified) so that a client that has it gets a 304; never built in
the request. A file not written yet is a page saying so (and its build is queued)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from amity.core.files import file_response

from .models import OpenDataFile
from .opendata import (
    AID_ITEMS,
    DATASETS,
    KIND_LABELS,
    LICENCE_NAME,
    LICENCE_URL,
    NATIONWIDE_CODE,
    NGOS,
    DataFilterForm,
    Dataset,
    province_names,
    read_filters,
)
from .opendata_files import FORMATS, Target, file_target, open_data_build_soon, ready_file, xlsx_max_rows
from .public import activate_public_language, public_page, requested_language

FORMAT_NAMES = {"csv": "CSV", "xlsx": "XLSX", "xml": "IATI 2.03 XML"}
DOWNLOAD_MAX_AGE = 300  # seconds a client may keep a file before asking again (a 304 when it has not changed)
PREPARING_RETRY_AFTER = 600


def bad_request(errors: dict[str, list[str]]) -> HttpResponse:
    lines = [_("The download was not made: correct these parameters.")]
    lines += [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


API_LISTS = {
    "aid-items": "portal-api:aid-item-list",
    "transactions": "portal-api:transaction-list",
    "ngos": "portal-api:ngo-list",
}


def _api_hint(dataset: Dataset, filters: dict[str, Any]) -> str:
    """The public API's list of the dataset, with these filters."""
    query = {name: str(value) for name, value in filters.items()}
    return reverse(API_LISTS[dataset.slug]) + (f"?{urlencode(query)}" if query else "")


# --- views -----------------------------------------------------------------------------------------------------------


@require_safe
def dataset_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """`/data/<dataset>.<csv|xlsx|xml>?province=<code>&lang=<language>` for anyone: the ready file, national or the
    province's, in the address's language (else the reader's)."""
    dataset = DATASETS.get(slug)
    if dataset is None or fmt not in FORMATS or (fmt == "xml" and not dataset.iati):
        raise Http404
    language = activate_public_language(request)
    filters, errors = read_filters(request.GET, dataset)
    if errors:
        return bad_request(errors)
    narrower = {name: value for name, value in filters.items() if name != "province"}
    if narrower or filters.get("province") == NATIONWIDE_CODE:
        message = _(
            "A download is a whole file, national or a province's. For a year, a sector, a donor or nationwide "
            "aid, use the public API (JSON, paginated): %(url)s"
        ) % {"url": request.build_absolute_uri(_api_hint(dataset, filters))}
        return bad_request({name: [message] for name in narrower or {"province": ""}})
    target = file_target(dataset, fmt, filters.get("province", ""), language)
    ready = ready_file(target)
    if ready is None or (ready.status == OpenDataFile.READY and not ready.file):
        return _preparing(request, dataset, target)
    if ready.status == OpenDataFile.TOO_LARGE:
        message = _("More than %(count)s rows: too many for a workbook. Choose a province, or download the CSV.") % {
            "count": f"{xlsx_max_rows():,}"
        }
        return bad_request({"format": [message]})
    last_modified = int(ready.generated_at.timestamp())
    response: HttpResponseBase | None = get_conditional_response(request, etag=ready.etag, last_modified=last_modified)
    if response is None:
        try:
            response = file_response(ready.file, filename=ready_name(target, ready))
        except FileNotFoundError:  # replaced by a newer version between the look-up and the opening
            return _preparing(request, dataset, target)
    response["ETag"] = ready.etag
    response["Last-Modified"] = http_date(last_modified)
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    patch_cache_control(response, public=True, max_age=DOWNLOAD_MAX_AGE)
    if requested_language(request) is None and fmt != "xml":
        patch_vary_headers(response, ("Cookie", "Accept-Language"))  # the language came from the reader
    return response


def ready_name(target: Target, ready: OpenDataFile) -> str:
    return target.download_name(timezone.localdate(ready.generated_at))


def _preparing(request: HttpRequest, dataset: Dataset, target: Target) -> HttpResponse:
    """The file is not written yet (a new installation, a new language): say so, and queue its build."""
    open_data_build_soon(targets=[target], delay=0)
    context = {"public_section": "data", "dataset": dataset, "format_name": FORMAT_NAMES[target.fmt]}
    response = render(request, "portal/data/preparing.html", context, status=503)
    response["Retry-After"] = str(PREPARING_RETRY_AFTER)
    patch_cache_control(response, no_cache=True, no_store=True)
    return response


def dataset_files(province: str, language: str) -> list[dict[str, Any]]:
    """Each dataset with its files of this scope (national: "") in this language: format, address, size, date,
    checksum, or not ready yet. One query."""
    recorded = {
        (record.dataset, record.file_format, record.language): record
        for record in OpenDataFile.objects.filter(province_code=province, language__in=(language, ""))
    }
    query = {name: value for name, value in (("province", province), ("lang", language)) if value}
    suffix = f"?{urlencode(query)}" if query else ""
    datasets = []
    for dataset in DATASETS.values():
        files = []
        for fmt in FORMATS:
            if fmt == "xml" and not dataset.iati:
                continue
            target = file_target(dataset, fmt, province, language)
            record = recorded.get((target.dataset, target.fmt, target.language))
            url = reverse("portal-data:dataset", kwargs={"slug": dataset.slug, "fmt": fmt}) + suffix
            files.append({"name": FORMAT_NAMES[fmt], "url": url, "record": record})
        datasets.append({"dataset": dataset, "files": files})
    return datasets


def _taken(dataset: Dataset, filters: dict[str, Any]) -> dict[str, Any]:
    """The filters this dataset takes (the NGO directory: a province's code and a sector, never "nationwide")."""
    taken = {name: value for name, value in filters.items() if name in dataset.filters}
    if dataset is NGOS and taken.get("province") == NATIONWIDE_CODE:
        del taken["province"]
    return taken


@public_page(params=("year", "province", "sector", "donor"))
@require_safe
def data_index(request: HttpRequest) -> HttpResponse:
    """The datasets and their ready files (national, or the province chosen), the licence, the links to the
    dictionary and the API — with the year, sector or donor chosen, the API's pages for them."""
    form = DataFilterForm(request.GET or None)
    filters, errors = read_filters(request.GET) if request.GET else ({}, {})
    province = filters.get("province", "")
    language = str(getattr(request, "LANGUAGE_CODE", ""))
    narrower = {name: value for name, value in filters.items() if name != "province" or value == NATIONWIDE_CODE}
    context = {
        "public_section": "data",
        "form": form,
        "datasets": dataset_files("" if province == NATIONWIDE_CODE else province, language),
        "province": province_names().get(province),
        "api_links": [(dataset, _api_hint(dataset, _taken(dataset, filters))) for dataset in DATASETS.values()]
        if narrower
        else [],
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "aid_items": AID_ITEMS,
        "provinces": [(code, unit.name) for code, unit in province_names().items()],
    }
    return render(request, "portal/data/index.html", context, status=400 if errors else 200)


@public_page
@require_safe
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
