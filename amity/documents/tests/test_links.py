"""Links between documents and records of other apps: who may link, what each side shows."""

from pathlib import Path

import pytest

from amity.aid.tests.factories import make_aid_item
from amity.conftest import client_for
from amity.core.breaches import BatchRefused
from amity.core.exceptions import PermissionDenied
from amity.documents import links
from amity.documents.models import DocumentLink
from amity.documents.selectors import documents_linked_to, records_linked_to
from amity.documents.services import LinkChange, document_links_save
from amity.reference.models import Country

from .factories import make_document


@pytest.fixture
def decision(users, hai_phong):
    return make_document(users["editor"], owning_province=hai_phong)


@pytest.fixture
def directive(users):
    return make_document(
        users["central"], number_symbol="38-CT/TW", issuing_body="Ban Bí thư", title="Chỉ thị về Liên hiệp"
    )


@pytest.mark.django_db
def test_an_aid_items_approval_decision_is_linked_and_shown_on_both_pages(users, hai_phong, decision):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    document_links_save(user=users["editor"], rows=[LinkChange(decision, item)])
    assert list(documents_linked_to(user=users["viewer"], record=item)) == [decision]
    assert [found.record for found in records_linked_to(user=users["viewer"], document=decision)] == [item]
    page = client_for(users["viewer"]).get(item.get_absolute_url())
    assert "308/QĐ-UBND" in page.content.decode()  # the panel the documents app registered on the aid page
    page = client_for(users["viewer"]).get(decision.get_absolute_url())
    assert item.title_vi in page.content.decode()


@pytest.mark.django_db
def test_a_province_links_its_record_to_a_central_directive_it_cannot_change(users, hai_phong, directive):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    document_links_save(user=users["editor"], rows=[LinkChange(directive, item)])
    assert DocumentLink.objects.count() == 1


@pytest.mark.django_db
def test_linking_needs_to_see_both_and_change_one(users, hai_phong, son_la, decision, directive):
    son_la_item = make_aid_item(users["son_la_editor"], owning_province=son_la)
    with pytest.raises(PermissionDenied):  # cannot see the Sơn La item
        document_links_save(user=users["editor"], rows=[LinkChange(decision, son_la_item)])
    with pytest.raises(PermissionDenied):  # sees both, changes neither
        document_links_save(user=users["viewer"], rows=[LinkChange(directive, son_la_item)])
    with pytest.raises(PermissionDenied):  # the NGO sees neither
        document_links_save(user=users["ngo_rep"], rows=[LinkChange(decision, son_la_item)])
    assert not DocumentLink.objects.exists()


@pytest.mark.django_db
def test_a_batch_with_one_refused_row_writes_nothing(users, hai_phong, son_la, decision, ngo):
    son_la_item = make_aid_item(users["son_la_editor"], owning_province=son_la)
    with pytest.raises(PermissionDenied):
        document_links_save(user=users["editor"], rows=[LinkChange(decision, ngo), LinkChange(decision, son_la_item)])
    assert not DocumentLink.objects.exists()


@pytest.mark.django_db
def test_a_record_of_a_kind_not_registered_is_refused(users, decision):
    with pytest.raises(BatchRefused) as refused:
        document_links_save(user=users["editor"], rows=[LinkChange(decision, Country.objects.first())])
    assert refused.value.breaches[0].breach.field == "record"


@pytest.mark.django_db
def test_linking_twice_keeps_one_link_and_removing_keeps_history(users, decision, ngo):
    document_links_save(user=users["editor"], rows=[LinkChange(decision, ngo), LinkChange(decision, ngo)])
    assert DocumentLink.objects.count() == 1
    document_links_save(user=users["editor"], rows=[LinkChange(decision, ngo, remove=True)])
    assert not DocumentLink.objects.exists()
    removed = DocumentLink.history.filter(history_type="-").get()
    assert removed.history_user == users["editor"]


def test_a_higher_app_registers_its_own_kinds_of_record():
    """Diplomacy (above documents) registers its events, partnerships and delegations from its own AppConfig.ready;
    documents names none of them."""
    from amity.diplomacy.models import Delegation, Event, Partnership

    assert {key: links.model_of(key) for key in ("event", "partnership", "delegation")} == {
        "event": Event,
        "partnership": Partnership,
        "delegation": Delegation,
    }
    assert "amity.diplomacy" not in Path(links.__file__).read_text()  # no import of the higher app


@pytest.mark.django_db
def test_the_link_page_refuses_what_the_service_refuses(users, son_la, decision):
    son_la_item = make_aid_item(users["son_la_editor"], owning_province=son_la)
    response = client_for(users["editor"]).post(
        "/documents/link/", {"document": decision.public_id, "kind": "aid_item", "record": son_la_item.public_id}
    )
    assert response.status_code == 404  # the record is not among those the editor may read
    assert not DocumentLink.objects.exists()


@pytest.mark.django_db
def test_a_central_officer_links_the_centres_directive_from_an_aid_items_page(users, hai_phong, directive):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    page = client_for(users["central"]).get(item.get_absolute_url()).content.decode()
    assert f'value="{directive.public_id}"' in page  # offered: the central officer may change the directive
    response = client_for(users["central"]).post(
        "/documents/link/",
        {
            "document": directive.public_id,
            "kind": "aid_item",
            "record": item.public_id,
            "next": item.get_absolute_url(),
        },
    )
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert list(documents_linked_to(user=users["viewer"], record=item)) == [directive]


@pytest.mark.django_db
def test_the_panel_costs_the_same_queries_however_many_documents_are_linked(users, hai_phong):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = make_aid_item(users["editor"], owning_province=hai_phong)
    documents = [
        make_document(users["editor"], owning_province=hai_phong, number_symbol=f"{n}/QĐ-UBND") for n in range(1, 6)
    ]
    document_links_save(user=users["editor"], rows=[LinkChange(documents[0], item)])
    client = client_for(users["editor"])
    client.get(item.get_absolute_url())  # warm the caches (content types, rate book)
    with CaptureQueriesContext(connection) as one_linked:
        client.get(item.get_absolute_url())
    document_links_save(user=users["editor"], rows=[LinkChange(document, item) for document in documents[1:]])
    with CaptureQueriesContext(connection) as five_linked:
        page = client.get(item.get_absolute_url()).content.decode()
    assert page.count("/QĐ-UBND</span>") == 5
    assert len(five_linked) == len(one_linked)


@pytest.mark.django_db
def test_an_aid_items_approval_decision_in_the_register_is_offered_first_and_chosen(users, hai_phong, decision):
    """The item records its approval decision's number; the panel finds that document in the register (typed any
    way: the number is compared tidied) and chooses it, one query more; once linked, it is no longer offered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amity.aid.models import AidItem

    other = make_document(users["editor"], owning_province=hai_phong, number_symbol="12/KH-UBND", title="Kế hoạch")
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    client = client_for(users["editor"])
    client.get(item.get_absolute_url())  # warm the caches
    with CaptureQueriesContext(connection) as without_decision:
        page = client.get(item.get_absolute_url()).content.decode()
    assert f'<option value="{decision.public_id}" selected>' not in page
    AidItem.objects.filter(pk=item.pk).update(decision_number=" 308 / QĐ-UBND ")
    with CaptureQueriesContext(connection) as with_decision:
        page = client.get(item.get_absolute_url()).content.decode()
    assert f'<option value="{decision.public_id}" selected>' in page
    assert f'<option value="{other.public_id}">' in page  # the others still listed
    assert len(with_decision) == len(without_decision) + 1
    document_links_save(user=users["editor"], rows=[LinkChange(decision, item)])
    page = client.get(item.get_absolute_url()).content.decode()
    assert f'<option value="{decision.public_id}"' not in page and f'<option value="{other.public_id}">' in page
