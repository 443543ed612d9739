"""`load_reference` (already run by the session fixture): what it loads, idempotency, all-or-nothing errors."""

from __future__ import annotations

import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import translation

from amity.reference import services
from amity.reference.models import (
    AdministrativeUnit,
    Codelist,
    CodelistItem,
    Country,
    Currency,
    ExchangeRate,
    UnitMapping,
)

pytestmark = pytest.mark.django_db

MODELS = (Codelist, CodelistItem, Country, Currency, AdministrativeUnit, UnitMapping, ExchangeRate)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def unit_count(era: str, level: str) -> int:
    return AdministrativeUnit.objects.filter(era=era, level=level).count()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the data folder, to break."""
    target = tmp_path / "data"
    shutil.copytree(settings.AMITY_REFERENCE_DATA_DIR, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- what is loaded ---------------------------------------------------------------------------------------


def test_both_eras_of_administrative_units_are_loaded():
    assert unit_count("pre2025", "province") == 63
    assert unit_count("pre2025", "district") == 696
    assert unit_count("pre2025", "commune") == 10_035
    assert unit_count("2025", "province") == 34
    assert unit_count("2025", "district") == 0
    assert unit_count("2025", "commune") == 3_321


def test_pre2025_communes_hang_under_their_district_and_know_their_province():
    commune = AdministrativeUnit.objects.select_related("parent", "province").get(era="pre2025", code="00001")
    assert commune.name_vi == "Phúc Xá"
    assert (commune.parent.level, commune.parent.code) == ("district", "001")
    assert (commune.province.level, commune.province.code) == ("province", "01")
    communes = AdministrativeUnit.objects.filter(era="pre2025", level="commune")
    assert not communes.exclude(parent__level="district").exists()


def test_2025_communes_hang_directly_under_their_province():
    communes = AdministrativeUnit.objects.filter(era="2025", level="commune")
    assert not communes.exclude(parent__level="province").exists()
    assert not communes.exclude(parent__era="2025").exists()
    assert communes.filter(province__code="31").count() == 114


def test_mapping_has_one_row_per_old_province():
    provinces = UnitMapping.objects.filter(level="province")
    assert provinces.count() == 63
    assert provinces.values("old_unit").distinct().count() == 63
    assert provinces.values("new_unit").distinct().count() == 34


def test_hai_duong_became_part_of_hai_phong():
    row = UnitMapping.objects.select_related("new_unit").get(level="province", old_unit__code="30")
    assert (row.new_unit.era, row.new_unit.code, row.new_unit.name_vi) == ("2025", "31", "Hải Phòng")


def test_communes_of_old_hai_duong_map_to_communes_of_new_hai_phong():
    rows = UnitMapping.objects.filter(level="commune", old_unit__province__code="30", old_unit__era="pre2025")
    communes = AdministrativeUnit.objects.filter(era="pre2025", level="commune", province__code="30")
    assert set(rows.values_list("old_unit", flat=True)) == set(communes.values_list("pk", flat=True))
    assert set(rows.values_list("new_unit__province__code", flat=True)) == {"31"}


def test_a_split_commune_has_one_row_per_new_commune_each_with_the_split_count():
    per_old = (
        UnitMapping.objects.filter(level="commune", old_split_count__gt=1)
        .values("old_unit", "old_split_count")
        .annotate(rows=Count("pk"))
    )
    assert len(per_old) == 460
    assert all(entry["rows"] == entry["old_split_count"] for entry in per_old)
    assert (
        not UnitMapping.objects.filter(level="commune", old_split_count=1)
        .values("old_unit")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
        .exists()
    )


def test_every_old_commune_and_every_new_commune_is_mapped():
    communes = AdministrativeUnit.objects.filter(level="commune")
    assert not communes.filter(era="pre2025", successors__isnull=True).exists()
    # Including the two codes dvhcvn spells differently and the special zones of island districts.
    assert not communes.filter(era="2025", predecessors__isnull=True).exists()


def test_mapping_codes_that_differ_between_sources_are_translated():
    ba_che = AdministrativeUnit.objects.get(era="2025", level="commune", code="06978")
    assert ba_che.name_vi == "Ba Chẽ"
    assert set(ba_che.predecessors.values_list("old_unit__code", flat=True)) >= {"06970", "06973"}
    assert AdministrativeUnit.objects.get(era="2025", code="23938").predecessors.count() == 1


def test_an_island_district_maps_to_its_special_zone():
    row = UnitMapping.objects.select_related("old_unit").get(new_unit__era="2025", new_unit__code="26732")
    assert (row.level, row.old_unit.level, row.old_unit.code) == ("district", "district", "755")


def test_sectors_are_loaded_with_their_dac_category():
    sectors = CodelistItem.objects.of("Sector")
    assert sectors.count() == 325
    assert not sectors.filter(category__isnull=True).exists()
    assert set(sectors.values_list("category__codelist__name", flat=True)) == {"SectorCategory"}
    education = sectors.select_related("category").get(code="11110")
    assert education.category.code == "111"
    assert education.name_fr == "Politique de l'éducation et gestion administrative"
    assert CodelistItem.objects.of("SectorCategory").count() == 44


def test_categories_of_other_codelists_are_linked():
    assert CodelistItem.objects.of("AidType").get(code="A01").category.code == "A"
    grant = CodelistItem.objects.of("FinanceType").get(code="110")
    assert grant.category.codelist.name == "FinanceType-category"
    # B021's category is its parent in the same list.
    assert CodelistItem.objects.of("AidType").get(code="B021").category.codelist.name == "AidType"
    assert Codelist.objects.get(name="Sector").category_codelist == "SectorCategory"
    assert Codelist.objects.get(name="DocumentCategory").category_codelist == "DocumentCategory-category"


def test_withdrawn_codes_are_kept_as_withdrawn():
    assert CodelistItem.objects.of("SectorCategory").get(code="230").status == "withdrawn"
    assert CodelistItem.objects.of("SectorCategory").active().count() == 42


def test_interface_codelists_have_vietnamese_and_arabic_names():
    disbursement = CodelistItem.objects.of("TransactionType").get(code="3")
    assert (disbursement.name_en, disbursement.name_vi) == ("Disbursement", "Giải ngân")
    assert CodelistItem.objects.of("TransactionType").get(code="2").name_vi == "Cam kết"
    for codelist in (
        "ActivityStatus",
        "TransactionType",
        "OrganisationRole",
        "OrganisationType",
        "SectorCategory",
        "FlowType",
        "AidType-category",
        "FinanceType-category",
        "BudgetType",
    ):
        items = CodelistItem.objects.of(codelist)
        assert items.exists()
        assert not items.filter(name_vi="").exists(), codelist
        assert not items.filter(name_ar="").exists(), codelist


def test_countries_and_currencies_have_names_in_the_interface_languages():
    viet_nam = Country.objects.get(code="VN")
    assert (viet_nam.name_vi, viet_nam.name_en, viet_nam.name_ar) == ("Việt Nam", "Vietnam", "فيتنام")
    with translation.override("vi"):
        assert viet_nam.name == "Việt Nam"
    # A code CLDR does not know keeps the IATI English name.
    assert Country.objects.get(code="AN").name_en == "NETHERLAND ANTILLES"
    dong = Currency.objects.get(code="VND")
    assert (dong.name_vi, dong.minor_units) == ("Đồng Việt Nam", 0)
    assert Currency.objects.get(code="USD").minor_units == 2
    assert Currency.objects.count() >= 175


@pytest.mark.parametrize(
    ("year", "rate"),
    [
        (2018, "22602.05"),
        (2019, "23050.24"),
        (2020, "23208.37"),
        (2021, "23159.78"),
        (2022, "23271.21"),
        (2023, "23787.32"),
        (2024, "24164.89"),
    ],
)
def test_vnd_annual_rates_are_the_imf_averages(year: int, rate: str):
    row = ExchangeRate.objects.get(currency__code="VND", frequency="A", period_start__year=year)
    assert row.rate.quantize(Decimal("0.01")) == Decimal(rate)
    assert (row.period_start.isoformat(), row.period_end.isoformat()) == (f"{year}-01-01", f"{year}-12-31")
    assert row.source == "IMF International Financial Statistics, annual average"


def test_euro_rates_are_the_euro_area_ones_and_usd_is_one():
    # 2024: euro area (U2) 0.92388955; Andorra, Kosovo and Montenegro 0.92436745.
    assert ExchangeRate.objects.get(currency__code="EUR", period_start__year=2024).rate.quantize(
        Decimal("0.00000001")
    ) == Decimal("0.92388955")
    usd = ExchangeRate.objects.filter(currency__code="USD", frequency="A")
    assert usd.count() == 85
    assert set(usd.values_list("rate", flat=True)) == {Decimal(1)}


def test_loading_writes_history():
    assert AdministrativeUnit.history.filter(code="31", era="2025").exists()
    assert ExchangeRate.history.filter(currency__code="VND").count() >= 7


# --- idempotency -------------------------------------------------------------------------------------------


def test_loading_again_changes_nothing():
    before = table_counts()
    history_before = AdministrativeUnit.history.count()
    report = services.reference_load(data_dir=settings.AMITY_REFERENCE_DATA_DIR)
    assert (report.created, report.updated) == (0, 0)
    assert all(counts.unchanged == before[model.__name__] for model, counts in report.tables.items())
    assert table_counts() == before
    assert AdministrativeUnit.history.count() == history_before


def test_the_command_reports_nothing_created_or_updated_on_a_second_run():
    out = StringIO()
    with translation.override("vi"):  # the default language: commands speak English to operators all the same
        call_command("load_reference", stdout=out)
    assert translation.get_language() == "vi"
    lines = out.getvalue().splitlines()
    assert "administrative units: 14149 rows, 0 created, 0 updated, 14149 unchanged" in lines
    assert lines[-1].endswith("0 created, 0 updated.")
    assert any("row(s) skipped for old communes merged away" in line for line in lines)  # a maintenance note


def test_a_changed_file_updates_only_what_changed(data_copy: Path):
    replace_in(data_copy / services.PROVINCES_2025, "Thành phố Hải Phòng", "Thành phố Hải Phòng (sửa)")
    report = services.reference_load(data_dir=data_copy)
    assert (report.created, report.updated) == (0, 1)
    unit = AdministrativeUnit.objects.get(era="2025", level="province", code="31")
    assert unit.full_name_vi == "Thành phố Hải Phòng (sửa)"
    assert unit.history.first().history_type == "~"


# --- errors: one line, the file named, nothing written ------------------------------------------------------


def load_from(data_dir: Path) -> str:
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("load_reference", data_dir=str(data_dir), verbosity=0)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_missing_file_is_an_error_naming_it(data_copy: Path):
    before = table_counts()
    (data_copy / services.COMMUNES_2025).unlink()
    assert "vn/admin_2025/wards_3321.csv: file not found" in load_from(data_copy)
    assert table_counts() == before


def test_a_missing_required_codelist_is_an_error_naming_it(data_copy: Path):
    (data_copy / "iati/codelists/Sector.xml").unlink()
    assert "iati/codelists/Sector.xml: file not found" in load_from(data_copy)


def test_a_corrupted_codelist_is_an_error_and_nothing_is_applied(data_copy: Path):
    before = table_counts()
    # A valid change in a file read earlier, then a broken file.
    replace_in(data_copy / "iati/codelists/ActivityStatus.xml", "Implementation", "Implementation (changed)")
    replace_in(data_copy / "iati/codelists/Sector.xml", "</code>", "</kode>")
    message = load_from(data_copy)
    assert "iati/codelists/Sector.xml, line" in message
    assert "malformed XML" in message
    assert table_counts() == before
    assert CodelistItem.objects.of("ActivityStatus").get(code="2").name_en == "Implementation"


def test_a_failure_while_writing_rolls_back_what_was_already_written(data_copy: Path, monkeypatch):
    before = table_counts()
    replace_in(data_copy / services.PROVINCES_2025, "Thành phố Hải Phòng", "Thành phố Hải Phòng (sửa)")

    def fail(*args, **kwargs):
        raise services.ReferenceDataError(services.FX_ANNUAL, "simulated failure after the units")

    monkeypatch.setattr(services, "_write_rates", fail)
    assert "simulated failure" in load_from(data_copy)
    hai_phong = AdministrativeUnit.objects.get(era="2025", level="province", code="31")
    assert hai_phong.full_name_vi == "Thành phố Hải Phòng"
    assert table_counts() == before


def test_a_csv_without_a_needed_column_is_an_error(data_copy: Path):
    replace_in(data_copy / services.DISTRICTS_PRE2025, "province_code", "province")
    message = load_from(data_copy)
    assert "vn/admin_pre2025/districts_696.csv, line 1: missing column(s): province_code" in message


def test_a_unit_whose_parent_is_unknown_is_an_error_with_its_line(data_copy: Path):
    replace_in(data_copy / services.COMMUNES_PRE2025, "Phuc Xa Ward,phuc_xa,001", "Phuc Xa Ward,phuc_xa,999")
    message = load_from(data_copy)
    assert "vn/admin_pre2025/wards_10035.csv, line 2: district_code 999 is not a known unit" in message


def test_a_bad_rate_is_an_error_with_its_line(data_copy: Path):
    replace_in(data_copy / services.FX_ANNUAL, "22602.05", "22602.O5")
    message = load_from(data_copy)
    assert "fx/imf_usd_annual_average.csv, line" in message
    assert message.endswith("Rate 22602.O5 is not a number")


def test_a_mapping_row_that_does_not_resolve_is_an_error(data_copy: Path):
    replace_in(data_copy / services.COMMUNE_MAPPING, "Phường Phúc Xá,01,00097", "Phường Phúc Xá,01,99999")
    message = load_from(data_copy)
    assert "vn/mapping_2025/ward_old_to_new.csv, line 2: new_ward_code 99999 is not a known unit" in message


def test_a_wrong_split_count_is_an_error(data_copy: Path):
    replace_in(data_copy / services.COMMUNE_MAPPING, "Phường Hồng Hà,1", "Phường Hồng Hà,2")
    assert "old_ward_split_count says 2 but unit 00001 has 1 row(s)" in load_from(data_copy)


def test_a_translation_of_an_unknown_code_is_an_error(data_copy: Path):
    path = data_copy / services.TRANSLATIONS
    line = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write("TransactionType,99,Không có,لا يوجد\n")
    message = load_from(data_copy)
    assert f"translations/codelists.csv, line {line}: no item 99 in codelist TransactionType" in message


def test_xml_entities_are_not_expanded(data_copy: Path):
    path = data_copy / "iati/codelists/BudgetType.xml"
    text = path.read_text(encoding="utf-8")
    secret = data_copy / "secret.txt"
    secret.write_text("do not read", encoding="utf-8")
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE codelist [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
        + text.replace("<narrative>Original</narrative>", "<narrative>&leak;</narrative>", 1),
        encoding="utf-8",
    )
    data = services.reference_read(data_dir=data_copy)
    assert "do not read" not in data.codelists["BudgetType"].items["1"].name_en
