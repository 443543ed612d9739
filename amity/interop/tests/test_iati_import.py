"""IATI import: mapping, idempotence, the Viet Nam filter, per-activity skips, refused files, scope, pages."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from amity.aid import rules
from amity.aid.models import AidItem, Budget, Transaction
from amity.aid.tests.factories import make_aid_item
from amity.conftest import province
from amity.core.exceptions import PermissionDenied
from amity.interop.choices import ImportKind, ImportStatus
from amity.interop.iati.importer import IatiImporter
from amity.interop.models import ImportRun, RecordSource
from amity.interop.services import import_run_create, import_run_execute
from amity.interop.tests import hostile
from amity.organisations.models import Organisation
from amity.organisations.names import normalise_name
from amity.reports.models import ReportFact

pytestmark = pytest.mark.django_db


def activity(
    identifier: str = "NL-KVK-41197137-VN-001",
    *,
    title: str = "Nước sạch cho trường học",
    extra: str = "",
    countries: str = '<recipient-country code="VN" percentage="100"/>',
    locations: str = "<location><name><narrative>Hải Dương</narrative></name></location>",
    sectors: str = (
        '<sector vocabulary="1" code="14030" percentage="60"/><sector vocabulary="1" code="11220" percentage="40"/>'
    ),
    transactions: str | None = None,
    attributes: str = 'default-currency="EUR"',
) -> str:
    if transactions is None:
        transactions = (
            '<transaction><transaction-type code="2"/><transaction-date iso-date="2019-02-01"/>'
            '<value currency="EUR" value-date="2019-02-01">10000</value>'
            '<provider-org ref="NL-KVK-41197137"><narrative>Stichting Aqua</narrative></provider-org></transaction>'
            '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/>'
            '<value value-date="2019-06-01">4000.50</value></transaction>'
        )
    return f"""
 <iati-activity {attributes}>
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="NL-KVK-41197137" type="21"><narrative>Stichting Aqua</narrative></reporting-org>
  <title><narrative xml:lang="vi">{title}</narrative><narrative xml:lang="en">Clean water for schools</narrative>
   <narrative xml:lang="fr">Eau propre pour les écoles</narrative></title>
  <description><narrative xml:lang="en">Wells and latrines.</narrative></description>
  <participating-org ref="NL-KVK-41197137" role="1" type="21"><narrative>Stichting Aqua</narrative></participating-org>
  <participating-org role="4" type="24"><narrative>Hội Chữ thập đỏ tỉnh Hải Dương</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2019-01-15"/>
  <activity-date type="2" iso-date="2019-02-01"/>
  {countries}
  {locations}
  {sectors}
  <budget type="1" status="1"><period-start iso-date="2019-01-01"/><period-end iso-date="2019-12-31"/>
   <value currency="EUR" value-date="2019-01-01">15000</value></budget>
  {extra}
  {transactions}
 </iati-activity>"""


def iati_file(*activities: str, version: str = "2.03") -> bytes:
    body = "".join(activities)
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="{version}">'
    return f"{head}{body}\n</iati-activities>\n".encode()


def run_import(content: bytes, *, user: Any = None, province_code: str | None = "31", **options: Any) -> Any:
    importer = IatiImporter(
        user=user,
        owning_province=province(province_code) if province_code else None,
        source_name="test.xml",
        **options,
    )
    return importer.import_stream(io.BytesIO(content))


def counts() -> tuple[int, int, int]:
    return AidItem.all_objects.count(), Organisation.all_objects.count(), Transaction.all_objects.count()


def test_an_activity_becomes_an_aid_item_with_all_its_parts() -> None:
    result = run_import(iati_file(activity()))

    assert (result.created, result.skipped) == (1, 0)
    item = AidItem.objects.get(iati_identifier="NL-KVK-41197137-VN-001")
    assert item.title_vi == "Nước sạch cho trường học"
    assert item.title_en == "Clean water for schools"
    assert item.narratives == {"title": {"fr": "Eau propre pour les écoles"}}
    assert item.description == "Wells and latrines."
    assert item.status == "in_progress"
    assert (item.planned_start, item.actual_start) == (date(2019, 1, 15), date(2019, 2, 1))
    assert item.owning_province.code == "31"
    assert item.recipient_countries == [{"code": "VN", "percentage": "100"}]
    assert sorted((s.sector.code, s.percentage) for s in item.sectors.all()) == [
        ("11220", Decimal("40.00")),
        ("14030", Decimal("60.00")),
    ]
    # "Hải Dương" in a 2019 activity is the pre-2025 province, now part of Hải Phòng.
    [location] = item.locations.all()
    assert (location.unit.era, location.unit.code, location.current_province.code) == ("pre2025", "30", "31")
    roles = sorted((p.role, p.organisation.name) for p in item.participants.all())
    assert roles == [("1", "Stichting Aqua"), ("4", "Hội Chữ thập đỏ tỉnh Hải Dương")]
    [budget] = Budget.objects.filter(aid_item=item)
    assert (budget.amount, budget.currency.code) == (Decimal("15000.00"), "EUR")
    commitment, disbursement = item.transactions.order_by("date")
    assert (commitment.transaction_type, commitment.amount, commitment.provider.iati_identifier) == (
        "2",
        Decimal("10000.00"),
        "NL-KVK-41197137",
    )
    assert disbursement.currency.code == "EUR"  # the activity's default currency
    assert disbursement.amount_usd > 0 and disbursement.amount_vnd > 0 and disbursement.rate_source
    # Report facts follow at once: 2 transactions × 2 sectors × 1 location.
    assert ReportFact.objects.filter(aid_item=item).count() == 4


def test_the_same_file_twice_changes_nothing_the_second_time() -> None:
    content = iati_file(activity(), activity("NL-KVK-41197137-VN-002"))
    run_import(content)
    before = counts()
    history_before = AidItem.history.count()

    again = run_import(content)

    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 2, 0)
    assert counts() == before
    assert AidItem.history.count() == history_before


def test_a_newer_file_updates_the_same_records_and_replaces_transactions_no_longer_given() -> None:
    run_import(iati_file(activity()))
    item = AidItem.objects.get()
    newer = activity(
        title="Nước sạch cho trường học (giai đoạn 2)",
        transactions=(
            '<transaction><transaction-type code="2"/><transaction-date iso-date="2019-02-01"/>'
            '<value currency="EUR" value-date="2019-02-01">10000</value>'
            '<provider-org ref="NL-KVK-41197137"><narrative>Stichting Aqua</narrative></provider-org></transaction>'
            '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-07-01"/>'
            '<value value-date="2019-07-01">5000</value></transaction>'
        ),
    )

    result = run_import(iati_file(newer))

    assert (result.created, result.updated) == (0, 1)
    item.refresh_from_db()
    assert item.title_vi.endswith("(giai đoạn 2)")
    assert item.version == 2
    alive = sorted((t.transaction_type, t.amount) for t in item.transactions.all())
    assert alive == [("2", Decimal("10000.00")), ("3", Decimal("5000.00"))]
    [gone] = Transaction.all_objects.filter(aid_item=item, deleted_at__isnull=False)  # restorable
    assert (gone.amount, gone.version) == (Decimal("4000.50"), 2)
    assert gone.history.first().history_change_reason == "No longer in the IATI file"
    assert AidItem.objects.count() == 1 and Organisation.objects.filter(name="Stichting Aqua").count() == 1


def test_organisations_are_found_by_reference_or_by_name_and_never_duplicated() -> None:
    Organisation.objects.create(name="STICHTING  AQUA", kind="foreign_ngo")
    Organisation.objects.create(name="Hoi Chu thap do tinh Hai Duong", kind="vietnamese_agency")

    run_import(iati_file(activity()))

    assert Organisation.objects.count() == 2
    assert Organisation.objects.get(name="STICHTING  AQUA").iati_identifier == ""  # matched by name, not changed
    assert normalise_name("Hội Chữ thập đỏ tỉnh Hải Dương") == normalise_name("Hoi Chu thap do tinh Hai Duong")


def test_the_viet_nam_filter_keeps_activity_and_transaction_level_recipients() -> None:
    laos = activity("XM-1", countries='<recipient-country code="LA" percentage="100"/>')
    by_transaction = activity(
        "XM-2",
        countries="",
        transactions=(
            '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/>'
            '<value value-date="2019-06-01">100</value><recipient-country code="VN"/></transaction>'
            '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/>'
            '<value value-date="2019-06-01">900</value><recipient-country code="KH"/></transaction>'
        ),
    )

    result = run_import(iati_file(laos, by_transaction), vn_only=True)

    assert (result.created, result.filtered_out) == (1, 1)
    item = AidItem.objects.get()
    assert item.iati_identifier == "XM-2"
    assert [t.amount for t in item.transactions.all()] == [Decimal("100.00")]  # Cambodia's share left out


def test_an_activity_that_cannot_be_imported_is_skipped_with_its_line_and_the_rest_goes_in() -> None:
    bad_currency = activity(
        "XM-BAD",
        transactions=(
            '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/>'
            '<value currency="XYZ" value-date="2019-06-01">100</value></transaction>'
        ),
    )
    content = iati_file(activity("XM-GOOD-1"), bad_currency, activity("XM-GOOD-2"))

    result = run_import(content)

    assert (result.created, result.skipped) == (2, 1)
    [problem] = [p for p in result.problems if p.skipped]
    assert problem.record == "XM-BAD"
    assert problem.params == {"code": "XYZ"}
    assert problem.field == "transaction/value"
    line_of_bad_value = next(n for n, text in enumerate(content.decode().splitlines(), 1) if "XYZ" in text)
    assert problem.line == line_of_bad_value  # the line of the transaction holding the value
    assert set(AidItem.objects.values_list("iati_identifier", flat=True)) == {"XM-GOOD-1", "XM-GOOD-2"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sectors": '<sector vocabulary="1" code="99999" percentage="100"/>'}, "sector"),
        ({"sectors": '<sector code="14030" percentage="70"/><sector code="11220" percentage="10"/>'}, "sector"),
        (
            {
                "transactions": '<transaction><transaction-type code="99"/><transaction-date iso-date="2019-06-01"/>'
                '<value value-date="2019-06-01">1</value></transaction>'
            },
            "transaction-type",
        ),
        (
            {
                "attributes": "",
                "transactions": '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/>'
                "<value>1</value></transaction>",
            },
            "transaction/value",
        ),
        (
            {
                "transactions": '<transaction><transaction-type code="3"/><transaction-date iso-date="1 June 2019"/>'
                "<value>1</value></transaction>",
            },
            "transaction-date",
        ),
        ({"countries": '<recipient-country code="QQ"/>'}, "recipient-country"),
    ],
)
def test_unknown_codes_and_bad_values_skip_the_activity_naming_the_field(changes: dict[str, str], field: str) -> None:
    result = run_import(iati_file(activity(**changes)))

    assert (result.created, result.skipped) == (0, 1)
    assert result.problems[0].field == field
    assert AidItem.all_objects.count() == 0


def test_locations_the_services_refuse_skip_the_activity_with_their_message() -> None:
    # Amity's own export gives each location's share; shares that add up to 100 are kept as given, so units
    # of both eras reach the services' location check, which refuses them.
    amity = 'xmlns:amity="urn:x-amity:iati:1"'
    locations = (
        f'<location {amity} ref="gso:2025:province:31" amity:percentage="50"/>'
        f'<location {amity} ref="gso:pre2025:province:30" amity:percentage="50"/>'
    )
    content = iati_file(activity("XM-BOTH-ERAS", locations=locations), activity("XM-GOOD"))

    result = run_import(content)

    assert (result.created, result.skipped) == (1, 1)
    [problem] = [p for p in result.problems if p.skipped]
    assert (problem.record, problem.field) == ("XM-BOTH-ERAS", "locations")
    assert (problem.message, problem.params) == (rules.ONE_ERA, {})
    assert set(AidItem.objects.values_list("iati_identifier", flat=True)) == {"XM-GOOD"}


def test_an_activity_without_identifier_is_skipped() -> None:
    content = iati_file(activity().replace("<iati-identifier>NL-KVK-41197137-VN-001</iati-identifier>", ""))

    result = run_import(content)

    assert result.skipped == 1 and result.problems[0].field == "iati-identifier"


def test_the_same_identifier_twice_in_a_file_is_imported_once() -> None:
    result = run_import(iati_file(activity(), activity()))

    assert (result.created, result.skipped) == (1, 1)
    assert AidItem.objects.count() == 1


def test_a_file_malformed_at_some_line_changes_nothing() -> None:
    good = iati_file(activity("XM-1"), activity("XM-2"))
    broken = good.replace(b"</iati-activities>", b"<iati-activity><iati-identifier>XM-3</iati-activity>")
    before = counts()

    result = run_import(broken)

    assert result.refused is not None
    assert result.refused.line == len(broken.decode().splitlines())
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;">]>\n<iati-activities version="2.03"><iati-activity>'
            b"<iati-identifier>&lol2;</iati-identifier></iati-activity></iati-activities>",
            "DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b'<iati-activities version="2.03"><iati-activity><iati-identifier>&xxe;</iati-identifier>'
            b"</iati-activity></iati-activities>",
            "DOCTYPE",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not well-formed"),
        (b"", "empty"),
        (b'<iati-activities version="1.05"><iati-activity/></iati-activities>', "1.05"),
        (b'<iati-organisations version="2.03"/>', "iati-organisations"),
        (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n<iati-activity>'
            + b"<iati-identifier>\xff\xfe bad</iati-identifier></iati-activity></iati-activities>",
            "line 3",
        ),
    ],
)
def test_hostile_or_foreign_files_are_refused_whole(content: bytes, fragment: str) -> None:
    result = run_import(content)

    assert result.refused is not None
    assert fragment in str(result.refused)
    assert counts() == (0, 0, 0)


def test_a_latin1_file_that_says_so_is_read() -> None:
    content = iati_file(activity(title="Café à Hải Dương".encode("latin-1", "replace").decode("latin-1")))
    latin = content.decode().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1", "replace")

    result = run_import(latin)

    assert result.created == 1


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing() -> None:
    result = run_import(iati_file(activity()), dry_run=True)

    assert result.created == 1
    assert counts() == (0, 0, 0)


def test_sectors_given_only_as_dac_categories_are_kept_as_categories() -> None:
    run_import(iati_file(activity(sectors='<sector vocabulary="2" code="140" percentage="100"/>')))

    [share] = AidItem.objects.get().sectors.all()
    assert (share.sector.codelist.name, share.sector.code) == ("SectorCategory", "140")
    assert set(ReportFact.objects.values_list("sector_category__code", flat=True)) == {"140"}


def test_transaction_sectors_make_the_split_when_the_activity_has_none() -> None:
    transactions = (
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/>'
        '<value value-date="2019-06-01">300</value><sector vocabulary="1" code="14030"/></transaction>'
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-01"/>'
        '<value value-date="2019-06-01">100</value><sector vocabulary="1" code="11220"/></transaction>'
    )
    run_import(iati_file(activity(sectors="", transactions=transactions)))

    shares = {s.sector.code: s.percentage for s in AidItem.objects.get().sectors.all()}
    assert shares == {"14030": Decimal("75.00"), "11220": Decimal("25.00")}


def test_an_editor_imports_for_their_own_province_only(users: dict[str, Any]) -> None:
    result = run_import(iati_file(activity()), user=users["editor"])
    assert result.created == 1

    with pytest.raises(PermissionDenied):
        run_import(iati_file(activity("XM-OTHER")), user=users["editor"], province_code="14")
    with pytest.raises(PermissionDenied):
        run_import(iati_file(activity("XM-VIEW")), user=users["viewer"])


def test_an_aid_item_of_another_province_is_skipped_not_changed(users: dict[str, Any], son_la: Any) -> None:
    theirs = make_aid_item(users["admin"], owning_province=son_la, iati_identifier="NL-KVK-41197137-VN-001")

    result = run_import(iati_file(activity()), user=users["editor"])

    assert (result.updated, result.skipped) == (0, 1)
    theirs.refresh_from_db()
    assert theirs.title_vi == "Xây dựng trường mầm non"


def test_the_command_imports_and_reports(tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "donor.xml"
    path.write_bytes(iati_file(activity(), activity("XM-2", countries='<recipient-country code="LA"/>')))

    with translation.override("en"):
        call_command("import_iati", str(path), "--province", "31", "--vn-only")

    out = capsys.readouterr().out
    assert "1 imported, 0 updated, 0 unchanged, 0 skipped" in out
    run = ImportRun.objects.get()
    assert (run.kind, run.status, run.created_by) == (ImportKind.IATI, ImportStatus.DONE, None)
    source = RecordSource.objects.get(object_id=AidItem.objects.get().pk, content_type__model="aiditem")
    assert (source.identifier, source.line, source.run) == ("NL-KVK-41197137-VN-001", 3, run)
    # The organisations the file brought in remember it too, with the line that first names them.
    donor = Organisation.objects.get(iati_identifier="NL-KVK-41197137")
    org_source = RecordSource.objects.get(object_id=donor.pk, content_type__model="organisation")
    assert (org_source.run, org_source.identifier) == (run, "NL-KVK-41197137") and org_source.line > 3


def test_the_upload_page_runs_the_import_and_shows_its_report(
    client: Any, users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(users["editor"])
    upload = SimpleUploadedFile("donor.xml", iati_file(activity(), activity("XM-BAD", sectors='<sector code="1"/>')))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interop:iati_import"), {"file": upload, "province": province("31").pk, "vn_only": "on"}
        )

    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert (run.status, run.created_count, run.skipped_count) == (ImportStatus.DONE, 1, 1)
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200
    assert "XM-BAD" in page.content.decode()
    report = client.get(reverse("interop:run_report", args=[run.public_id]))
    assert "XM-BAD" in report.content.decode("utf-8-sig")


def test_a_run_that_stops_on_an_unexpected_error_says_so_and_writes_nothing(
    client: Any, users: dict[str, Any], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_reader(*_args: Any) -> None:
        raise MemoryError("the reader could not start")

    monkeypatch.setattr("amity.interop.iati.importer.ActivityReader.__iter__", broken_reader)
    before = counts()
    client.force_login(users["editor"])
    upload = SimpleUploadedFile("donor.xml", iati_file(activity()))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interop:iati_import"), {"file": upload, "province": province("31").pk})
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.finished_at is not None
    assert counts() == before
    page = client.get(run.get_absolute_url()).content.decode()  # in Vietnamese, the default language
    assert "lỗi không lường trước" in page and "MemoryError: the reader could not start" in page


def test_the_upload_page_is_closed_to_viewers_and_shows_runs_in_scope_only(
    client: Any, users: dict[str, Any], tmp_path: Any
) -> None:
    client.force_login(users["viewer"])
    assert client.get(reverse("interop:iati_import")).status_code == 403

    path = tmp_path / "a.xml"
    path.write_bytes(iati_file(activity()))
    with path.open("rb") as stream:
        theirs = import_run_create(
            user=None, kind=ImportKind.IATI, stream=stream, file_name="a.xml", owning_province=province("14")
        )
    import_run_execute(run=theirs)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert "a.xml" not in client.get(reverse("interop:runs")).content.decode()


def test_an_amity_export_imports_back_into_the_same_records(users: dict[str, Any], hai_phong: Any) -> None:
    from amity.aid.tests.factories import HAI_PHONG_COMMUNE, donor, make_transaction, unit
    from amity.interop.iati.export import write_activities

    giver = donor("Korea Friendship Foundation", iati_identifier="KR-GOV-999")
    item = make_aid_item(
        users["admin"],
        owning_province=hai_phong,
        iati_identifier="KR-GOV-999-VN-7",
        sectors=(("11220", "60"), ("14030", "40")),
        locations=[(unit(HAI_PHONG_COMMUNE), "70"), (province("14"), "30")],
        participants=[(giver, "1")],
        planned_start=date(2025, 8, 1),
        status="in_progress",
    )
    make_transaction(users["admin"], item, kind="2", amount="5000", currency="KRW", on=date(2025, 8, 2))
    before = counts()
    stream = io.BytesIO()
    write_activities(AidItem.objects.all(), stream)

    result = run_import(stream.getvalue())

    assert (result.created, result.skipped) == (0, 0)
    assert counts() == before
    item.refresh_from_db()
    assert sorted((s.unit.code, s.percentage) for s in item.locations.all()) == [
        (HAI_PHONG_COMMUNE, Decimal("70.00")),
        ("14", Decimal("30.00")),
    ]
    assert sorted((s.sector.code, s.percentage) for s in item.sectors.all()) == [
        ("11220", Decimal("60.00")),
        ("14030", Decimal("40.00")),
    ]
    [tx] = item.transactions.all()
    assert (tx.amount, tx.currency.code, tx.transaction_type) == (Decimal("5000.00"), "KRW", "2")
    assert [p.organisation for p in item.participants.all()] == [giver]


@pytest.mark.parametrize("case", hostile.CASES)
def test_hostile_and_broken_files_get_a_clear_answer_and_change_nothing_else(case: str) -> None:
    """Each builder of `hostile.py` says what a correct importer answers: refused whole (with the line), an
    activity skipped (with its line) and the others imported, or imported."""
    expected = hostile.expected(case)

    result = run_import(hostile.build(case))

    if expected.outcome == "refused":
        assert result.refused is not None, case
        if expected.line is not None:
            assert result.refused.line in (expected.line, *expected.also), (
                case,
                result.refused.line,
                str(result.refused),
            )
        assert counts() == (0, 0, 0)
    elif expected.outcome == "skipped":
        assert (result.created, result.skipped) == (expected.imported, expected.skipped), (case, result.problems)
        lines = {p.line for p in result.problems if p.skipped}
        assert lines & {expected.line, *expected.also}, (case, lines, expected)
        assert AidItem.objects.count() == expected.imported
    else:
        assert (result.created, result.skipped) == (expected.imported, 0), (case, result.problems)


def test_the_rollups_an_import_maintains_equal_the_rollups_rebuilt_from_the_facts() -> None:
    from django.db.models import Sum

    from amity.reports.models import ReportRollup
    from amity.reports.rollups import GRAINS, rollups_rebuild

    def snapshot() -> dict[int, set[tuple[object, ...]]]:
        return {
            grain: {
                tuple(row)
                for row in ReportRollup.objects.filter(grain=grain)
                .values_list(*columns)
                .annotate(Sum("amount_usd"), Sum("amount_vnd"), Sum("parts"))
                .filter(parts__sum__gt=0)
            }
            for grain, columns in GRAINS.items()
        }

    run_import(
        iati_file(
            activity(), activity("XM-2", locations="<location><name><narrative>Sơn La</narrative></name></location>")
        ),
        batch_size=1,  # the finest grains are added a batch at a time, the coarse ones at the end
    )
    run_import(iati_file(activity(title="Nước sạch, giai đoạn 2"), activity("XM-3")))  # an update and a new one
    maintained = snapshot()
    rollups_rebuild()

    assert maintained == snapshot()
    assert all(maintained.values())


def test_the_facts_an_import_builds_in_hand_equal_the_facts_rebuilt_from_the_database() -> None:
    """New items' facts come from the importer's plans, not from the database (`_new_facts`): the same
    rows as `facts_refresh` builds, for splits with remainders, several eras, a donor without a country and one
    given only as participant."""
    from amity.reports.facts import FACT_COLUMNS, facts_rebuild_all

    three_sectors = (
        '<sector vocabulary="1" code="14030" percentage="33.33"/><sector vocabulary="1" code="11220"'
        ' percentage="33.33"/><sector vocabulary="1" code="12220" percentage="33.34"/>'
    )
    two_places = (
        "<location><name><narrative>Sơn La</narrative></name></location>"
        "<location><name><narrative>Hải Dương</narrative></name></location>"
    )
    odd_amounts = (
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2019-03-01"/>'
        '<value currency="USD" value-date="2019-03-01">1000.01</value>'
        '<provider-org ref="XM-OCHA-1"><narrative>Quỹ Nhân đạo</narrative></provider-org></transaction>'
        '<transaction><transaction-type code="4"/><transaction-date iso-date="2020-07-01"/>'
        '<value currency="EUR" value-date="2020-07-01">0.07</value></transaction>'
    )
    run_import(
        iati_file(
            activity(),
            activity("XM-2", sectors=three_sectors, locations=two_places, transactions=odd_amounts),
            activity("XM-3", sectors="", locations="", extra='<sector vocabulary="2" code="140"/>'),
        )
    )
    imported = sorted(ReportFact.objects.values_list(*FACT_COLUMNS))
    assert len(imported) == 4 + 3 * 2 * 2 + 2

    facts_rebuild_all()

    assert sorted(ReportFact.objects.values_list(*FACT_COLUMNS)) == imported


def test_reading_in_process_imports_the_same_records() -> None:
    content = iati_file(*(activity(f"XM-DAC-7-VN-{n:03}", title=f"Dự án {n}") for n in range(5)))
    ahead = run_import(content, batch_size=2)
    again = run_import(content, batch_size=2, read_ahead=False)
    assert (ahead.created, ahead.organisations_created) == (5, 2), ahead.problems
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 5, 0), again.problems


def test_an_error_while_writing_a_batch_leaves_nothing_written(monkeypatch: pytest.MonkeyPatch) -> None:
    content = iati_file(*(activity(f"XM-DAC-7-VN-{n:03}") for n in range(5)))
    calls = []

    def failing_store(self: IatiImporter, planned: Any) -> None:
        calls.append(len(planned.plans))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(self, planned)

    original = IatiImporter._store
    monkeypatch.setattr(IatiImporter, "_store", failing_store)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(content, batch_size=2)
    assert counts() == (0, 0, 0)
    assert ReportFact.objects.count() == 0


def test_a_provinces_iati_export_imported_back_by_its_editor_changes_nothing(
    users: dict[str, Any], hai_phong: Any
) -> None:
    """Items made in Amity have no IATI identifier: the export names them by the reporting organisation and
    their public id (given again as other-identifier A1), which brings them back to the same items."""
    from amity.aid.tests.factories import make_transaction
    from amity.conftest import client_for

    editor = users["editor"]
    items = [make_aid_item(editor, owning_province=hai_phong, title=f"Trường học {n}") for n in range(3)]
    for item in items:
        make_transaction(editor, item, kind="2", amount="5000", currency="EUR", on=date(2023, 2, 1))
        make_transaction(editor, item, kind="3", amount="-250", currency="EUR", on=date(2023, 9, 1))
    exported = client_for(editor).get(reverse("interop:iati_activities"), {"province": "31"})
    assert exported.status_code == 200
    content = b"".join(exported.streaming_content) if exported.streaming else exported.content
    before, facts = counts(), ReportFact.objects.count()

    dry = run_import(content, user=editor, dry_run=True)
    real = run_import(content, user=editor)

    assert (dry.created, dry.updated, dry.unchanged) == (0, 0, 3)
    assert (real.created, real.updated, real.unchanged, real.skipped) == (0, 0, 3, 0)
    assert counts() == before and ReportFact.objects.count() == facts


def test_province_names_with_damaged_characters_match_the_one_province_they_can_be() -> None:
    damaged = "<location><name><narrative>B?c Liêu</narrative></name></location>"

    result = run_import(iati_file(activity(locations=damaged)))

    [location] = AidItem.objects.get().locations.all()
    assert (location.unit.era, location.unit.name_vi) == ("pre2025", "Bạc Liêu")
    assert any(problem.params.get("name") == "B?c Liêu" for problem in result.problems)


def test_a_damaged_name_that_could_be_several_provinces_is_not_guessed() -> None:
    damaged = "<location><name><narrative>H? Nam</narrative></name></location>"  # Hà Nam? Hồ Nam? only Hà Nam

    result = run_import(iati_file(activity(locations=damaged)))
    assert AidItem.objects.get().locations.get().unit.name_vi == "Hà Nam"

    ambiguous = "<location><name><narrative>??</narrative></name></location>"
    result = run_import(iati_file(activity("NL-KVK-41197137-VN-009", locations=ambiguous)))
    assert result.created == 1
    assert not AidItem.objects.get(iati_identifier="NL-KVK-41197137-VN-009").locations.exists()


def test_an_editor_imports_new_aid_as_proposed_and_keeps_the_donors_status_beside_it(
    users: dict[str, Any],
) -> None:
    result = run_import(iati_file(activity()), user=users["editor"])

    assert result.created == 1
    item = AidItem.objects.get()
    assert (item.status, item.reported_status) == ("proposed", "2")


def test_an_approver_imports_new_aid_with_the_files_status(users: dict[str, Any]) -> None:
    run_import(iati_file(activity()), user=users["approver"])

    assert AidItem.objects.get().status == "in_progress"


def test_a_reimport_never_moves_an_item_through_its_lifecycle(users: dict[str, Any]) -> None:
    run_import(iati_file(activity()), user=users["approver"])
    item = AidItem.objects.get()
    pipeline = activity().replace('<activity-status code="2"/>', '<activity-status code="1"/>')

    result = run_import(iati_file(pipeline), user=users["editor"])

    assert result.updated == 1
    item.refresh_from_db()
    assert (item.status, item.reported_status) == ("in_progress", "1")


def test_an_import_records_the_parts_it_writes_in_their_history_and_a_reimport_adds_none(
    users: dict[str, Any],
) -> None:
    from amity.aid.models import AidParticipant, SectorSplit

    run_import(iati_file(activity()), user=users["editor"])
    item = AidItem.objects.get()
    rows = list(SectorSplit.history.filter(aid_item_id=item.pk))
    assert len(rows) == 2
    assert {(r.history_type, r.history_user, r.history_change_reason) for r in rows} == {
        ("+", users["editor"], "Imported from IATI file")
    }
    assert AidParticipant.history.filter(aid_item_id=item.pk).count() == 2
    before = SectorSplit.history.count()

    run_import(iati_file(activity()), user=users["editor"])
    newer = activity(sectors='<sector vocabulary="1" code="14030" percentage="100"/>')
    run_import(iati_file(newer), user=users["editor"])

    assert SectorSplit.history.count() == before + 2
    latest = SectorSplit.history.filter(aid_item_id=item.pk).order_by("-history_id")[:2]
    assert sorted((r.history_type, r.sector.code, r.percentage) for r in latest) == [
        ("-", "11220", Decimal("40.00")),  # removed
        ("~", "14030", Decimal("100.00")),  # changed from 60 %
    ]
