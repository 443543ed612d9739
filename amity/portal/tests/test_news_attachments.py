"""Files attached to news articles: checked with the article, stored with its writer's history, downloaded only
through the article's pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from amity.conftest import client_for
from amity.portal.models import NewsArticle, NewsAttachment
from amity.portal.services import NewsRow, news_save

from .factories import step

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
CONTENT = {"title_vi": "Tin hoạt động hữu nghị", "body_vi": "Nội dung bài viết.", "category": "news"}


def _with_file(user, province, upload, title="Báo cáo tổng kết"):
    row = NewsRow(data={**CONTENT, "owning_province": province}, attachments=[(upload, title)])
    return news_save(user=user, rows=[row])[0]


def test_an_attachment_is_stored_under_its_name_with_the_writers_history(users, hai_phong):
    item = _with_file(users["editor"], hai_phong, SimpleUploadedFile("bao-cao.pdf", PDF))
    attachment = item.attachments.get()
    assert (attachment.original_name, attachment.title) == ("bao-cao.pdf", "Báo cáo tổng kết")
    assert attachment.file.name.startswith("portal/news/files/")
    assert attachment.history.get().history_user == users["editor"]


@pytest.mark.parametrize(
    ("upload", "title"),
    [
        (SimpleUploadedFile("bao-cao.pdf", EXECUTABLE), "Báo cáo"),
        (SimpleUploadedFile("bao-cao.pdf", PDF), "Báo\x07cáo"),
    ],
    ids=["executable", "control character in the title"],
)
def test_a_refused_attachment_refuses_the_article_and_nothing_is_stored(users, hai_phong, upload, title):
    with pytest.raises(ValidationError) as refused:
        _with_file(users["editor"], hai_phong, upload, title)
    assert set(refused.value.message_dict) == {"attachments"}
    assert not NewsArticle.all_objects.exists()
    assert not NewsAttachment.objects.exists()


def test_the_public_downloads_an_attachment_only_once_the_article_is_published(users, hai_phong):
    item = _with_file(users["editor"], hai_phong, SimpleUploadedFile("bao-cao.pdf", PDF))
    attachment = item.attachments.get()
    url = reverse("portal:news_file", kwargs={"public_id": item.public_id, "name": str(attachment.pk)})
    assert Client().get(url).status_code == 404
    step(users["editor"], item, "submit")
    step(users["approver"], item, "publish")

    response = Client().get(url)

    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao.pdf"'


def test_staff_of_another_province_cannot_download_a_drafts_attachment(users, hai_phong):
    item = _with_file(users["editor"], hai_phong, SimpleUploadedFile("bao-cao.pdf", PDF))
    attachment = item.attachments.get()
    url = reverse("portal:news_staff_file", kwargs={"public_id": item.public_id, "name": str(attachment.pk)})
    assert client_for(users["viewer"]).get(url).status_code == 200
    assert client_for(users["son_la_editor"]).get(url).status_code == 404
