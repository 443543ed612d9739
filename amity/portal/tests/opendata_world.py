"""A register full of private data beside a little published data, for the tests of the published figures, the
open data and the public API: every `SECRET` string must stay out of every public page, download and answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from amity.aid import services as aid_services
from amity.aid.models import AidItem
from amity.aid.tests.factories import approve, donor, make_aid_item, make_transaction, unit
from amity.diplomacy.tests import factories as diplomacy
from amity.organisations import services as organisation_services
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit, CodelistItem
from amity.reports.models import PublishedReport
from amity.reports.services import report_publish
from amity.reports.spec import spec_from_params

SECRETS = (
    "SECRET-PROPOSED",
    "SECRET-APPRAISAL",
    "SECRET-REJECTED",
    "SECRET-DELETED",
    "SECRET-DESCRIPTION",
    "Nguyễn Bí Mật",  # an individual donor
    "secret-ngo@example.org",
    "+84 999 000 111",
    "SECRET-ADDRESS",
    "SECRET-EXPIRED-NGO",
    "officer.secret@gov.example",
    "Officer-Secret",
    "t-central",
    "t-approver",
    "SECRET-VISITOR",
    "777777",  # the amount of the proposed item's transaction
)


@dataclass
class World:
    public_item: AidItem
    nationwide_item: AidItem
    split_item: AidItem
    partner: Organisation
    licensed: Organisation
    national: PublishedReport
    provincial: PublishedReport


def build_world(users: dict[str, Any], hai_phong: AdministrativeUnit, son_la: AdministrativeUnit) -> World:
    editor, approver, central = users["editor"], users["approver"], users["central"]
    central.email, central.first_name, central.last_name = "officer.secret@gov.example", "Officer-Secret", "X"
    central.save()

    partner = donor("Korea Friendship Foundation", email="secret-ngo@example.org", phone="+84 999 000 111")
    partner.address = "SECRET-ADDRESS"
    partner.save()
    person = Organisation.objects.create(name="Nguyễn Bí Mật", kind="individual")

    # Published: approved aid in Hải Phòng, nationwide aid, and aid split between Hải Phòng and Sơn La.
    public_item = make_aid_item(
        editor, owning_province=hai_phong, title="Trường mầm non Thành Đông", participants=[(partner, "1")]
    )
    make_transaction(editor, public_item, amount="1000", on=date(2024, 3, 1), description="SECRET-DESCRIPTION")
    make_transaction(editor, public_item, kind="3", amount="400", on=date(2024, 6, 1), provider=person)
    make_transaction(editor, public_item, kind="3", amount="250.50", currency="EUR", on=date(2024, 7, 1))
    approve(approver, public_item)
    nationwide_item = make_aid_item(
        editor,
        owning_province=hai_phong,
        title="Học bổng toàn quốc",
        locations=[],
        sectors=(("11220", "60"), ("12220", "40")),
    )
    make_transaction(editor, nationwide_item, amount="3000", on=date(2024, 2, 1))
    approve(approver, nationwide_item)
    split_item = make_aid_item(
        users["admin"],
        owning_province=hai_phong,
        title="Nước sạch hai tỉnh",
        locations=[(unit("10507"), "60"), (unit("03646"), "40")],
    )
    make_transaction(users["admin"], split_item, amount="1001", on=date(2024, 4, 1))
    approve(users["admin"], split_item)

    # Not published: a proposal, aid under appraisal, rejected aid and a deleted approved item.
    proposed = make_aid_item(editor, owning_province=hai_phong, title="SECRET-PROPOSED")
    make_transaction(editor, proposed, amount="777777", on=date(2024, 3, 1))
    appraised = make_aid_item(editor, owning_province=hai_phong, title="SECRET-APPRAISAL")
    make_transaction(editor, appraised, amount="5000", on=date(2024, 3, 1))
    aid_services.aid_item_submit_for_appraisal(aid_item=appraised, user=editor, received_on=date(2024, 1, 2))
    rejected = make_aid_item(editor, owning_province=hai_phong, title="SECRET-REJECTED")
    make_transaction(editor, rejected, amount="6000", on=date(2024, 3, 1))
    aid_services.aid_item_submit_for_appraisal(aid_item=rejected, user=editor, received_on=date(2024, 1, 2))
    aid_services.aid_item_reject(aid_item=rejected, user=approver, reason="Không phù hợp")
    deleted = make_aid_item(editor, owning_province=hai_phong, title="SECRET-DELETED")
    make_transaction(editor, deleted, amount="8000", on=date(2024, 3, 1))
    approve(approver, deleted)
    aid_services.aid_item_delete(aid_item=deleted, user=approver)

    # The directory: a licensed NGO, one whose licence expired, one never licensed.
    today = timezone.localdate()
    licensed = Organisation.objects.create(
        name="Stichting Open Hands",
        name_vi="Tổ chức Bàn tay rộng mở",
        kind="foreign_ngo",
        website="https://open.example",
        email="secret-ngo@example.org",
        phone="+84 999 000 111",
        address="SECRET-ADDRESS",
    )
    registration = organisation_services.registration_create(
        user=central,
        data={
            "organisation": licensed,
            "kind": "operation",
            "number": "01/GĐK",
            "issue_date": today - timedelta(days=30),
            "expiry_date": today + timedelta(days=700),
        },
    )
    registration.provinces.set([hai_phong])
    registration.sectors.set(CodelistItem.objects.of("SectorCategory").filter(code="112"))
    expired = Organisation.objects.create(name="SECRET-EXPIRED-NGO", kind="foreign_ngo")
    organisation_services.registration_create(
        user=central,
        data={
            "organisation": expired,
            "kind": "operation",
            "number": "02/GĐK",
            "issue_date": date(2019, 1, 1),
            "expiry_date": date(2022, 1, 1),
        },
    )
    Organisation.objects.create(name="SECRET-UNLICENSED", kind="foreign_ngo")

    # People's diplomacy: a visitor's personal data.
    diplomacy.visitor(editor, diplomacy.union(editor), full_name="SECRET-VISITOR")

    national = report_publish(
        user=central, spec=spec_from_params({"year": "2024", "group_by": "province"}), title="Toàn quốc 2024"
    )
    provincial = report_publish(
        user=approver, spec=spec_from_params({"year": "2024", "province": "31"}), title="Hải Phòng 2024"
    )
    return World(public_item, nationwide_item, split_item, partner, licensed, national, provincial)
