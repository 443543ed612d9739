"""The aggregation layer: published figures reproduced, parts adding up to totals, each item counted once
nationally, the conversion basis applied and stated, province scoping, comparisons, frozen publications."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amity.aid.tests.factories import approve, make_aid_item, make_transaction, unit
from amity.core.exceptions import PermissionDenied
from amity.demo.register import demo_load
from amity.reports.models import ReportFact
from amity.reports.selectors import compare, compare_years, report
from amity.reports.services import published_is_intact, report_publish
from amity.reports.spec import Measure, SpecError, spec_from_params

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    demo_load()


def spec(**params: str):  # type: ignore[no-untyped-def]
    return spec_from_params(params)


def approved_item(user, **fields):  # type: ignore[no-untyped-def]
    """Aid counted in official figures (the default status basis): created, then approved."""
    return approve(user, make_aid_item(user, **fields))


def test_hai_duong_figures_through_the_report_layer(demo, users):
    hai_duong = spec(
        era="pre2025",
        province="30",
        date_from="2018-01-01",
        date_to="2024-12-31",
        measures="committed,aid_items,donors",
    )
    totals = report(users["central"], hai_duong).totals
    assert totals == {Measure.COMMITTED: D("5840000.00"), Measure.AID_ITEMS: 70, Measure.DONORS: 12}
    in_vnd = spec(
        era="pre2025",
        province="30",
        date_from="2018-01-01",
        date_to="2024-12-31",
        measures="committed",
        currency="VND",
        basis="fixed_rate",
        rate="25274",
    )
    with translation.override("en"):
        result = report(users["central"], in_vnd)
    assert (result.totals[Measure.COMMITTED] / D(10**9)).quantize(D("0.1")) == D("147.6")
    assert result.basis_label == "fixed rate 25,274 VND/USD"
    with translation.override("vi"):
        assert "25.274" in report(users["central"], in_vnd).basis_label  # grouped the Vietnamese way


def test_period_against_the_previous_period_gives_1_8(demo, users):
    hai_duong = spec(era="pre2025", province="30", date_from="2018-01-01", date_to="2024-12-31")
    comparison = compare(users["central"], hai_duong, Measure.COMMITTED)
    assert comparison.previous_spec.date_from == date(2011, 1, 1)
    assert comparison.ratio.quantize(D("0.1")) == D("1.8")


def test_2023_against_2022_is_4_9_million_more(demo, users):
    comparison = compare_years(users["central"], spec(measures="disbursed"), Measure.DISBURSED, 2023)
    assert (comparison.current / D(10**6)).quantize(D("0.1")) == D("228.7")
    assert (comparison.difference / D(10**6)).quantize(D("0.1")) == D("4.9")
    assert comparison.percent == D("2.2")


def test_rows_add_up_exactly_to_the_totals_in_every_grouping(demo, users):
    for group_by in ("year", "province", "sector", "sector_category,province", "year,sector_category,province"):
        for currency in ("USD", "VND"):
            result = report(
                users["central"], spec(group_by=group_by, currency=currency, measures="committed,disbursed")
            )
            for measure in (Measure.COMMITTED, Measure.DISBURSED):
                assert sum(row.values[measure] for row in result.rows) == result.totals[measure]


def test_an_item_in_two_provinces_is_split_between_them_and_counted_once(users, hai_phong, son_la):
    item = approved_item(
        users["admin"],
        owning_province=hai_phong,
        sectors=(("11220", "60"), ("12220", "40")),
        locations=((hai_phong, "33.33"), (son_la, "66.67")),
    )
    make_transaction(users["admin"], item, kind="3", amount="100.00")
    by_province = report(users["central"], spec(group_by="province", measures="disbursed,aid_items"))
    values = {row.keys[0].value: row.values for row in by_province.rows}
    assert values["31"][Measure.DISBURSED] + values["14"][Measure.DISBURSED] == D("100.00")
    assert values["31"][Measure.DISBURSED] == D("33.33")
    assert by_province.totals[Measure.AID_ITEMS] == 1
    assert values["31"][Measure.AID_ITEMS] == values["14"][Measure.AID_ITEMS] == 1
    assert ReportFact.objects.filter(aid_item=item).count() == 4  # 2 sectors × 2 provinces


def test_a_province_sees_only_the_part_located_in_it(users, hai_phong, son_la):
    item = approved_item(users["admin"], owning_province=hai_phong, locations=((hai_phong, "25"), (son_la, "75")))
    make_transaction(users["admin"], item, kind="3", amount="1000.00")
    assert report(users["editor"], spec(measures="disbursed")).totals[Measure.DISBURSED] == D("250.00")
    assert report(users["son_la_editor"], spec(measures="disbursed")).totals[Measure.DISBURSED] == D("750.00")
    assert report(users["no_role"], spec(measures="disbursed")).totals[Measure.DISBURSED] == D("0")


def test_old_era_figures_map_forward_but_new_era_figures_never_map_back(users, hai_phong):
    old = approved_item(
        users["admin"],
        owning_province=hai_phong,
        locations=((unit("30", "pre2025"), "100"),),
        planned_start=date(2020, 1, 1),
    )
    new = approved_item(users["admin"], owning_province=hai_phong, locations=((hai_phong, "100"),))
    make_transaction(users["admin"], old, kind="3", amount="100.00", on=date(2020, 6, 1))
    make_transaction(users["admin"], new, kind="3", amount="50.00", on=date(2020, 6, 1))
    current = report(users["central"], spec(group_by="province", measures="disbursed"))
    assert {r.keys[0].value: r.values[Measure.DISBURSED] for r in current.rows} == {"31": D("150.00")}
    old_era = report(users["central"], spec(group_by="province", measures="disbursed", era="pre2025"))
    assert {r.keys[0].value: r.values[Measure.DISBURSED] for r in old_era.rows} == {"30": D("100.00"), None: D("50.00")}
    assert old_era.notes


def test_rates_of_a_chosen_date_convert_every_currency_at_that_date(users, hai_phong):
    from amity.reference.models import ExchangeRate

    item = approved_item(users["admin"], owning_province=hai_phong)
    make_transaction(users["admin"], item, kind="3", amount="1000.00", currency="EUR", on=date(2019, 3, 1))
    eur_2024 = ExchangeRate.objects.get(currency__code="EUR", frequency="A", period_start=date(2024, 1, 1)).rate
    with translation.override("vi"):
        result = report(users["central"], spec(measures="disbursed", basis="rates_on", rate_date="2024-06-30"))
    assert result.totals[Measure.DISBURSED] == (D(1000) / eur_2024).quantize(D("0.01"))
    assert "30/06/2024" in result.basis_label


def test_every_row_links_to_the_aid_list_behind_it(demo, users):
    result = report(users["central"], spec(group_by="province", measures="disbursed", year="2023"))
    row = next(r for r in result.rows if r.keys[0].value == "31")
    assert row.link.startswith("/aid/?") and "province=31" in row.link and "date_from=2023-01-01" in row.link


def test_bad_parameters_name_each_one():
    with pytest.raises(SpecError) as raised:
        spec_from_params(
            {"measures": "profit", "currency": "EUR", "basis": "fixed_rate", "rate": "-3", "date_from": "2024-13-01"}
        )
    assert {"measures", "currency", "rate", "date_from"} <= set(raised.value.errors)


def test_publishing_freezes_the_figures(users, hai_phong):
    item = approved_item(users["admin"], owning_province=hai_phong)
    make_transaction(users["admin"], item, kind="3", amount="100.00")
    published = report_publish(
        user=users["approver"], spec=spec(province="31", measures="disbursed"), title="Hải Phòng 2023"
    )
    make_transaction(users["admin"], item, kind="3", amount="900.00")
    published.refresh_from_db()
    assert published.figures["totals"]["disbursed"] == "100.00"
    assert published_is_intact(published)
    live = report(users["approver"], spec_from_params(published.parameters))
    assert live.totals[Measure.DISBURSED] == D("1000.00")


def test_only_approvers_of_the_province_and_central_officers_publish(users):
    with pytest.raises(PermissionDenied):
        report_publish(user=users["editor"], spec=spec(province="31"), title="x")
    with pytest.raises(PermissionDenied):
        report_publish(user=users["approver"], spec=spec(province="14"), title="x")
    with pytest.raises(PermissionDenied):
        report_publish(user=users["approver"], spec=spec(), title="national")
    assert report_publish(user=users["central"], spec=spec(), title="Toàn quốc").province is None
    with pytest.raises(ValidationError):
        report_publish(user=users["central"], spec=spec(), title="  ")


def test_grouping_by_beneficiary_shows_an_item_under_each_group_and_keeps_the_true_total(users, hai_phong):
    item = approved_item(users["admin"], owning_province=hai_phong, beneficiaries=("children", "women"))
    make_transaction(users["admin"], item, kind="3", amount="100.00")
    result = report(users["central"], spec(group_by="beneficiary", measures="disbursed"))
    assert {row.keys[0].value: row.values[Measure.DISBURSED] for row in result.rows} == {
        "children": D("100.00"),
        "women": D("100.00"),
    }
    assert result.totals[Measure.DISBURSED] == D("100.00")
    assert result.notes
    links = {row.keys[0].value: row.link for row in result.rows}
    assert "beneficiary=children" in links["children"] and "beneficiary=women" in links["women"]


def test_a_date_before_any_rate_is_a_bad_parameter_not_a_server_error(users, hai_phong):
    item = approved_item(users["admin"], owning_province=hai_phong)
    make_transaction(users["admin"], item, kind="3", amount="10.00", currency="EUR", on=date(2019, 3, 1))
    with pytest.raises(SpecError) as raised:
        report(users["central"], spec(measures="disbursed", basis="rates_on", rate_date="1900-01-01"))
    assert "rate_date" in raised.value.errors


def test_a_donor_is_counted_as_the_provider_or_else_the_first_funder(users, hai_phong, ngo):
    """A donor's figures read the facts through its items (`facts.donor_items`): a transaction it provides to aid
    another organisation funds counts for it, the rest of that aid for the funder — as a count of the facts
    themselves says."""
    from amity.organisations.models import Organisation
    from amity.reports.spec import Dimension, ReportSpec

    other = Organisation.objects.create(name="Fondation Mékong", acronym="FM", kind="foreign_ngo")
    editor = users["approver"]
    funded = approved_item(editor, owning_province=hai_phong, participants=[(ngo, "1")])
    make_transaction(editor, funded, amount="1000", on=date(2023, 3, 1))
    make_transaction(editor, funded, amount="250", on=date(2024, 3, 1), provider=other)
    make_transaction(editor, funded, kind="3", amount="-100", on=date(2024, 5, 1))  # a reversal
    provided_only = approved_item(editor, owning_province=hai_phong)
    make_transaction(editor, provided_only, amount="40", on=date(2024, 6, 1), provider=other)

    def figures(donor):  # type: ignore[no-untyped-def]
        measures = (Measure.COMMITTED, Measure.DISBURSED, Measure.AID_ITEMS)
        result = report(
            users["central"],
            ReportSpec(measures=measures, group_by=(Dimension.YEAR,), filters={"donor": str(donor.public_id)}),
        )
        return {row.keys[0].value: tuple(row.values[m] for m in measures) for row in result.rows}, result.totals

    def independent(donor):  # type: ignore[no-untyped-def]
        facts = ReportFact.objects.filter(donor=donor)
        years: dict[int, list] = {}
        for fact in facts:
            committed, disbursed, items = years.setdefault(fact.year, [D(0), D(0), set()])
            if fact.transaction_type == "2":
                years[fact.year][0] = committed + fact.amount_usd
            if fact.transaction_type == "3":
                years[fact.year][1] = disbursed + fact.amount_usd
            items.add(fact.aid_item_id)
        return {year: (c, d, len(i)) for year, (c, d, i) in years.items()}

    rows, totals = figures(ngo)
    assert rows == independent(ngo) == {2023: (D("1000.00"), D(0), 1), 2024: (D(0), D("-100.00"), 1)}
    assert totals[Measure.AID_ITEMS] == 1
    rows, totals = figures(other)
    assert rows == independent(other) == {2024: (D("290.00"), D(0), 2)}
    assert totals[Measure.AID_ITEMS] == 2
