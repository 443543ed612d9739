"""Other apps write the audit log through amity.core.audit: an import started (page or command) and an export of
records holding personal data (contact details) are recorded with who, when and from where."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from amity.audit.models import AuditEvent
from amity.conftest import province
from amity.core.audit import AuditKind
from amity.interop.models import ImportRun
from amity.interop.tests.test_iati_import import activity, iati_file

pytestmark = pytest.mark.django_db


def test_an_import_from_the_upload_page_is_recorded(
    client: Any, users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(users["editor"])
    upload = SimpleUploadedFile("donor.xml", iati_file(activity()))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("interop:iati_import"),
            {"file": upload, "province": province("31").pk, "vn_only": "on"},
            REMOTE_ADDR="192.0.2.5",
        )
    run = ImportRun.objects.get()
    [event] = AuditEvent.objects.filter(kind=AuditKind.IMPORT_STARTED)
    assert (event.actor, event.ip_address) == (users["editor"], "192.0.2.5")
    assert event.details == {"import": "iati", "file_name": "donor.xml", "dry_run": False, "run": str(run.public_id)}


def test_an_import_from_the_command_line_is_recorded_as_the_systems(tmp_path: Any) -> None:
    path = tmp_path / "donor.xml"
    path.write_bytes(iati_file(activity()))
    call_command("import_iati", str(path), "--province", "31", "--vn-only")
    [event] = AuditEvent.objects.filter(kind=AuditKind.IMPORT_STARTED)
    assert (event.actor, event.username, event.ip_address) == (None, "", None)


def test_an_export_of_contact_details_is_recorded_and_one_without_is_not(
    client: Any, users: dict[str, Any], ngo: Any
) -> None:
    client.force_login(users["central"])
    response = client.get("/exchange/excel/organisations/export.xlsx?kind=foreign_ngo", REMOTE_ADDR="192.0.2.6")
    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(kind=AuditKind.PERSONAL_DATA_EXPORTED)
    assert (event.actor, event.ip_address) == (users["central"], "192.0.2.6")
    assert event.details == {"export": "excel_organisations", "count": 1, "filters": {"kind": ["foreign_ngo"]}}
    assert client.get("/exchange/excel/transactions/export.xlsx").status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.PERSONAL_DATA_EXPORTED).count() == 1
