"""Aid services: splits, eras, money conversion, lifecycle, scope and concurrent edits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from amity.aid import services
from amity.aid.choices import AidStatus
from amity.aid.models import AidItem, LocationSplit, SectorSplit, Transaction
from amity.core.exceptions import ConflictError, PermissionDenied
from amity.core.money import quantize
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, Currency, ExchangeRate
from amity.reports.models import ReportFact

from .factories import (
    HAI_PHONG_COMMUNE,
    OLD_HAI_DUONG_COMMUNE,
    OLD_HAI_DUONG_DISTRICT,
    SON_LA_COMMUNE,
    make_aid_item,
    make_transaction,
    sector,
    unit,
)

pytestmark = pytest.mark.django_db


def nothing_saved() -> bool:
    return not AidItem.all_objects.exists() and not SectorSplit.objects.exists() and not LocationSplit.objects.exists()


# --- splits and eras -----------------------------------------------------------------------------------------


def test_sector_percentages_that_do_not_add_up_to_100_are_refused_and_nothing_is_saved(users, hai_phong):
    with pytest.raises(ValidationError) as error:
        make_aid_item(users["editor"], owning_province=hai_phong, sectors=[("11220", "60"), ("12220", "30")])
    assert "sectors" in error.value.message_dict
    assert nothing_saved()


def test_location_percentages_that_do_not_add_up_to_100_are_refused_and_nothing_is_saved(users, hai_phong):
    with pytest.raises(ValidationError) as error:
        make_aid_item(
            users["editor"],
            owning_province=hai_phong,
            locations=[(unit(HAI_PHONG_COMMUNE), "50"), (unit(SON_LA_COMMUNE), "40")],
        )
    assert "locations" in error.value.message_dict
    assert nothing_saved()


def test_locations_default_to_the_whole_owning_province(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    assert [(share.unit, share.percentage) for share in item.locations.all()] == [(hai_phong, Decimal(100))]


def test_a_district_is_refused_as_a_location(users, hai_phong):
    with pytest.raises(ValidationError) as error:
        make_aid_item(
            users["editor"],
            owning_province=hai_phong,
            planned_start=date(2023, 1, 1),
            locations=[(unit(OLD_HAI_DUONG_DISTRICT, Era.PRE2025), "100")],
        )
    assert "locations" in error.value.message_dict
    assert nothing_saved()


def test_an_old_era_location_is_refused_for_aid_starting_after_the_reorganisation(users, hai_phong):
    with pytest.raises(ValidationError) as error:
        make_aid_item(
            users["editor"],
            owning_province=hai_phong,
            planned_start=date(2025, 9, 1),
            locations=[(unit(OLD_HAI_DUONG_COMMUNE, Era.PRE2025), "100")],
        )
    assert "locations" in error.value.message_dict
    assert nothing_saved()


def test_an_old_era_location_is_kept_with_its_current_province_for_earlier_aid(users, hai_phong):
    item = make_aid_item(
        users["editor"],
        owning_province=hai_phong,
        planned_start=date(2023, 3, 1),
        locations=[(unit(OLD_HAI_DUONG_COMMUNE, Era.PRE2025), "100")],
    )
    share = item.locations.get()
    assert (share.unit.era, share.unit.province.code) == (Era.PRE2025, "30")
    assert share.current_province == hai_phong


def test_an_owning_province_of_the_old_era_is_refused(users):
    old_hai_duong = AdministrativeUnit.objects.get(era=Era.PRE2025, level="province", code="30")
    with pytest.raises(ValidationError) as error:
        make_aid_item(users["admin"], owning_province=old_hai_duong)
    assert "owning_province" in error.value.message_dict
    assert nothing_saved()


# --- transactions --------------------------------------------------------------------------------------------


def test_an_amount_of_zero_is_refused(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    with pytest.raises(ValidationError) as error:
        make_transaction(users["editor"], item, amount="0")
    assert "amount" in error.value.message_dict
    assert not Transaction.all_objects.exists()


def test_a_reversal_is_a_negative_amount_and_the_figures_are_net(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    make_transaction(users["editor"], item, amount="1000", currency="EUR", on=date(2023, 6, 1))
    reversal = make_transaction(users["editor"], item, amount="-400", currency="EUR", on=date(2023, 6, 1))
    assert reversal.amount_usd < 0 and reversal.amount_vnd < 0
    facts = ReportFact.objects.filter(aid_item=item)
    assert sum(f.amount for f in facts) == Decimal("600.00")
    assert (
        sum(f.amount_usd for f in facts)
        == Transaction.objects.filter(aid_item=item).aggregate(total=Sum("amount_usd"))["total"]
    )


def test_a_transaction_is_converted_at_the_value_date_rates_with_their_source(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    tx = make_transaction(users["editor"], item, amount="1000", currency="EUR", on=date(2023, 6, 1))
    eur = ExchangeRate.objects.get(currency__code="EUR", frequency="A", period_start=date(2023, 1, 1)).rate
    vnd = ExchangeRate.objects.get(currency__code="VND", frequency="A", period_start=date(2023, 1, 1)).rate
    tx.refresh_from_db()
    assert tx.value_date == date(2023, 6, 1)  # defaults to the date
    assert tx.amount_usd == quantize(Decimal(1000) / eur)
    assert tx.amount_vnd == quantize(Decimal(1000) * vnd / eur, Decimal(1))
    assert abs(tx.usd_per_unit - 1 / eur) < Decimal("1E-9")
    assert abs(tx.vnd_per_unit - vnd / eur) < Decimal("1E-6")
    assert tx.rate_date == date(2023, 1, 1)
    assert "EUR" in tx.rate_source and "VND" in tx.rate_source and "IMF" in tx.rate_source


def test_a_currency_without_any_rate_is_refused_on_the_currency(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    rateless = Currency.objects.exclude(code__in=ExchangeRate.objects.values("currency__code")).exclude(code="USD")
    with pytest.raises(ValidationError) as error:
        make_transaction(users["editor"], item, currency=rateless.first().code)
    assert "currency" in error.value.message_dict


def test_a_viewer_cannot_add_a_transaction(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    with pytest.raises(PermissionDenied):
        make_transaction(users["viewer"], item)


# --- lifecycle -----------------------------------------------------------------------------------------------


@pytest.fixture
def item_under_appraisal(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    return services.aid_item_submit_for_appraisal(aid_item=item, user=users["editor"], received_on=date(2024, 3, 1))


def approve(item, user, **changes):
    arguments = {"decision_number": "123/QĐ-UBND", "decision_date": date(2024, 3, 15), "authority": "UBND"}
    return services.aid_item_approve(aid_item=item, user=user, **{**arguments, **changes})


def test_an_illegal_transition_is_refused(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    with pytest.raises(ValidationError) as error:
        approve(item, users["approver"])
    assert "status" in error.value.message_dict
    assert AidItem.objects.get(pk=item.pk).status == AidStatus.PROPOSED


def test_submitting_starts_the_20_day_appraisal(item_under_appraisal):
    assert item_under_appraisal.status == AidStatus.UNDER_APPRAISAL
    assert item_under_appraisal.appraisal_deadline == date(2024, 3, 21)


def test_approval_needs_the_decision_number_date_and_authority(users, item_under_appraisal):
    with pytest.raises(ValidationError) as error:
        approve(item_under_appraisal, users["approver"], decision_number="", decision_date=None, authority="")
    assert {"decision_number", "decision_date", "decision_authority"} <= set(error.value.message_dict)
    assert AidItem.objects.get(pk=item_under_appraisal.pk).status == AidStatus.UNDER_APPRAISAL


def test_an_editor_cannot_approve(users, item_under_appraisal):
    with pytest.raises(PermissionDenied):
        approve(item_under_appraisal, users["editor"])
    assert AidItem.objects.get(pk=item_under_appraisal.pk).status == AidStatus.UNDER_APPRAISAL


def test_an_approver_approves_with_the_decision(users, item_under_appraisal):
    approve(item_under_appraisal, users["approver"])
    item = AidItem.objects.get(pk=item_under_appraisal.pk)
    assert (item.status, item.decision_number, item.start_deadline) == (
        AidStatus.APPROVED,
        "123/QĐ-UBND",
        date(2024, 3, 15) + timedelta(days=183),
    )


def test_an_approval_can_be_revoked_only_after_six_months_without_a_start(users, item_under_appraisal):
    item = approve(item_under_appraisal, users["approver"])
    with pytest.raises(ValidationError):
        services.aid_item_revoke_approval(
            aid_item=item, user=users["approver"], reason="Not started", today=date(2024, 8, 1)
        )
    assert AidItem.objects.get(pk=item.pk).status == AidStatus.APPROVED
    services.aid_item_revoke_approval(
        aid_item=item, user=users["approver"], reason="Not started", today=date(2024, 9, 15)
    )
    assert AidItem.objects.get(pk=item.pk).status == AidStatus.APPROVAL_REVOKED


def test_an_editor_cannot_revoke_an_approval(users, item_under_appraisal):
    item = approve(item_under_appraisal, users["approver"])
    with pytest.raises(PermissionDenied):
        services.aid_item_revoke_approval(aid_item=item, user=users["editor"], reason="x", today=date(2025, 1, 1))


# --- scope and concurrent edits ------------------------------------------------------------------------------


def test_an_editor_cannot_create_aid_owned_by_another_province_and_nothing_is_saved(users, son_la):
    # Located in that province too, and not confirmed: the 403 comes before any request to confirm the location.
    with pytest.raises(PermissionDenied):
        make_aid_item(users["editor"], owning_province=son_la, confirmed=False)
    assert nothing_saved()


def test_an_editor_cannot_move_aid_to_another_province(users, hai_phong, son_la):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    with pytest.raises(PermissionDenied):
        services.aid_item_update(
            aid_item=item, user=users["editor"], data={"owning_province": son_la}, expected_version=item.version
        )
    # Moved there with a location there, unconfirmed: refused as a move, not asked about the location.
    with pytest.raises(PermissionDenied):
        services.aid_item_update(
            aid_item=item,
            user=users["editor"],
            data={"owning_province": son_la},
            parts=services.AidItemParts(locations=[services.LocationShare(son_la, Decimal(100))]),
            expected_version=item.version,
        )
    stored = AidItem.objects.get(pk=item.pk)
    assert (stored.owning_province, stored.version) == (hai_phong, 1)


def test_a_failing_part_leaves_the_stored_item_unchanged(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong, title="Original")
    with pytest.raises(ValidationError):
        services.aid_item_update(
            aid_item=item,
            user=users["editor"],
            data={"title_vi": "Changed"},
            expected_version=1,
            parts=services.AidItemParts(locations=[services.LocationShare(unit(SON_LA_COMMUNE), Decimal(50))]),
        )
    stored = AidItem.objects.get(pk=item.pk)
    assert (stored.title_vi, stored.version, stored.locations.get().unit) == ("Original", 1, hai_phong)


def test_the_second_of_two_editors_saving_the_same_item_gets_a_conflict(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    first, second = AidItem.objects.get(pk=item.pk), AidItem.objects.get(pk=item.pk)
    services.aid_item_update(aid_item=first, user=users["editor"], data={"title_vi": "First"}, expected_version=1)
    with pytest.raises(ConflictError):
        services.aid_item_update(
            aid_item=second, user=users["approver"], data={"title_vi": "Second"}, expected_version=1
        )
    stored = AidItem.objects.get(pk=item.pk)
    assert (stored.title_vi, stored.version) == ("First", 2)


def test_an_ngo_representative_cannot_create_aid(users, hai_phong):
    with pytest.raises(PermissionDenied):
        make_aid_item(users["ngo_rep"], owning_province=hai_phong)


def test_a_vnd_transaction_records_the_rate_its_usd_value_used(users, hai_phong):
    item = make_aid_item(users["editor"], owning_province=hai_phong)
    tx = make_transaction(users["editor"], item, amount="23787319", currency="VND", on=date(2023, 6, 1))
    assert tx.amount_vnd == Decimal(23787319)
    assert tx.amount_usd == Decimal("1000.00")
    assert tx.rate_date == date(2023, 1, 1)
    assert "VND" in tx.rate_source and "IMF" in tx.rate_source


def test_an_iati_identifier_names_one_aid_item_whichever_writer(users, hai_phong):
    editor = users["editor"]
    make_aid_item(editor, owning_province=hai_phong, iati_identifier="XM-DAC-1-VN-1")
    other = make_aid_item(editor, owning_province=hai_phong)

    with pytest.raises(ValidationError) as created:
        make_aid_item(editor, owning_province=hai_phong, iati_identifier="XM-DAC-1-VN-1")
    with pytest.raises(ValidationError) as changed:
        services.aid_item_update(
            aid_item=other, user=editor, data={"iati_identifier": "XM-DAC-1-VN-1"}, expected_version=other.version
        )
    with pytest.raises(ValidationError) as in_one_batch:
        services.aid_items_save(
            user=editor,
            rows=[
                services.ItemChange(
                    {"title_vi": t, "modality": "project", "owning_province": hai_phong, "iati_identifier": "XM-2"}
                )
                for t in ("Một", "Hai")
            ],
        )

    for error in (created, changed, in_one_batch):
        assert "iati_identifier" in error.value.message_dict
    assert AidItem.objects.count() == 2


# --- batches: every row checked before anything is written; a dry run writes nothing --------------------------


def test_a_batch_of_aid_items_is_refused_with_every_rows_breaches_and_writes_nothing(users, hai_phong):
    from amity.aid import rules
    from amity.core.breaches import BatchRefused

    editor = users["editor"]
    good = {"title_vi": "Tốt", "modality": "project", "owning_province": hai_phong}
    rows = [
        services.ItemChange(good),
        services.ItemChange(
            {**good, "title_vi": ""},
            services.AidItemParts(sectors=[services.SectorShare(sector("11220"), Decimal(60))]),
        ),
        services.ItemChange({**good, "owning_province": unit("30", Era.PRE2025)}),
    ]

    with pytest.raises(BatchRefused) as refused:
        services.aid_items_save(user=editor, rows=rows)

    assert [(b.index, b.breach.field) for b in refused.value.breaches] == [
        (1, "title_vi"),
        (1, "sectors.percentage"),
        (2, "owning_province"),
    ]
    assert set(refused.value.message_dict) == {"title_vi", "sectors", "owning_province"}  # a 400 naming them
    assert AidItem.all_objects.count() == 0
    assert services.aid_items_save(user=editor, rows=rows[:1], dry_run=True)[0].pk is None
    assert (AidItem.all_objects.count(), AidItem.history.count()) == (0, 0)
    assert refused.value.breaches[1].breach.message == rules.PERCENT_TOTAL


def test_a_dry_run_of_transactions_checks_versions_and_rates_and_writes_nothing(users, hai_phong):
    from amity.core.breaches import BatchRefused

    editor = users["editor"]
    item = make_aid_item(editor, owning_province=hai_phong)
    stored = make_transaction(editor, item, amount="100")
    stored.amount = Decimal(200)
    new = Transaction(
        aid_item=item,
        transaction_type="3",
        date=date(2023, 5, 1),
        amount=Decimal(5),
        currency=Currency.objects.get(code="USD"),
    )
    history = Transaction.history.count()

    assert len(services.transactions_save(user=editor, changes=[(stored, 1), (new, None)], dry_run=True)) == 2
    with pytest.raises(BatchRefused) as refused:
        services.transactions_save(user=editor, changes=[(stored, 7), (new, None)], dry_run=True)

    assert [(b.index, b.breach.field, dict(b.breach.params)) for b in refused.value.breaches] == [
        (0, "version", {"file_version": 7, "current": 1})
    ]
    assert new.pk is None
    assert Transaction.objects.get(pk=stored.pk).amount == Decimal(100)
    assert Transaction.history.count() == history
    with pytest.raises(ConflictError):  # the write claims the version: a 409, as ever
        services.transactions_save(user=editor, changes=[(stored, 7)])
