"""Registrations (licences) of foreign NGOs under Decree 58/2022: validity limits, decisions, computed status,
watch lists, scoping, pages and API."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from amity.conftest import client_for
from amity.organisations import selectors, services
from amity.organisations.choices import RegistrationEventKind, RegistrationState, RegistrationStatus
from amity.organisations.models import Organisation, Registration
from amity.reference.models import CodelistItem

pytestmark = pytest.mark.django_db

API = "/api/v1/registrations/"
ISSUED = date(2024, 1, 15)
_numbers = itertools.count(1)


def issue(user, organisation, *, kind="operation", issue_date=ISSUED, expiry_date=None, **extra) -> Registration:
    data = {
        "organisation": organisation,
        "kind": kind,
        "number": f"{next(_numbers):03}/GĐK-TEST",
        "issue_date": issue_date,
        "expiry_date": expiry_date or services.add_years(issue_date, 3),
        **extra,
    }
    return services.registration_create(user=user, data=data)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def central(users):
    return users["central"]


@pytest.fixture
def registration(central, ngo):
    return issue(central, ngo)


@pytest.fixture
def other_ngo(db):
    return Organisation.objects.create(name="Asia Foundation for Schools", acronym="AFS", kind="foundation")


# --- validity limits (Art. 9) --------------------------------------------------------------------------------


def test_operation_certificate_for_exactly_three_years_is_accepted(central, ngo):
    registration = issue(central, ngo, issue_date=date(2024, 1, 15), expiry_date=date(2027, 1, 15))
    assert registration.expiry_date == date(2027, 1, 15)
    assert [e.kind for e in registration.events.all()] == [RegistrationEventKind.ISSUED]


def test_operation_certificate_three_years_and_one_day_is_refused_on_the_expiry_date(central, ngo):
    with pytest.raises(ValidationError) as refused:
        issue(central, ngo, issue_date=date(2024, 1, 15), expiry_date=date(2027, 1, 16))
    assert set(refused.value.message_dict) == {"expiry_date"}
    assert not Registration.all_objects.exists()


def test_representative_office_certificate_runs_up_to_five_years(central, ngo):
    issue(central, ngo, kind="representative_office", issue_date=date(2024, 1, 15), expiry_date=date(2029, 1, 15))
    with pytest.raises(ValidationError) as refused:
        issue(central, ngo, kind="representative_office", issue_date=date(2024, 1, 15), expiry_date=date(2029, 1, 16))
    assert "expiry_date" in refused.value.message_dict


def test_an_organisation_that_is_not_a_foreign_ngo_cannot_be_registered(central, hai_phong):
    agency = Organisation.objects.create(name="Sở Ngoại vụ", kind="vietnamese_agency", owning_province=hai_phong)
    with pytest.raises(ValidationError) as refused:
        issue(central, agency)
    assert set(refused.value.message_dict) == {"organisation"}
    assert not Registration.all_objects.exists()


def test_the_expiry_date_is_changed_only_by_a_decision(central, registration):
    with pytest.raises(ValidationError) as refused:
        services.registration_update(
            registration=registration, user=central, data={"expiry_date": date(2026, 1, 1)}, expected_version=1
        )
    assert "expiry_date" in refused.value.message_dict


# --- decisions ----------------------------------------------------------------------------------------------


def test_extension_moves_the_expiry_and_records_previous_and_new_dates(central, registration):
    old_expiry = registration.expiry_date
    new_expiry = services.add_years(old_expiry, 3)
    services.registration_record_decision(
        registration=registration,
        user=central,
        kind="extended",
        on=old_expiry - timedelta(days=70),
        decision_number="12/QĐ-BNG",
        new_expiry=new_expiry,
    )
    registration.refresh_from_db()
    assert registration.expiry_date == new_expiry
    event = registration.events.get(kind=RegistrationEventKind.EXTENDED)
    assert (event.previous_expiry, event.new_expiry, event.decision_number) == (old_expiry, new_expiry, "12/QĐ-BNG")


def test_extension_longer_than_one_term_is_refused(central, registration):
    too_far = services.add_years(registration.expiry_date, 3) + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.registration_record_decision(
            registration=registration, user=central, kind="extended", on=date(2026, 10, 1), new_expiry=too_far
        )
    assert set(refused.value.message_dict) == {"new_expiry"}
    assert Registration.objects.get(pk=registration.pk).expiry_date == registration.expiry_date
    assert registration.events.count() == 1


def test_extension_to_an_earlier_date_is_refused(central, registration):
    with pytest.raises(ValidationError) as refused:
        services.registration_record_decision(
            registration=registration,
            user=central,
            kind="extended",
            on=date(2026, 10, 1),
            new_expiry=registration.expiry_date - timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"new_expiry"}


def test_suspension_then_reinstatement(central, registration):
    services.registration_record_decision(
        registration=registration, user=central, kind="suspended", on=date(2025, 3, 1)
    )
    assert Registration.objects.get(pk=registration.pk).state == RegistrationState.SUSPENDED
    assert registration.status_on(date(2025, 3, 2)) == RegistrationStatus.SUSPENDED
    services.registration_record_decision(
        registration=registration, user=central, kind="reinstated", on=date(2025, 4, 1)
    )
    registration.refresh_from_db()
    assert registration.state == RegistrationState.IN_FORCE
    assert [e.kind for e in registration.events.all()] == ["issued", "suspended", "reinstated"]


def test_a_registration_in_force_cannot_be_reinstated(central, registration):
    with pytest.raises(ValidationError) as refused:
        services.registration_record_decision(
            registration=registration, user=central, kind="reinstated", on=date(2025, 4, 1)
        )
    assert "kind" in refused.value.message_dict


def test_a_revoked_registration_cannot_be_extended(central, registration):
    services.registration_record_decision(registration=registration, user=central, kind="revoked", on=date(2025, 3, 1))
    with pytest.raises(ValidationError) as refused:
        services.registration_record_decision(
            registration=registration,
            user=central,
            kind="extended",
            on=date(2025, 4, 1),
            new_expiry=registration.expiry_date + timedelta(days=30),
        )
    assert "kind" in refused.value.message_dict
    assert Registration.objects.get(pk=registration.pk).state == RegistrationState.REVOKED


def test_a_decision_on_a_stale_copy_is_a_conflict(central, registration):
    from amity.core.exceptions import ConflictError

    stale = Registration.objects.get(pk=registration.pk)
    services.registration_record_decision(
        registration=registration, user=central, kind="suspended", on=date(2025, 3, 1)
    )
    with pytest.raises(ConflictError):
        services.registration_record_decision(registration=stale, user=central, kind="revoked", on=date(2025, 3, 2))
    assert Registration.objects.get(pk=registration.pk).state == RegistrationState.SUSPENDED


# --- status on a day ----------------------------------------------------------------------------------------

DAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("expiry", "expected"),
    [
        (DAY + timedelta(days=91), RegistrationStatus.VALID),
        (DAY + timedelta(days=90), RegistrationStatus.EXPIRING),
        (DAY, RegistrationStatus.EXPIRING),
        (DAY - timedelta(days=1), RegistrationStatus.EXPIRED),
    ],
)
def test_status_is_computed_from_the_dates_relative_to_a_given_day(central, ngo, expiry, expected):
    registration = issue(central, ngo, issue_date=date(2024, 1, 15), expiry_date=expiry)
    assert registration.status_on(DAY) == expected
    in_database = selectors.registrations_with_status(Registration.objects.all(), today=DAY).get()
    assert in_database.computed_status == expected
    assert list(Registration.objects.filter(selectors.registration_status_q(expected, today=DAY))) == [registration]


def test_a_suspended_registration_has_the_suspended_status_whatever_its_dates(central, registration):
    services.registration_record_decision(
        registration=registration, user=central, kind="suspended", on=date(2025, 3, 1)
    )
    row = selectors.registrations_with_status(Registration.objects.all(), today=date(2025, 3, 2)).get()
    assert row.computed_status == RegistrationStatus.SUSPENDED


# --- watch lists --------------------------------------------------------------------------------------------

TODAY = date(2025, 3, 1)


@pytest.fixture
def expiring_set(central, ngo, other_ngo):
    """Registrations expiring 10, 59, 60, 89 and 91 days after TODAY, one expired, one suspended."""
    made = {}
    for days in (10, 59, 60, 89, 91, -1):
        made[days] = issue(
            central,
            ngo if days % 2 else other_ngo,
            issue_date=date(2023, 1, 1),
            expiry_date=TODAY + timedelta(days=days),
        )
    suspended = issue(central, ngo, issue_date=date(2023, 1, 1), expiry_date=TODAY + timedelta(days=20))
    services.registration_record_decision(registration=suspended, user=central, kind="suspended", on=TODAY)
    return made


def test_watch_list_of_licences_expiring_within_90_days(central, expiring_set):
    listed = selectors.registrations_expiring(user=central, today=TODAY)
    assert [r.pk for r in listed] == [expiring_set[days].pk for days in (10, 59, 60, 89)]


def test_watch_list_of_extensions_overdue_with_less_than_60_days_left(central, expiring_set):
    listed = selectors.registrations_extension_overdue(user=central, today=TODAY)
    assert [r.pk for r in listed] == [expiring_set[days].pk for days in (10, 59)]


def test_watch_list_of_registered_ngos_without_activity_for_12_months(users, central, ngo, other_ngo, hai_phong):
    from amity.aid import services as aid_services
    from amity.aid.services import Participation
    from amity.reference.models import Currency

    issue(central, ngo, issue_date=date(2023, 1, 1), expiry_date=date(2026, 1, 1))
    issue(central, other_ngo, issue_date=date(2023, 1, 1), expiry_date=date(2026, 1, 1))
    newcomer = Organisation.objects.create(name="Newly Licensed", kind="foreign_ngo")
    issue(central, newcomer, issue_date=TODAY - timedelta(days=60), expiry_date=date(2027, 1, 1))
    # other_ngo takes part in an aid item disbursed three months ago; ngo last gave money fifteen months ago.
    editor = users["editor"]
    aid_item = aid_services.aid_item_create(
        user=editor,
        data={"modality": "project", "title_vi": "Học bổng cho học sinh", "owning_province": hai_phong},
        parts=aid_services.AidItemParts(participants=[Participation(other_ngo, "1")]),
    )
    usd = Currency.objects.get(code="USD")
    for provider, day in ((None, date(2024, 12, 1)), (ngo, date(2023, 12, 1))):
        aid_services.transaction_create(
            user=editor,
            aid_item=aid_item,
            data={
                "transaction_type": "3",
                "date": day,
                "value_date": day,
                "amount": Decimal("1000.00"),
                "currency": usd,
                "provider": provider,
            },
        )
    inactive = list(selectors.organisations_inactive(user=central, today=TODAY))
    assert [(o.pk, o.last_activity) for o in inactive] == [(ngo.pk, date(2023, 12, 1))]  # not the newcomer
    later = date(2025, 12, 2)  # more than twelve months after the aid item's last disbursement
    assert {o.pk for o in selectors.organisations_inactive(user=central, today=later)} == {ngo.pk, other_ngo.pk}


def test_an_ngo_with_no_transaction_at_all_is_listed_as_inactive(central, ngo, other_ngo):
    issue(central, ngo, issue_date=date(2023, 1, 1), expiry_date=date(2026, 1, 1))
    inactive = list(selectors.organisations_inactive(user=central, today=TODAY))
    assert [(o.pk, o.last_activity) for o in inactive] == [(ngo.pk, None)]


# --- scoping ------------------------------------------------------------------------------------------------


def test_provincial_editor_reads_registrations_but_may_not_write_them_in_pages(users, registration):
    client = client_for(users["editor"])
    listed = client.get(reverse("organisations:registration_list"))
    assert [r.pk for r in listed.context["object_list"]] == [registration.pk]
    assert listed.context["may_add"] is False
    detail = client.get(registration.get_absolute_url())
    assert detail.status_code == 200
    assert detail.context["may_change"] is False and "decision_form" not in detail.context
    assert client.get(reverse("organisations:registration_add")).status_code == 403
    assert client.post(reverse("organisations:registration_add"), {"number": "x"}).status_code == 403
    edit_url = reverse("organisations:registration_edit", args=[registration.public_id])
    assert client.get(edit_url).status_code == 403
    decision_url = reverse("organisations:registration_decision", args=[registration.public_id])
    assert client.post(decision_url, {"kind": "revoked", "date": "2025-03-01"}).status_code == 403
    assert Registration.objects.get(pk=registration.pk).state == RegistrationState.IN_FORCE


def test_provincial_editor_gets_403_on_writes_through_the_api(users, ngo, registration):
    client = api(users["editor"])
    url = f"{API}{registration.public_id}/"
    assert client.get(url).status_code == 200
    created = client.post(
        API,
        {
            "organisation": str(ngo.public_id),
            "kind": "operation",
            "number": "X",
            "issue_date": "2024-01-01",
            "expiry_date": "2026-01-01",
        },
        format="json",
    )
    assert created.status_code == 403
    assert client.patch(url, {"note": "x", "version": 1}, format="json").status_code == 403
    assert client.post(f"{url}decision/", {"kind": "revoked", "date": "2025-03-01"}, format="json").status_code == 403
    assert Registration.objects.count() == 1


def test_provincial_editor_is_refused_by_the_services(users, ngo, registration):
    with pytest.raises(PermissionDenied):
        issue(users["editor"], ngo)
    with pytest.raises(PermissionDenied):
        services.registration_record_decision(
            registration=registration, user=users["editor"], kind="revoked", on=date(2025, 3, 1)
        )


def test_ngo_representative_sees_only_its_organisations_registrations(users, central, registration, other_ngo):
    others = issue(central, other_ngo)
    client = client_for(users["ngo_rep"])
    listed = client.get(reverse("organisations:registration_list"))
    assert [r.pk for r in listed.context["object_list"]] == [registration.pk]
    assert client.get(others.get_absolute_url()).status_code == 404
    rows = api(users["ngo_rep"]).get(API).json()["results"]
    assert [row["id"] for row in rows] == [str(registration.public_id)]


def test_user_without_a_role_sees_no_registration(users, registration):
    listed = client_for(users["no_role"]).get(reverse("organisations:registration_list"))
    assert list(listed.context["object_list"]) == []


# --- pages --------------------------------------------------------------------------------------------------


def form_data(organisation, **changes) -> dict:
    data = {
        "organisation": organisation.pk,
        "kind": "operation",
        "number": "045/GĐK-BNG",
        "issuing_body": "Bộ Ngoại giao",
        "issue_date": "2024-01-15",
        "expiry_date": "2027-01-15",
        "note": "",
    }
    data.update(changes)
    return data


def test_central_officer_issues_a_registration_from_the_page(central, ngo, hai_phong, son_la):
    sectors = list(CodelistItem.objects.of("SectorCategory").filter(code__in=["111", "121"]))
    response = client_for(central).post(
        reverse("organisations:registration_add"),
        {**form_data(ngo), "provinces": [hai_phong.pk, son_la.pk], "sectors": [s.pk for s in sectors]},
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert response["Location"] == registration.get_absolute_url()
    assert set(registration.provinces.all()) == {hai_phong, son_la}
    assert sorted(s.code for s in registration.sectors.all()) == ["111", "121"]
    assert registration.events.get().kind == RegistrationEventKind.ISSUED
    assert registration.history.first().history_user == central


def test_form_shows_the_validity_error_on_the_expiry_date_and_saves_nothing(central, ngo):
    response = client_for(central).post(
        reverse("organisations:registration_add"), form_data(ngo, expiry_date="2027-01-16")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"expiry_date"}
    assert b'id="id_expiry_date_error"' in response.content
    assert not Registration.all_objects.exists()


def test_form_shows_a_duplicate_number_on_the_number_field(central, ngo, registration):
    response = client_for(central).post(
        reverse("organisations:registration_add"), form_data(ngo, number=registration.number)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"number"}
    assert Registration.all_objects.count() == 1


def test_form_offers_only_foreign_ngos_and_foundations(central, ngo, other_ngo, hai_phong):
    Organisation.objects.create(name="Sở Ngoại vụ", kind="vietnamese_agency", owning_province=hai_phong)
    form = client_for(central).get(reverse("organisations:registration_add")).context["form"]
    assert set(form.fields["organisation"].queryset) == {ngo, other_ngo}


def test_add_link_from_an_organisation_preselects_it(central, ngo):
    url = reverse("organisations:registration_add") + f"?organisation={ngo.public_id}"
    form = client_for(central).get(url).context["form"]
    assert form.initial["organisation"] == ngo.pk


def test_edit_corrects_the_record_but_keeps_the_expiry_date(central, registration):
    url = reverse("organisations:registration_edit", args=[registration.public_id])
    data = form_data(registration.organisation, number="046/GĐK-BNG", expiry_date="2030-01-01", version=1)
    response = client_for(central).post(url, data)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.number == "046/GĐK-BNG"
    assert registration.expiry_date == date(2027, 1, 15)  # read-only on the form: an extension changes it


def test_detail_shows_who_corrected_what(central, registration, hai_phong):
    client = client_for(central)
    url = reverse("organisations:registration_edit", args=[registration.public_id])
    response = client.post(
        url, form_data(registration.organisation, number="046/GĐK-BNG", provinces=[hai_phong.pk], version=1)
    )
    assert response.status_code == 302
    entries = client.get(registration.get_absolute_url()).context["history_entries"]
    # The provinces, a many-to-many field, are saved after the record and get a history row of their own.
    changes = [(e.who, c.old, c.new) for e in entries for c in e.changes]
    assert (central, registration.number, "046/GĐK-BNG") in changes


def test_stale_edit_is_a_conflict(central, registration):
    client = client_for(central)
    url = reverse("organisations:registration_edit", args=[registration.public_id])
    client.post(url, form_data(registration.organisation, number="A", version=1))
    response = client.post(url, form_data(registration.organisation, number="B", version=1))
    assert response.status_code == 409
    assert Registration.objects.get(pk=registration.pk).number == "A"


def test_list_runs_a_fixed_number_of_queries(
    users, central, ngo, other_ngo, hai_phong, son_la, django_assert_max_num_queries
):
    today = timezone.localdate()
    for index in range(30):
        registration = issue(
            central,
            ngo if index % 2 else other_ngo,
            issue_date=today - timedelta(days=400),
            expiry_date=today + timedelta(days=index * 20),
        )
        registration.provinces.set([hai_phong, son_la])
    client = client_for(users["viewer"])
    # session, user, jurisdictions, province filter (its value, its choices), count, page, provinces of the
    # page: the same whatever the number of rows.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("organisations:registration_list"), {"sort": "-expiry", "province": "31"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 30
    statuses = {r.computed_status for r in response.context["object_list"]}
    assert statuses == {"expiring", "valid"}


def test_list_filters_by_status_and_search(central, ngo, other_ngo):
    today = timezone.localdate()
    soon = issue(central, ngo, issue_date=today - timedelta(days=400), expiry_date=today + timedelta(days=30))
    issue(central, other_ngo, issue_date=today - timedelta(days=400), expiry_date=today + timedelta(days=300))
    client = client_for(central)
    expiring = client.get(reverse("organisations:registration_list"), {"status": "expiring"})
    assert [r.pk for r in expiring.context["object_list"]] == [soon.pk]
    searched = client.get(reverse("organisations:registration_list"), {"q": "SVV"})
    assert [r.pk for r in searched.context["object_list"]] == [soon.pk]


def test_detail_shows_the_status_events_and_decision_form(central, registration):
    response = client_for(central).get(registration.get_absolute_url())
    assert response.status_code == 200
    assert response.context["status"] == registration.status_on(timezone.localdate())
    assert [e.kind for e in response.context["events"]] == ["issued"]
    assert "decision_form" in response.context
    assert response.context["history_entries"][0].who == central


def test_extension_recorded_from_the_page(central, registration):
    url = reverse("organisations:registration_decision", args=[registration.public_id])
    new_expiry = services.add_years(registration.expiry_date, 3)
    response = client_for(central).post(
        url,
        {
            "kind": "extended",
            "date": "2026-11-01",
            "decision_number": "7/QĐ-BNG",
            "new_expiry": new_expiry.isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).expiry_date == new_expiry


def test_a_decision_posted_from_a_stale_page_is_a_conflict_shown_with_the_current_version(central, registration):
    url = reverse("organisations:registration_decision", args=[registration.public_id])
    services.registration_record_decision(
        registration=registration, user=central, kind="suspended", on=date(2025, 3, 1)
    )
    response = client_for(central).post(url, {"kind": "revoked", "date": "2025-03-02", "version": 1})
    assert response.status_code == 409
    form = response.context["decision_form"]
    assert form.data["version"] == "2"  # posting again confirms the decision over the newer state
    assert form.data["kind"] == "revoked"
    assert Registration.objects.get(pk=registration.pk).state == RegistrationState.SUSPENDED


def test_a_refused_decision_shows_the_error_on_the_page(central, registration):
    url = reverse("organisations:registration_decision", args=[registration.public_id])
    too_far = services.add_years(registration.expiry_date, 3) + timedelta(days=1)
    response = client_for(central).post(
        url,
        {
            "kind": "extended",
            "date": "2026-11-01",
            "new_expiry": too_far.isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 400
    assert set(response.context["decision_form"].errors) == {"new_expiry"}
    assert Registration.objects.get(pk=registration.pk).version == 1


def test_delete_and_restore_from_the_page(central, registration):
    client = client_for(central)
    client.post(reverse("organisations:registration_delete", args=[registration.public_id]))
    assert not Registration.objects.filter(pk=registration.pk).exists()
    page = client.get(registration.get_absolute_url())
    assert page.status_code == 200 and page.context["object"].is_deleted
    client.post(reverse("organisations:registration_restore", args=[registration.public_id]))
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_watch_page_lists_the_licences_to_act_on(users, central, ngo, other_ngo, django_assert_max_num_queries):
    today = timezone.localdate()
    soon = issue(central, ngo, issue_date=today - timedelta(days=800), expiry_date=today + timedelta(days=30))
    later = issue(central, other_ngo, issue_date=today - timedelta(days=800), expiry_date=today + timedelta(days=80))
    client = client_for(users["viewer"])
    with django_assert_max_num_queries(6):  # session, user, jurisdictions, the three lists
        response = client.get(reverse("organisations:watch"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["expiring"]] == [soon.pk, later.pk]
    assert [r.pk for r in response.context["overdue"]] == [soon.pk]
    assert response.context["overdue"][0].days_left == 30
    assert {o.pk for o in response.context["inactive"]} == {ngo.pk, other_ngo.pk}


def test_organisation_page_lists_its_registrations(users, registration, ngo):
    response = client_for(users["viewer"]).get(ngo.get_absolute_url())
    assert [r.pk for r in response.context["registrations"]] == [registration.pk]
    assert response.context["registrations"][0].computed_status
    assert response.context["may_add_registration"] is False
    assert client_for(users["central"]).get(ngo.get_absolute_url()).context["may_add_registration"] is True


def test_navigation_links_to_registrations(users):
    response = client_for(users["viewer"]).get(reverse("organisations:registration_list"))
    assert reverse("organisations:registration_list") in [item["url"] for item in response.context["nav_items"]]


# --- API ----------------------------------------------------------------------------------------------------


def api_payload(organisation, **changes) -> dict:
    payload = {
        "organisation": str(organisation.public_id),
        "kind": "operation",
        "number": "101/GĐK-BNG",
        "issue_date": "2024-01-15",
        "expiry_date": "2027-01-15",
        "provinces": ["31", "14"],
        "sectors": ["111"],
    }
    payload.update(changes)
    return payload


def test_api_creates_a_registration_through_the_service(central, ngo):
    response = api(central).post(API, api_payload(ngo), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organisation"] == str(ngo.public_id)
    assert sorted(body["provinces"]) == ["14", "31"] and body["sectors"] == ["111"]
    assert body["status"] in RegistrationStatus.values
    assert [e["kind"] for e in body["events"]] == ["issued"]
    assert Registration.objects.get().history.first().history_user == central


def test_api_refuses_an_expiry_beyond_the_limit_naming_expiry_date(central, ngo):
    response = api(central).post(API, api_payload(ngo, expiry_date="2027-01-16"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"expiry_date"}
    assert not Registration.all_objects.exists()


def test_api_names_bad_fields(central, hai_phong):
    response = api(central).post(
        API, {"organisation": "not-a-uuid", "kind": "nope", "provinces": ["99"]}, format="json"
    )
    assert response.status_code == 400
    assert {"organisation", "kind", "provinces", "number", "issue_date", "expiry_date"} <= set(response.json())


def test_api_refuses_a_duplicate_certificate_number_naming_number(central, ngo, registration):
    response = api(central).post(API, api_payload(ngo, number=registration.number), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"number"}


def test_api_update_with_a_stale_version_is_a_409(central, registration):
    client = api(central)
    url = f"{API}{registration.public_id}/"
    assert client.patch(url, {"note": "first", "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"note": "second", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert Registration.objects.get(pk=registration.pk).note == "first"


def test_api_decision_endpoint_extends_and_detects_stale_versions(central, registration):
    client = api(central)
    url = f"{API}{registration.public_id}/decision/"
    new_expiry = services.add_years(registration.expiry_date, 3)
    response = client.post(
        url,
        {"kind": "extended", "date": "2026-11-01", "new_expiry": new_expiry.isoformat(), "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["expiry_date"] == new_expiry.isoformat()
    assert [e["kind"] for e in response.json()["events"]] == ["issued", "extended"]
    stale = client.post(url, {"kind": "suspended", "date": "2026-11-02", "version": 1}, format="json")
    assert stale.status_code == 409
    assert Registration.objects.get(pk=registration.pk).state == RegistrationState.IN_FORCE


def test_api_decision_refused_names_the_field(central, registration):
    url = f"{API}{registration.public_id}/decision/"
    response = api(central).post(url, {"kind": "extended", "date": "2026-11-01"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"new_expiry"}


def test_api_expiring_lists_licences_expiring_within_90_days(users, central, ngo, other_ngo):
    today = timezone.localdate()
    soon = issue(central, ngo, issue_date=today - timedelta(days=400), expiry_date=today + timedelta(days=30))
    issue(central, other_ngo, issue_date=today - timedelta(days=400), expiry_date=today + timedelta(days=300))
    response = api(users["viewer"]).get(f"{API}expiring/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["id"], row["status"]) for row in rows] == [(str(soon.public_id), "expiring")]


def test_api_filters_by_status_and_province(central, ngo, other_ngo, hai_phong):
    today = timezone.localdate()
    here = issue(central, ngo, issue_date=today - timedelta(days=400), expiry_date=today + timedelta(days=300))
    here.provinces.set([hai_phong])
    issue(central, other_ngo, issue_date=today - timedelta(days=400), expiry_date=today + timedelta(days=30))
    rows = api(central).get(API, {"province": "31", "status": "valid"}).json()["results"]
    assert [row["id"] for row in rows] == [str(here.public_id)]
