"""Files and documents for the tests: a real PDF and DOCX with text, made here (no binary fixture)."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as WordDocument

from amity.documents.models import Document
from amity.documents.services import DocumentChange, documents_save


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII) in Helvetica, with a correct cross-reference table."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(*paragraphs: str) -> bytes:
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def document_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number_symbol": "308/QĐ-UBND",
        "title": "Ban hành Chương trình hợp tác và vận động viện trợ không hoàn lại giai đoạn 2023-2025",
        "issuing_body": "Ủy ban nhân dân tỉnh Hải Dương",
        "issued_on": date(2023, 2, 24),
        "status": "in_force",
    }
    data.update(overrides)
    return data


def make_document(user: Any, files: tuple[Any, ...] = (), **overrides: Any) -> Document:
    [document] = documents_save(user=user, rows=[DocumentChange(document_data(**overrides), files=files)])
    return document
