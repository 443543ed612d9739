"""Pages, API and calendar of the register: scoping per role, personal data, the forms' 400s, the ICS feed with
its revocable token, the files served only through the scoped view, and pinned query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.diplomacy import services
from amity.diplomacy.models import Event, Partnership

from . import factories as f
from .test_services import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


def api_for(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_page_answers_for_the_provinces_editor(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    delegation = f.delegation(users["editor"], hai_duong)
    partnership = f.partnership(users["editor"], hai_duong)
    visitor = f.visitor(users["editor"], hai_duong)
    unit = f.unit(users["editor"], hai_duong)
    client = client_for(users["editor"])
    for record in (hai_duong, event, delegation, partnership, visitor, unit):
        assert client.get(record.get_absolute_url()).status_code == 200
    for name in ("union", "unit", "partnership", "event", "delegation", "visitor"):
        assert client.get(f"/diplomacy/{name}s/").status_code == 200
        assert client.get(f"/diplomacy/{name}s/new/").status_code == 200


def test_another_provinces_editor_sees_none_of_it(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    client = client_for(users["son_la_editor"])
    assert client.get(event.get_absolute_url()).status_code == 404
    assert event.title not in client.get("/diplomacy/events/").content.decode()
    assert api_for(users["son_la_editor"]).get("/api/v1/diplomacy/events/").json()["count"] == 0


def test_central_officers_read_everything_but_write_nothing(users, hai_duong):
    f.event(users["editor"], hai_duong)
    api = api_for(users["central"])
    assert api.get("/api/v1/diplomacy/events/").json()["count"] == 1
    body = {"union": str(hai_duong.public_id), "event_type": "conference", "title": "X", "start_date": "2024-01-01"}
    assert api.post("/api/v1/diplomacy/events/", body, format="json").status_code == 403


def test_an_ngo_representative_sees_the_events_and_partnerships_its_organisation_takes_part_in(users, hai_duong, ngo):
    f.event(users["editor"], hai_duong, organisations=[ngo], title="Với SVV")
    f.event(users["editor"], hai_duong, title="Không có SVV")
    f.partnership(users["editor"], hai_duong, organisations=[ngo])
    f.partnership(users["editor"], hai_duong, foreign_locality="Montreuil")
    api = api_for(users["ngo_rep"])
    assert [e["title"] for e in api.get("/api/v1/diplomacy/events/").json()["results"]] == ["Với SVV"]
    assert api.get("/api/v1/diplomacy/partnerships/").json()["count"] == 1
    assert api.get("/api/v1/diplomacy/delegations/").json()["count"] == 0
    assert Event.objects.restrict(users["ngo_rep"], "change").count() == 0
    assert Partnership.objects.restrict(users["ngo_rep"], "view").count() == 1


def test_names_of_visitors_only_for_the_owning_provinces_staff(users, hai_duong):
    visitor = f.visitor(users["editor"], hai_duong)
    own = api_for(users["viewer"]).get(f"/api/v1/diplomacy/visitors/{visitor.public_id}/").json()
    central = api_for(users["central"]).get(f"/api/v1/diplomacy/visitors/{visitor.public_id}/").json()
    assert own["full_name"] == "Marie Dupont"
    assert central["full_name"] is None and central["nationality"] == "FR"
    page = client_for(users["central"]).get(visitor.get_absolute_url()).content.decode()
    assert "Marie Dupont" not in page
    assert "Marie Dupont" in client_for(users["viewer"]).get(visitor.get_absolute_url()).content.decode()


def test_the_api_answers_400_naming_the_field_for_the_issues_bad_input(users, hai_duong):
    api = api_for(users["editor"])
    union = str(hai_duong.public_id)
    event = {
        "union": union,
        "event_type": "conference",
        "title": "X",
        "start_date": "2024-05-06",
        "end_date": "2024-05-01",
    }
    response = api.post("/api/v1/diplomacy/events/", event, format="json")
    assert response.status_code == 400 and "end_date" in response.json()
    delegation = {
        "union": union,
        "direction": "incoming",
        "counterpart": "Montreuil",
        "start_date": "2024-05-06",
        "end_date": "2024-05-08",
    }
    response = api.post("/api/v1/diplomacy/delegations/", delegation, format="json")
    assert response.status_code == 400 and "country" in response.json()
    response = api_for(users["son_la_editor"]).post(
        "/api/v1/diplomacy/events/", {**event, "end_date": None}, format="json"
    )
    assert response.status_code == 400 and "union" in response.json()
    partnership = {
        "union": union,
        "vietnamese_locality": f.unit_of("2025", "31").pk,
        "foreign_locality": "Suwon",
        "country": "KR",
        "level": "city",
        "signed_on": "2014-06-03",
    }
    response = api.post("/api/v1/diplomacy/partnerships/", partnership, format="json")
    assert response.status_code == 400 and "vietnamese_locality" in response.json()
    assert not Event.objects.exists() and not Partnership.objects.exists()


def test_an_api_update_needs_the_version_and_writes_the_days(users, hai_duong):
    delegation = f.delegation(users["editor"], hai_duong)
    api = api_for(users["editor"])
    url = f"/api/v1/diplomacy/delegations/{delegation.public_id}/"
    assert api.patch(url, {"size": 4}, format="json").status_code == 428
    days = [{"day": "2024-05-07", "place": "Hải Dương", "programme": "Thăm trường"}]
    response = api.patch(url, {"size": 4, "version": 1, "days": days}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["days"][0]["programme"] == "Thăm trường"
    assert api.patch(url, {"size": 5, "version": 1}, format="json").status_code == 409


def test_the_event_form_refuses_an_executable_file_and_saves_nothing(users, hai_duong):
    client = client_for(users["editor"])
    data = {
        "union": hai_duong.pk,
        "event_type": "conference",
        "title": "Hội nghị tổng kết",
        "start_date": "2024-12-20",
        "vietnamese_participants": 50,
        "foreign_participants": 5,
        "photos": SimpleUploadedFile("anh.jpg", b"MZ\x90\x00" + b"\x00" * 300),
        "attachment_kind": "photo",
    }
    response = client.post("/diplomacy/events/new/", data)
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    assert not Event.objects.exists()


def test_a_photo_is_served_only_through_the_scoped_view(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    services.event_attachments_add(
        user=users["editor"], event=event, uploads=[services.Upload(SimpleUploadedFile("anh.png", PNG))]
    )
    attachment = event.attachments.get()
    url = f"/diplomacy/events/{event.public_id}/files/{attachment.pk}/"
    response = client_for(users["viewer"]).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"] == 'inline; filename="anh.png"'
    assert client_for(users["son_la_editor"]).get(url).status_code == 404
    assert client_for(users["viewer"]).get("/media/" + attachment.file.name).status_code == 404


def test_an_events_document_is_downloaded_under_its_name(users, hai_duong):
    event = f.event(users["editor"], hai_duong)
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    services.event_attachments_add(
        user=users["editor"], event=event, uploads=[services.Upload(pdf, "document", "Biên bản")]
    )
    attachment = event.attachments.get()
    response = client_for(users["viewer"]).get(f"/diplomacy/events/{event.public_id}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bien-ban.pdf"'
    assert attachment.caption == "Biên bản"


def test_the_calendar_shows_the_months_events(users, hai_duong):
    f.event(
        users["editor"], hai_duong, title="Gặp mặt tháng Năm", start_date=date(2024, 5, 6), end_date=date(2024, 5, 7)
    )
    response = client_for(users["viewer"]).get("/diplomacy/calendar/", {"month": "2024-05"})
    assert response.status_code == 200
    assert response.content.decode().count("Gặp mặt tháng Năm") >= 3  # two days of the grid and the list
    assert (
        "Gặp mặt tháng Năm"
        not in client_for(users["viewer"]).get("/diplomacy/calendar/", {"month": "2024-07"}).content.decode()
    )


def test_the_ics_feed_has_the_users_events_and_stops_when_revoked(users, hai_duong):
    f.event(users["editor"], hai_duong, title="Giao lưu thanh niên", start_date=date.today())
    client = client_for(users["viewer"])
    response = client.post("/diplomacy/calendar/feed/", {"action": "issue"})
    address = response.context["address"]
    path = address.split("testserver", 1)[1]
    feed = client_for(users["son_la_editor"]).get(path)  # the token, not the session, decides
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Giao lưu thanh niên"]
    client.post("/diplomacy/calendar/feed/", {"action": "revoke"})
    assert client.get(path).status_code == 404


def test_list_pages_run_a_fixed_number_of_queries(users, hai_duong, django_assert_max_num_queries):
    for n in range(5):
        f.event(users["editor"], hai_duong, title=f"Sự kiện {n}")
        f.visitor(users["editor"], hai_duong)
        f.delegation(users["editor"], hai_duong)
    client = client_for(users["editor"])
    client.get("/diplomacy/events/")
    for url in ("/diplomacy/events/", "/diplomacy/visitors/", "/diplomacy/delegations/", "/diplomacy/calendar/"):
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200


def test_the_calendar_reads_right_to_left_in_arabic(users, hai_duong):
    client = client_for(users["viewer"])
    client.cookies["django_language"] = "ar"
    response = client.get("/diplomacy/calendar/", HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in response.content.decode()
