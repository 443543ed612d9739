"""IATI 2.03 export: the files validate against the IATI schemas, every code is in its codelist (as IATI's
mapping.xml assigns them), each part of an aid item is mapped, the export is scoped like the lists, runs a
fixed number of queries per chunk, and the pages, the API and the command serve it."""

from __future__ import annotations

import importlib
import io
import math
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from amity.aid import services
from amity.aid.choices import AidStatus
from amity.aid.models import AidItem, Budget
from amity.aid.tests.factories import (
    HAI_PHONG_COMMUNE,
    OLD_HAI_DUONG_COMMUNE,
    SON_LA_COMMUNE,
    donor,
    make_aid_item,
    make_transaction,
    unit,
)
from amity.conftest import client_for
from amity.interop.iati import export
from amity.interop.iati.export import AMITY_NS, ReportingOrg, write_activities, write_organisations
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reference.models import CodelistItem, Currency

pytestmark = pytest.mark.django_db

IATI_DIR = settings.AMITY_REFERENCE_DATA_DIR / "iati"
XML = "{http://www.w3.org/XML/1998/namespace}lang"
REPORTER = ReportingOrg(ref="VN-COA-1234567", type="10", name="Sở Ngoại vụ (test)")
# codelists, currencies, aid items, then per chunk participants, sectors, locations, transactions, budgets and
# the organisations not seen yet
EXPORT_QUERIES = 9
PROVIDER_REF = "XI-IATI-KFF"


@pytest.fixture(autouse=True)
def reporting_org_setting(settings) -> None:
    settings.AMITY_IATI_REPORTING_ORG = {"ref": REPORTER.ref, "type": REPORTER.type, "name": REPORTER.name}


# --- schemas and codelists ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def activities_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(IATI_DIR / "schema-2.03" / "iati-activities-schema.xsd")))


@pytest.fixture(scope="module")
def organisations_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(IATI_DIR / "schema-2.03" / "iati-organisations-schema.xsd")))


def assert_valid(schema: etree.XMLSchema, document: etree._ElementTree) -> None:
    assert schema.validate(document), "\n".join(str(error) for error in schema.error_log)


def codelist_values(document: etree._ElementTree) -> list[tuple[str, str, str]]:
    """(path, codelist, value) for every coded value of the file, as IATI's mapping.xml assigns codelists to
    paths (with their conditions, e.g. the sector codelist by vocabulary)."""
    found = []
    for mapping in etree.parse(str(IATI_DIR / "codelists" / "mapping.xml")).iter("mapping"):
        path, codelist = mapping.findtext("path"), mapping.find("codelist").get("ref")
        condition = mapping.findtext("condition")
        if condition:
            owner_path, step = path.rsplit("/", 1)
            values = [v for owner in document.xpath(owner_path) if owner.xpath(condition) for v in owner.xpath(step)]
        else:
            values = document.xpath(path)
        found += [(path, codelist, str(value)) for value in values]
    return found


def assert_codes_in_codelists(document: etree._ElementTree, *, expected_paths: set[str]) -> None:
    values = codelist_values(document)
    active = {
        (name, code)
        for name, code in CodelistItem.objects.active()
        .filter(codelist__name__in={codelist for _path, codelist, _value in values})
        .values_list("codelist__name", "code")
    }
    outside = [(path, codelist, value) for path, codelist, value in values if (codelist, value) not in active]
    assert outside == []
    # The check must have looked at the parts that carry codes, not at an empty file.
    assert expected_paths <= {path for path, _codelist, _value in values}


ACTIVITY_CODED_PATHS = {
    "//iati-activities/@version",
    "//iati-activity/@default-currency",
    "//iati-activity/activity-status/@code",
    "//iati-activity/activity-date/@type",
    "//iati-activity/budget/@type",
    "//iati-activity/budget/@status",
    "//iati-activity/budget/value/@currency",
    "//iati-activity/description/@type",
    "//iati-activity/location/administrative/@vocabulary",
    "//iati-activity/location/administrative/@code",
    "//iati-activity/location/feature-designation/@code",
    "//iati-activity/location/location-class/@code",
    "//iati-activity/other-identifier/@type",
    "//iati-activity/participating-org/@role",
    "//iati-activity/participating-org/@type",
    "//iati-activity/recipient-country/@code",
    "//iati-activity/recipient-region/@code",
    "//iati-activity/recipient-region/@vocabulary",
    "//iati-activity/reporting-org/@type",
    "//iati-activity/sector/@code",
    "//iati-activity/sector/@vocabulary",
    "//iati-activity/transaction/transaction-type/@code",
    "//iati-activity/transaction/value/@currency",
    "//iati-activity/transaction/provider-org/@type",
    "//@xml:lang",
}


# --- data ---------------------------------------------------------------------------------------------------


def category(code: str) -> CodelistItem:
    return CodelistItem.objects.of("SectorCategory").get(code=code)


def currency(code: str) -> Currency:
    return Currency.objects.get(code=code)


@pytest.fixture
def korean(db) -> Organisation:
    return donor(
        name_vi="Quỹ Hữu nghị Hàn Quốc",
        iati_identifier=PROVIDER_REF,
        iati_type=CodelistItem.objects.of("OrganisationType").get(code="21"),
    )


@pytest.fixture
def vietnamese_agency(db) -> Organisation:
    return Organisation.objects.create(
        name="Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng",  # a Vietnamese agency's own name is Vietnamese
        kind="vietnamese_agency",
    )


@pytest.fixture
def school(users, hai_phong, korean, vietnamese_agency, ngo) -> AidItem:
    """Every part: three languages, two DAC 5-digit sectors, current-era locations, budgets, transactions in
    three currencies (and a deleted one), participants with and without IATI identifiers."""
    editor = users["editor"]
    item = make_aid_item(
        editor,
        owning_province=hai_phong,
        title="Xây dựng trường mầm non Thành Đông",
        title_en="Thanh Dong kindergarten",
        description="Xây mới 6 phòng học.",
        reference="HP-2023-017",
        is_relief=False,
        planned_start=date(2023, 1, 1),
        planned_end=date(2024, 12, 31),
        narratives={
            "title": {"fr": "École maternelle de Thanh Dong", "zz": "not a language"},
            "description": {"fr": "Six salles de classe."},
        },
        recipient_countries=[{"code": "VN", "percentage": "80"}],
        recipient_regions=[{"code": "789", "vocabulary": "1", "percentage": "20"}],
        sectors=[("11220", "60"), ("12220", "40")],
        locations=[(unit(HAI_PHONG_COMMUNE), "60"), (hai_phong, "40")],
        participants=[(korean, "1"), (ngo, "4")],
    )
    services.aid_item_update(
        aid_item=item,
        user=editor,
        data={},
        parts=services.AidItemParts(
            budgets=[
                Budget(
                    kind="1",
                    status="2",
                    period_start=date(2023, 1, 1),
                    period_end=date(2023, 12, 31),
                    amount=Decimal("1500.00"),
                    currency=currency("USD"),
                    value_date=date(2023, 1, 1),
                ),
                Budget(
                    kind="2",
                    status="1",
                    period_start=date(2024, 1, 1),
                    period_end=date(2024, 12, 31),
                    amount=Decimal("800.50"),
                    currency=currency("EUR"),
                    value_date=date(2024, 1, 1),
                ),
            ]
        ),
        expected_version=None,
    )
    make_transaction(
        editor,
        item,
        kind="2",
        amount="1000.00",
        currency="USD",
        on=date(2023, 6, 1),
        provider=korean,
        receiver=vietnamese_agency,
        description="Cam kết tài trợ",
    )
    make_transaction(editor, item, kind="3", amount="500.25", currency="EUR", on=date(2023, 7, 1), provider=korean)
    make_transaction(editor, item, kind="4", amount="10000000", currency="VND", on=date(2023, 8, 1))
    deleted = make_transaction(editor, item, kind="3", amount="777.00", currency="USD", on=date(2023, 9, 1))
    services.transaction_delete(tx=deleted, user=editor)
    return AidItem.objects.get(pk=item.pk)


@pytest.fixture
def old_era(users, hai_phong) -> AidItem:
    """Located in a pre-2025 commune of Hải Dương (now Hải Phòng), a DAC 3-digit category, its own IATI
    identifier, no participants (managing agency only) and no description."""
    manager = Organisation.objects.create(name="Sở Giáo dục Hải Dương", kind="vietnamese_agency")
    return services.aid_item_create(
        user=users["editor"],
        data={
            "title_vi": "Học bổng cho học sinh nghèo",
            "modality": "non_project",
            "owning_province": hai_phong,
            "iati_identifier": "XM-DAC-41114-VN-0042",
            "planned_start": date(2021, 3, 1),
            "actual_start": date(2021, 4, 1),
            "managing_agency": manager,
        },
        parts=services.AidItemParts(
            sectors=[services.SectorShare(category("111"), Decimal(100))],
            locations=[services.LocationShare(unit(OLD_HAI_DUONG_COMMUNE, Era.PRE2025), Decimal(100))],
        ),
    )


@pytest.fixture
def son_la_item(users, son_la) -> AidItem:
    """Nothing but the required fields: no dates, no participants, no description, no sector."""
    return make_aid_item(
        users["son_la_editor"],
        owning_province=son_la,
        title="Cấp nước sạch Tô Hiệu",
        sectors=(),
        locations=[(unit(SON_LA_COMMUNE), "100")],
    )


@pytest.fixture
def all_items(school, old_era, son_la_item) -> dict[str, AidItem]:
    return {"school": school, "old_era": old_era, "son_la": son_la_item}


def activities_of(queryset, reporting_org: ReportingOrg = REPORTER) -> etree._ElementTree:
    stream = io.BytesIO()
    write_activities(queryset, stream, reporting_org=reporting_org)
    return etree.parse(io.BytesIO(stream.getvalue()))


def organisations_of(queryset) -> etree._ElementTree:
    stream = io.BytesIO()
    write_organisations(queryset, stream, reporting_org=REPORTER)
    return etree.parse(io.BytesIO(stream.getvalue()))


def identifiers(document: etree._ElementTree) -> set[str]:
    return set(document.xpath("//iati-activity/iati-identifier/text()"))


def activity(document: etree._ElementTree, identifier: str) -> etree._Element:
    (found,) = document.xpath("//iati-activity[iati-identifier = $id]", id=identifier)
    return found


def derived_id(item: AidItem) -> str:
    return f"{REPORTER.ref}-{item.public_id}"


def narratives(element: etree._Element) -> list[tuple[str | None, str]]:
    return [(narrative.get(XML), narrative.text) for narrative in element.findall("narrative")]


# --- the activity file --------------------------------------------------------------------------------------


def test_activity_file_validates_against_the_iati_schema(all_items, activities_schema):
    document = activities_of(AidItem.objects.all())
    assert_valid(activities_schema, document)
    assert len(document.xpath("//iati-activity")) == 3
    root = document.getroot()
    assert root.tag == "iati-activities"
    assert root.get("version") == "2.03"
    generated = date.fromisoformat(root.get("generated-datetime")[:10])
    assert generated == timezone.now().date()


def test_every_code_of_the_activity_file_is_in_its_codelist(all_items):
    document = activities_of(AidItem.objects.all())
    assert_codes_in_codelists(document, expected_paths=ACTIVITY_CODED_PATHS)


def test_schema_validation_catches_a_broken_file(school, activities_schema):
    """The schema test is able to fail: an activity whose children are out of order does not validate."""
    document = activities_of(AidItem.objects.all())
    element = document.find(".//iati-activity")
    element.append(element.find("title"))  # title after the transactions
    assert not activities_schema.validate(document)


def test_identifier_titles_and_descriptions_in_every_language(school):
    element = activity(activities_of(AidItem.objects.all()), derived_id(school))
    assert element.findtext("iati-identifier") == f"VN-COA-1234567-{school.public_id}"
    assert element.find("reporting-org").attrib == {"ref": "VN-COA-1234567", "type": "10"}
    assert narratives(element.find("reporting-org")) == [(None, "Sở Ngoại vụ (test)")]
    assert narratives(element.find("title")) == [
        ("vi", "Xây dựng trường mầm non Thành Đông"),
        ("en", "Thanh Dong kindergarten"),
        ("fr", "École maternelle de Thanh Dong"),  # "zz" is no language of the codelist: left out
    ]
    (description,) = element.findall("description")
    assert description.get("type") == "1"
    assert narratives(description) == [("vi", "Xây mới 6 phòng học."), ("fr", "Six salles de classe.")]
    assert element.get(XML) == "en"
    assert element.get("humanitarian") == "0"
    other_ids = [(other.get("type"), other.get("ref")) for other in element.findall("other-identifier")]
    assert other_ids == [("A1", str(school.public_id)), ("A9", "HP-2023-017")]


def test_participants_with_and_without_an_iati_identifier(school, korean, ngo):
    element = activity(activities_of(AidItem.objects.all()), derived_id(school))
    funding, implementing = element.findall("participating-org")
    assert (funding.get("role"), funding.get("ref"), funding.get("type")) == ("1", PROVIDER_REF, "21")
    assert funding.get(f"{{{AMITY_NS}}}id") == str(korean.public_id)
    # The own-language name is left to the file's default language (en); the Vietnamese one is tagged.
    assert narratives(funding) == [(None, "Korea Friendship Foundation"), ("vi", "Quỹ Hữu nghị Hàn Quốc")]
    assert (implementing.get("role"), implementing.get("ref"), implementing.get("type")) == ("4", None, None)
    assert narratives(implementing) == [(None, ngo.name)]


def test_status_dates_and_recipients(school):
    element = activity(activities_of(AidItem.objects.all()), derived_id(school))
    assert element.find("activity-status").get("code") == "1"  # proposed: pipeline
    dates = [(d.get("type"), d.get("iso-date")) for d in element.findall("activity-date")]
    assert dates == [("1", "2023-01-01"), ("3", "2024-12-31")]
    countries = [(c.get("code"), c.get("percentage")) for c in element.findall("recipient-country")]
    regions = [(r.get("code"), r.get("vocabulary"), r.get("percentage")) for r in element.findall("recipient-region")]
    assert (countries, regions) == ([("VN", "80")], [("789", "1", "20")])


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (AidStatus.PROPOSED, "1"),
        (AidStatus.UNDER_APPRAISAL, "1"),
        (AidStatus.APPROVED, "1"),
        (AidStatus.IN_PROGRESS, "2"),
        (AidStatus.COMPLETED, "3"),
        (AidStatus.CLOSED, "4"),
        (AidStatus.CANCELLED, "5"),
        (AidStatus.REJECTED, "5"),
        (AidStatus.APPROVAL_REVOKED, "5"),
    ],
)
def test_each_lifecycle_status_has_its_iati_activity_status(son_la_item, status, code):
    AidItem.objects.filter(pk=son_la_item.pk).update(status=status)  # only the mapping is under test here
    element = activity(activities_of(AidItem.objects.all()), derived_id(son_la_item))
    assert element.find("activity-status").get("code") == code


def test_locations_carry_name_era_level_gso_code_and_percentage(school, old_era):
    document = activities_of(AidItem.objects.all())
    commune, province = activity(document, derived_id(school)).findall("location")
    assert commune.get("ref") == f"gso:2025:commune:{HAI_PHONG_COMMUNE}"
    amity = {name.removeprefix(f"{{{AMITY_NS}}}"): value for name, value in commune.attrib.items() if AMITY_NS in name}
    assert amity == {"era": "2025", "level": "commune", "code": HAI_PHONG_COMMUNE, "percentage": "60.00"}
    assert narratives(commune.find("name")) == [("vi", "Phường Thành Đông"), ("en", "Thanh Dong Ward")]
    assert commune.find("administrative").attrib == {"vocabulary": "A4", "level": "0", "code": "VN"}
    assert commune.find("feature-designation").get("code") == "ADM2"
    assert province.get("ref") == "gso:2025:province:31"
    assert province.find("feature-designation").get("code") == "ADM1"
    (old,) = activity(document, "XM-DAC-41114-VN-0042").findall("location")
    assert old.get("ref") == f"gso:pre2025:commune:{OLD_HAI_DUONG_COMMUNE}"
    assert old.get(f"{{{AMITY_NS}}}era") == "pre2025"
    assert old.get(f"{{{AMITY_NS}}}percentage") == "100.00"
    assert narratives(old.find("name"))[0] == ("vi", "Phường Cẩm Thượng")
    assert old.find("feature-designation").get("code") == "ADM3H"


def test_sectors_of_both_vocabularies(school, old_era):
    document = activities_of(AidItem.objects.all())
    school_sectors = [
        (s.get("vocabulary"), s.get("code"), s.get("percentage"))
        for s in activity(document, derived_id(school)).findall("sector")
    ]
    assert school_sectors == [("1", "11220", "60.00"), ("1", "12220", "40.00")]
    old_sectors = [
        (s.get("vocabulary"), s.get("code")) for s in activity(document, old_era.iati_identifier).findall("sector")
    ]
    assert old_sectors == [("2", "111")]


def test_budgets_with_their_periods_currencies_and_value_dates(school):
    element = activity(activities_of(AidItem.objects.all()), derived_id(school))
    budgets = [
        (
            b.get("type"),
            b.get("status"),
            b.find("period-start").get("iso-date"),
            b.find("period-end").get("iso-date"),
            b.findtext("value"),
            b.find("value").get("currency"),
            b.find("value").get("value-date"),
        )
        for b in element.findall("budget")
    ]
    assert budgets == [
        ("1", "2", "2023-01-01", "2023-12-31", "1500.00", "USD", "2023-01-01"),
        ("2", "1", "2024-01-01", "2024-12-31", "800.50", "EUR", "2024-01-01"),
    ]


def test_live_transactions_in_their_own_currencies_with_provider_and_receiver(school, vietnamese_agency):
    element = activity(activities_of(AidItem.objects.all()), derived_id(school))
    rows = [
        (
            t.find("transaction-type").get("code"),
            t.find("transaction-date").get("iso-date"),
            t.findtext("value"),
            t.find("value").get("currency"),
            t.find("value").get("value-date"),
        )
        for t in element.findall("transaction")
    ]
    assert rows == [  # the deleted 777 USD disbursement is not exported
        ("2", "2023-06-01", "1000.00", "USD", "2023-06-01"),
        ("3", "2023-07-01", "500.25", "EUR", "2023-07-01"),
        ("4", "2023-08-01", "10000000.00", "VND", "2023-08-01"),
    ]
    commitment = element.find("transaction")
    assert narratives(commitment.find("description")) == [("vi", "Cam kết tài trợ")]
    provider, receiver = commitment.find("provider-org"), commitment.find("receiver-org")
    assert (provider.get("ref"), provider.get("type"), narratives(provider)) == (
        PROVIDER_REF,
        "21",
        [(None, "Korea Friendship Foundation"), ("vi", "Quỹ Hữu nghị Hàn Quốc")],
    )
    assert receiver.get("ref") is None
    assert receiver.get(f"{{{AMITY_NS}}}id") == str(vietnamese_agency.public_id)
    assert narratives(receiver) == [("vi", "Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng")]
    # USD and EUR are each used by a budget and a live transaction, VND once: the tie goes to the first code,
    # and every value still names its own currency.
    assert element.get("default-currency") == "EUR"


def test_an_item_with_only_required_fields_gets_schema_valid_stand_ins(son_la_item, activities_schema):
    document = activities_of(AidItem.objects.all())
    assert_valid(activities_schema, document)
    element = activity(document, derived_id(son_la_item))
    assert narratives(element.find("description")) == [("vi", "Cấp nước sạch Tô Hiệu")]  # the title
    (organisation,) = element.findall("participating-org")
    assert (organisation.get("role"), narratives(organisation)) == ("2", [("vi", "Ủy ban nhân dân tỉnh Sơn La")])
    (start,) = element.findall("activity-date")
    assert (start.get("type"), start.get("iso-date")) == ("1", timezone.localdate(son_la_item.created_at).isoformat())
    assert start.get(f"{{{AMITY_NS}}}derived-from") == "created_at"
    countries = [(c.get("code"), c.get("percentage")) for c in element.findall("recipient-country")]
    assert countries == [("VN", "100")]
    assert element.find("sector") is None


def test_the_managing_agency_stands_in_for_missing_participants(old_era):
    element = activity(activities_of(AidItem.objects.all()), old_era.iati_identifier)
    (organisation,) = element.findall("participating-org")
    assert (organisation.get("role"), narratives(organisation)) == ("2", [("vi", "Sở Giáo dục Hải Dương")])
    dates = [(d.get("type"), d.get("iso-date")) for d in element.findall("activity-date")]
    assert dates == [("1", "2021-03-01"), ("2", "2021-04-01")]


def test_reporting_org_comes_from_settings(school, settings):
    settings.AMITY_IATI_REPORTING_ORG = {"ref": "VN-COA-7654321", "type": "10", "name": "Bộ Ngoại giao"}
    stream = io.BytesIO()
    write_activities(AidItem.objects.all(), stream)
    element = etree.fromstring(stream.getvalue()).find("iati-activity")
    assert element.find("reporting-org").get("ref") == "VN-COA-7654321"
    assert element.findtext("iati-identifier") == f"VN-COA-7654321-{school.public_id}"


def test_the_default_reporting_org_is_a_valid_placeholder(monkeypatch):
    for variable in ("AMITY_IATI_REPORTING_ORG_REF", "AMITY_IATI_REPORTING_ORG_TYPE"):
        monkeypatch.delenv(variable, raising=False)
    default = importlib.reload(importlib.import_module("config.settings.base")).AMITY_IATI_REPORTING_ORG
    ref = default["ref"]
    agencies = set(CodelistItem.objects.of("OrganisationRegistrationAgency").active().values_list("code", flat=True))
    assert any(ref.startswith(f"{agency}-") for agency in agencies)
    assert "PLACEHOLDER" in ref
    assert CodelistItem.objects.of("OrganisationType").filter(code=default["type"]).exists()


def test_constant_codes_are_in_their_codelists():
    constants = [
        ("ActivityStatus", set(export.ACTIVITY_STATUS.values())),
        ("LocationType", set(export.FEATURE_DESIGNATION.values())),
        ("SectorVocabulary", set(export.SECTOR_VOCABULARY.values())),
        ("OrganisationRole", {export.ROLE_ACCOUNTABLE, export.ROLE_IMPLEMENTING}),
        ("GeographicLocationClass", {export.LOCATION_CLASS_ADMINISTRATIVE}),
        ("OtherIdentifierType", {export.OTHER_ID_INTERNAL, export.OTHER_ID_OTHER}),
        ("ActivityDateType", {code for _field, code in export.ACTIVITY_DATES}),
    ]
    for codelist, codes in constants:
        known = set(CodelistItem.objects.of(codelist).active().filter(code__in=codes).values_list("code", flat=True))
        assert known == codes, codelist


# --- the organisation file ----------------------------------------------------------------------------------


def test_organisation_file_validates_and_keeps_or_derives_identifiers(korean, vietnamese_agency, organisations_schema):
    document = organisations_of(Organisation.objects.all())
    assert_valid(organisations_schema, document)
    assert document.getroot().get("version") == "2.03"
    by_id = {o.get(f"{{{AMITY_NS}}}id"): o for o in document.xpath("//iati-organisation")}
    assert by_id[str(korean.public_id)].findtext("organisation-identifier") == PROVIDER_REF
    agency = by_id[str(vietnamese_agency.public_id)]
    assert agency.findtext("organisation-identifier") == f"VN-COA-1234567-{vietnamese_agency.public_id}"
    assert narratives(agency.find("name")) == [("vi", "Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng")]
    assert agency.find("reporting-org").get("ref") == "VN-COA-1234567"
    assert_codes_in_codelists(
        document, expected_paths={"//iati-organisation/reporting-org/@type", "//iati-organisations/@version"}
    )


# --- scoping ------------------------------------------------------------------------------------------------


def scoped_identifiers(user) -> set[str]:
    return identifiers(activities_of(AidItem.objects.restrict(user, "view")))


def test_a_provincial_export_holds_only_what_the_province_may_see(users, all_items):
    school, old_era, son_la_item = all_items["school"], all_items["old_era"], all_items["son_la"]
    # The old-era item lies in a Hải Dương commune, now in Hải Phòng.
    assert scoped_identifiers(users["viewer"]) == {derived_id(school), old_era.iati_identifier}
    assert scoped_identifiers(users["son_la_editor"]) == {derived_id(son_la_item)}
    assert scoped_identifiers(users["ngo_rep"]) == {derived_id(school)}
    assert scoped_identifiers(users["admin"]) == {derived_id(school), old_era.iati_identifier, derived_id(son_la_item)}


def test_a_user_without_a_role_exports_nothing(users, all_items):
    assert scoped_identifiers(users["no_role"]) == set()


# --- queries and chunks -------------------------------------------------------------------------------------


def make_items(user, province, count: int, korean, vietnamese_agency) -> None:
    for index in range(count):
        item = make_aid_item(
            user,
            owning_province=province,
            title=f"Item {index:03}",
            participants=[(korean, "1"), (vietnamese_agency, "4")],
            planned_start=date(2023, 1, 1),
        )
        make_transaction(user, item, amount="100", provider=korean)
        make_transaction(user, item, kind="3", amount="40", currency="EUR", receiver=vietnamese_agency)


def export_queries(queryset) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        document = activities_of(queryset)
    return len(captured.captured_queries), len(document.xpath("//iati-activity"))


def test_the_export_runs_a_fixed_number_of_queries_whatever_its_length(
    users, hai_phong, korean, vietnamese_agency, django_assert_max_num_queries
):
    make_items(users["editor"], hai_phong, 3, korean, vietnamese_agency)
    few, count = export_queries(AidItem.objects.restrict(users["viewer"], "view"))
    assert count == 3
    make_items(users["editor"], hai_phong, 17, korean, vietnamese_agency)
    with django_assert_max_num_queries(EXPORT_QUERIES):
        document = activities_of(AidItem.objects.restrict(users["viewer"], "view"))
    assert len(document.xpath("//iati-activity")) == 20
    assert len(document.xpath("//iati-activity/transaction")) == 40
    assert export_queries(AidItem.objects.restrict(users["viewer"], "view")) == (few, 20)


def test_each_chunk_adds_the_same_few_queries(users, hai_phong, korean, vietnamese_agency, monkeypatch):
    make_items(users["editor"], hai_phong, 7, korean, vietnamese_agency)
    monkeypatch.setattr(export, "CHUNK_SIZE", 3)
    queries, count = export_queries(AidItem.objects.all())
    assert count == 7
    chunks = math.ceil(7 / 3)
    # codelists, currencies, aid items; 5 related tables per chunk; the two organisations once (first chunk)
    assert queries == 3 + 5 * chunks + 1


def test_the_file_is_written_in_pieces(users, hai_phong, korean, vietnamese_agency, monkeypatch):
    make_items(users["editor"], hai_phong, 6, korean, vietnamese_agency)
    monkeypatch.setattr(export, "FLUSH_BYTES", 1024)
    pieces = list(export.iter_activities(AidItem.objects.all(), reporting_org=REPORTER))
    assert len(pieces) > 3
    assert all(len(piece) < 1024 + 16 * 1024 for piece in pieces)  # never the whole file at once
    assert len(etree.fromstring(b"".join(pieces)).findall("iati-activity")) == 6


# --- pages --------------------------------------------------------------------------------------------------


ACTIVITIES_URL = reverse("interop:iati_activities")
ORGANISATIONS_URL = reverse("interop:iati_organisations")


def download(client, url: str, params=None, **headers):
    response = client.get(url, params or {}, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_activities_page_streams_the_users_scoped_xml(users, all_items, activities_schema):
    response, body = download(client_for(users["viewer"]), ACTIVITIES_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response.streaming
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="iati-activities-{stamp}.xml"'
    document = etree.ElementTree(etree.fromstring(body))
    assert_valid(activities_schema, document)
    assert identifiers(document) == {derived_id(all_items["school"]), all_items["old_era"].iati_identifier}


def test_activities_page_applies_the_list_filters(users, all_items):
    _response, body = download(client_for(users["admin"]), ACTIVITIES_URL, {"province": "14"})
    assert identifiers(etree.ElementTree(etree.fromstring(body))) == {derived_id(all_items["son_la"])}
    _response, body = download(client_for(users["admin"]), ACTIVITIES_URL, {"sector": "111"})
    assert identifiers(etree.ElementTree(etree.fromstring(body))) == {all_items["old_era"].iati_identifier}


def test_activities_page_refuses_a_bad_filter(users):
    response = client_for(users["admin"]).get(ACTIVITIES_URL, {"status": "nonsense"})
    assert response.status_code == 400


def test_user_without_a_role_gets_403_for_both_files(users):
    client = client_for(users["no_role"])
    assert client.get(ACTIVITIES_URL).status_code == 403
    assert client.get(ORGANISATIONS_URL).status_code == 403


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(ACTIVITIES_URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_organisations_page_streams_the_users_scoped_xml(users, ngo, korean, organisations_schema):
    response, body = download(client_for(users["ngo_rep"]), ORGANISATIONS_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="iati-organisations-{stamp}.xml"'
    document = etree.ElementTree(etree.fromstring(body))
    assert_valid(organisations_schema, document)
    # An NGO representative reads its own entry only.
    assert document.xpath(f"//iati-organisation/@*[namespace-uri() = '{AMITY_NS}']") == [str(ngo.public_id)]


def test_organisations_page_applies_the_list_filters(users, ngo, korean, vietnamese_agency):
    _response, body = download(client_for(users["viewer"]), ORGANISATIONS_URL, {"kind": "vietnamese_agency"})
    names = etree.fromstring(body).xpath("//iati-organisation/name/narrative[1]/text()")
    assert names == ["Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng"]


def test_list_pages_link_to_the_downloads_with_their_filters(users, all_items):
    client = client_for(users["admin"])
    page = client.get(reverse("aid:list"), {"province": "31"}).content.decode()
    assert f"{ACTIVITIES_URL}?province=31" in page
    page = client.get(reverse("organisations:list"), {"kind": "foreign_ngo"}).content.decode()
    assert f"{ORGANISATIONS_URL}?kind=foreign_ngo" in page


# --- API ----------------------------------------------------------------------------------------------------


API_URL = "/api/v1/aid-items/iati/"


def test_api_streams_the_filtered_activity_file(users, all_items, activities_schema):
    response, body = download(client_for(users["admin"]), API_URL, {"province": "31"}, HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    document = etree.ElementTree(etree.fromstring(body))
    assert_valid(activities_schema, document)
    assert identifiers(document) == {derived_id(all_items["school"]), all_items["old_era"].iati_identifier}


def test_api_scopes_the_file_to_the_user(users, all_items):
    _response, body = download(client_for(users["son_la_editor"]), API_URL)
    assert identifiers(etree.ElementTree(etree.fromstring(body))) == {derived_id(all_items["son_la"])}


def test_api_refuses_a_user_without_a_role_and_a_bad_filter(users):
    assert client_for(users["no_role"]).get(API_URL, HTTP_ACCEPT="application/xml").status_code == 403
    response = client_for(users["admin"]).get(API_URL, {"status": "nonsense"})
    assert response.status_code == 400
    assert "status" in response.json()


# --- command ------------------------------------------------------------------------------------------------


def test_command_writes_both_files_for_a_user_and_province(
    users, all_items, tmp_path, activities_schema, organisations_schema
):
    activities_path, organisations_path = tmp_path / "activities.xml", tmp_path / "organisations.xml"
    out = io.StringIO()
    call_command(
        "export_iati",
        activities=str(activities_path),
        organisations=str(organisations_path),
        province="31",
        user=users["admin"].username,
        stdout=out,
    )
    activities_file = etree.parse(str(activities_path))
    assert_valid(activities_schema, activities_file)
    assert identifiers(activities_file) == {
        derived_id(all_items["school"]),
        all_items["old_era"].iati_identifier,
    }
    assert_valid(organisations_schema, etree.parse(str(organisations_path)))
    assert "2 activities written" in out.getvalue()
    assert not list(tmp_path.glob("*.part"))


def test_command_scopes_to_the_user(users, all_items, tmp_path):
    path = tmp_path / "activities.xml"
    call_command("export_iati", activities=str(path), user=users["son_la_editor"].username, stdout=io.StringIO())
    assert len(etree.parse(str(path)).xpath("//iati-activity")) == 1
