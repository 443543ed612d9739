"""Official documents linked to a reporting duty: through the documents app's one link writer, shown in the
documents panel on the duty's page and on the document's page, within both records' scopes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from amity.conftest import client_for
from amity.documents import links
from amity.documents.models import DocumentLink
from amity.documents.selectors import records_linked_to
from amity.documents.tests.factories import make_document
from amity.obligations import services
from amity.obligations.models import Obligation
from amity.obligations.tests.factories import of_rule, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_05(ngo: Any, hai_phong: Any) -> Obligation:
    register(ngo, hai_phong)
    services.obligations_generate(today=date(2026, 1, 5))
    return of_rule("d58-form-05", organisation=ngo, period_start=date(2024, 12, 15))[0]


def link(client: Any, document: Any, duty: Obligation, **extra: str) -> Any:
    data = {"document": document.public_id, "kind": "obligation", "record": duty.public_id, **extra}
    return client.post(reverse("documents:link"), data)


def test_duties_are_a_kind_of_record_documents_link_to() -> None:
    assert links.model_of("obligation") is Obligation


def test_the_reviewing_province_links_its_letter_and_both_pages_show_it(
    users: dict[str, Any], hai_phong: Any, form_05: Obligation
) -> None:
    letter = make_document(users["editor"], owning_province=hai_phong, number_symbol="45/UBND-NV")
    duty_page = form_05.get_absolute_url()
    response = link(client_for(users["approver"]), letter, form_05, next=duty_page)
    assert response.status_code == 302 and response["Location"] == duty_page
    assert DocumentLink.objects.filter(document=letter, object_id=form_05.pk).exists()
    page = client_for(users["viewer"]).get(duty_page)
    assert "45/UBND-NV" in page.content.decode()  # the documents panel on the duty's page
    assert [found.record for found in records_linked_to(user=users["viewer"], document=letter)] == [form_05]
    assert str(form_05.rule.name) in client_for(users["viewer"]).get(letter.get_absolute_url()).content.decode()


def test_the_duty_page_offers_to_link_only_to_those_who_may(
    users: dict[str, Any], hai_phong: Any, form_05: Obligation
) -> None:
    make_document(users["editor"], owning_province=hai_phong, number_symbol="45/UBND-NV")
    assert "documents/link/" in client_for(users["approver"]).get(form_05.get_absolute_url()).content.decode()
    assert "documents/link/" not in client_for(users["viewer"]).get(form_05.get_absolute_url()).content.decode()


def test_a_duty_outside_the_users_scope_cannot_be_linked(
    users: dict[str, Any], son_la: Any, form_05: Obligation
) -> None:
    their_letter = make_document(users["son_la_editor"], owning_province=son_la, number_symbol="9/UBND-NV")
    assert link(client_for(users["son_la_editor"]), their_letter, form_05).status_code == 404
    assert not DocumentLink.objects.exists()


def test_the_duty_page_with_its_documents_runs_a_fixed_number_of_queries(
    users: dict[str, Any], hai_phong: Any, form_05: Obligation, django_assert_max_num_queries: Any
) -> None:
    client = client_for(users["approver"])
    client.get(form_05.get_absolute_url())
    for number in range(3):
        letter = make_document(users["editor"], owning_province=hai_phong, number_symbol=f"{40 + number}/UBND-NV")
        link(client, letter, form_05)
        with django_assert_max_num_queries(15):  # the same with one linked document or three
            response = client.get(form_05.get_absolute_url())
    assert response.status_code == 200 and response.content.decode().count("/UBND-NV") >= 3
