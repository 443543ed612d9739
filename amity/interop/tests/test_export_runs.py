"""Large exports are prepared in the background and downloaded by who asked for them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from lxml import etree

from amity.aid.tests.factories import make_aid_item
from amity.conftest import client_for
from amity.interop.choices import ImportStatus
from amity.interop.models import ExportRun

pytestmark = pytest.mark.django_db


def test_an_export_above_the_inline_limit_is_prepared_in_the_background(
    users: dict[str, Any], hai_phong: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.AMITY_EXPORT_INLINE_MAX = 1
    for title in ("Trường học", "Trạm y tế"):
        make_aid_item(users["admin"], owning_province=hai_phong, title=title)
    client = client_for(users["editor"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("interop:iati_activities"), {"province": "31"})

    run = ExportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert (run.status, run.progress_total, run.params) == (ImportStatus.DONE, 2, {"province": ["31"]})
    page = client.get(run.get_absolute_url())
    assert reverse("interop:export_download", args=[run.public_id]) in page.content.decode()
    download = client.get(reverse("interop:export_download", args=[run.public_id]))
    root = etree.fromstring(b"".join(download.streaming_content))
    assert len(root.findall("iati-activity")) == 2
    # Someone else's export is not theirs to see.
    assert client_for(users["approver"]).get(run.get_absolute_url()).status_code == 404


def test_an_export_below_the_limit_streams_at_once(users: dict[str, Any], hai_phong: Any) -> None:
    make_aid_item(users["admin"], owning_province=hai_phong)

    response = client_for(users["editor"]).get(reverse("interop:iati_activities"))

    assert response.status_code == 200 and response.streaming
    assert ExportRun.objects.count() == 0


def test_a_large_excel_export_is_prepared_in_the_background_too(
    users: dict[str, Any], hai_phong: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import io

    import openpyxl

    settings.AMITY_EXPORT_INLINE_MAX = 1
    for title in ("Trường học", "Trạm y tế"):
        make_aid_item(users["admin"], owning_province=hai_phong, title=title)
    client = client_for(users["editor"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("interop:excel_export", args=["aid_items"]), {"province": "31"})

    run = ExportRun.objects.get()
    assert response.status_code == 302 and (run.kind, run.status) == ("excel_aid_items", ImportStatus.DONE)
    download = client.get(reverse("interop:export_download", args=[run.public_id]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    sheet = workbook.worksheets[0]
    values = {value for row in sheet.iter_rows(min_row=3, values_only=True) for value in row}
    assert {"Trường học", "Trạm y tế"} <= values
