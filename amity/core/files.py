"""Files people upload and download: checked for what they are on the way in, served only after the scope
policy said yes on the way out.

In: an uploaded file is taken only if its **content** is one of the kinds the field accepts (read from its first
bytes with `filetype`, not from its name or the browser's word) and its name's extension agrees with that
content (a PDF named `.docx`, an executable named `.pdf` are refused), and only up to the size limit
(`AMITY_UPLOAD_MAX_BYTES`, or the field's own). `check_upload` returns the breaches (`core.breaches.Breach`) on
the field, so a batch service refuses the row like any other broken rule and a page or the API answers 400
naming the field; nothing is stored.

Out: no file is ever reachable by its address alone (the media folder is not mapped to any URL, in any mode).
Every download is a view that first finds the record through `Model.objects.restrict(user, "view")` and then
answers with `file_response`: the file itself, or — when `AMITY_FILES_ACCEL_PREFIX` is set behind nginx — an
empty answer with `X-Accel-Redirect: <prefix><storage name>`, so the web server sends the bytes of an internal
location only on the app's say-so (docs/DEPLOYMENT.md has the nginx sample).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_noop

from amity.core.breaches import Breach


@dataclass(frozen=True)
class FileKind:
    """A kind of file Amity takes: its media type as `filetype` reads it from the content, and the extensions
    a file of that kind may carry."""

    name: str
    media_type: str
    extensions: tuple[str, ...]


KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind("pdf", "application/pdf", (".pdf",)),
        FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
        FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
        FileKind("odt", "application/vnd.oasis.opendocument.text", (".odt",)),
        FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg")),
        FileKind("png", "image/png", (".png",)),
        FileKind("webp", "image/webp", (".webp",)),
        FileKind("tiff", "image/tiff", (".tif", ".tiff")),  # scanned documents
    )
}
DOCUMENTS = ("pdf", "docx", "odt", "jpeg", "png", "tiff")  # official documents: texts and scans
IMAGES = ("jpeg", "png", "webp")  # photos shown on pages
ATTACHMENTS = ("pdf", "docx", "xlsx", "odt", "jpeg", "png", "webp", "tiff")

# Enough of a file's start for `filetype` to tell every kind above apart (Office files need their zip directory).
_SNIFF_BYTES = 8192


def upload_limit() -> int:
    return int(settings.AMITY_UPLOAD_MAX_BYTES)


def sniffed_kind(upload: File[Any]) -> FileKind | None:
    """The kind of `upload` read from its content, or None if it is none Amity takes."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(position)
    guess = filetype.guess(head)
    if guess is None:
        return None
    return next((kind for kind in KINDS.values() if kind.media_type == guess.mime), None)


def check_upload(
    upload: File[Any], *, kinds: Iterable[str], field: str = "file", max_bytes: int | None = None
) -> list[Breach]:
    """What is wrong with `upload` for a field that takes `kinds` (names in `KINDS`): too large, empty, not one of
    them, or named as another kind than its content. An empty list when it may be stored."""
    accepted = [KINDS[name] for name in kinds]
    limit = max_bytes if max_bytes is not None else upload_limit()
    names = ", ".join(extension for kind in accepted for extension in kind.extensions)
    size = upload.size or 0
    if size == 0:
        return [Breach(field, gettext_noop("The file is empty."))]
    if size > limit:
        return [
            Breach(
                field,
                gettext_noop("The file is %(size)s; the largest file taken is %(limit)s."),
                {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            )
        ]
    kind = sniffed_kind(upload)
    if kind is None or kind not in accepted:
        return [
            Breach(
                field, gettext_noop("This kind of file is not taken here; send one of: %(kinds)s."), {"kinds": names}
            )
        ]
    extension = PurePosixPath(upload.name or "").suffix.lower()
    if extension not in kind.extensions:
        return [
            Breach(
                field,
                gettext_noop(
                    "The file's name ends in “%(extension)s” but its content is %(kind)s; "
                    "rename it or send the right file."
                ),
                {"extension": extension or "—", "kind": kind.extensions[0]},
            )
        ]
    return []


def file_response(stored: FieldFile, *, filename: str | None = None, inline: bool = False) -> HttpResponseBase:
    """The answer that delivers `stored` to a user the caller has already checked may see its record: the file,
    or behind nginx (`AMITY_FILES_ACCEL_PREFIX`) an `X-Accel-Redirect` to its internal location."""
    if not stored.name:
        raise Http404
    name = filename or PurePosixPath(stored.name).name
    prefix = settings.AMITY_FILES_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored.name)
        disposition = "inline" if inline else "attachment"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
        return response
    return FileResponse(stored.open("rb"), as_attachment=not inline, filename=name)


__all__ = [
    "ATTACHMENTS",
    "DOCUMENTS",
    "IMAGES",
    "KINDS",
    "FileKind",
    "check_upload",
    "file_response",
    "sniffed_kind",
    "upload_limit",
]
