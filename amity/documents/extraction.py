"""The words of an uploaded PDF or DOCX, for the full-text search. pypdf (pure Python) reads PDFs, python-docx
DOCX files; a scan or an image has no text to read here (no OCR). At most `AMITY_DOCUMENT_TEXT_MAX_CHARS` characters
are kept, so that one huge file cannot swell the index."""

from __future__ import annotations

import logging
from typing import IO

from django.conf import settings
from docx import Document as WordDocument
from pypdf import PdfReader

from .choices import TextState

log = logging.getLogger(__name__)

READABLE = ("pdf", "docx")


def _pdf_text(stream: IO[bytes], limit: int) -> str:
    parts: list[str] = []
    size = 0
    for page in PdfReader(stream).pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= limit:
            break
    return "\n".join(parts)


def _docx_text(stream: IO[bytes]) -> str:
    document = WordDocument(stream)
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def extract_text(stream: IO[bytes], file_kind: str) -> tuple[str, str]:
    """(text, state) of a file of `file_kind` (a name of `amity.core.files.KINDS`)."""
    if file_kind not in READABLE:
        return "", TextState.NONE
    limit = int(settings.AMITY_DOCUMENT_TEXT_MAX_CHARS)
    try:
        text = _pdf_text(stream, limit) if file_kind == "pdf" else _docx_text(stream)
    except Exception:  # a damaged or encrypted file: the document stays, its text is not searchable
        log.warning("Could not read the text of a %s file", file_kind, exc_info=True)
        return "", TextState.FAILED
    text = text.replace("\x00", "")[:limit]
    return text, TextState.READ if text.strip() else TextState.NONE
