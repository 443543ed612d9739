"""Nationwide aid: aid not located in a province (a donor's whole Viet Nam portfolio, or aid not yet located) is
recorded as such, owned by the centre or a province, counted once in the national total, shown apart in
province groupings and never given to a province."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from amity.aid.models import AidItem
from amity.aid.tests.factories import make_aid_item, make_transaction
from amity.core.exceptions import PermissionDenied
from amity.interop.iati.importer import IatiImporter
from amity.reports.models import ReportFact
from amity.reports.selectors import NATIONWIDE, report
from amity.reports.spec import Dimension, Measure, ReportSpec, StatusBasis

pytestmark = pytest.mark.django_db


def donor_portfolio() -> bytes:
    activities = "".join(
        f"""<iati-activity default-currency="USD"><iati-identifier>GB-GOV-1-VN-{n}</iati-identifier>
  <reporting-org ref="GB-GOV-1" type="10"><narrative>Donor</narrative></reporting-org>
  <title><narrative xml:lang="en">Portfolio {n}</narrative></title>
  <participating-org ref="GB-GOV-1" role="1" type="10"><narrative>Donor</narrative></participating-org>
  <activity-status code="2"/><activity-date type="1" iso-date="2023-01-01"/>
  <recipient-country code="VN" percentage="100"/>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2023-03-01"/>
   <value value-date="2023-03-01">{1000 * (n + 1)}</value></transaction>
 </iati-activity>"""
        for n in range(3)
    )
    return f'<iati-activities version="2.03">{activities}</iati-activities>'.encode()


def spec(**changes: Any) -> ReportSpec:
    # Every status: nationwide or not, an imported item waits for its approval like any other.
    return ReportSpec(measures=(Measure.DISBURSED,), statuses=StatusBasis.ALL, **changes)


def test_a_central_officer_imports_a_donors_portfolio_as_nationwide_aid_the_centre_keeps(users: dict[str, Any]) -> None:
    result = IatiImporter(user=users["central"], source_name="donor.xml").import_stream(io.BytesIO(donor_portfolio()))

    assert (result.created, result.skipped) == (3, 0), result.problems
    for item in AidItem.objects.all():
        assert item.owning_province is None
        assert not item.locations.exists()
    assert set(ReportFact.objects.values_list("province_id", flat=True)) == {None}


def test_nationwide_aid_counts_once_in_the_national_total_and_apart_in_province_groupings(
    users: dict[str, Any], hai_phong: Any
) -> None:
    IatiImporter(user=users["central"], source_name="donor.xml").import_stream(io.BytesIO(donor_portfolio()))
    located = make_aid_item(users["approver"], owning_province=hai_phong)
    make_transaction(users["approver"], located, kind="3", amount="500", on=date(2023, 5, 1))

    national = report(users["central"], spec())
    by_province = report(users["central"], spec(group_by=(Dimension.PROVINCE,)))

    assert national.totals[Measure.DISBURSED] == Decimal("6500.00")
    rows = {row.keys[0].value: row for row in by_province.rows}
    assert rows[None].keys[0].label == str(NATIONWIDE)
    assert rows[None].value(Measure.DISBURSED) == Decimal("6000.00")
    assert rows["31"].value(Measure.DISBURSED) == Decimal("500.00")
    assert by_province.totals[Measure.DISBURSED] == Decimal("6500.00")


def test_a_province_sees_nationwide_aid_neither_in_its_lists_nor_in_its_figures(
    users: dict[str, Any], hai_phong: Any
) -> None:
    IatiImporter(user=users["central"], source_name="donor.xml").import_stream(io.BytesIO(donor_portfolio()))

    assert not AidItem.objects.restrict(users["viewer"], "view").exists()
    assert report(users["viewer"], spec()).totals[Measure.DISBURSED] == 0


def test_a_provincial_editor_cannot_import_aid_for_the_centre(users: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        IatiImporter(user=users["editor"], source_name="donor.xml").import_stream(io.BytesIO(donor_portfolio()))
    assert not AidItem.all_objects.exists()


def test_a_central_officer_keeps_the_centres_aid_but_not_a_provinces(users: dict[str, Any], hai_phong: Any) -> None:
    central = users["central"]
    item = make_aid_item(central, owning_province=None, locations=[])
    assert item.owning_province is None
    with pytest.raises(PermissionDenied):
        make_aid_item(central, owning_province=hai_phong)
    assert AidItem.objects.count() == 1


def test_an_aid_item_without_locations_is_not_given_to_its_owning_province(
    users: dict[str, Any], hai_phong: Any
) -> None:
    item = make_aid_item(users["approver"], owning_province=hai_phong, locations=[])
    make_transaction(users["approver"], item, kind="3", amount="700", on=date(2023, 5, 1))

    by_province = report(users["central"], spec(group_by=(Dimension.PROVINCE,)))

    assert [(row.keys[0].value, row.value(Measure.DISBURSED)) for row in by_province.rows] == [
        (None, Decimal("700.00"))
    ]


def test_the_national_dashboard_shows_nationwide_aid_apart_in_its_province_table_and_map(
    users: dict[str, Any],
) -> None:
    from django.urls import reverse

    from amity.conftest import client_for

    # A central officer may approve the centre's aid: the items take the file's status (in progress), so the
    # official figures count them.
    IatiImporter(user=users["central"], source_name="donor.xml").import_stream(io.BytesIO(donor_portfolio()))
    assert set(AidItem.objects.values_list("status", flat=True)) == {"in_progress"}

    page = client_for(users["central"]).get(reverse("reports:dashboard"), {"year": "2023"})

    assert page.status_code == 200
    text = page.content.decode()
    assert str(NATIONWIDE) in text  # a row of the province table
    drawn = page.context["province_map"]  # the map's line beside the provinces, not a province
    assert drawn.outside.startswith(f"{NATIONWIDE}: ") and drawn.outside in text


def test_the_nationwide_figure_links_to_the_aid_located_in_no_province(users: dict[str, Any], hai_phong: Any) -> None:
    from amity.conftest import client_for

    IatiImporter(user=users["central"], source_name="donor.xml").import_stream(io.BytesIO(donor_portfolio()))
    make_aid_item(users["approver"], owning_province=hai_phong, title="Trường học Hải Phòng")

    by_province = report(users["central"], spec(group_by=(Dimension.PROVINCE,)))
    [row] = [row for row in by_province.rows if row.keys[0].value is None]
    listed = client_for(users["central"]).get(row.link)

    assert "province=nationwide" in row.link
    titles = {item.title_vi for item in listed.context["object_list"]}
    assert titles == {item.title_vi for item in AidItem.objects.filter(owning_province=None)}
