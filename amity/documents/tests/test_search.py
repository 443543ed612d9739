"""Full-text search, on SQLite (FTS5) and PostgreSQL (GIN over to_tsvector) alike: with and without diacritics,
by number typed any way, and in the text of uploaded files."""

import pytest

from amity.documents.models import Document
from amity.documents.selectors import documents_search

from .factories import docx_bytes, make_document, pdf_bytes, upload


def _found(query: str, user=None) -> set[str]:
    queryset = Document.objects.all() if user is None else Document.objects.restrict(user, "view")
    return set(documents_search(queryset, query).values_list("number_symbol", flat=True))


@pytest.fixture
def register(users, hai_phong, django_capture_on_commit_callbacks):
    editor = users["editor"]
    with django_capture_on_commit_callbacks(execute=True):
        make_document(
            editor,
            owning_province=hai_phong,
            summary="Chương trình hợp tác và vận động viện trợ phi chính phủ nước ngoài của tỉnh Hải Dương.",
        )
        make_document(
            editor,
            (upload("ke-hoach.docx", docx_bytes("Tăng cường công tác đối ngoại nhân dân trong tình hình mới")),),
            owning_province=hai_phong,
            number_symbol="1970/KH-UBND",
            title="Kế hoạch thực hiện Chỉ thị 12-CT/TW",
        )
        make_document(
            editor,
            (upload("huong-dan.pdf", pdf_bytes("Huong dan bao cao nam ve to chuc phi chinh phu")),),
            owning_province=hai_phong,
            number_symbol="45/HD-UBND",
            title="Hướng dẫn",
        )


@pytest.mark.django_db
def test_vietnamese_with_and_without_diacritics_finds_the_same_document(register):
    assert _found("viện trợ phi chính phủ") == {"308/QĐ-UBND"}
    assert _found("vien tro phi chinh phu") == {"308/QĐ-UBND"}
    assert _found("VIEN TRO") == {"308/QĐ-UBND"}


@pytest.mark.django_db
def test_a_number_is_found_however_it_is_typed(register):
    assert _found("308/QĐ-UBND") == {"308/QĐ-UBND"}
    assert _found("308 qd ubnd") == {"308/QĐ-UBND"}
    assert _found("12-CT/TW") == {"1970/KH-UBND"}  # named in the plan's title


@pytest.mark.django_db
def test_the_text_of_uploaded_docx_and_pdf_files_is_searched(register):
    assert _found("đối ngoại nhân dân") == {"1970/KH-UBND"}
    assert _found("doi ngoai nhan dan") == {"1970/KH-UBND"}
    assert _found("báo cáo năm") == {"45/HD-UBND"}  # the PDF's text has no diacritics


@pytest.mark.django_db
def test_words_are_matched_as_prefixes_and_all_must_be_there(register):
    assert _found("vận động") == {"308/QĐ-UBND"}
    assert _found("vận đ") == {"308/QĐ-UBND"}
    assert _found("vận động xyzzy") == set()


@pytest.mark.django_db
def test_a_query_with_no_word_or_with_query_syntax_is_harmless(register):
    assert len(_found("  -/  ")) == 3  # no word: no filter
    assert _found('" OR 1=1 --') == set()
    assert _found("NEAR(a b) AND * :*") == set()


@pytest.mark.django_db
def test_search_stays_within_the_users_scope(register, users):
    assert _found("vien tro", users["son_la_editor"]) == set()
    assert _found("vien tro", users["viewer"]) == {"308/QĐ-UBND"}


@pytest.mark.django_db
def test_an_edit_updates_the_search(register, users):
    from amity.documents.services import DocumentChange, documents_save

    document = Document.objects.get(number_symbol="45/HD-UBND")
    documents_save(
        user=users["editor"],
        rows=[DocumentChange({"title": "Hướng dẫn kết nghĩa"}, pk=document.pk, expected_version=document.version)],
    )
    assert _found("ket nghia") == {"45/HD-UBND"}
