"""The API of an event's photos and documents (`/api/v1/diplomacy/events/<id>/attachments/`): list, upload as
multipart, download and delete through the events' service — each file checked by its content and size as on the
event's page, the event's scope policy deciding who reads and who changes, nothing stored when a file is refused
(its OpenAPI description: `test_api_schema`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.diplomacy import services
from amity.diplomacy.models import EventAttachment

from . import factories as f
from .test_pages_and_api import api_for
from .test_services import PNG

pytestmark = pytest.mark.django_db

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300


@pytest.fixture
def event(users):  # type: ignore[no-untyped-def]
    return f.event(users["editor"], f.union(users["editor"]))


def url(event, attachment=None):  # type: ignore[no-untyped-def]
    base = f"/api/v1/diplomacy/events/{event.public_id}/attachments/"
    return base if attachment is None else f"{base}{attachment.pk}/"


def stored_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def upload(api, event, name: str, content: bytes, **fields):  # type: ignore[no-untyped-def]
    body = {"file": SimpleUploadedFile(name, content), **fields}
    return api.post(url(event), body, format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def test_a_photo_uploaded_as_multipart_is_listed_and_downloaded_by_whoever_reads_the_event(users, event):
    response = upload(api_for(users["editor"]), event, "gap-mat.png", PNG, caption="Gặp mặt hữu nghị")
    assert response.status_code == 201, response.json()
    added = response.json()
    assert (added["kind"], added["original_name"], added["caption"]) == ("photo", "gap-mat.png", "Gặp mặt hữu nghị")
    attachment = EventAttachment.objects.get()
    assert added["download"] == url(event, attachment)
    assert attachment.history.get().history_user == users["editor"]

    for reader in ("viewer", "central"):
        api = api_for(users[reader])
        assert [a["id"] for a in api.get(url(event)).json()] == [attachment.pk]
        download = api.get(added["download"])
        assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    shown = api_for(users["viewer"]).get(f"/api/v1/diplomacy/events/{event.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    shown = shown.json()
    assert shown["attachments"] == [added]


def test_a_document_is_taken_as_a_document(users, event):
    response = upload(api_for(users["editor"]), event, "chuong-trinh.png", PNG, kind="document")
    assert response.status_code == 201 and response.json()["kind"] == "document"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("setup.exe", EXECUTABLE, "This kind of file is not taken here"),
        ("anh.png", EXECUTABLE, "This kind of file is not taken here"),  # an executable named as a photo
        ("anh.jpg", PNG, "its content is .png"),  # a name that lies about the content
    ],
)
def test_a_file_that_is_not_what_the_event_takes_is_a_400_on_the_file_and_nothing_is_stored(
    users, event, name, content, says
):
    before = stored_files()
    response = upload(api_for(users["editor"]), event, name, content)
    assert response.status_code == 400
    assert list(response.json()) == ["file"] and says in response.json()["file"][0]
    assert not EventAttachment.objects.exists() and stored_files() == before


def test_a_file_over_the_limit_is_a_400_naming_the_limit_and_nothing_is_stored(users, event, settings):
    settings.AMITY_UPLOAD_MAX_BYTES = 100
    before = stored_files()
    response = upload(api_for(users["editor"]), event, "anh.png", PNG + b"\x00" * 200)
    assert response.status_code == 400
    assert "the largest file taken is 100" in response.json()["file"][0]
    assert not EventAttachment.objects.exists() and stored_files() == before


def test_an_upload_without_a_file_or_with_an_unknown_kind_is_a_400_naming_the_field(users, event):
    api = api_for(users["editor"])
    missing = api.post(url(event), {"caption": "Không có tệp"}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    wrong = upload(api, event, "anh.png", PNG, kind="video")
    assert wrong.status_code == 400 and "kind" in wrong.json()
    assert not EventAttachment.objects.exists()


def test_another_provinces_event_is_a_404_for_every_file_request(users, event):
    services.event_attachments_add(
        user=users["editor"], event=event, uploads=[services.Upload(SimpleUploadedFile("anh.png", PNG))]
    )
    attachment = EventAttachment.objects.get()
    api = api_for(users["son_la_editor"])
    assert api.get(url(event)).status_code == 404
    assert upload(api, event, "anh.png", PNG).status_code == 404
    assert api.get(url(event, attachment)).status_code == 404
    assert api.delete(url(event, attachment)).status_code == 404
    assert EventAttachment.objects.count() == 1


@pytest.mark.parametrize("reader", ["viewer", "central"])
def test_readers_who_may_not_change_the_event_may_neither_add_nor_delete_its_files(users, event, reader):
    services.event_attachments_add(
        user=users["editor"], event=event, uploads=[services.Upload(SimpleUploadedFile("anh.png", PNG))]
    )
    attachment = EventAttachment.objects.get()
    api = api_for(users[reader])
    assert upload(api, event, "them.png", PNG).status_code == 403
    assert api.delete(url(event, attachment)).status_code == 403
    assert list(EventAttachment.objects.all()) == [attachment]


def test_a_file_of_another_event_is_not_found_through_this_one(users, event):
    other = f.event(users["editor"], event.union, title="Sự kiện khác")
    services.event_attachments_add(
        user=users["editor"], event=other, uploads=[services.Upload(SimpleUploadedFile("anh.png", PNG))]
    )
    attachment = EventAttachment.objects.get()
    api = api_for(users["editor"])
    assert api.get(url(event, attachment)).status_code == 404
    assert api.delete(url(event, attachment)).status_code == 404
    assert EventAttachment.objects.count() == 1


def test_a_file_deleted_leaves_the_storage_once_committed_with_a_history_row(
    users, event, django_capture_on_commit_callbacks
):
    [attachment] = services.event_attachments_add(
        user=users["editor"], event=event, uploads=[services.Upload(SimpleUploadedFile("anh.png", PNG))]
    )
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(users["editor"]).delete(url(event, attachment))
    assert response.status_code == 204
    assert not EventAttachment.objects.exists() and not path.exists()
    removed = EventAttachment.history.filter(id=attachment.pk, history_type="-").get()
    assert (removed.history_user, removed.history_change_reason) == (users["editor"], "Attachment removed")


def test_the_event_list_reads_its_files_in_a_fixed_number_of_queries(users, event, django_assert_max_num_queries):
    for n in range(3):
        other = f.event(users["editor"], event.union, title=f"Sự kiện {n}")
        uploads = [services.Upload(SimpleUploadedFile(f"anh-{i}.png", PNG)) for i in range(2)]
        services.event_attachments_add(user=users["editor"], event=other, uploads=uploads)
    api = api_for(users["viewer"])
    with django_assert_max_num_queries(9):
        response = api.get("/api/v1/diplomacy/events/")
    assert [len(e["attachments"]) for e in response.json()["results"]] == [0, 2, 2, 2]
