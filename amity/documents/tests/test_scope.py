"""Who reads which documents, files and consultations (the scope policies)."""

import pytest

from amity.conftest import client_for
from amity.documents.models import Document, DocumentFile
from amity.documents.services import ConsultationChange, Recipient, consultations_send

from .factories import make_document, pdf_bytes, upload


@pytest.fixture
def register(users, hai_phong, son_la):
    return {
        "hp": make_document(users["editor"], (upload("a.pdf", pdf_bytes("x")),), owning_province=hai_phong),
        "hp_draft": make_document(
            users["editor"],
            owning_province=hai_phong,
            status="draft",
            number_symbol="",
            issued_on=None,
            kind="decision",
        ),
        "sl": make_document(users["son_la_editor"], owning_province=son_la, number_symbol="12/QĐ-UBND"),
        "public": make_document(
            users["son_la_editor"], owning_province=son_la, number_symbol="13/QĐ-UBND", public=True
        ),
        "centre": make_document(users["central"], number_symbol="38-CT/TW", issuing_body="Ban Bí thư"),
        "centre_draft": make_document(
            users["central"], status="draft", number_symbol="", issued_on=None, kind="directive", title="Dự thảo"
        ),
    }


def _seen(user) -> set[str]:
    names = {document.pk: name for name, document in REGISTER.items()}
    return {names[pk] for pk in Document.objects.restrict(user, "view").values_list("pk", flat=True)}


REGISTER: dict[str, Document] = {}


@pytest.mark.django_db
def test_each_role_reads_its_documents(users, register):
    REGISTER.update(register)
    assert _seen(users["editor"]) == {"hp", "hp_draft", "public", "centre"}
    assert _seen(users["viewer"]) == {"hp", "hp_draft", "public", "centre"}
    assert _seen(users["son_la_editor"]) == {"sl", "public", "centre"}
    assert _seen(users["central"]) == set(register)
    assert _seen(users["admin"]) == set(register)
    assert _seen(users["ngo_rep"]) == {"public"}
    assert _seen(users["no_role"]) == {"public"}
    assert _seen(users["inactive"]) == {"public"}  # the public floor: what the portal shows


@pytest.mark.django_db
def test_whoever_is_consulted_reads_the_draft(users, register):
    REGISTER.update(register)
    from datetime import timedelta

    from django.utils import timezone

    consultations_send(
        user=users["editor"],
        rows=[
            ConsultationChange(
                register["hp_draft"], "Góp ý", timezone.localdate() + timedelta(days=7), [Recipient(users["ngo_rep"])]
            )
        ],
    )
    assert _seen(users["ngo_rep"]) == {"public", "hp_draft"}
    assert "hp_draft" not in _seen(users["son_la_editor"])


@pytest.mark.django_db
def test_a_file_is_served_only_to_who_reads_its_document(users, register):
    document = register["hp"]
    stored = DocumentFile.objects.get(document=document)
    url = f"/documents/{document.public_id}/files/{stored.public_id}/"
    response = client_for(users["viewer"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(users["son_la_editor"]).get(url).status_code == 404
    assert client_for(users["ngo_rep"]).get(url).status_code == 404
    assert DocumentFile.objects.restrict(users["son_la_editor"], "view").count() == 0
    assert DocumentFile.objects.restrict(users["viewer"], "view").count() == 1


@pytest.mark.django_db
def test_a_file_behind_nginx_is_an_internal_redirect_after_the_scope_check(users, register, settings):
    settings.AMITY_FILES_ACCEL_PREFIX = "/protected/"
    document = register["hp"]
    stored = DocumentFile.objects.get(document=document)
    response = client_for(users["viewer"]).get(f"/documents/{document.public_id}/files/{stored.public_id}/")
    assert response["X-Accel-Redirect"].startswith("/protected/documents/")
