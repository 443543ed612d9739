"""The files people attach to records (`core.models.AttachedFile`): every such model names them, checks them and
delivers them the same way, whichever app it belongs to."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.core.models import AttachedFile
from amity.diplomacy.choices import AttachmentKind
from amity.diplomacy.models import EventAttachment
from amity.portal.models import NewsAttachment

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200

MODELS = [NewsAttachment, EventAttachment]


def _fields(breaches: list[Any]) -> set[str]:
    return {breach.field for breach in breaches}


@pytest.mark.parametrize("model", MODELS)
def test_an_attachment_keeps_the_name_of_the_persons_file_without_its_folder(model: type[AttachedFile]) -> None:
    attachment = model.from_upload(File(io.BytesIO(PDF), name="C:/scans/2024/bao-cao.pdf"))
    assert attachment.original_name == "bao-cao.pdf"
    assert str(attachment) == "bao-cao.pdf"


@pytest.mark.parametrize("model", MODELS)
def test_a_long_name_is_cut_to_the_fields_length(model: type[AttachedFile]) -> None:
    attachment = model.from_upload(SimpleUploadedFile("a" * 300 + ".pdf", PDF))
    assert len(attachment.original_name) == 255


@pytest.mark.parametrize("model", MODELS)
def test_an_executable_is_refused_on_the_file(model: type[AttachedFile]) -> None:
    attachment = model.from_upload(SimpleUploadedFile("bao-cao.pdf", EXECUTABLE))
    assert _fields(attachment.breaches()) == {"file"}


def test_a_photo_must_be_an_image_where_an_events_document_may_be_a_pdf() -> None:
    photo = EventAttachment.from_upload(SimpleUploadedFile("bao-cao.pdf", PDF), kind=AttachmentKind.PHOTO)
    document = EventAttachment.from_upload(SimpleUploadedFile("bao-cao.pdf", PDF), kind=AttachmentKind.DOCUMENT)
    assert _fields(photo.breaches()) == {"file"}
    assert document.breaches() == []


def test_the_file_and_the_attachments_own_text_are_checked_together_under_the_records_name() -> None:
    attachment = NewsAttachment.from_upload(SimpleUploadedFile("anh.png", EXECUTABLE), title="Báo\x07cáo")
    assert _fields(attachment.breaches(part="attachments")) == {"attachments.file", "attachments.title"}


def test_an_unknown_kind_of_event_file_is_refused_on_its_kind() -> None:
    attachment = EventAttachment.from_upload(SimpleUploadedFile("bao-cao.pdf", PDF), kind="video")
    assert "kind" in _fields(attachment.breaches())


def test_an_attachment_without_a_file_is_refused_on_the_file_not_with_a_server_error() -> None:
    assert "file" in _fields(EventAttachment(kind=AttachmentKind.PHOTO).breaches())


def test_a_photo_is_shown_in_the_page_and_other_files_are_saved() -> None:
    assert EventAttachment(kind=AttachmentKind.PHOTO).shown_inline
    assert not EventAttachment(kind=AttachmentKind.DOCUMENT).shown_inline
    assert not NewsAttachment().shown_inline
