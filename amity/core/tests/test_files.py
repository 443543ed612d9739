"""Uploaded files are taken by their content and size; stored files are served only through scoped views."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from amity.aid.tests.factories import make_aid_item
from amity.conftest import client_for
from amity.core.files import ATTACHMENTS, DOCUMENTS, IMAGES, check_upload, file_response
from amity.interop.choices import ImportStatus
from amity.interop.models import ExportRun

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def _docx() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _texts(upload: SimpleUploadedFile, kinds: Any, **options: Any) -> list[str]:
    with translation.override("en"):
        return [breach.text() for breach in check_upload(upload, kinds=kinds, **options)]


@pytest.mark.parametrize(
    ("name", "content", "kinds"),
    [
        ("quyet-dinh-308.pdf", PDF, DOCUMENTS),
        ("du-thao.docx", _docx(), DOCUMENTS),
        ("phu-luc.xlsx", _xlsx(), ATTACHMENTS),
        ("ANH.PNG", PNG, IMAGES),
    ],
)
def test_a_file_whose_content_matches_its_name_and_the_field_is_taken(name: str, content: bytes, kinds: Any) -> None:
    assert check_upload(SimpleUploadedFile(name, content), kinds=kinds) == []


def test_an_executable_is_refused_whatever_it_is_called() -> None:
    for name in ("bao-cao.pdf", "bao-cao.exe", "anh.png"):
        breaches = check_upload(SimpleUploadedFile(name, EXECUTABLE), kinds=ATTACHMENTS, field="attachment")
        assert [breach.field for breach in breaches] == ["attachment"]
        with translation.override("en"):
            assert "not taken here" in breaches[0].text() and ".pdf" in breaches[0].text()


def test_a_file_named_as_another_kind_than_its_content_is_refused() -> None:
    texts = _texts(SimpleUploadedFile("bien-ban.docx", PDF), DOCUMENTS)
    assert texts == ["The file's name ends in “.docx” but its content is .pdf; rename it or send the right file."]


def test_a_spreadsheet_is_refused_where_only_images_are_taken() -> None:
    assert "not taken here" in _texts(SimpleUploadedFile("anh.xlsx", _xlsx()), IMAGES)[0]


def test_the_size_limit_and_empty_files(settings: Any) -> None:
    settings.AMITY_UPLOAD_MAX_BYTES = 1024**2
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (3 * 1024**2))
    assert _texts(big, DOCUMENTS) == ["The file is 3.0\xa0MB; the largest file taken is 1.0\xa0MB."]
    assert _texts(SimpleUploadedFile("nho.pdf", PDF), DOCUMENTS, max_bytes=10) == [
        f"The file is {len(PDF)}\xa0bytes; the largest file taken is 10\xa0bytes."
    ]
    assert _texts(SimpleUploadedFile("rong.pdf", b""), DOCUMENTS) == ["The file is empty."]


def test_checking_leaves_the_file_where_it_was() -> None:
    upload = SimpleUploadedFile("a.pdf", PDF)
    upload.seek(3)
    check_upload(upload, kinds=DOCUMENTS)
    assert upload.tell() == 3


def test_no_address_reaches_the_media_folder() -> None:
    for path in ("/media/exports/2026/12/aid.xml", "/media/imports/2026/12/file.xlsx"):
        with pytest.raises(Resolver404):
            resolve(path)


@pytest.mark.django_db
def test_behind_nginx_a_download_is_handed_over_only_after_the_scope_check(
    users: dict[str, Any], hai_phong: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.AMITY_EXPORT_INLINE_MAX = 1
    settings.AMITY_FILES_ACCEL_PREFIX = "/protected/"
    for title in ("Trường học", "Trạm y tế"):
        make_aid_item(users["admin"], owning_province=hai_phong, title=title)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(users["editor"]).get(reverse("interop:iati_activities"), {"province": "31"})
    run = ExportRun.objects.get(status=ImportStatus.DONE)
    url = reverse("interop:export_download", args=[run.public_id])

    response = client_for(users["editor"]).get(url)

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected/" + run.file.name
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert client_for(users["approver"]).get(url).status_code == 404  # not theirs: no header, no file
    assert Client().get(url).status_code == 302  # anonymous: to the sign-in page
    assert "X-Accel-Redirect" not in client_for(users["approver"]).get(url)


@pytest.mark.django_db
def test_without_nginx_django_sends_the_file(users: dict[str, Any], hai_phong: Any) -> None:
    item = make_aid_item(users["admin"], owning_province=hai_phong)
    run = ExportRun.objects.create(kind="iati", created_by=users["editor"], status=ImportStatus.DONE)
    run.file.save("export.xml", io.BytesIO(b"<iati-activities/>"))
    response = file_response(run.file, filename="tệp.xml")
    assert b"".join(response.streaming_content) == b"<iati-activities/>"  # type: ignore[attr-defined]
    assert "filename*=utf-8''t%E1%BB%87p.xml" in response["Content-Disposition"]
    assert item.pk
