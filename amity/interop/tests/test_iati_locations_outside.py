"""The IATI import asks the aid register's rule for locations outside the importer's provinces, as every other
writer does: without the importer's confirmation, an activity located outside them is skipped with its line and
the provinces named (nothing of it written, the rest imported); with it (the upload form's box, the command's
`--locations-outside-confirmed`), it is imported."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from amity.aid.models import AidItem, Transaction
from amity.aid.rules import OUTSIDE_PROVINCES
from amity.aid.tests.factories import make_aid_item
from amity.conftest import province
from amity.interop.choices import ImportStatus
from amity.interop.models import ImportRun
from amity.interop.tests.test_iati_import import activity, iati_file, run_import
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

IN_HAI_DUONG = "<location><name><narrative>Hải Dương</narrative></name></location>"  # now Hải Phòng, the editor's
IN_SON_LA = "<location><name><narrative>Sơn La</narrative></name></location>"


def two_activities() -> bytes:
    return iati_file(activity("XM-HOME", locations=IN_HAI_DUONG), activity("XM-AWAY", locations=IN_SON_LA))


def test_an_activity_located_outside_the_importers_provinces_is_skipped_and_named(users: dict[str, Any]) -> None:
    result = run_import(two_activities(), user=users["editor"])  # a Hải Phòng editor

    assert (result.created, result.skipped) == (1, 1)
    [problem] = result.problems
    assert (problem.message, problem.params, problem.record, problem.field) == (
        OUTSIDE_PROVINCES,
        {"provinces": province("14").name_vi},
        "XM-AWAY",
        "locations",
    )
    assert problem.line is not None
    # Nothing of the skipped activity is written; the other one is whole.
    assert list(AidItem.all_objects.values_list("iati_identifier", flat=True)) == ["XM-HOME"]
    assert not Transaction.all_objects.filter(aid_item__iati_identifier="XM-AWAY").exists()
    with translation.override("vi"):
        assert "Sơn La" in translation.gettext(problem.message) % problem.params


def test_the_importers_confirmation_imports_it(users: dict[str, Any]) -> None:
    result = run_import(two_activities(), user=users["editor"], locations_outside_confirmed=True)

    assert (result.created, result.skipped, result.problems) == (2, 0, [])
    away = AidItem.objects.get(iati_identifier="XM-AWAY")
    assert [location.current_province.code for location in away.locations.all()] == ["14"]


def test_administrators_and_the_system_are_not_asked(users: dict[str, Any]) -> None:
    assert run_import(two_activities(), user=users["admin"], province_code=None).skipped == 0
    system_file = iati_file(activity("XM-SYS-1", locations=IN_HAI_DUONG), activity("XM-SYS-2", locations=IN_SON_LA))
    assert run_import(system_file, user=None).skipped == 0


def test_a_location_already_stored_is_not_asked_about_again(users: dict[str, Any], hai_phong: Any) -> None:
    # Located in Sơn La (the province of the file's years, before 2025) by a confirmed edit; the donor's next file
    # says the same.
    old_son_la = AdministrativeUnit.objects.get(era=Era.PRE2025, level="province", code="14")
    make_aid_item(
        users["editor"], owning_province=hai_phong, locations=[(old_son_la, "100")], iati_identifier="XM-AWAY"
    )
    result = run_import(iati_file(activity("XM-AWAY", locations=IN_SON_LA)), user=users["editor"])
    assert (result.skipped, result.problems) == (0, [])
    assert result.updated == 1


def test_the_command_skips_it_unless_confirmed(users: dict[str, Any], tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "donor.xml"
    path.write_bytes(two_activities())
    editor = users["editor"].username

    with translation.override("en"):
        call_command("import_iati", str(path), "--province", "31", "--user", editor)
    out = capsys.readouterr().out
    assert "1 imported, 0 updated, 0 unchanged, 1 skipped" in out
    assert "XM-AWAY" in out and "Some locations lie outside your provinces (Sơn La)" in out

    call_command("import_iati", str(path), "--province", "31", "--user", editor, "--locations-outside-confirmed")
    assert "1 imported, 0 updated, 1 unchanged, 0 skipped" in capsys.readouterr().out
    assert AidItem.objects.filter(iati_identifier="XM-AWAY").exists()


def test_the_upload_form_offers_the_confirmation_to_provincial_users(
    client: Any, users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(users["central"])
    assert "locations_outside_confirmed" not in client.get(reverse("interop:iati_import")).content.decode()

    client.force_login(users["editor"])
    assert 'name="locations_outside_confirmed"' in client.get(reverse("interop:iati_import")).content.decode()
    for confirmed in (False, True):
        upload = SimpleUploadedFile("donor.xml", two_activities())
        data = {
            "file": upload,
            "province": province("31").pk,
            **({"locations_outside_confirmed": "on"} if confirmed else {}),
        }
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("interop:iati_import"), data)
    unconfirmed, confirmed_run = ImportRun.objects.order_by("pk")
    assert (unconfirmed.status, unconfirmed.created_count, unconfirmed.skipped_count) == (ImportStatus.DONE, 1, 1)
    assert (confirmed_run.created_count, confirmed_run.skipped_count) == (1, 0)
    page = client.get(unconfirmed.get_absolute_url()).content.decode()  # Vietnamese, the default
    assert "XM-AWAY" in page and "Sơn La" in page
