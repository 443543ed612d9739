"""The Vietnamese and Arabic names of the codes users see (translations/codelists.csv, and cldr_gaps.csv for what
CLDR lacks), the Arabic names of the provinces (translations/provinces_ar.csv) and of the other units (their
Vietnamese name after the Arabic word for their kind): complete, in the right script, and loaded."""

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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("era", "level", "code", "arabic", "vietnamese"),
    [
        (Era.CURRENT, UnitLevel.COMMUNE, "11254", "بلدية Bắc Thanh Miện", "Xã Bắc Thanh Miện"),
        (Era.CURRENT, UnitLevel.COMMUNE, "00004", "حي Ba Đình", "Phường Ba Đình"),
        (Era.PRE2025, UnitLevel.DISTRICT, "001", "منطقة Ba Đình", "Quận Ba Đình"),
        (Era.PRE2025, UnitLevel.COMMUNE, "11254", "بلدية Hồng Quang", "Xã Hồng Quang"),
    ],
)
def test_a_district_or_commune_keeps_its_vietnamese_name_after_the_arabic_word_for_its_kind(
    era: str, level: str, code: str, arabic: str, vietnamese: str
):
    """Arabic pages name a commune as its documents do (with its diacritics, which tell namesakes apart), never by
    the English name, which drops them."""
    unit = AdministrativeUnit.objects.get(era=era, level=level, code=code)
    with translation.override("ar"):
        assert (unit.name, unit.full_name) == (unit.name_vi, arabic)
    with translation.override("vi"):
        assert unit.full_name == vietnamese


@pytest.mark.django_db
def test_every_unit_has_an_arabic_full_name_beginning_with_the_arabic_word_for_its_kind():
    words = set(services.ARABIC_UNIT_KINDS.values())
    for full_name_ar, name_vi, name_ar in AdministrativeUnit.objects.values_list("full_name_ar", "name_vi", "name_ar"):
        kind, _space, _name = full_name_ar.partition(" ")
        assert kind in words or full_name_ar.startswith("منطقة خاصة "), full_name_ar
        assert full_name_ar.endswith(name_ar or name_vi), full_name_ar


@pytest.mark.django_db
def test_every_country_and_currency_has_a_vietnamese_and_an_arabic_name():
    """CLDR's names, and translations/cldr_gaps.csv's where CLDR has none (funds codes, Bitcoin, withdrawn
    countries), so that a drop-down of currencies or countries never falls back to English."""
    from amity.reference.models import Country, Currency

    for model in (Country, Currency):
        for code, name_vi, name_ar in model.objects.values_list("code", "name_vi", "name_ar"):
            assert name_vi, (model.__name__, code)
            assert ARABIC_LETTER.search(name_ar), (model.__name__, code, name_ar)
    assert Currency.objects.get(code="XBT").name_ar == "بيتكوين"
