"""Aid items and transactions for tests, made through the services as users make them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from amity.aid import services
from amity.aid.models import AidItem, Transaction
from amity.organisations.models import Organisation
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency

# Units used across the tests (GSO codes; a code means something only with its era).
HAI_PHONG_COMMUNE = "10507"  # 2025: Thành Đông, Hải Phòng (31)
SON_LA_COMMUNE = "03646"  # 2025: Tô Hiệu, Sơn La (14)
SON_LA_COMMUNE_2 = "03664"  # 2025: Chiềng An, Sơn La (14)
OLD_HAI_DUONG_COMMUNE = "10507"  # pre-2025: Cẩm Thượng, Hải Dương (30), now in Hải Phòng
OLD_HAI_DUONG_DISTRICT = "288"  # pre-2025: Hải Dương city, a district


def sector(code: str) -> CodelistItem:
    return CodelistItem.objects.of("Sector").get(code=code)


def unit(code: str, era: str = Era.CURRENT) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(era=era, code=code)


def donor(name: str = "Korea Friendship Foundation", country: str | None = "KR", **extra: Any) -> Organisation:
    return Organisation.objects.create(
        name=name, kind="foreign_ngo", country=Country.objects.get(code=country) if country else None, **extra
    )


def make_aid_item(
    user: Any,
    *,
    owning_province: AdministrativeUnit,
    title: str = "Xây dựng trường mầm non",
    modality: str = "project",
    sectors: Iterable[tuple[str, str]] = (("11220", "100"),),
    locations: Iterable[tuple[AdministrativeUnit, str]] | None = None,
    participants: Iterable[tuple[Organisation, str]] = (),
    beneficiaries: Iterable[str] = (),
    confirmed: bool = True,
    **fields: Any,
) -> AidItem:
    """An aid item made through the service. Locations outside the user's provinces are confirmed (the page's
    box ticked) unless a test of that rule says `confirmed=False`."""
    parts = services.AidItemParts(
        sectors=[services.SectorShare(sector(code), Decimal(share)) for code, share in sectors],
        # A province's aid is located in it unless the test says otherwise ([] is nationwide aid).
        locations=[
            services.LocationShare(where, Decimal(share))
            for where, share in ([(owning_province, "100")] if locations is None else locations)
        ],
        participants=[services.Participation(organisation, role) for organisation, role in participants],
        beneficiaries=list(beneficiaries),
    )
    data = {"title_vi": title, "modality": modality, "owning_province": owning_province, **fields}
    return services.aid_item_create(user=user, data=data, parts=parts, confirmed=confirmed)


def make_transaction(
    user: Any,
    aid_item: AidItem,
    *,
    kind: str = "2",
    amount: str = "1000",
    currency: str = "USD",
    on: date = date(2023, 6, 1),
    **fields: Any,
) -> Transaction:
    data = {
        "transaction_type": kind,
        "date": on,
        "amount": Decimal(amount),
        "currency": Currency.objects.get(code=currency),
        **fields,
    }
    return services.transaction_create(user=user, aid_item=aid_item, data=data)


def approve(user: Any, aid_item: AidItem, *, on: date = date(2023, 1, 16)) -> AidItem:
    """Appraisal, then the approval decision, through the lifecycle services: from here on official figures count
    the item (`amity.aid.choices.OFFICIAL_STATUSES`)."""
    services.aid_item_submit_for_appraisal(aid_item=aid_item, user=user, received_on=on)
    return services.aid_item_approve(
        aid_item=aid_item, user=user, decision_number="15/QĐ-UBND", decision_date=on, authority="Chủ tịch UBND"
    )
