"""`documents_save` writes a batch in a fixed number of statements (`core.bulk`), however many documents: new and
changed documents with their history rows (who, why), the documents they implement and the history of that, their
files and their search index."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.documents.models import Document, DocumentFile
from amity.documents.selectors import documents_search
from amity.documents.services import DocumentChange, documents_save

from .factories import document_data, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def new_rows(count: int, start: int, province: Any, implements: list[Document] | None = None) -> list[DocumentChange]:
    return [
        DocumentChange(
            document_data(
                number_symbol=f"{start + n}/UBND-VX",
                title=f"Công văn {start + n} về tiếp nhận viện trợ",
                issued_on=date(2024, 1, 1) + timedelta(days=n),
                owning_province=province,
                **({"implements": implements} if implements is not None else {}),
            ),
            files=[upload(f"cv-{start + n}.pdf", pdf_bytes(f"Letter {start + n}"))],
        )
        for n in range(count)
    ]


def queries_to_save(user: Any, rows: list[DocumentChange]) -> int:
    with CaptureQueriesContext(connection) as captured:
        documents_save(user=user, rows=rows, reason="Nhập lô")
    return len(captured.captured_queries)


def test_new_documents_cost_the_same_queries_for_two_or_forty(users: dict[str, Any], hai_phong: Any) -> None:
    [plan] = documents_save(
        user=users["editor"], rows=[DocumentChange(document_data(owning_province=hai_phong, number_symbol="9/KH-UBND"))]
    )
    few = queries_to_save(users["editor"], new_rows(2, 100, hai_phong, implements=[plan]))
    many = queries_to_save(users["editor"], new_rows(30, 200, hai_phong, implements=[plan]))
    assert few == many
    saved = Document.objects.filter(number_symbol__endswith="/UBND-VX")
    assert saved.count() == 32 and DocumentFile.objects.count() == 32
    one = saved.get(number_symbol="220/UBND-VX")
    assert list(one.implements.all()) == [plan]
    [created] = one.history.all()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        users["editor"],
        "Nhập lô",
    )
    assert [row.to_document_id for row in created.implements.all()] == [
        plan.pk
    ]  # the history keeps what it implemented
    assert list(documents_search(Document.objects.all(), "cong van 220 tiep nhan")) == [one]


def test_changed_documents_cost_the_same_queries_for_two_or_forty(users: dict[str, Any], hai_phong: Any) -> None:
    stored = documents_save(user=users["editor"], rows=[row for row in new_rows(42, 100, hai_phong)])

    def changes(documents: list[Document]) -> list[DocumentChange]:
        return [DocumentChange({"title": f"{d.title} (sửa)"}, pk=d.pk, expected_version=d.version) for d in documents]

    few = queries_to_save(users["editor"], changes(stored[:2]))
    many = queries_to_save(users["editor"], changes(stored[2:]))
    assert few == many
    changed = Document.objects.get(pk=stored[30].pk)
    assert changed.title.endswith("(sửa)") and changed.version == 2
    latest = changed.history.first()
    assert (latest.history_type, latest.history_user, latest.title) == ("~", users["editor"], changed.title)
    assert list(documents_search(Document.objects.all(), "sua 130")) == [changed]


def test_links_are_written_in_the_same_queries_for_two_or_thirty(users: dict[str, Any], hai_phong: Any) -> None:
    from amity.aid.tests.factories import make_aid_item
    from amity.documents.models import DocumentLink
    from amity.documents.services import LinkChange, document_links_save

    item = make_aid_item(users["editor"], owning_province=hai_phong)
    letters = documents_save(user=users["editor"], rows=new_rows(32, 100, hai_phong))

    def queries_to_link(rows: list[LinkChange]) -> int:
        with CaptureQueriesContext(connection) as captured:
            document_links_save(user=users["editor"], rows=rows)
        return len(captured.captured_queries)

    few = queries_to_link([LinkChange(letter, item) for letter in letters[:2]])
    many = queries_to_link([LinkChange(letter, item) for letter in letters[2:]])
    assert few == many and DocumentLink.objects.count() == 32
    link = DocumentLink.objects.get(document=letters[5])
    assert link.history.get().history_user == users["editor"]
    unlinked = queries_to_link([LinkChange(letter, item, remove=True) for letter in letters[:30]])
    assert unlinked <= many and DocumentLink.objects.count() == 2
    assert DocumentLink.history.filter(history_type="-", history_user=users["editor"]).count() == 30
    assert queries_to_link([LinkChange(letters[31], item)]) <= few  # linked already: nothing written
