"""The location picker of the aid item form: names found with or without diacritics and never cut short, the
user's provinces first, the province beside each unit, and a warning — to be confirmed before saving — for
units outside the user's provinces."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amity.accounts.choices import Role
from amity.aid.forms import AidItemPartForms
from amity.aid.models import AidItem
from amity.aid.selectors import fold, location_unit_options
from amity.conftest import client_for, make_user, province

from .factories import HAI_PHONG_COMMUNE, make_aid_item, sector

pytestmark = pytest.mark.django_db

OPTIONS = reverse("aid:unit_options")
TUYEN_QUANG = "08"
CONFIRM = AidItemPartForms.CONFIRM_OUTSIDE


def codes(options) -> list[str]:  # type: ignore[no-untyped-def]
    return [option.unit.code for option in options]


def commune(name: str, province_code: str):  # type: ignore[no-untyped-def]
    from amity.reference.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(era="2025", level="commune", name_vi=name, province__code=province_code)


def item_data(*, unit_text: str, **changes: str) -> dict[str, object]:
    return {
        "modality": "project",
        "title_vi": "Nhà văn hóa thôn",
        "owning_province": province("31").pk,
        "sectors-TOTAL_FORMS": 1,
        "sectors-INITIAL_FORMS": 0,
        "sectors-0-sector": sector("11220").pk,
        "sectors-0-percentage": "100",
        "locations-TOTAL_FORMS": 1,
        "locations-INITIAL_FORMS": 0,
        "locations-0-era": "2025",
        "locations-0-unit": unit_text,
        "locations-0-percentage": "100",
        "participants-TOTAL_FORMS": 0,
        "participants-INITIAL_FORMS": 0,
        **changes,
    }


def test_fold_drops_case_and_diacritics_however_the_tone_marks_are_placed() -> None:
    assert fold("Hải  Phòng") == "hai phong"
    assert fold("ĐỒNG Tháp") == "dong thap"
    assert fold("Thủy") == fold("Thuỷ") == "thuy"


def test_a_name_is_found_with_or_without_diacritics() -> None:
    for typed in ("Hải Phòng", "hai phong", "HAI PHONG", "Hải P", "hai p"):
        assert codes(location_unit_options(era="2025", query=typed))[0] == "31", typed
    assert codes(location_unit_options(era="2025", query="tuyen quang"))[0] == TUYEN_QUANG


def test_a_commune_is_found_by_its_name_and_its_province() -> None:
    options = location_unit_options(era="2025", query="tan an tuyen")
    assert [(o.unit.name_vi, o.province.code) for o in options] == [("Tân An", TUYEN_QUANG)]


def test_the_users_provinces_come_first(users) -> None:  # type: ignore[no-untyped-def]
    tuyen_quang_editor = make_user("tq", Role.PROVINCIAL_EDITOR, (province(TUYEN_QUANG),))
    hai_phong_first = location_unit_options(era="2025", query="Tân An", user=users["editor"])
    tuyen_quang_first = location_unit_options(era="2025", query="tan an", user=tuyen_quang_editor)
    assert hai_phong_first[0].unit == commune("Tân An", "31") and hai_phong_first[0].in_scope
    assert tuyen_quang_first[0].unit == commune("Tân An", TUYEN_QUANG) and tuyen_quang_first[0].in_scope
    assert not next(o for o in hai_phong_first if o.province.code == TUYEN_QUANG).in_scope
    in_scope = [o.in_scope for o in hai_phong_first]
    assert in_scope == sorted(in_scope, reverse=True)
    # A central officer has no provinces of their own: nothing is outside.
    assert all(o.in_scope for o in location_unit_options(era="2025", query="tan an", user=users["central"]))


def test_an_old_era_unit_shows_its_province_then_and_now(users) -> None:  # type: ignore[no-untyped-def]
    response = client_for(users["editor"]).get(
        OPTIONS, {"locations-0-era": "pre2025", "locations-0-unit": "cam thuong"}
    )
    page = response.content.decode()
    assert "Phường Cẩm Thượng — Hải Dương (nay là Hải Phòng)" in page


def test_each_suggestion_names_its_province_and_marks_those_outside(users) -> None:  # type: ignore[no-untyped-def]
    response = client_for(users["editor"]).get(OPTIONS, {"locations-0-era": "2025", "locations-0-unit": "tân an"})
    page = response.content.decode()
    assert "Xã Tân An — Hải Phòng</option>" in page
    assert "Xã Tân An — Tuyên Quang · ngoài tỉnh của bạn</option>" in page
    assert page.index("Hải Phòng</option>") < page.index("Tuyên Quang · ")


def test_the_row_hint_names_the_unit_and_warns_outside_the_users_provinces(users) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users["editor"])
    outside = client.get(OPTIONS, {"locations-0-era": "2025", "locations-0-unit": commune("Tân An", TUYEN_QUANG).code})
    inside = client.get(OPTIONS, {"locations-0-era": "2025", "locations-0-unit": HAI_PHONG_COMMUNE})
    assert 'id="id_locations-0-unit-hint" hx-swap-oob="true"' in outside.content.decode()
    assert "aid-outside-warning" in outside.content.decode() and "Tuyên Quang" in outside.content.decode()
    assert "aid-outside-warning" not in inside.content.decode()


def test_the_field_takes_a_whole_name_and_is_not_cut_after_five_characters(users) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users["editor"])
    page = client.get(reverse("aid:add")).content.decode()
    assert 'maxlength="5"' not in page
    response = client.post(reverse("aid:add"), item_data(unit_text="Thành phố Hải Phòng"))
    assert response.status_code == 302, response.context["part_forms"].locations.errors
    assert [loc.unit.code for loc in AidItem.objects.get().locations.all()] == ["31"]


def test_an_ambiguous_or_unknown_name_is_refused_with_its_reason(users) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users["editor"])
    ambiguous = client.post(reverse("aid:add"), item_data(unit_text="tan an"))
    unknown = client.post(reverse("aid:add"), item_data(unit_text="Atlantis"))
    assert ambiguous.status_code == unknown.status_code == 400
    assert "Có nhiều đơn vị tên" in ambiguous.content.decode()
    assert "Atlantis" in unknown.content.decode()
    assert not AidItem.objects.exists()


def test_a_location_outside_the_editors_provinces_is_saved_only_once_confirmed(users) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users["editor"])
    elsewhere = commune("Tân An", TUYEN_QUANG).code

    refused = client.post(reverse("aid:add"), item_data(unit_text=elsewhere))
    assert refused.status_code == 400 and not AidItem.objects.exists()
    page = refused.content.decode()
    assert "Tuyên Quang" in page and f'name="{CONFIRM}"' in page and "aid-outside-warning" in page

    saved = client.post(reverse("aid:add"), item_data(unit_text=elsewhere, **{CONFIRM: "1"}))
    assert saved.status_code == 302
    item = AidItem.objects.get()
    assert [loc.current_province.code for loc in item.locations.all()] == [TUYEN_QUANG]

    # Saved once, it is not asked about again.
    again = client.get(reverse("aid:edit", args=[item.public_id]))
    assert f'name="{CONFIRM}"' not in again.content.decode()


def test_no_warning_within_the_editors_provinces_or_for_an_administrator(users) -> None:  # type: ignore[no-untyped-def]
    assert (
        client_for(users["editor"]).post(reverse("aid:add"), item_data(unit_text=HAI_PHONG_COMMUNE)).status_code == 302
    )
    elsewhere = commune("Tân An", TUYEN_QUANG).code
    data = item_data(unit_text=elsewhere, owning_province=str(province(TUYEN_QUANG).pk))
    assert client_for(users["admin"]).post(reverse("aid:add"), data).status_code == 302


def test_editing_keeps_a_stored_location_outside_without_asking(users) -> None:  # type: ignore[no-untyped-def]
    elsewhere = commune("Tân An", TUYEN_QUANG)
    item = make_aid_item(users["admin"], owning_province=province("31"), locations=[(elsewhere, "100")])
    data = item_data(unit_text=elsewhere.code, version=str(item.version), title_vi="Nhà văn hóa thôn (sửa)")
    data["locations-INITIAL_FORMS"] = 1
    response = client_for(users["editor"]).post(reverse("aid:edit", args=[item.public_id]), data)
    assert response.status_code == 302
    assert AidItem.objects.get(pk=item.pk).title_vi == "Nhà văn hóa thôn (sửa)"


# --- the same rule for every writer: the service asks, pages, the API and uploads confirm ---------------------


def test_the_service_asks_to_confirm_a_location_outside_the_users_provinces_and_saves_it_once_confirmed(users) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from amity.aid.rules import OUTSIDE_PROVINCES
    from amity.aid.services import AidItemParts, LocationShare, SectorShare, aid_item_create
    from amity.core.breaches import BatchRefused

    elsewhere = commune("Tân An", TUYEN_QUANG)
    data = {"title_vi": "Nhà văn hóa thôn", "modality": "project", "owning_province": province("31")}
    parts = AidItemParts(
        sectors=[SectorShare(sector("11220"), Decimal(100))], locations=[LocationShare(elsewhere, Decimal(100))]
    )
    with pytest.raises(BatchRefused) as refused:
        aid_item_create(user=users["editor"], data=data, parts=parts)
    assert refused.value.asks_confirmation
    [found] = refused.value.breaches
    assert (found.breach.field, found.breach.message) == ("locations.unit", OUTSIDE_PROVINCES)
    assert not AidItem.objects.exists()

    item = aid_item_create(user=users["editor"], data=data, parts=parts, confirmed=True)
    assert [loc.unit for loc in item.locations.all()] == [elsewhere]
    # A national user has no provinces to leave.
    aid_item_create(user=users["central"], data={**data, "owning_province": None}, parts=parts)


def test_the_api_asks_the_same_confirmation(users) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users["editor"])
    elsewhere = commune("Tân An", TUYEN_QUANG)
    body = {
        "modality": "project",
        "title_vi": "Nhà văn hóa thôn",
        "owning_province": "31",
        "sectors": [{"sector": "11220", "percentage": "100"}],
        "locations": [{"unit": elsewhere.code, "era": "2025", "percentage": "100"}],
    }
    refused = client.post("/api/v1/aid-items/", body, format="json", headers={"accept-language": "vi"})
    assert refused.status_code == 400
    assert "Tuyên Quang" in " ".join(refused.json()["locations"])  # named in the caller's language
    assert not AidItem.objects.exists()

    saved = client.post("/api/v1/aid-items/", {**body, "locations_outside_confirmed": True}, format="json")
    assert saved.status_code == 201, saved.json()
    assert "locations_outside_confirmed" not in saved.json()  # write-only
    item = AidItem.objects.get()
    assert [loc.unit for loc in item.locations.all()] == [elsewhere]
    # One who may not save the item at all is refused (403) before being asked to confirm its locations.
    body_elsewhere = {**body, "owning_province": TUYEN_QUANG}
    assert client.post("/api/v1/aid-items/", body_elsewhere, format="json").status_code == 403
    assert AidItem.objects.count() == 1
    # Changing the item without touching its locations asks nothing.
    changed = client.patch(
        f"/api/v1/aid-items/{item.public_id}/", {"title_vi": "Nhà văn hóa thôn Tân An", "version": item.version}
    )
    assert changed.status_code == 200, changed.json()


def test_an_excel_upload_lists_locations_outside_the_users_provinces_and_confirming_it_confirms_them(
    users, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from amity.interop.choices import ImportStatus
    from amity.interop.tests.test_excel import aid_item_workbook, put, xlsx
    from amity.interop.tests.test_excel_upload_pages import upload

    elsewhere = commune("Tân An", TUYEN_QUANG)
    workbook = aid_item_workbook(users["editor"], reference="HP-NVH-01")
    put(workbook.worksheets[1], 3, aid_item="HP-NVH-01", sector="11220", percentage=100)
    put(workbook.worksheets[2], 3, aid_item="HP-NVH-01", unit=elsewhere.code, percentage=100)
    client = client_for(users["editor"])

    run = upload(client, xlsx(workbook), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.CHECKED and not run.problems  # not a problem of the file
    page = client.get(run.get_absolute_url()).content.decode()
    confirmations = page[page.index('id="excel-confirmations"') :]
    assert "Tuyên Quang" in confirmations[: confirmations.index("</ul>")]
    assert not AidItem.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interop:run_confirm", args=[run.public_id]))
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.problems
    assert [loc.unit for loc in AidItem.objects.get().locations.all()] == [elsewhere]
