"""The Excel upload pages: a file is checked in the background, its run shows the problems or what would be
written, and nothing is written until who uploaded it confirms."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amity.aid.models import AidItem
from amity.conftest import client_for, province
from amity.interop.choices import ImportStatus
from amity.interop.models import ImportRun, RecordSource
from amity.interop.tests.test_excel import aid_item_workbook, xlsx

pytestmark = pytest.mark.django_db


def upload(client: Any, content: bytes, capture: Any, kind: str = "aid_items") -> ImportRun:
    with capture(execute=True):
        response = client.post(
            reverse("interop:excel_upload"),
            {"kind": kind, "file": SimpleUploadedFile("aid.xlsx", content), "province": province("31").pk},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.latest("created_at")


def test_a_checked_file_waits_for_confirmation_then_writes_every_row(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(users["editor"])
    run = upload(client, xlsx(aid_item_workbook(users["editor"])), django_capture_on_commit_callbacks)

    assert (run.status, run.created_count) == (ImportStatus.CHECKED, 1)
    assert AidItem.objects.count() == 0  # nothing written before the confirmation
    page = client.get(run.get_absolute_url()).content.decode()
    assert reverse("interop:run_confirm", args=[run.public_id]) in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interop:run_confirm", args=[run.public_id]))

    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportStatus.DONE, 1)
    item = AidItem.objects.get()
    assert item.title_vi == "Giếng nước sạch"
    source = RecordSource.objects.get(object_id=item.pk)
    assert (source.run, source.row) == (run, 3)


def test_a_file_with_problems_lists_them_and_cannot_be_confirmed(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(users["editor"])
    bad = xlsx(aid_item_workbook(users["editor"], modality="nonsense"))

    run = upload(client, bad, django_capture_on_commit_callbacks)

    assert run.status == ImportStatus.FAILED and run.problems
    page = client.get(run.get_absolute_url()).content.decode()
    assert reverse("interop:run_confirm", args=[run.public_id]) not in page
    response = client.post(reverse("interop:run_confirm", args=[run.public_id]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and AidItem.objects.count() == 0


def test_a_checked_file_can_be_discarded_and_only_by_who_uploaded_it(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    run = upload(
        client_for(users["editor"]), xlsx(aid_item_workbook(users["editor"])), django_capture_on_commit_callbacks
    )

    assert client_for(users["approver"]).post(reverse("interop:run_confirm", args=[run.public_id])).status_code == 403
    client_for(users["editor"]).post(reverse("interop:run_discard", args=[run.public_id]))

    run.refresh_from_db()
    assert run.status == ImportStatus.DISCARDED and AidItem.objects.count() == 0


def test_viewers_cannot_upload(users: dict[str, Any]) -> None:
    assert client_for(users["viewer"]).get(reverse("interop:excel_upload")).status_code == 403


def test_a_checked_file_stops_the_progress_bar_and_lists_the_rows_it_will_write(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import translation

    from amity.aid.tests.factories import make_aid_item
    from amity.interop.excel.export import export_workbook
    from amity.interop.tests.test_excel import put, reopen

    editor = users["editor"]
    make_aid_item(editor, owning_province=province("31"), reference="HP-1", title_vi="Cũ")
    workbook = reopen(xlsx(export_workbook("aid_items", editor)))
    put(workbook.worksheets[0], 3, title_vi="Mới")
    put(workbook.worksheets[0], 4, title_vi="Trường học", modality="project", owning_province="31")
    client = client_for(editor)
    run = upload(client, xlsx(workbook), django_capture_on_commit_callbacks)
    assert (run.status, run.created_count, run.updated_count) == (ImportStatus.CHECKED, 1, 1)

    # Checked is settled: the bar is full, stops polling and has the page reload to show the confirm button.
    progress = client.get(reverse("interop:run_progress", args=[run.public_id]))
    assert progress["HX-Refresh"] == "true"
    assert "hx-get" not in progress.content.decode() and "100 %" in progress.content.decode()

    with translation.override("vi"):
        page = client.get(run.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    table = page[page.index('id="excel-preview"') :]
    table = table[: table.index("</table>")]
    assert "HP-1" in table and "Trường học" in table
    assert table.count("<tr>") == 3  # the header and the two rows that write something
    assert "tên (tiếng Việt)" in table and "title (Vietnamese)" not in table  # the field changed, in Vietnamese


def test_the_rows_of_a_transactions_file_are_listed_by_their_aid_item_and_amount_in_the_readers_language(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import datetime

    from django.conf import settings
    from django.utils import translation

    from amity.aid.tests.factories import make_aid_item
    from amity.interop.tests.test_excel import blank, put

    editor = users["editor"]
    make_aid_item(editor, owning_province=province("31"), reference="HP-YT-07")
    workbook = blank("transactions", editor)
    put(
        workbook.worksheets[0],
        3,
        aid_item="HP-YT-07",
        transaction_type="3",
        date=datetime(2024, 3, 2),
        amount=12345.5,
        currency="EUR",
    )
    client = client_for(editor)
    run = upload(client, xlsx(workbook), django_capture_on_commit_callbacks, kind="transactions")
    assert (run.status, run.created_count) == (ImportStatus.CHECKED, 1)

    for language, amount in (("vi", "12.345,50 EUR"), ("en", "12,345.50 EUR")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(language):  # what the page activates goes when the test's language comes back
            page = client.get(run.get_absolute_url()).content.decode()
        table = page[page.index('id="excel-preview"') :]
        table = table[: table.index("</table>")]
        assert "HP-YT-07" in table and amount in table, table
