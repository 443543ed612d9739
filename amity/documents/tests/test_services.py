"""The writer of documents: numbers, rules, files, scope, history, dry runs."""

from datetime import date

import pytest
from django.conf import settings

from amity.core.breaches import BatchRefused
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.documents.choices import DocumentKind, DocumentStatus, TextState
from amity.documents.models import Document, DocumentFile
from amity.documents.services import DocumentChange, documents_save, number_warnings

from .factories import document_data, docx_bytes, make_document, pdf_bytes, upload


def _fields(error: BatchRefused) -> set[str]:
    return {found.breach.field for found in error.breaches}


@pytest.mark.django_db
def test_the_kind_and_parts_of_the_number_are_read_from_it(users, hai_phong):
    document = make_document(users["editor"], owning_province=hai_phong)
    assert document.kind == DocumentKind.DECISION
    assert (document.number, document.kind_abbreviation, document.issuer_code) == ("308", "QĐ", "UBND")
    assert document.number_parsed
    assert number_warnings(document) == []


@pytest.mark.django_db
def test_a_number_that_does_not_parse_is_kept_as_typed_with_a_warning(users, hai_phong):
    document = make_document(
        users["editor"], owning_province=hai_phong, number_symbol="Số 12 ngày 3/4", kind=DocumentKind.OFFICIAL_LETTER
    )
    document.refresh_from_db()
    assert document.number_symbol == "Số 12 ngày 3/4"
    assert not document.number_parsed
    [warning] = number_warnings(document)
    assert warning.field == "number_symbol"


@pytest.mark.django_db
def test_a_number_that_does_not_parse_without_a_kind_is_refused(users, hai_phong):
    with pytest.raises(BatchRefused) as refused:
        make_document(users["editor"], owning_province=hai_phong, number_symbol="abc")
    assert _fields(refused.value) == {"kind"}
    assert not Document.all_objects.exists()


@pytest.mark.django_db
def test_a_kind_other_than_the_numbers_is_a_warning(users, hai_phong):
    document = make_document(users["editor"], owning_province=hai_phong, kind=DocumentKind.PLAN)
    assert [w.field for w in number_warnings(document)] == ["kind"]


@pytest.mark.django_db
def test_every_broken_rule_of_every_row_is_reported_and_nothing_written(users, hai_phong):
    rows = [
        DocumentChange(document_data(owning_province=hai_phong, status=DocumentStatus.REPLACED)),
        DocumentChange(
            document_data(
                owning_province=hai_phong,
                number_symbol="",
                issued_on=None,
                effective_from=date(2023, 1, 1),
                expires_on=date(2022, 1, 1),
            )
        ),
    ]
    with pytest.raises(BatchRefused) as refused:
        documents_save(user=users["editor"], rows=rows)
    by_row = {(found.index, found.breach.field) for found in refused.value.breaches}
    assert (0, "replaced_by") in by_row
    assert {(1, "number_symbol"), (1, "issued_on"), (1, "kind")} <= by_row
    assert not Document.all_objects.exists()


@pytest.mark.django_db
def test_one_number_per_issuing_body_and_year(users, hai_phong):
    make_document(users["editor"], owning_province=hai_phong)
    with pytest.raises(BatchRefused) as refused:
        make_document(users["editor"], owning_province=hai_phong, number_symbol="308/QD-UBND")
    assert _fields(refused.value) == {"number_symbol"}
    make_document(users["editor"], owning_province=hai_phong, issued_on=date(2024, 3, 1))  # another year: fine


@pytest.mark.django_db
def test_a_dry_run_checks_and_writes_nothing(users, hai_phong):
    documents_save(
        user=users["editor"],
        rows=[DocumentChange(document_data(owning_province=hai_phong), files=[upload("a.pdf", pdf_bytes("x"))])],
        dry_run=True,
    )
    assert not Document.all_objects.exists()
    assert not DocumentFile.all_objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_what_its_extension_says_is_refused(users, hai_phong):
    with pytest.raises(BatchRefused) as refused:
        make_document(users["editor"], (upload("decision.docx", pdf_bytes("x")),), owning_province=hai_phong)
    assert _fields(refused.value) == {"upload"}
    assert "pdf" in refused.value.breaches[0].breach.text()
    assert not Document.all_objects.exists()


@pytest.mark.django_db
def test_an_executable_named_pdf_is_refused(users, hai_phong):
    with pytest.raises(BatchRefused):
        make_document(
            users["editor"], (upload("decision.pdf", b"MZ\x90\x00" + b"\x00" * 200),), owning_province=hai_phong
        )
    assert not Document.all_objects.exists()


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_is_refused(users, hai_phong, settings):
    settings.AMITY_UPLOAD_MAX_BYTES = 100
    with pytest.raises(BatchRefused) as refused:
        make_document(users["editor"], (upload("decision.pdf", pdf_bytes("x" * 200)),), owning_province=hai_phong)
    assert _fields(refused.value) == {"upload"}
    assert not DocumentFile.all_objects.exists()


@pytest.mark.django_db
def test_uploaded_files_are_stored_with_their_text_read(users, hai_phong, django_capture_on_commit_callbacks):
    files = (
        upload("Quyet dinh.pdf", pdf_bytes("Chuong trinh van dong vien tro")),
        upload("ke hoach.docx", docx_bytes("Kế hoạch thực hiện")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(users["editor"], files, owning_province=hai_phong)
    files = {f.file_kind: f for f in DocumentFile.objects.filter(document=document)}
    assert set(files) == {"pdf", "docx"}
    assert files["pdf"].text_state == TextState.READ and "van dong" in files["pdf"].text
    assert "Kế hoạch" in files["docx"].text
    assert files["pdf"].name == "Quyet dinh.pdf"
    assert not files["pdf"].file.name.endswith("Quyet dinh.pdf")  # stored under a random name
    document.refresh_from_db()
    assert "ke hoach thuc hien" in document.search_text


@pytest.mark.django_db
def test_a_large_file_is_read_by_the_task_worker(users, hai_phong, settings, django_capture_on_commit_callbacks):
    settings.AMITY_DOCUMENT_TEXT_INLINE_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(
            users["editor"], (upload("a.pdf", pdf_bytes("Hop tac huu nghi")),), owning_province=hai_phong
        )
    # The immediate backend of the tests runs the task at once; the database queue would run it in a worker.
    assert DocumentFile.objects.get(document=document).text_state == TextState.READ


@pytest.mark.django_db
def test_editor_cannot_write_for_another_province(users, son_la):
    with pytest.raises(PermissionDenied):
        make_document(users["editor"], owning_province=son_la)
    assert not Document.all_objects.exists()


@pytest.mark.django_db
def test_a_viewer_and_an_ngo_cannot_add_documents(users, hai_phong):
    for name in ("viewer", "ngo_rep", "no_role"):
        with pytest.raises(PermissionDenied):
            make_document(users[name], owning_province=hai_phong)


@pytest.mark.django_db
def test_central_officer_keeps_documents_of_the_centre_only(users, hai_phong):
    make_document(users["central"], number_symbol="38-CT/TW", issuing_body="Ban Bí thư")
    with pytest.raises(PermissionDenied):
        make_document(users["central"], owning_province=hai_phong)


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_and_history_keeps_the_user(users, hai_phong):
    document = make_document(users["editor"], owning_province=hai_phong)
    documents_save(
        user=users["approver"],
        rows=[DocumentChange({"summary": "Tóm tắt"}, pk=document.pk, expected_version=document.version)],
    )
    with pytest.raises(ConflictError):
        documents_save(
            user=users["editor"],
            rows=[DocumentChange({"summary": "Khác"}, pk=document.pk, expected_version=document.version)],
        )
    latest = Document.history.filter(id=document.pk).first()
    assert latest.history_user == users["approver"] and latest.summary == "Tóm tắt"


@pytest.mark.django_db
def test_replaced_documents_name_the_replacing_one(users, hai_phong):
    old = make_document(users["editor"], owning_province=hai_phong)
    new = make_document(
        users["editor"], owning_province=hai_phong, number_symbol="15/QĐ-UBND", issued_on=date(2024, 1, 5)
    )
    documents_save(
        user=users["editor"],
        rows=[
            DocumentChange(
                {"status": DocumentStatus.REPLACED, "replaced_by": new}, pk=old.pk, expected_version=old.version
            )
        ],
    )
    old.refresh_from_db()
    assert old.replaced_by == new
    with pytest.raises(BatchRefused):
        documents_save(
            user=users["editor"],
            rows=[DocumentChange({"replaced_by": old}, pk=old.pk, expected_version=old.version)],
        )


def test_storage_is_the_file_system_unless_a_bucket_is_set() -> None:
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_an_s3_bucket_by_setting_makes_the_default_storage_s3_without_reaching_it():
    from django.core.files.storage import storages as handler
    from storages.backends.s3 import S3Storage

    from config.settings.base import s3_storage

    config = s3_storage(
        {"AMITY_STORAGE_S3_BUCKET": "amity-files", "AMITY_STORAGE_S3_ENDPOINT_URL": "http://minio.invalid:9000"}
    )
    storage = handler.create_storage(config)
    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == "amity-files" and storage.default_acl == "private" and storage.querystring_auth
    assert storage.location == "amity"


@pytest.mark.django_db
def test_a_number_read_is_kept_tidied_and_one_not_read_exactly_as_typed(users, hai_phong):
    tidied = make_document(users["editor"], owning_province=hai_phong, number_symbol=" 38 - CT / TW ")
    assert tidied.number_symbol == "38-CT/TW"
    typed = make_document(
        users["editor"], owning_province=hai_phong, number_symbol="số 7 ngày 24 / 2", kind=DocumentKind.OFFICIAL_LETTER
    )
    assert typed.number_symbol == "số 7 ngày 24 / 2"


@pytest.mark.django_db
def test_an_unknown_kind_is_a_breach_of_its_row(users, hai_phong):
    with pytest.raises(BatchRefused) as refused:
        make_document(users["editor"], owning_province=hai_phong, kind="memo")
    assert _fields(refused.value) == {"kind"}
