"""The document pages: list with search, a document's page, the form with uploads, errors on their fields."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.conftest import client_for
from amity.documents.models import Document, DocumentFile

from .factories import make_document, pdf_bytes, upload


@pytest.mark.django_db
def test_the_list_runs_a_fixed_number_of_queries(users, hai_phong, django_assert_max_num_queries):
    for number in range(12):
        make_document(users["editor"], owning_province=hai_phong, number_symbol=f"{number + 1}/QĐ-UBND")
    client = client_for(users["viewer"])
    with django_assert_max_num_queries(14):
        response = client.get("/documents/")
    assert response.status_code == 200
    assert response.content.decode().count("/QĐ-UBND") >= 12
    with django_assert_max_num_queries(14):
        response = client.get("/documents/?q=quyet+dinh+7&kind=decision")
    html = response.content.decode()
    assert ">7/QĐ-UBND<" in html and ">8/QĐ-UBND<" not in html


@pytest.mark.django_db
def test_a_documents_page_shows_its_warning_files_and_history(users, hai_phong, django_assert_max_num_queries):
    document = make_document(
        users["editor"],
        (upload("a.pdf", pdf_bytes("x")),),
        owning_province=hai_phong,
        number_symbol="Số 7 ngày 2/3",
        kind="official_letter",
    )
    with django_assert_max_num_queries(40):
        response = client_for(users["viewer"]).get(document.get_absolute_url())
    html = response.content.decode()
    assert "kept as typed" in html or "giữ nguyên" in html
    assert "a.pdf" in html


@pytest.mark.django_db
def test_a_new_document_with_a_file_is_saved_from_the_form(users, hai_phong):
    client = client_for(users["editor"])
    response = client.post(
        "/documents/new/",
        {
            "number_symbol": "1970/KH-UBND",
            "title": "Kế hoạch thực hiện Chỉ thị 12-CT/TW",
            "issued_on": "2023-06-08",
            "status": "in_force",
            "owning_province": hai_phong.pk,
            "upload": [SimpleUploadedFile("ke-hoach.pdf", pdf_bytes("Ke hoach"))],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.kind == "plan" and document.number == "1970"
    assert DocumentFile.objects.filter(document=document).count() == 1


@pytest.mark.django_db
def test_a_file_of_the_wrong_kind_is_shown_on_its_field_and_nothing_saved(users, hai_phong):
    response = client_for(users["editor"]).post(
        "/documents/new/",
        {
            "number_symbol": "1970/KH-UBND",
            "title": "Kế hoạch",
            "issued_on": "2023-06-08",
            "status": "in_force",
            "owning_province": hai_phong.pk,
            "upload": [SimpleUploadedFile("ke-hoach.docx", pdf_bytes("Ke hoach"))],
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["upload"]
    assert not Document.all_objects.exists()


@pytest.mark.django_db
def test_a_viewer_gets_no_form(users):
    assert client_for(users["viewer"]).get("/documents/new/").status_code == 403


@pytest.mark.django_db
def test_the_menu_names_documents(users):
    response = client_for(users["viewer"]).get("/documents/")
    assert 'href="/documents/"' in response.content.decode()
