import pytest

from amity.documents.choices import DocumentKind
from amity.documents.numbers import parse


@pytest.mark.parametrize(
    ("text", "number", "abbreviation", "kind", "issuer", "year"),
    [
        ("308/QĐ-UBND", "308", "QĐ", DocumentKind.DECISION, "UBND", None),
        ("38-CT/TW", "38", "CT", DocumentKind.DIRECTIVE, "TW", None),
        ("12-CT/TW", "12", "CT", DocumentKind.DIRECTIVE, "TW", None),
        ("1970/KH-UBND", "1970", "KH", DocumentKind.PLAN, "UBND", None),
        ("124-KH/TU", "124", "KH", DocumentKind.PLAN, "TU", None),
        ("80/2020/NĐ-CP", "80", "NĐ", DocumentKind.DECREE, "CP", 2020),
        ("23/2022/TT-BTC", "23", "TT", DocumentKind.CIRCULAR, "BTC", 2022),
        ("05-NQ/TW", "05", "NQ", DocumentKind.RESOLUTION, "TW", None),
        ("45/BC-LHHN", "45", "BC", DocumentKind.REPORT, "LHHN", None),
        ("123/UBND-VX", "123", "", DocumentKind.OFFICIAL_LETTER, "UBND", None),
    ],
)
def test_vietnamese_numbers_are_read(text, number, abbreviation, kind, issuer, year):
    parsed = parse(text)
    assert parsed.parsed
    assert (parsed.number, parsed.abbreviation, parsed.kind, parsed.issuer, parsed.year) == (
        number,
        abbreviation,
        kind,
        issuer,
        year,
    )


def test_a_number_typed_without_the_vietnamese_d_or_with_spaces_reads_the_same():
    assert parse("308/QD-UBND").kind == DocumentKind.DECISION
    assert parse("308/QD-UBND").abbreviation == "QĐ"
    spaced = parse(" 38 - CT / TW ")
    assert spaced.parsed and spaced.text == "38-CT/TW"
    assert parse("308–QĐ/TW").kind == DocumentKind.DECISION  # an en dash, as word processors type it


@pytest.mark.parametrize("text", ["số 308 ngày 24/2", "abc", "308", "45/2020/XYZ-UBND", "QĐ-UBND/308", ""])
def test_a_number_in_no_known_form_is_not_read(text):
    parsed = parse(text)
    assert not parsed.parsed
    assert parsed.kind is None and parsed.number == ""
