"""The open datasets' files, written in the background and served ready: every dataset (`opendata.DATASETS`) as
CSV and XLSX in each language, and as IATI 2.03 — national and for each current province.

At national scale a file takes minutes to write (a million transactions), far longer than a request may stay open,
so no download is ever built in a request: `open_data_files_build` (batch-first: a list of `Target`s, each written
whole) writes each file to a temporary file beside its final place, computes its size and SHA-256, renames it into
place (on the file system: an atomic rename; in another storage, saved under a new name) and only then records it
(`models.OpenDataFile`: generated time, rows, size, checksum) — so a reader is sent either the previous file or the
new one, never half of one, and a failure leaves the previous file served and no temporary file behind
(`open_data_sweep` removes what a killed process left). Who runs it: the task worker, nightly
(`tasks.open_data_nightly`) and a few minutes after a report is published (`open_data_build_soon`: queued once
however many are published meanwhile), and cron (`manage.py build_open_data`).

The writers stream: rows come in chunks with a fixed number of queries each (`opendata`), CSV is written as it
goes, XLSX through XlsxWriter in constant-memory mode (`opendata_xlsx`: row by row, flat memory), IATI through
interop's exporter."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from amity.core.text import CsvWriter
from amity.interop.iati.export import iter_activities, iter_organisations

from .models import OpenDataFile
from .opendata import (
    AID_ITEMS,
    DATASETS,
    KIND_LABELS,
    LICENCE_NAME,
    LICENCE_URL,
    NGOS,
    TRANSACTIONS,
    Dataset,
    dataset_rows,
    dataset_size,
    licensed_ngos,
    province_names,
    published_aid_items,
)
from .opendata_xlsx import add_sheet, cell_value, open_workbook, write_rows

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "xml")
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "xml": "xml"}
FOLDER = "opendata"
SCRATCH_PREFIX = ".building-"  # a file being written (removed on failure; a killed process's by the sweep)
SCRATCH_SUFFIX = ".part"
LOCK_KEY = "portal:opendata:building"
LOCK_SECONDS = 2 * 3600  # the lock of a build, renewed after each file: a build that died frees it after this


def languages() -> list[str]:
    """The languages the CSV and XLSX files are written in (`AMITY_OPEN_DATA_LANGUAGES`; all of Amity's)."""
    return list(settings.AMITY_OPEN_DATA_LANGUAGES)


def xlsx_max_rows() -> int:
    """Past this many rows no workbook is written (`AMITY_OPEN_DATA_XLSX_MAX_ROWS`; a sheet holds 1,048,576): the
    national transactions are offered as CSV and as a workbook per province."""
    return int(settings.AMITY_OPEN_DATA_XLSX_MAX_ROWS)


# --- what is built ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One file: a dataset in a format, national (`province` empty) or a province's, in a language (empty for IATI,
    the same in every language)."""

    dataset: str
    fmt: str
    province: str = ""
    language: str = ""

    @property
    def filters(self) -> dict[str, Any]:
        return {"province": self.province} if self.province else {}

    def as_dict(self) -> dict[str, str]:  # what a task receives
        return {"dataset": self.dataset, "fmt": self.fmt, "province": self.province, "language": self.language}

    def download_name(self, day: date) -> str:
        scope = f"-{self.province}" if self.province else ""
        language = f"-{self.language}" if self.language else ""
        return f"amity-{self.dataset}{scope}{language}-{day:%Y%m%d}.{EXTENSIONS[self.fmt]}"


def file_target(dataset: Dataset, fmt: str, province: str, language: str) -> Target:
    """The file a download sends. The IATI file of transactions is the aid items' (IATI keeps the transactions
    inside their activities), so it is written once."""
    slug = AID_ITEMS.slug if fmt == "xml" and dataset is TRANSACTIONS else dataset.slug
    return Target(slug, fmt, province, "" if fmt == "xml" else language)


def all_targets(
    *,
    datasets: Iterable[str] | None = None,
    formats: Iterable[str] | None = None,
    provinces: Iterable[str] | None = None,
    langs: Iterable[str] | None = None,
) -> list[Target]:
    """Every file (or those of the datasets, formats, scopes — "" national, or province codes — and languages
    given), national files first: the most read."""
    scopes = list(provinces) if provinces is not None else ["", *province_names()]
    wanted_langs = list(langs) if langs is not None else languages()
    targets: dict[Target, None] = {}
    for scope in sorted(scopes, key=lambda code: (code != "", code)):
        for slug in datasets or DATASETS:
            dataset = DATASETS[slug]
            for fmt in formats or FORMATS:
                if fmt == "xml" and not dataset.iati:
                    continue
                for language in wanted_langs:
                    targets[file_target(dataset, fmt, scope, language)] = None
    return list(targets)


def ready_file(target: Target) -> OpenDataFile | None:
    return OpenDataFile.objects.filter(
        dataset=target.dataset, file_format=target.fmt, province_code=target.province, language=target.language
    ).first()


# --- the writers -----------------------------------------------------------------------------------------------


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def iter_csv(dataset: Dataset, rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese and Arabic), the header of stable column keys (the
    dictionary names them in each language), one line per row, handed on every few thousand rows."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)  # a value starting with "=" reaches a spreadsheet as text
    buffer.write("\ufeff")
    keys = dataset.keys
    writer.writerow(keys)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_value(row[key]) for key in keys])
        if count % 2000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(
    dataset: Dataset, rows: Iterator[dict[str, Any]], stream: IO[bytes], *, source_url: str, tmpdir: str | None = None
) -> None:
    """A sheet about the data (title, licence, source, date, bases), the columns explained, then the data: labels
    in the reader's language in row 1, the stable keys in row 2, rows from row 3 (`opendata_xlsx`: text, never a
    formula; right to left in Arabic). XlsxWriter keeps the rows in temporary files in `tmpdir` until it writes
    the workbook into `stream`."""
    right_to_left = translation.get_language_bidi()
    with open_workbook(stream, tmpdir=tmpdir) as workbook:
        bold = workbook.add_format({"bold": True})
        about = add_sheet(workbook, _("About"), right_to_left=right_to_left, widths=(24, 100))
        for number, (label, value) in enumerate(
            (
                (_("Dataset"), dataset.title),
                (_("Description"), dataset.description),
                (_("Licence"), f"{LICENCE_NAME} — {LICENCE_URL}"),
                (_("Source"), source_url),
                (_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
            )
        ):
            about.write(number, 0, cell_value(label), bold)
            about.write(number, 1, cell_value(value))
        columns = add_sheet(workbook, _("Columns"), right_to_left=right_to_left, widths=(20, 30, 20, 90))
        write_rows(columns, [(_("Key"), _("Column"), _("Type"), _("Meaning"))], cell_format=bold)
        write_rows(
            columns,
            ((column.key, column.label, KIND_LABELS[column.kind], column.description) for column in dataset.columns),
            first_row=1,
        )
        data = add_sheet(workbook, _("Data"), right_to_left=right_to_left, frozen_rows=2)
        write_rows(data, [[column.label for column in dataset.columns]], cell_format=bold)
        keys = dataset.keys
        write_rows(data, [keys], first_row=1)
        write_rows(data, ([row[key] for key in keys] for row in rows), first_row=2)


def source_url(target: Target) -> str:
    """The download's public address, printed in the workbook."""
    dataset = DATASETS[target.dataset]
    path = reverse("portal-data:dataset", kwargs={"slug": dataset.slug, "fmt": target.fmt})
    query = {name: value for name, value in (("province", target.province), ("lang", target.language)) if value}
    return f"{settings.AMITY_BASE_URL.rstrip('/')}{path}" + (f"?{urlencode(query)}" if query else "")


class _Counted:
    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def write_target(target: Target, stream: IO[bytes], *, tmpdir: str | None = None) -> int:
    """Write one file to `stream` in the target's language; returns its number of rows (activities and
    organisations for IATI). A workbook's rows wait in temporary files in `tmpdir` (`write_xlsx`)."""
    dataset = DATASETS[target.dataset]
    filters = target.filters
    if target.fmt == "xml":
        if dataset is NGOS:
            organisations = licensed_ngos(filters)
            count = organisations.count()
            pieces = iter_organisations(organisations)
        else:
            items = published_aid_items(filters)
            count = items.count()
            pieces = iter_activities(items, public=True)
        for piece in pieces:
            stream.write(piece)
        return count
    rows = _Counted(dataset_rows(dataset, filters))
    if target.fmt == "csv":
        for piece in iter_csv(dataset, iter(rows)):
            stream.write(piece)
    else:
        write_xlsx(dataset, iter(rows), stream, source_url=source_url(target), tmpdir=tmpdir)
    return rows.count


# --- building ---------------------------------------------------------------------------------------------------


@dataclass
class BuildResult:
    built: list[OpenDataFile] = field(default_factory=list)
    too_large: list[OpenDataFile] = field(default_factory=list)
    failed: list[tuple[Target, str]] = field(default_factory=list)
    busy: bool = False  # another build held the lock: nothing was done


def open_data_files_build(*, targets: Iterable[Target]) -> BuildResult:
    """Write the files of `targets`, each whole and atomically, and record them (see the module's docstring).
    One build at a time (a lock in the cache; a second one returns `busy` at once). A file that fails is logged
    and reported, and the others are still built; its previous version stays served."""
    store = default_storage  # the project's file storage: var/media, or the S3-compatible bucket
    result = BuildResult()
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        result.busy = True
        return result
    try:
        open_data_sweep()
        for target in targets:
            try:
                built = _build(target, store)
            except Exception as exc:
                logger.exception("Open data file %s was not built", target)
                result.failed.append((target, str(exc)))
                continue
            (result.built if built.status == OpenDataFile.READY else result.too_large).append(built)
            cache.touch(LOCK_KEY, LOCK_SECONDS)  # still building
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)
    if result.built or result.too_large:
        from .public import invalidate_public_pages

        invalidate_public_pages()  # the data page lists the files' sizes, dates and checksums
    return result


def _build(target: Target, store: Storage) -> OpenDataFile:
    started = time.perf_counter()
    generated_at = timezone.now()
    with translation.override(target.language or settings.LANGUAGE_CODE):
        if target.fmt == "xlsx":
            count = dataset_size(DATASETS[target.dataset], target.filters)
            if count > xlsx_max_rows():
                return _record(target, "", generated_at, rows=count, size=0, sha256="", started=started, large=True)
        scratch = _scratch(store)
        try:
            with open(scratch, "wb") as stream:
                # XlsxWriter's temporary files beside the file (not in a system folder often held in memory): the
                # sweep removes what a killed build leaves there.
                count = write_target(target, stream, tmpdir=os.path.dirname(scratch))
            size, sha256 = _digest(scratch)
            name = _stored_name(target, generated_at, sha256)
            kept = _keep(scratch, name, store)
        finally:
            if os.path.exists(scratch):  # the build failed before the file was kept
                os.remove(scratch)
    try:
        return _record(target, kept, generated_at, rows=count, size=size, sha256=sha256, started=started)
    except BaseException:
        store.delete(kept)  # recorded nowhere: not left behind
        raise


def _scratch(store: Storage) -> str:
    """A new, empty temporary file: in the storage's own folder on the file system (so that keeping it is a
    rename), else in the system's temporary folder (then copied into the storage)."""
    folder = Path(store.path(FOLDER)) if isinstance(store, FileSystemStorage) else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    handle, path = tempfile.mkstemp(prefix=SCRATCH_PREFIX, suffix=SCRATCH_SUFFIX, dir=folder)
    os.close(handle)
    return path


def _digest(path: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _stored_name(target: Target, generated_at: datetime, sha256: str) -> str:
    """A new name for every version (the time and the start of the checksum): a reader still sending the previous
    version keeps it until it is removed, after the new one is recorded."""
    stem = target.download_name(timezone.localdate(generated_at)).rsplit(".", 1)[0]
    return f"{FOLDER}/{stem}-{generated_at:%H%M%S}-{sha256[:12]}.{EXTENSIONS[target.fmt]}"


def _keep(scratch: str, name: str, store: Storage) -> str:
    if isinstance(store, FileSystemStorage):
        os.replace(scratch, store.path(name))  # atomic: the name holds the whole file or nothing
        return name
    with open(scratch, "rb") as stream:
        return store.save(name, File(stream, name=name))


def _record(
    target: Target,
    name: str,
    generated_at: datetime,
    *,
    rows: int,
    size: int,
    sha256: str,
    started: float,
    large: bool = False,
) -> OpenDataFile:
    with transaction.atomic():
        record, _created = OpenDataFile.objects.select_for_update().get_or_create(
            dataset=target.dataset,
            file_format=target.fmt,
            province_code=target.province,
            language=target.language,
            defaults={"generated_at": generated_at},
        )
        previous = record.file.name
        record.file.name = name
        record.status = OpenDataFile.TOO_LARGE if large else OpenDataFile.READY
        record.generated_at, record.rows, record.size, record.sha256 = generated_at, rows, size, sha256
        record.build_seconds = round(time.perf_counter() - started, 3)
        record.save()
        if previous and previous != name:
            transaction.on_commit(lambda: default_storage.delete(previous))
    return record


def open_data_sweep(*, older_than: timedelta = timedelta(hours=1)) -> list[str]:
    """Remove what a killed build left: temporary files, and files no record names (kept, then the process died
    before recording them), older than `older_than` (a build running now may be writing them). Returns the
    names removed."""
    store = default_storage
    if not store.exists(FOLDER):
        return []
    recorded = set(OpenDataFile.objects.exclude(file="").values_list("file", flat=True))
    cutoff = timezone.now() - older_than
    removed = []
    _folders, names = store.listdir(FOLDER)
    for filename in names:
        name = f"{FOLDER}/{filename}"
        if name in recorded:
            continue
        if store.get_modified_time(name) < cutoff:
            store.delete(name)
            removed.append(name)
    return removed


# --- queueing ---------------------------------------------------------------------------------------------------

QUEUED_KEY = "portal:opendata:queued"


def open_data_build_soon(*, targets: Iterable[Target] | None = None, delay: int | None = None) -> None:
    """Queue a build (of every file, or of `targets`) once the transaction commits, `delay` seconds later
    (`AMITY_OPEN_DATA_BUILD_DELAY`: publishing several reports in a row then costs one build). A build of the
    same files already queued and not started yet takes this one in: nothing is queued twice. Never builds in
    the caller's request. Off with `AMITY_OPEN_DATA_AUTO_BUILD = False` (the tests)."""
    if not settings.AMITY_OPEN_DATA_AUTO_BUILD:
        return
    wanted = [target.as_dict() for target in targets] if targets is not None else None
    key = QUEUED_KEY if wanted is None else f"{QUEUED_KEY}:{hashlib.sha256(repr(wanted).encode()).hexdigest()[:16]}"
    wait = settings.AMITY_OPEN_DATA_BUILD_DELAY if delay is None else delay

    def enqueue() -> None:
        from .tasks import build_open_data

        if not cache.add(key, 1, timeout=wait + LOCK_SECONDS):
            return  # one is queued: it will build these too
        task = build_open_data
        if wait and task.get_backend().supports_defer:
            task = task.using(run_after=timezone.now() + timedelta(seconds=wait))
        task.enqueue(targets=wanted, queued_key=key)

    transaction.on_commit(enqueue)
