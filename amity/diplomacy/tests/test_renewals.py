"""Renewals of partnerships' agreements (issue 14: "date signed, signatories, document, term, renewals"): rows of their
own written by one batch service with history, owned through the partnership's province; the term in force is the
latest renewal's (one rule, `selectors.with_agreement_term`), which the list of agreements due for renewal, the
partnership's page and the API read; pages and API refuse bad input on its field with nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.core.breaches import BatchRefused
from amity.core.exceptions import PermissionDenied
from amity.diplomacy import selectors, services
from amity.diplomacy.models import AgreementRenewal, Partnership
from amity.diplomacy.services import Change
from amity.documents.models import DocumentLink
from amity.documents.tests.factories import make_document

from . import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/diplomacy/agreement-renewals/"


@pytest.fixture
def hai_duong(users):  # type: ignore[no-untyped-def]
    return f.union(users["editor"])


@pytest.fixture
def suwon(users, hai_duong):  # type: ignore[no-untyped-def]
    return f.partnership(users["editor"], hai_duong, term_ends_on=date(2019, 6, 2))


@pytest.fixture
def son_la_partnership(users):  # type: ignore[no-untyped-def]
    union = f.union(users["son_la_editor"], era="2025", code="14", name="Liên hiệp hữu nghị Sơn La")
    return f.partnership(
        users["son_la_editor"],
        union,
        vietnamese_locality=f.unit_of("2025", "14"),
        foreign_locality="Luang Prabang",
        country=f.country("LA"),
        signed_on=date(2025, 9, 1),
    )


def renew(user, partnership, **data):  # type: ignore[no-untyped-def]
    fields = {"partnership": partnership, "renewed_on": date(2019, 6, 3), "term_years": 5}
    fields.update(data)
    [saved] = services.renewals_save(user=user, rows=[Change(fields)], reason="Renewed")
    return saved


def fields_of(error: BatchRefused) -> set[str]:
    return {found.breach.field for found in error.breaches}


def api_for(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def term_of(partnership: Partnership) -> tuple[date | None, date | None]:
    found = selectors.with_agreement_term(Partnership.objects.filter(pk=partnership.pk)).get()
    return found.last_renewed_on, found.current_term_ends_on


# --- the service -----------------------------------------------------------------------------------------------------


def test_a_renewal_is_owned_by_its_partnerships_province_with_history_and_a_term_in_years(users, suwon):
    renewal = renew(users["editor"], suwon, signatories="Chủ tịch UBND tỉnh; Thị trưởng Suwon")
    assert (renewal.owning_province_id, renewal.old_province_id) == (suwon.owning_province_id, suwon.old_province_id)
    assert renewal.term_ends_on == date(2024, 6, 2)  # five years from 3 June 2019: the day before the anniversary
    [row] = renewal.history.all()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", users["editor"], "Renewed")


def test_the_term_in_force_is_the_latest_renewals_else_the_term_as_signed(users, suwon):
    assert term_of(suwon) == (None, date(2019, 6, 2))
    renew(users["editor"], suwon)
    latest = renew(
        users["editor"], suwon, renewed_on=date(2024, 5, 20), term_years=None, term_ends_on=date(2027, 5, 19)
    )
    assert term_of(suwon) == (date(2024, 5, 20), date(2027, 5, 19))
    services.record_delete(instance=latest, user=users["editor"])  # removed: the previous one is in force again
    assert term_of(suwon) == (date(2019, 6, 3), date(2024, 6, 2))
    renew(users["editor"], suwon, renewed_on=date(2025, 1, 10), term_years=None)  # renewed without a fixed term
    assert term_of(suwon) == (date(2025, 1, 10), None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"renewed_on": date(2014, 6, 2)}, "renewed_on"),  # before the agreement was signed (3 June 2014)
        ({"term_years": None, "term_ends_on": date(2019, 1, 1)}, "term_ends_on"),  # ends before it is renewed
        ({"term_years": 5, "term_ends_on": date(2024, 12, 31)}, "term_years"),  # two terms that disagree
        ({"term_years": 0}, "term_years"),
        ({"renewed_on": None}, "renewed_on"),
        ({"notes": "bad\x04text"}, "notes"),
    ],
)
def test_bad_renewals_are_refused_on_their_field_and_nothing_is_saved(users, suwon, data, field):
    with pytest.raises(ValidationError) as refused:
        renew(users["editor"], suwon, **data)
    assert list(refused.value.message_dict) == [field]
    assert not AgreementRenewal.all_objects.exists()


def test_two_renewals_on_the_same_day_are_refused_in_a_batch_and_against_the_stored_ones(users, suwon):
    row = {"partnership": suwon, "renewed_on": date(2019, 6, 3), "term_years": 5}
    with pytest.raises(BatchRefused) as refused:
        services.renewals_save(user=users["editor"], rows=[Change(row), Change(row)])
    assert [(found.index, found.breach.field) for found in refused.value.breaches] == [(1, "renewed_on")]
    stored = renew(users["editor"], suwon)
    with pytest.raises(BatchRefused):
        renew(users["editor"], suwon)
    changed = services.renewals_save(  # a stored renewal keeps its own day
        user=users["editor"], rows=[Change({"notes": "Gia hạn lần 1"}, stored.pk, stored.version)]
    )
    assert changed[0].notes == "Gia hạn lần 1" and AgreementRenewal.objects.count() == 1


def test_another_provinces_or_a_deleted_partnership_is_refused_on_the_partnership(users, suwon, son_la_partnership):
    with pytest.raises(BatchRefused) as refused:
        renew(users["editor"], son_la_partnership, renewed_on=date(2025, 9, 2))
    assert fields_of(refused.value) == {"partnership"}
    services.record_delete(instance=suwon, user=users["editor"])
    with pytest.raises(BatchRefused) as refused:
        renew(users["editor"], Partnership.all_objects.get(pk=suwon.pk))
    assert fields_of(refused.value) == {"partnership"}
    assert not AgreementRenewal.all_objects.exists()


def test_a_viewer_and_a_central_officer_may_not_record_renewals(users, suwon):
    for user in (users["viewer"], users["central"]):
        with pytest.raises(PermissionDenied):
            renew(user, suwon)


def test_a_renewal_names_a_document_the_user_reads_and_links_it_to_the_partnership(users, suwon):
    document = make_document(
        users["editor"],
        owning_province=f.unit_of("2025", "31"),
        number_symbol="12/TT-HD",
        title="Thỏa thuận gia hạn hợp tác",
    )
    renewal = renew(users["editor"], suwon, document=document)
    assert renewal.document == document
    assert DocumentLink.objects.filter(document=document, object_id=suwon.pk).count() == 1
    renew(users["editor"], suwon, renewed_on=date(2024, 6, 3), document=document)  # already linked: one link
    assert DocumentLink.objects.filter(document=document, object_id=suwon.pk).count() == 1
    theirs = make_document(users["son_la_editor"], owning_province=f.unit_of("2025", "14"), number_symbol="7/QĐ-UBND")
    with pytest.raises(BatchRefused) as refused:
        renew(users["editor"], suwon, renewed_on=date(2025, 6, 3), document=theirs)
    assert fields_of(refused.value) == {"document"}


def test_renewals_follow_their_partnership_into_the_merged_union(users, suwon):
    renewal = renew(users["editor"], suwon)
    target = f.union(users["admin"], era="2025", code="14", name="Liên hiệp hữu nghị Sơn La")
    counts = services.union_merge(user=users["admin"], source=suwon.union, target=target)
    renewal.refresh_from_db()
    assert renewal.owning_province_id == target.owning_province_id
    assert renewal.old_province_id == suwon.old_province_id  # the province it was kept under stays
    assert counts["renewals of agreements"] == 1
    assert renewal.history.first().history_change_reason.startswith("Merged")


# --- the agreements due for renewal ----------------------------------------------------------------------------------


def test_the_due_list_reads_the_term_in_force_and_holds_active_partnerships_only(users, hai_duong):
    today = timezone.localdate()
    editor = users["editor"]
    renewed = f.partnership(editor, hai_duong, foreign_locality="Montreuil", term_ends_on=today - timedelta(days=5))
    renew(editor, renewed, renewed_on=today - timedelta(days=4), term_years=None, term_ends_on=today + timedelta(200))
    lapsing = f.partnership(editor, hai_duong, foreign_locality="Vientiane", term_ends_on=today + timedelta(days=400))
    renew(editor, lapsing, renewed_on=date(2020, 1, 1), term_years=None, term_ends_on=today - timedelta(days=2))
    f.partnership(editor, hai_duong, foreign_locality="Dormant city", status="dormant", term_ends_on=today)
    client = client_for(editor)
    rows = client.get("/diplomacy/renewals/").context["rows"]
    assert [(p.foreign_locality, mark.state) for p, _cells, mark in rows] == [
        ("Vientiane", "expired"),  # its latest renewal ended, whatever the term it was signed for
        ("Montreuil", "later"),  # renewed: its term as signed ended, the renewal's runs on
    ]
    months = client.get("/diplomacy/renewals/", {"months": "6"}).context["rows"]
    assert [p.foreign_locality for p, *_ in months] == ["Vientiane"]
    months = client.get("/diplomacy/renewals/", {"months": "7"}).context["rows"]
    assert [p.foreign_locality for p, *_ in months] == ["Vientiane", "Montreuil"]
    api = api_for(editor)
    body = api.get("/api/v1/diplomacy/partnership-renewals/", {"months": "12"}).json()
    assert [(r["foreign_locality"], r["renewed_on"], r["days_left"]) for r in body["results"]] == [
        ("Vientiane", "2020-01-01", -2),
        ("Montreuil", (today - timedelta(days=4)).isoformat(), 200),
    ]
    assert api.get("/api/v1/diplomacy/partnership-renewals/", {"months": "0"}).status_code == 400
    assert api.get("/api/v1/diplomacy/partnership-renewals/", {"months": "x"}).status_code == 400


def test_the_due_list_runs_a_fixed_number_of_queries_however_many_renewals(
    users, hai_duong, django_assert_max_num_queries
):
    today = timezone.localdate()
    client = client_for(users["editor"])
    partnership = f.partnership(users["editor"], hai_duong, term_ends_on=today + timedelta(days=10))
    client.get("/diplomacy/renewals/")
    with django_assert_max_num_queries(7) as first:
        client.get("/diplomacy/renewals/")
    for n in range(6):
        other = f.partnership(users["editor"], hai_duong, foreign_locality=f"City {n}", term_ends_on=today)
        renew(users["editor"], other, renewed_on=today - timedelta(days=n), term_years=1)
        renew(users["editor"], partnership, renewed_on=date(2015 + n, 1, 1), term_years=1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        # the six others, and the first, whose latest renewal (2020, for a year) has expired since
        assert len(client.get("/diplomacy/renewals/").context["rows"]) == 7


# --- pages -----------------------------------------------------------------------------------------------------------


def test_the_partnership_page_lists_renewals_and_records_one_with_its_form(users, suwon):
    client = client_for(users["editor"])
    page = client.get(suwon.get_absolute_url())
    assert page.context["renewal_form"] is not None and 'id="renewal-form"' in page.content.decode()
    data = {"partnership": suwon.pk, "renewed_on": "2019-06-03", "term_years": "5", "signatories": "Chủ tịch"}
    response = client.post("/diplomacy/agreement-renewals/new/", {**data, "term_ends_on": "2019-01-01"})
    assert response.status_code == 400 and "term_ends_on" in response.context["form"].errors
    assert not AgreementRenewal.all_objects.exists()
    response = client.post("/diplomacy/agreement-renewals/new/", data)
    assert response.status_code == 302 and response["Location"] == suwon.get_absolute_url() + "#renewals"
    page = client.get(suwon.get_absolute_url())
    [row] = page.context["renewals"]
    assert row.renewal.term_ends_on == date(2024, 6, 2)
    shown = page.context["object"]
    assert (shown.term_ends_on, shown.current_term_ends_on) == (date(2019, 6, 2), date(2024, 6, 2))


def test_a_renewal_is_changed_and_removed_through_its_page_with_history(users, suwon):
    renewal = renew(users["editor"], suwon)
    client = client_for(users["editor"])
    assert client.get(renewal.get_absolute_url()).status_code == 200
    edit = f"/diplomacy/agreement-renewals/{renewal.public_id}/edit/"
    response = client.post(edit, {"renewed_on": "2019-06-03", "term_ends_on": "2022-06-02", "version": 1})
    assert response.status_code == 302
    renewal.refresh_from_db()
    assert (renewal.term_ends_on, renewal.term_years, renewal.version) == (date(2022, 6, 2), None, 2)
    assert client.post(f"/diplomacy/agreement-renewals/{renewal.public_id}/delete/").status_code == 302
    assert not AgreementRenewal.objects.exists() and AgreementRenewal.all_objects.get().is_deleted
    assert [row.history_type for row in renewal.history.all()] == ["~", "~", "+"]
    assert term_of(suwon) == (None, date(2019, 6, 2))


def test_renewals_are_seen_only_where_the_partnership_is(users, suwon):
    renewal = renew(users["editor"], suwon)
    assert client_for(users["son_la_editor"]).get(renewal.get_absolute_url()).status_code == 404
    central = client_for(users["central"])
    page = central.get(suwon.get_absolute_url())
    assert page.status_code == 200 and page.context["renewal_form"] is None  # reads, records nothing
    assert len(page.context["renewals"]) == 1


def test_the_partnership_page_runs_a_fixed_number_of_queries(users, suwon, django_assert_max_num_queries):
    client = client_for(users["editor"])
    document = make_document(users["editor"], owning_province=f.unit_of("2025", "31"), number_symbol="12/TT-HD")
    renew(users["editor"], suwon, document=document)
    client.get(suwon.get_absolute_url())
    with django_assert_max_num_queries(40) as first:
        client.get(suwon.get_absolute_url())
    for year in range(2020, 2026):
        renew(users["editor"], suwon, renewed_on=date(year, 6, 3), term_years=1, document=document)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get(suwon.get_absolute_url()).context["renewals"]) == 7


# --- API -------------------------------------------------------------------------------------------------------------


def test_the_api_records_renewals_with_400s_naming_the_field_and_nothing_saved(users, suwon, son_la_partnership):
    api = api_for(users["editor"])
    body = {"partnership": str(suwon.public_id), "renewed_on": "2019-06-03", "term_years": 5}
    response = api.post(URL, {**body, "renewed_on": "2014-01-01"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["renewed_on"]
    theirs = {**body, "partnership": str(son_la_partnership.public_id), "renewed_on": "2025-09-02"}
    response = api.post(URL, theirs, format="json")
    assert response.status_code == 400 and list(response.json()) == ["partnership"]
    response = api.post(URL, {**body, "document": "00000000-0000-0000-0000-000000000000"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["document"]
    assert not AgreementRenewal.all_objects.exists()
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["term_ends_on"] == "2024-06-02"
    renewal = AgreementRenewal.objects.get()
    patched = api.patch(f"{URL}{renewal.public_id}/", {"notes": "Lần 1", "version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert api.patch(f"{URL}{renewal.public_id}/", {"notes": "x", "version": 1}, format="json").status_code == 409
    assert api.delete(f"{URL}{renewal.public_id}/").status_code == 204
    assert AgreementRenewal.all_objects.get().is_deleted


def test_the_api_scopes_filters_and_nests_renewals_in_their_partnership(users, suwon):
    renew(users["editor"], suwon)
    renew(users["editor"], suwon, renewed_on=date(2024, 6, 3), term_years=3)
    api = api_for(users["central"])
    assert api.get(URL, {"partnership": str(suwon.public_id)}).json()["count"] == 2
    assert api.get(URL, {"year": "2024"}).json()["count"] == 1
    assert api.get(URL, {"era": "pre2025", "province": "30"}).json()["count"] == 2
    assert api_for(users["son_la_editor"]).get(URL).json()["count"] == 0
    body = api.get(f"/api/v1/diplomacy/partnerships/{suwon.public_id}/").json()
    assert (body["term_ends_on"], body["renewed_on"], body["current_term_ends_on"]) == (
        "2019-06-02",
        "2024-06-03",
        "2027-06-02",
    )
    assert [r["renewed_on"] for r in body["renewals"]] == ["2024-06-03", "2019-06-03"]
    editor = api_for(users["editor"])
    changed = editor.patch(
        f"/api/v1/diplomacy/partnerships/{suwon.public_id}/", {"notes": "x", "version": 1}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["current_term_ends_on"] == "2027-06-02"


def test_the_partnerships_api_runs_a_fixed_number_of_queries(users, hai_duong, django_assert_max_num_queries):
    api = api_for(users["editor"])
    first_partnership = f.partnership(users["editor"], hai_duong)
    renew(users["editor"], first_partnership)
    api.get("/api/v1/diplomacy/partnerships/")
    with django_assert_max_num_queries(12) as first:
        api.get("/api/v1/diplomacy/partnerships/")
    for n in range(5):
        other = f.partnership(users["editor"], hai_duong, foreign_locality=f"City {n}")
        renew(users["editor"], other)
        renew(users["editor"], other, renewed_on=date(2021, 1, 1))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert api.get("/api/v1/diplomacy/partnerships/").json()["count"] == 6
