"""The chooser of a record's documents panel: the latest documents the user may link, and a search over all of
them as the user types (htmx), with or without diacritics, within the scope policy, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from amity.aid.tests.factories import make_aid_item
from amity.conftest import client_for
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
        assert [d.pk for d in response.context["choices"]] == [wanted.pk], typed
    assert str(wanted.public_id) in options(client, item, "phe duyet").content.decode()


def test_the_search_reaches_documents_beyond_the_latest_listed(
    users: dict[str, Any], hai_phong: Any, item: Any
) -> None:
    letters = many_documents(users["editor"], hai_phong, LINK_CHOICES + 5)
    oldest = letters[0]
    panel = linkable_documents(user=users["editor"], record=item)
    assert len(panel.documents) == LINK_CHOICES and panel.more and oldest not in panel.documents
    found = options(client_for(users["editor"]), item, oldest.number_symbol)
    assert [d.pk for d in found.context["choices"]] == [oldest.pk] and not found.context["more"]
    many = options(client_for(users["editor"]), item, "cong van")
    assert len(many.context["choices"]) == LINK_CHOICES and many.context["more"]


def test_only_documents_the_user_may_link_are_offered(
    users: dict[str, Any], hai_phong: Any, son_la: Any, item: Any
) -> None:
    ours = make_document(users["editor"], owning_province=hai_phong, title="Công văn của Hải Phòng")
    theirs = make_document(
        users["son_la_editor"], owning_province=son_la, number_symbol="5/UBND-VX", title="Công văn của Sơn La"
    )
    offered = options(client_for(users["editor"]), item, "cong van").context["choices"]
    assert ours in offered and theirs not in offered  # Sơn La's letter is not Hải Phòng's to read
    # A viewer changes neither the item nor the letter: nothing to offer.
    assert options(client_for(users["viewer"]), item, "cong van").context["choices"] == []
    document_links_save(user=users["editor"], rows=[LinkChange(ours, item)])
    assert ours not in options(client_for(users["editor"]), item, "cong van").context["choices"]  # linked already


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
    make_document(users["editor"], owning_province=hai_phong)
    page = client_for(users["editor"]).get(item.get_absolute_url()).content.decode()
    assert OPTIONS in page and 'id="link-document-search"' in page
