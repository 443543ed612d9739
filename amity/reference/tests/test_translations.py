"""The Vietnamese and Arabic names of the codes users see (translations/codelists.csv) and the Arabic names of
the provinces (translations/provinces_ar.csv): complete, in the right script, and loaded."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from lxml import etree

from amity.aid.choices import BudgetStatus, ParticipantRole, ReportedStatus, TransactionType
from amity.reference import services
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem

DATA = Path(settings.AMITY_REFERENCE_DATA_DIR)
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
VIETNAMESE_ONLY = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def translations() -> dict[tuple[str, str], dict[str, str]]:
    with (DATA / services.TRANSLATIONS).open(encoding="utf-8") as handle:
        return {(row["codelist"], row["code"]): row for row in csv.DictReader(handle)}


def iati_items(codelist: str) -> dict[str, str]:
    """Code → English name of every item of an IATI codelist file, withdrawn ones included."""
    root = etree.parse(str(DATA / services.CODELIST_DIR / f"{codelist}.xml")).getroot()
    return {
        item.findtext("code"): item.findtext("name/narrative") for item in root.find("codelist-items").iterchildren()
    }


@pytest.mark.parametrize("codelist", services.TRANSLATED_CODELISTS)
def test_every_code_users_see_has_a_vietnamese_and_an_arabic_name(codelist: str):
    names = translations()
    items = iati_items(codelist)
    assert items
    for code, english in items.items():
        row = names.get((codelist, code))
        assert row is not None, f"{codelist} {code} ({english}) has no Vietnamese or Arabic name"
        assert row["name_vi"] and row["name_vi"] != english, (codelist, code)
        assert ARABIC_LETTER.search(row["name_ar"]), (codelist, code, row["name_ar"])
        assert not LATIN_LETTER.search(row["name_ar"]), (codelist, code, row["name_ar"])


def test_the_whole_dac_sector_list_is_translated():
    names = translations()
    sectors = iati_items("Sector")
    assert len(sectors) > 290
    assert names[("Sector", "11220")]["name_vi"] == "Giáo dục tiểu học"
    assert names[("Sector", "11220")]["name_ar"] == "التعليم الابتدائي"
    # The Vietnamese names are written in Vietnamese, not left in English.
    with_vietnamese_letters = [code for code in sectors if VIETNAMESE_ONLY.search(names[("Sector", code)]["name_vi"])]
    assert len(with_vietnamese_letters) > 0.95 * len(sectors)


@pytest.mark.parametrize(
    ("choices", "codelist"),
    [
        (TransactionType, "TransactionType"),
        (ParticipantRole, "OrganisationRole"),
        (BudgetStatus, "BudgetStatus"),
        (ReportedStatus, "ActivityStatus"),
    ],
)
def test_codes_kept_as_choices_have_the_same_names_as_the_reference_data(choices, codelist: str):
    """A transaction type reads the same on the aid pages (the interface's catalogue) and in the codelist."""
    names = translations()
    for choice in choices:
        with translation.override("en"):
            english = str(choice.label)
        for language in ("vi", "ar"):
            with translation.override(language):
                label = str(choice.label)
            assert label != english, (codelist, choice.value, language)  # translated
            assert names[(codelist, choice.value)][f"name_{language}"] == label, (codelist, choice.value, language)


@pytest.mark.django_db
def test_the_loaded_codelists_carry_the_names():
    for codelist in services.TRANSLATED_CODELISTS:
        items = CodelistItem.objects.of(codelist)
        assert items.exists(), codelist
        assert not items.filter(name_vi="").exists(), codelist
        assert not items.filter(name_ar="").exists(), codelist
    sector = CodelistItem.objects.of("Sector").get(code="11220")
    with translation.override("vi"):
        assert str(sector) == "Giáo dục tiểu học (11220)"
    with translation.override("ar"):
        assert str(sector) == "التعليم الابتدائي (11220)"


@pytest.mark.django_db
@pytest.mark.parametrize("era", [Era.PRE2025, Era.CURRENT])
def test_provinces_of_both_eras_have_arabic_names_in_arabic_script(era: str):
    provinces = AdministrativeUnit.objects.filter(era=era, level=UnitLevel.PROVINCE)
    assert provinces.count() == (63 if era == Era.PRE2025 else 34)
    for province in provinces:
        for name in (province.name_ar, province.full_name_ar):
            assert ARABIC_LETTER.search(name), (province.code, name)
            assert not LATIN_LETTER.search(name), (province.code, name)
        assert province.full_name_ar.endswith(province.name_ar)


@pytest.mark.django_db
def test_a_province_is_named_in_the_active_language():
    tuyen_quang = AdministrativeUnit.objects.get(era=Era.CURRENT, level=UnitLevel.PROVINCE, code="08")
    with translation.override("ar"):
        assert (tuyen_quang.name, tuyen_quang.full_name) == ("توين كوانغ", "مقاطعة توين كوانغ")
        assert str(tuyen_quang) == "مقاطعة توين كوانغ (08)"
    with translation.override("vi"):
        assert str(tuyen_quang) == "Tỉnh Tuyên Quang (08)"
    with translation.override("en"):
        assert str(tuyen_quang) == "Tuyen Quang Province (08)"
    hanoi = AdministrativeUnit.objects.get(era=Era.CURRENT, level=UnitLevel.PROVINCE, code="01")
    with translation.override("ar"):
        assert hanoi.full_name == "مدينة هانوي"
    # A commune has no Arabic name: Arabic pages show its English one.
    commune = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.COMMUNE).first()
    assert commune is not None
    with translation.override("ar"):
        assert commune.full_name == commune.full_name_en
