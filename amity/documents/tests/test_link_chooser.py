"""The chooser of a record's documents panel (a `core.forms.SearchSelect`): the latest documents the user may link,
and a search over all of them as the user types (JSON for amity.js) or, without JavaScript, on the chooser's own
page (the widget's Search button), with or without diacritics, within the scope policy, in a fixed number of
queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import escape

from amity.aid.tests.factories import make_aid_item
from amity.conftest import client_for
from amity.documents.models import DocumentLink
from amity.documents.selectors import LINK_CHOICES, linkable_documents
from amity.documents.services import DocumentChange, LinkChange, document_links_save, documents_save

from .factories import document_data, make_document

pytestmark = pytest.mark.django_db

OPTIONS = reverse("documents:link_options")


def many_documents(user: Any, province: Any, count: int) -> list[Any]:
    """`count` letters of the province, one a day from 2024, in one batch."""
    rows = [
        DocumentChange(
            document_data(
                number_symbol=f"{100 + n}/UBND-VX",
                title=f"Công văn số {100 + n} về tiếp nhận viện trợ",
                issued_on=date(2024, 1, 1) + timedelta(days=n),
                owning_province=province,
            )
        )
        for n in range(count)
    ]
    return documents_save(user=user, rows=rows)


def options(client: Any, record: Any, query: str, kind: str = "aid_item") -> Any:
    return client.get(OPTIONS, {"kind": kind, "record": str(record.public_id), "q": query})


def offered(client: Any, record: Any, query: str) -> list[str]:
    """The public ids of the documents the search offers."""
    return [result["value"] for result in options(client, record, query).json()["results"]]


def ids(*documents: Any) -> list[str]:
    return [str(document.public_id) for document in documents]


@pytest.fixture
def item(users: dict[str, Any], hai_phong: Any) -> Any:
    return make_aid_item(users["editor"], owning_province=hai_phong)


def test_typing_finds_a_document_with_or_without_diacritics(users: dict[str, Any], hai_phong: Any, item: Any) -> None:
    wanted = make_document(
        users["editor"], owning_province=hai_phong, title="Quyết định phê duyệt khoản viện trợ xây trường"
    )
    make_document(users["editor"], owning_province=hai_phong, number_symbol="12/KH-UBND", title="Kế hoạch năm 2025")
    client = client_for(users["editor"])
    for typed in ("phê duyệt trường", "phe duyet truong", "PHE DUYET", "308/QĐ"):
        response = options(client, item, typed)
        assert response.status_code == 200
        assert offered(client, item, typed) == ids(wanted), typed
    [result] = options(client, item, "phe duyet").json()["results"]
    assert result["label"].startswith("308/QĐ-UBND · Quyết định phê duyệt")


def test_the_search_reaches_documents_beyond_the_latest_listed(
    users: dict[str, Any], hai_phong: Any, item: Any
) -> None:
    letters = many_documents(users["editor"], hai_phong, LINK_CHOICES + 5)
    oldest = letters[0]
    panel = linkable_documents(user=users["editor"], record=item)
    assert len(panel.documents) == LINK_CHOICES and panel.more and oldest not in panel.documents
    found = options(client_for(users["editor"]), item, oldest.number_symbol).json()
    assert [result["value"] for result in found["results"]] == ids(oldest) and not found["more"]
    many = options(client_for(users["editor"]), item, "cong van").json()
    assert len(many["results"]) == LINK_CHOICES and many["more"]
    latest = options(client_for(users["editor"]), item, "").json()  # no word: the latest, as the panel lists them
    assert [result["value"] for result in latest["results"]] == ids(*panel.documents)


def test_only_documents_the_user_may_link_are_offered(
    users: dict[str, Any], hai_phong: Any, son_la: Any, item: Any
) -> None:
    ours = make_document(users["editor"], owning_province=hai_phong, title="Công văn của Hải Phòng")
    theirs = make_document(
        users["son_la_editor"], owning_province=son_la, number_symbol="5/UBND-VX", title="Công văn của Sơn La"
    )
    found = offered(client_for(users["editor"]), item, "cong van")
    assert ids(ours) == found and ids(theirs)[0] not in found  # Sơn La's letter is not Hải Phòng's to read
    # A viewer changes neither the item nor the letter: nothing to offer.
    assert offered(client_for(users["viewer"]), item, "cong van") == []
    document_links_save(user=users["editor"], rows=[LinkChange(ours, item)])
    assert offered(client_for(users["editor"]), item, "cong van") == []  # linked already


def test_a_record_the_user_does_not_read_or_a_malformed_request_is_not_found(users: dict[str, Any], item: Any) -> None:
    assert options(client_for(users["son_la_editor"]), item, "x").status_code == 404
    assert client_for(users["editor"]).get(OPTIONS, {"kind": "aid_item", "record": "nope"}).status_code == 404
    assert (
        client_for(users["editor"]).get(OPTIONS, {"kind": "spaceship", "record": str(item.public_id)}).status_code
        == 404
    )


def test_the_chooser_runs_a_fixed_number_of_queries_however_many_documents(
    users: dict[str, Any], hai_phong: Any, item: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(users["editor"])
    many_documents(users["editor"], hai_phong, 3)
    options(client, item, "")  # the session's first request stores it
    with django_assert_max_num_queries(8) as few:
        options(client, item, "cong van")
    many_documents_more = LINK_CHOICES * 2
    many = [
        DocumentChange(document_data(number_symbol=f"{500 + n}/UBND-NV", owning_province=hai_phong, title="Công văn"))
        for n in range(many_documents_more)
    ]
    documents_save(user=users["editor"], rows=many)
    with django_assert_max_num_queries(len(few.captured_queries)):
        options(client, item, "cong van")


def test_the_panel_offers_the_search_box_on_the_record_page(users: dict[str, Any], hai_phong: Any, item: Any) -> None:
    document = make_document(users["editor"], owning_province=hai_phong)
    page = client_for(users["editor"]).get(item.get_absolute_url()).content.decode()
    search_url = f"{OPTIONS}?{urlencode({'kind': 'aid_item', 'record': str(item.public_id)})}"
    assert f'data-search-url="{escape(search_url)}"' in page and 'id="link-document_search"' in page
    assert f'<option value="{document.public_id}">' in page  # the latest, listed at once
    assert 'name="document_search_go"' in page  # the Search button, for a browser without JavaScript


# --- without JavaScript -------------------------------------------------------------------------------------------

CHOOSE = reverse("documents:link_choose")


def test_without_javascript_the_search_button_leads_to_the_choosers_page_and_links_nothing(
    users: dict[str, Any], hai_phong: Any, item: Any
) -> None:
    make_document(users["editor"], owning_province=hai_phong, title="Quyết định phê duyệt khoản viện trợ")
    back = item.get_absolute_url()
    sent = client_for(users["editor"]).post(
        reverse("documents:link"),
        {
            "kind": "aid_item",
            "record": str(item.public_id),
            "next": back,
            "document": "",
            "document_search": "phe duyet",
            "document_search_go": "1",
        },
    )
    assert sent.status_code == 302
    assert (
        sent["Location"]
        == f"{CHOOSE}?{urlencode({'kind': 'aid_item', 'record': str(item.public_id), 'next': back, 'q': 'phe duyet'})}"
    )
    assert document_links_of(item) == []


def document_links_of(record: Any) -> list[Any]:
    content_type = ContentType.objects.get_for_model(type(record))
    return [link.document for link in DocumentLink.objects.filter(content_type=content_type, object_id=record.pk)]


def test_the_choosers_page_lists_the_matches_to_choose_and_links_the_chosen_one(
    users: dict[str, Any], hai_phong: Any, item: Any
) -> None:
    wanted = make_document(
        users["editor"], owning_province=hai_phong, title="Quyết định phê duyệt khoản viện trợ xây trường"
    )
    other = make_document(users["editor"], owning_province=hai_phong, number_symbol="12/KH-UBND", title="Kế hoạch")
    client = client_for(users["editor"])
    back = item.get_absolute_url()
    for typed in ("phê duyệt trường", "phe duyet truong"):
        page = client.get(CHOOSE, {"kind": "aid_item", "record": str(item.public_id), "next": back, "q": typed})
        assert page.status_code == 200 and page.context["choices"] == [wanted]
        html = page.content.decode()
        assert f'type="radio" name="document" value="{wanted.public_id}"' in html
        assert str(other.public_id) not in html
        assert f'action="{reverse("documents:link")}"' in html and 'method="get"' in html
    everything = client.get(CHOOSE, {"kind": "aid_item", "record": str(item.public_id)})
    assert set(everything.context["choices"]) == {wanted, other}  # no word: the latest
    assert everything.context["next"] == back  # no page named: back to the record's
    linked = client.post(
        reverse("documents:link"),
        {"kind": "aid_item", "record": str(item.public_id), "next": back, "document": str(wanted.public_id)},
    )
    assert linked.status_code == 302 and linked["Location"] == back
    assert document_links_of(item) == [wanted]
    assert (
        client.get(CHOOSE, {"kind": "aid_item", "record": str(item.public_id), "q": "phe duyet"}).context["choices"]
        == []
    )  # linked already


def test_the_choosers_page_keeps_to_the_scope_and_refuses_what_it_cannot_read(
    users: dict[str, Any], hai_phong: Any, son_la: Any, item: Any
) -> None:
    make_document(users["son_la_editor"], owning_province=son_la, number_symbol="5/UBND-VX", title="Công văn")
    query = {"kind": "aid_item", "record": str(item.public_id), "q": "cong van"}
    assert client_for(users["editor"]).get(CHOOSE, query).context["choices"] == []
    assert client_for(users["son_la_editor"]).get(CHOOSE, query).status_code == 404  # not their item to read
    assert client_for(users["editor"]).get(CHOOSE, {**query, "record": "nope"}).status_code == 404
    outside = client_for(users["editor"]).get(CHOOSE, {**query, "next": "https://evil.example/"})
    assert outside.context["next"] == item.get_absolute_url()  # never sent to another site


def test_the_choosers_page_runs_a_fixed_number_of_queries(
    users: dict[str, Any], hai_phong: Any, item: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(users["editor"])
    many_documents(users["editor"], hai_phong, 2)
    query = {"kind": "aid_item", "record": str(item.public_id), "q": "cong van"}
    client.get(CHOOSE, query)
    with django_assert_max_num_queries(12) as few:
        client.get(CHOOSE, query)
    many_documents_more = [
        DocumentChange(document_data(number_symbol=f"{700 + n}/UBND-NV", owning_province=hai_phong, title="Công văn"))
        for n in range(LINK_CHOICES * 2)
    ]
    documents_save(user=users["editor"], rows=many_documents_more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(CHOOSE, query).context["choices"]) == LINK_CHOICES
