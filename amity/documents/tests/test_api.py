"""The documents and consultations API: the same services, scope and errors as the pages (400 naming fields, 403,
404, 409, 428), uploads as multipart."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from amity.aid.tests.factories import make_aid_item
from amity.documents.models import Document, DocumentFile, DocumentLink

from .factories import make_document, pdf_bytes, upload


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_a_document_is_created_with_its_kind_read_from_the_number(users, hai_phong):
    response = api(users["editor"]).post(
        "/api/v1/documents/",
        {"number_symbol": "124-KH/TU", "title": "Kế hoạch", "issued_on": "2023-01-19", "owning_province": "31"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert (response.data["kind"], response.data["number"], response.data["issuer_code"]) == ("plan", "124", "TU")
    assert response.data["warnings"] == []


@pytest.mark.django_db
def test_a_number_that_does_not_parse_is_kept_with_a_warning(users, hai_phong):
    response = api(users["editor"]).post(
        "/api/v1/documents/",
        {
            "number_symbol": "CV không số",
            "kind": "official_letter",
            "title": "Công văn",
            "issued_on": "2023-01-19",
            "owning_province": "31",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.data["number_symbol"] == "CV không số" and not response.data["number_parsed"]
    assert len(response.data["warnings"]) == 1


@pytest.mark.django_db
def test_files_are_uploaded_as_multipart_and_checked(users, hai_phong):
    client = api(users["editor"])
    data = {"number_symbol": "308/QĐ-UBND", "title": "Quyết định", "issued_on": "2023-02-24", "owning_province": "31"}
    bad = client.post("/api/v1/documents/", {**data, "upload": [upload("qd.docx", pdf_bytes("x"))]}, format="multipart")
    assert bad.status_code == 400 and "upload" in bad.data
    assert not Document.all_objects.exists()
    good = client.post("/api/v1/documents/", {**data, "upload": [upload("qd.pdf", pdf_bytes("x"))]}, format="multipart")
    assert good.status_code == 201, good.data
    [file] = good.data["files"]
    download = client.get(file["download"])
    assert download.status_code == 200
    assert api(users["son_la_editor"]).get(file["download"]).status_code == 404


@pytest.mark.django_db
def test_updates_need_the_version_and_refuse_a_stale_one(users, hai_phong):
    document = make_document(users["editor"], owning_province=hai_phong)
    url = f"/api/v1/documents/{document.public_id}/"
    client = api(users["editor"])
    assert client.patch(url, {"summary": "x"}, format="json").status_code == 428
    assert client.patch(url, {"summary": "x", "version": document.version}, format="json").status_code == 200
    assert client.patch(url, {"summary": "y", "version": document.version}, format="json").status_code == 409
    assert api(users["viewer"]).patch(url, {"summary": "z", "version": 2}, format="json").status_code == 403
    assert api(users["son_la_editor"]).patch(url, {"summary": "z", "version": 2}, format="json").status_code == 404


@pytest.mark.django_db
def test_bad_input_is_a_400_naming_the_fields(users, hai_phong):
    response = api(users["editor"]).post(
        "/api/v1/documents/",
        {
            "number_symbol": "308/QĐ-UBND",
            "title": "x\x04y",
            "status": "replaced",
            "issued_on": "2023-02-24",
            "expires_on": "2020-01-01",
            "owning_province": "31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"title", "replaced_by", "expires_on"} <= set(response.data)


@pytest.mark.django_db
def test_search_and_filters(users, hai_phong, django_assert_max_num_queries):
    for number in range(5):
        make_document(users["editor"], owning_province=hai_phong, number_symbol=f"{number + 1}/KH-UBND")
    make_document(users["editor"], owning_province=hai_phong)
    client = api(users["viewer"])
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/documents/?q=vien+tro&kind=decision")
    assert [row["number_symbol"] for row in response.data["results"]] == ["308/QĐ-UBND"]
    assert client.get("/api/v1/documents/?kind=plan").data["count"] == 5
    assert client.get("/api/v1/documents/?year=0").status_code == 400


@pytest.mark.django_db
def test_links_through_the_api(users, hai_phong, son_la):
    document = make_document(users["editor"], owning_province=hai_phong)
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    other = make_aid_item(users["son_la_editor"], owning_province=son_la)
    client = api(users["editor"])
    url = f"/api/v1/documents/{document.public_id}/links/"
    response = client.post(url, [{"kind": "aid_item", "record": str(item.public_id)}], format="json")
    assert response.status_code == 200, response.data
    assert [row["record"] for row in response.data] == [str(item.public_id)]
    refused = client.post(url, [{"kind": "aid_item", "record": str(other.public_id)}], format="json")
    assert refused.status_code == 400
    assert client.post(url, [{"kind": "planet", "record": str(item.public_id)}], format="json").status_code == 400
    linked = client.get(f"/api/v1/documents/linked/?kind=aid_item&record={item.public_id}")
    assert [row["number_symbol"] for row in linked.data["results"]] == ["308/QĐ-UBND"]
    assert DocumentLink.objects.count() == 1


@pytest.mark.django_db
def test_consultations_through_the_api(users, hai_phong):
    draft = make_document(
        users["editor"], owning_province=hai_phong, status="draft", number_symbol="", issued_on=None, kind="decision"
    )
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    client = api(users["editor"])
    response = client.post(
        "/api/v1/consultations/",
        {
            "document": str(draft.public_id),
            "subject": "Góp ý",
            "deadline": deadline,
            "send_to": [{"username": "t-ngo_rep"}, {"username": "t-viewer"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    consultation = response.data["id"]
    mine = next(r for r in response.data["recipients"] if r["respondent"] == "t-ngo_rep")
    reply = api(users["ngo_rep"]).post(
        f"/api/v1/consultations/{consultation}/reply/", {"recipient": mine["id"], "no_comment": True}, format="json"
    )
    assert reply.status_code == 200, reply.data
    summary = client.get(f"/api/v1/consultations/{consultation}/summary/")
    assert summary.status_code == 200 and summary.content[:2] == b"PK"
    assert api(users["ngo_rep"]).get(f"/api/v1/consultations/{consultation}/summary/").status_code == 404
    unknown = client.post(
        "/api/v1/consultations/",
        {"document": str(draft.public_id), "subject": "x", "deadline": deadline, "send_to": [{"username": "nobody"}]},
        format="json",
    )
    assert unknown.status_code == 400 and "send_to" in unknown.data


@pytest.mark.django_db
def test_the_schema_describes_the_documents_api(users):
    response = api(users["admin"]).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/documents/{public_id}/links/" in paths
    assert "/api/v1/consultations/{public_id}/reply/" in paths
    assert DocumentFile.objects.count() == 0
