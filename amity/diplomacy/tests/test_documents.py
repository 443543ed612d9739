"""Events, partnerships and delegations link to official documents through the documents app's one link writer,
and their pages show the linked documents (the panel documents owns)."""

from __future__ import annotations

from typing import Any

import pytest

from amity.conftest import client_for
from amity.diplomacy.tests import factories
from amity.documents.selectors import documents_linked_to, records_linked_to
from amity.documents.services import LinkChange, document_links_save
from amity.documents.tests.factories import make_document

pytestmark = pytest.mark.django_db


def test_an_event_and_a_partnership_show_the_documents_they_implement(users: dict[str, Any], hai_phong: Any) -> None:
    union = factories.union(users["editor"])
    meeting = factories.event(users["editor"], union)
    twinning = factories.partnership(users["editor"], union)
    plan = make_document(users["editor"], owning_province=hai_phong, number_symbol="1970/KH-UBND", title="Kế hoạch")

    document_links_save(user=users["editor"], rows=[LinkChange(plan, meeting), LinkChange(plan, twinning)])

    assert list(documents_linked_to(user=users["viewer"], record=meeting)) == [plan]
    assert {found.record for found in records_linked_to(user=users["viewer"], document=plan)} == {meeting, twinning}
    for record in (meeting, twinning):
        page = client_for(users["viewer"]).get(record.get_absolute_url())
        assert page.status_code == 200 and "1970/KH-UBND" in page.content.decode()


def test_a_visitors_page_has_no_documents_panel(users: dict[str, Any]) -> None:
    visitor = factories.visitor(users["editor"], factories.union(users["editor"]))
    page = client_for(users["editor"]).get(visitor.get_absolute_url())
    assert page.status_code == 200 and "linked-documents" not in page.content.decode()
