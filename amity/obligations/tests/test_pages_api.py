"""The pages and the API of the reporting duties: scoped, 400 naming the field on bad input, files only through
the scoped view, lists in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.obligations import services
from amity.obligations.choices import ObligationState
from amity.obligations.models import Obligation, Submission
from amity.obligations.tests.factories import of_rule, pdf, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_05(ngo: Any, hai_phong: Any) -> Obligation:
    register(ngo, hai_phong)
    services.obligations_generate(today=date(2026, 1, 5))
    return of_rule("d58-form-05", organisation=ngo, period_start=date(2024, 12, 15))[0]


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_ngo_submits_on_the_page_and_the_province_returns_it(users: dict[str, Any], form_05: Obligation) -> None:
    page = client_for(users["ngo_rep"])
    assert page.get(reverse("obligations:mine")).status_code == 200
    url = reverse("obligations:submit", kwargs={"public_id": form_05.public_id})
    refused = page.post(url, {"file": SimpleUploadedFile("x.pdf", b"not a pdf"), "version": form_05.version})
    assert refused.status_code == 400 and not Submission.objects.exists()
    assert page.post(url, {"file": pdf(), "note": "Năm 2025", "version": form_05.version}).status_code == 302
    review = reverse("obligations:review", kwargs={"public_id": form_05.public_id})
    assert page.post(review, {"decision": "accept"}).status_code == 403  # the NGO does not review itself
    office = client_for(users["approver"])
    assert office.post(review, {"decision": "return", "note": "", "version": 2}).status_code == 400
    assert office.post(review, {"decision": "return", "note": "Thiếu phụ lục", "version": 2}).status_code == 302
    form_05.refresh_from_db()
    assert form_05.state == ObligationState.RETURNED


def test_a_submitted_file_is_served_only_within_scope(users: dict[str, Any], form_05: Obligation) -> None:
    submission = services.submission_create(user=users["ngo_rep"], obligation=form_05, file=pdf())
    url = reverse("obligations:submission_file", kwargs={"public_id": submission.public_id})
    assert client_for(users["approver"]).get(url).status_code == 200
    assert client_for(users["son_la_editor"]).get(url).status_code == 404


def test_pages_answer_for_every_role(users: dict[str, Any], form_05: Obligation) -> None:
    for name in ("central", "approver", "viewer", "ngo_rep", "no_role"):
        client = client_for(users[name])
        for page in ("mine", "list", "review_queue", "overdue", "rules"):
            assert client.get(reverse(f"obligations:{page}")).status_code == 200, (name, page)
    detail = reverse("obligations:detail", kwargs={"public_id": form_05.public_id})
    assert client_for(users["son_la_editor"]).get(detail).status_code == 404
    assert client_for(users["viewer"]).get(detail).status_code == 200


def test_the_national_overdue_board_runs_a_fixed_number_of_queries(
    users: dict[str, Any], form_05: Obligation, django_assert_max_num_queries: Any
) -> None:
    client = client_for(users["central"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("obligations:overdue"))
    assert response.status_code == 200 and response.context["total"] >= 34  # every province's Form 04 of 2025


def test_a_report_returned_after_its_due_date_stays_on_the_overdue_board(
    users: dict[str, Any], form_05: Obligation
) -> None:
    """Form 05 of 2024–2025 was due on 18 Dec 2025: submitted, then returned for correction, it is owed again and
    late, so the province's board counts it (as the overdue digest does), marked returned."""
    assert form_05.due_date < date.today()
    board = client_for(users["approver"]).get(reverse("obligations:overdue"))
    before = board.context["total"]
    assert form_05 in board.context["overdue"]
    Obligation.objects.filter(pk=form_05.pk).update(state=ObligationState.RETURNED, review_note="Thiếu số liệu")
    board = client_for(users["approver"]).get(reverse("obligations:overdue"), {"province": "31"})
    assert board.context["total"] == before
    [late] = [duty for duty in board.context["overdue"] if duty.pk == form_05.pk]
    assert late.computed_status == "returned"  # shown as returned, counted as late
    Obligation.objects.filter(pk=form_05.pk).update(state=ObligationState.SUBMITTED)
    assert client_for(users["approver"]).get(reverse("obligations:overdue")).context["total"] == before - 1


def test_the_list_runs_a_fixed_number_of_queries(
    users: dict[str, Any], form_05: Obligation, django_assert_max_num_queries: Any
) -> None:
    client = client_for(users["central"])
    client.get(reverse("obligations:list"))  # the session's first request stores it
    with django_assert_max_num_queries(12):
        assert client.get(reverse("obligations:list")).status_code == 200


def test_api_lists_filters_submits_and_reviews(users: dict[str, Any], form_05: Obligation) -> None:
    rows = api(users["ngo_rep"]).get("/api/v1/obligations/", {"status": "overdue"}).json()["results"]
    assert [row["id"] for row in rows] == [str(form_05.public_id)]
    url = f"/api/v1/obligations/{form_05.public_id}/"
    bad = api(users["ngo_rep"]).post(url + "submit/", {"note": "x"}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    done = api(users["ngo_rep"]).post(url + "submit/", {"file": pdf(), "note": "x"}, format="multipart")
    assert done.status_code == 201
    assert api(users["son_la_editor"]).post(url + "review/", {"decision": "accept"}).status_code == 404
    assert api(users["approver"]).post(url + "review/", {"decision": "maybe"}).status_code == 400
    accepted = api(users["approver"]).post(url + "review/", {"decision": "accept"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    locked = api(users["ngo_rep"]).post(url + "submit/", {"file": pdf()}, format="multipart")
    assert locked.status_code == 400 and "obligation" in locked.json()
    assert api(users["ngo_rep"]).get("/api/v1/obligations/rules/").status_code == 200


def test_ngo_sees_its_registrations_aid_it_owns_anywhere_and_its_duties(
    users: dict[str, Any], ngo: Any, son_la: Any, form_05: Obligation
) -> None:
    from amity.aid.tests.factories import make_aid_item

    owned = make_aid_item(users["son_la_editor"], owning_province=son_la, aid_owner=ngo, title="Nước sạch Sơn La")
    response = client_for(users["ngo_rep"]).get(reverse("obligations:organisation"))
    assert response.status_code == 200
    assert [r.number for r in response.context["registrations"]] == ["01/BNG-GĐK"]
    assert response.context["registrations"][0].extension_deadline == date(2026, 11, 10)  # 60 days before 9 Jan 2027
    assert owned in response.context["aid_items"]
    assert form_05 in response.context["duties"]
    assert client_for(users["ngo_rep"]).get(owned.get_absolute_url()).status_code == 200
