"""Deterministic demo data, built so that Amity's own figures reproduce the published ones.

- Hải Dương union (old province 30, within Hải Phòng 31 since 1 Jul 2025): 70 aid packages from 12 foreign
  NGOs in 2018–2024 worth USD 5.84 million (147.6 billion VND at 25,274 VND/USD), 1.8 × the 40 packages of
  2012–2017 (USD 3.24 million); mostly education, social protection and health; USD, EUR, KRW and AUD.
- Sơn La (14): 31 foreign NGOs with valid registrations; in 2023 six programmes/projects with USD 4.9 million
  committed.
- National: disbursements in all provinces adding up to the reported yearly totals (2022: 223.8, 2023: 228.7
  million USD; 2018–2019 interpolated between the 2015 and 2020 reports).

- Up to the day it is loaded (`today`): from 2025 on, aid in every province — recorded in the old provinces until
  30 Jun 2025, in the 34 new ones from 1 Jul 2025 — including Hải Phòng's own (the demo province), with
  commitments and disbursements up to that day, items still in appraisal, and licences that expire within the
  next weeks (some whose extension is overdue) beside others renewed; 2012–2024 stay as published.

Every record carries `is_demo`; `demo_remove()` deletes exactly those. Amounts are drawn in USD, then
expressed in the donor's currency at the value-date rate (the same RateBook the services use), so the
stored USD values add up to the published totals to the cent or so.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from amity.accounts.models import User
from amity.aid.choices import AidStatus, BeneficiaryGroup, Modality, ParticipantRole, TransactionType
from amity.aid.models import AidBeneficiary, AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from amity.core.models import BaseModel
from amity.core.money import allocate, quantize
from amity.demo.diplomacy import diplomacy_load, diplomacy_remove
from amity.demo.documents import demo_documents_load, demo_documents_remove
from amity.demo.obligations import demo_obligations_load, demo_obligations_remove
from amity.demo.users import demo_users_ensure
from amity.organisations.choices import OrganisationKind, RegistrationEventKind, RegistrationKind
from amity.organisations.models import Organisation, Registration, RegistrationEvent
from amity.reference.choices import Era, UnitLevel
from amity.reference.fx import RateBook
from amity.reference.models import AdministrativeUnit, CodelistItem, Country, Currency, UnitMapping
from amity.reports.facts import facts_refresh

SEED = 20250701
NAMESPACE = uuid.UUID("6f1c2a52-7d0e-4a8e-9a59-0d5a3c1e2b10")
D = Decimal

HAI_DUONG_OLD = "30"
HAI_PHONG = "31"
SON_LA = "14"
HAI_DUONG_TOTAL_2018_2024 = D("5840000.00")
HAI_DUONG_TOTAL_2012_2017 = D("3240000.00")
SON_LA_COMMITTED_2023 = D("4900000.00")
# Reported national disbursements, million USD (../shared/vn/figures and the 2024 conference).
NATIONAL_DISBURSED = {
    2018: D("245.6"),
    2019: D("233.1"),
    2020: D("220.7"),
    2021: D("233.0"),
    2022: D("223.8"),
    2023: D("228.7"),
    2024: D("234.0"),
}
FILLER_ITEMS_PER_YEAR = 60
REGISTERED_UNTIL = date(2027, 6, 30)  # demo licences run at least this long (extensions every 3 years)
RECENT_FROM = date(2025, 1, 1)  # the published figures end in 2024; from here on the demo follows the calendar
NEW_ERA_FROM = date(2025, 7, 1)  # locations in the 34 new provinces from this day, the old ones before
RECENT_ITEMS_PER_MONTH = 6  # national aid per month since 2025
RECENT_USD_PER_MONTH = D("19500000.00")  # disbursed nationally a month (about the 2024 pace)
EXPIRING_IN_DAYS = (18, 41, 55, 77, 86)  # licences of some Hải Phòng NGOs end this many days after loading

HAI_DUONG_DONORS = [  # (name, acronym, country, currency)
    ("Association Amitié Seine-Saint-Denis – Hai Duong", "AASH", "FR", "EUR"),
    ("Suwon Friendship Foundation", "SFF", "KR", "KRW"),
    ("Australian Volunteers for Vietnamese Children", "AVVC", "AU", "AUD"),
    ("Children of Vietnam Fund", "CVF", "US", "USD"),
    ("Montreuil Solidarité Vietnam", "MSV", "FR", "EUR"),
    ("Korea Medical Sharing Association", "KMSA", "KR", "KRW"),
    ("Stiftung Schulen für Vietnam", "SSV", "DE", "EUR"),
    ("Pacific Links Scholarship Trust", "PLST", "US", "USD"),
    ("Friends of Hai Duong (Australia)", "FHDA", "AU", "AUD"),
    ("Global Sight Mission", "GSM", "US", "USD"),
    ("Hope and Health Korea", "HHK", "KR", "KRW"),
    ("Vlaamse Vrienden van Vietnam", "VVV", "BE", "EUR"),
]
HAI_DUONG_THEMES = [  # (sector, weight, modality, beneficiaries, title)
    (
        "11420",
        18,
        Modality.NON_PROJECT,
        ["students", "poor_households"],
        "Học bổng cho học sinh nghèo vượt khó",
    ),
    ("11120", 14, Modality.PROJECT, ["children", "students"], "Xây dựng phòng học trường tiểu học"),
    (
        "16010",
        14,
        Modality.NON_PROJECT,
        ["poor_households", "people_with_disabilities"],
        "Hỗ trợ hộ nghèo và người khuyết tật",
    ),
    (
        "12191",
        10,
        Modality.NON_PROJECT,
        ["elderly", "patients"],
        "Khám chữa bệnh miễn phí cho người cao tuổi",
    ),
    ("12230", 8, Modality.NON_PROJECT, ["patients"], "Trang thiết bị y tế cho trạm y tế xã"),
    ("11220", 6, Modality.PROJECT, ["children"], "Nâng cao chất lượng giáo dục tiểu học"),
]
SON_LA_PROJECTS = [  # (sector, share of 4.9 M, modality, beneficiaries, title)
    (
        "31163",
        24,
        Modality.PROJECT,
        ["ethnic_minorities", "farmers"],
        "Sinh kế bền vững cho đồng bào dân tộc thiểu số",
    ),
    ("31120", 20, Modality.PROJECT, ["farmers"], "Phát triển nông nghiệp cây ăn quả vùng cao"),
    ("41010", 16, Modality.PROGRAMME, ["community"], "Thích ứng với biến đổi khí hậu dựa vào cộng đồng"),
    ("12220", 15, Modality.PROJECT, ["women", "children"], "Chăm sóc sức khỏe bà mẹ và trẻ em"),
    (
        "11220",
        15,
        Modality.PROJECT,
        ["children", "ethnic_minorities"],
        "Giáo dục song ngữ cho trẻ em dân tộc thiểu số",
    ),
    ("15150", 10, Modality.PROGRAMME, ["community"], "Nâng cao năng lực và nhận thức cộng đồng"),
]
FILLER_SECTORS = [
    "11220",
    "11120",
    "12220",
    "12191",
    "16010",
    "31120",
    "43040",
    "14030",
    "41010",
    "74020",
    "72010",
    "11330",
    "16020",
    "12240",
]
DONOR_COUNTRIES = [
    ("US", "USD"),
    ("FR", "EUR"),
    ("DE", "EUR"),
    ("JP", "JPY"),
    ("KR", "KRW"),
    ("GB", "GBP"),
    ("AU", "AUD"),
    ("NL", "EUR"),
    ("CA", "CAD"),
    ("CH", "CHF"),
    ("SE", "SEK"),
    ("BE", "EUR"),
]


def demo_uuid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts))


@dataclass
class DemoBuild:
    """Rows collected in memory, then written with a few bulk inserts."""

    organisations: list[Organisation] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    registration_provinces: list[tuple[Registration, AdministrativeUnit]] = field(default_factory=list)
    events: list[RegistrationEvent] = field(default_factory=list)
    items: list[AidItem] = field(default_factory=list)
    participants: list[AidParticipant] = field(default_factory=list)
    sectors: list[SectorSplit] = field(default_factory=list)
    locations: list[LocationSplit] = field(default_factory=list)
    beneficiaries: list[AidBeneficiary] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)


class DemoBuilder:
    def __init__(self, today: date | None = None) -> None:
        self.today = today or timezone.localdate()
        # Licences run at least a year past the loading day, and past mid-2027 as published.
        self.registered_until = max(REGISTERED_UNTIL, self.today + timedelta(days=365))
        # Registration key → the day it ends, within 90 days of loading (Hải Phòng NGOs: the demo users' watch list).
        self.expiring: dict[str, date] = (
            {
                key: self.today + timedelta(days=days)
                for key, days in zip(("HD02", "NA05", "HD05", "NA10", "HD08"), EXPIRING_IN_DAYS, strict=True)
            }
            if self.today >= RECENT_FROM
            else {}
        )
        self.rng = random.Random(SEED)
        self.recent_rng = random.Random(f"{SEED}-recent")  # apart, so that 2012–2024 are drawn as published
        self.son_la_items: list[tuple[AidItem, Organisation, str, Decimal]] = []
        self.donors: list[tuple[Organisation, str]] = []
        self.book = RateBook()
        self.build = DemoBuild()
        self.currencies = {c.code: c for c in Currency.objects.all()}
        self.countries = {c.code: c for c in Country.objects.all()}
        self.sectors = {s.code: s for s in CodelistItem.objects.of("Sector")}
        provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)
        self.provinces = {(p.era, p.code): p for p in provinces}
        self.successor = {
            m.old_unit_id: self.provinces[(Era.CURRENT, m.new_unit.code)]
            for m in UnitMapping.objects.filter(level=UnitLevel.PROVINCE).select_related("new_unit")
        }
        self.old_hd_communes = list(
            AdministrativeUnit.objects.filter(era=Era.PRE2025, level=UnitLevel.COMMUNE, province__code=HAI_DUONG_OLD)
            .select_related("province")
            .order_by("code")
        )
        self.old_sl_communes = list(
            AdministrativeUnit.objects.filter(era=Era.PRE2025, level=UnitLevel.COMMUNE, province__code=SON_LA)
            .select_related("province")
            .order_by("code")
        )

    # --- organisations and registrations ---------------------------------------------------------------------

    def organisation(
        self,
        key: str,
        *,
        name: str,
        kind: str,
        country: str | None = None,
        acronym: str = "",
        name_vi: str = "",
        province: str | None = None,
    ) -> Organisation:
        org = Organisation(
            public_id=demo_uuid("org", key),
            name=name,
            name_vi=name_vi,
            acronym=acronym,
            kind=kind,
            country=self.countries.get(country) if country else None,
            is_demo=True,
            owning_province=self.provinces[(Era.CURRENT, province)] if province else None,
        )
        self.build.organisations.append(org)
        return org

    def register(self, org: Organisation, key: str, provinces: list[str], issued: date) -> None:
        """An operation certificate for 3 years, extended every 3 years (each filed 75 days before expiry)
        until past 2027, so that the NGO was registered whenever it gave."""
        expiry = issued.replace(year=issued.year + 3) - timedelta(days=1)
        number = f"DEMO-{issued.year}-{key}"
        events = [
            RegistrationEvent(kind=RegistrationEventKind.ISSUED, date=issued, decision_number=number, new_expiry=expiry)
        ]
        ends = self.expiring.get(key)
        until = ends if ends is not None else self.registered_until
        while expiry < until:
            extended = expiry.replace(year=expiry.year + 3)
            if ends is not None:  # 3 years at most; a licence about to end got a shorter last term
                extended = min(extended, ends)
            events.append(
                RegistrationEvent(
                    kind=RegistrationEventKind.EXTENDED,
                    date=expiry - timedelta(days=75),
                    decision_number=f"{number}/GH{len(events)}",
                    previous_expiry=expiry,
                    new_expiry=extended,
                )
            )
            expiry = extended
        registration = Registration(
            public_id=demo_uuid("registration", key),
            organisation=org,
            kind=RegistrationKind.OPERATION,
            number=number,
            issue_date=issued,
            expiry_date=expiry,
            is_demo=True,
            version=len(events),
        )
        for event in events:
            event.registration = registration
        self.build.registrations.append(registration)
        self.build.events += events
        for code in provinces:
            self.build.registration_provinces.append((registration, self.provinces[(Era.CURRENT, code)]))

    # --- aid items -------------------------------------------------------------------------------------------

    def aid_item(
        self,
        key: str,
        *,
        title: str,
        modality: str,
        owner: str,
        start: date,
        end: date,
        status: str,
        donor: Organisation,
        managing: Organisation,
        aid_owner: Organisation,
        sectors: list[tuple[str, Decimal]],
        locations: list[tuple[AdministrativeUnit, Decimal]],
        beneficiaries: list[str],
    ) -> AidItem:
        item = AidItem(
            public_id=demo_uuid("aid", key),
            reference=f"DEMO-{key}",
            title_vi=title,
            modality=modality,
            owning_province=self.provinces[(Era.CURRENT, owner)],
            status=status,
            planned_start=start,
            planned_end=end,
            actual_start=start if status in _STARTED else None,
            actual_end=end if status in _ENDED else None,
            appraisal_started_on=start - timedelta(days=45),
            decision_number=f"{self.rng.randint(100, 2999)}/QĐ-UBND",
            decision_date=start - timedelta(days=20),
            decision_authority="Chủ tịch Ủy ban nhân dân tỉnh",
            managing_agency=managing,
            aid_owner=aid_owner,
            is_demo=True,
        )
        self.build.items.append(item)
        self.build.participants += [
            AidParticipant(aid_item=item, organisation=donor, role=ParticipantRole.FUNDING),
            AidParticipant(aid_item=item, organisation=aid_owner, role=ParticipantRole.IMPLEMENTING),
        ]
        self.build.sectors += [
            SectorSplit(aid_item=item, sector=self.sectors[code], percentage=pct) for code, pct in sectors
        ]
        self.build.locations += [
            LocationSplit(aid_item=item, unit=unit, percentage=pct, current_province=self.current_province(unit))
            for unit, pct in locations
        ]
        self.build.beneficiaries += [AidBeneficiary(aid_item=item, group=g) for g in sorted(set(beneficiaries))]
        return item

    def current_province(self, unit: AdministrativeUnit) -> AdministrativeUnit:
        if unit.level == UnitLevel.PROVINCE:
            province = unit
        elif unit.province is None:
            raise ValueError(f"{unit} has no province.")
        else:
            province = self.provinces[(unit.era, unit.province.code)]
        return province if province.era == Era.CURRENT else self.successor[province.pk]

    def transaction(
        self,
        item: AidItem,
        key: str,
        *,
        kind: str,
        day: date,
        usd: Decimal,
        currency: str,
        provider: Organisation,
    ) -> None:
        """A transaction worth `usd` at the value-date rate, expressed in `currency`."""
        minor = self.currencies[currency].minor_units
        quantum = D(1).scaleb(-minor)
        rate = self.book.rate(currency, day).units_per_usd if currency != "USD" else D(1)
        amount = quantize(usd * rate, quantum)
        tx = Transaction(
            public_id=demo_uuid("tx", key),
            aid_item=item,
            transaction_type=kind,
            date=day,
            value_date=day,
            amount=amount,
            currency=self.currencies[currency],
            provider=provider,
            is_demo=True,
        )
        from amity.aid.services import value_transaction

        value_transaction(tx, self.book)
        self.build.transactions.append(tx)

    # --- the three stories ----------------------------------------------------------------------------------

    def weights(self, count: int, low: int = 40, high: int = 260) -> list[Decimal]:
        return [D(self.rng.randint(low, high)) for _ in range(count)]

    def locations_in(
        self, communes: list[AdministrativeUnit], rng: random.Random | None = None
    ) -> list[tuple[AdministrativeUnit, Decimal]]:
        rng = rng or self.rng
        chosen = rng.sample(communes, rng.choice([1, 1, 2, 3]))
        shares = allocate(D(100), [D(1)] * len(chosen))
        return list(zip(chosen, shares, strict=True))

    def hai_duong(self) -> None:
        union = self.organisation(
            "hd-union",
            name="Liên hiệp các tổ chức hữu nghị tỉnh Hải Dương",
            kind=OrganisationKind.VIETNAMESE_AGENCY,
            province=HAI_PHONG,
            acronym="LHHN-HD",
        )
        committee = self.organisation(
            "hd-pc",
            name="Ủy ban nhân dân tỉnh Hải Dương",
            kind=OrganisationKind.VIETNAMESE_AGENCY,
            province=HAI_PHONG,
        )
        donors = []
        self.hai_duong_union, self.hai_duong_committee = union, committee
        for index, (name, acronym, country, currency) in enumerate(HAI_DUONG_DONORS):
            org = self.organisation(
                f"hd-donor-{index}",
                name=name,
                acronym=acronym,
                country=country,
                kind=OrganisationKind.FOREIGN_NGO,
            )
            self.register(org, f"HD{index:02}", [HAI_PHONG], date(2011, 1 + index % 12, 10))
            donors.append((org, currency))
        self.hai_duong_donors = donors
        periods = [
            ("hd", 70, range(2018, 2025), HAI_DUONG_TOTAL_2018_2024),
            ("hd-early", 40, range(2012, 2018), HAI_DUONG_TOTAL_2012_2017),
        ]
        themes = [theme for theme in HAI_DUONG_THEMES for _ in range(theme[1])]
        for prefix, count, years, total in periods:
            amounts = allocate(total, self.weights(count))
            for n, usd in enumerate(amounts):
                year = years[n % len(years)]
                donor, currency = donors[n % len(donors)]
                sector, _w, modality, beneficiaries, title = self.rng.choice(themes)
                start = date(year, self.rng.randint(1, 10), self.rng.randint(1, 28))
                item = self.aid_item(
                    f"{prefix}-{n:03}",
                    title=f"{title} ({year})",
                    modality=modality,
                    owner=HAI_PHONG,
                    start=start,
                    end=start + timedelta(days=self.rng.randint(30, 300)),
                    status=AidStatus.CLOSED,
                    donor=donor,
                    managing=committee,
                    aid_owner=union,
                    sectors=[(sector, D(100))],
                    locations=self.locations_in(self.old_hd_communes),
                    beneficiaries=beneficiaries,
                )
                self.transaction(
                    item,
                    f"{prefix}-{n}-c",
                    kind=TransactionType.OUTGOING_COMMITMENT,
                    day=start,
                    usd=usd,
                    currency=currency,
                    provider=donor,
                )
                # Disbursed in full, in one or two tranches within the same year.
                tranches = allocate(usd, [D(1)] * self.rng.choice([1, 2]))
                for t, part in enumerate(tranches):
                    day = min(start + timedelta(days=20 + 40 * t), date(year, 12, 28))
                    self.transaction(
                        item,
                        f"{prefix}-{n}-d{t}",
                        kind=TransactionType.DISBURSEMENT,
                        day=day,
                        usd=part,
                        currency=currency,
                        provider=donor,
                    )

    def son_la(self) -> None:
        committee = self.organisation(
            "sl-pc",
            name="Ủy ban nhân dân tỉnh Sơn La",
            kind=OrganisationKind.VIETNAMESE_AGENCY,
            province=SON_LA,
        )
        union = self.organisation(
            "sl-union",
            name="Liên hiệp các tổ chức hữu nghị tỉnh Sơn La",
            kind=OrganisationKind.VIETNAMESE_AGENCY,
            province=SON_LA,
        )
        ngos = []
        for index in range(31):
            country, currency = DONOR_COUNTRIES[index % len(DONOR_COUNTRIES)]
            org = self.organisation(
                f"sl-ngo-{index}",
                name=f"{_NGO_NAMES[index % len(_NGO_NAMES)]} {country}-{index + 1:02}",
                country=country,
                kind=OrganisationKind.FOREIGN_NGO,
            )
            self.register(org, f"SL{index:02}", [SON_LA], date(2022, 1 + index % 12, 15))
            ngos.append((org, currency))
        self.son_la_ngos = ngos
        amounts = allocate(SON_LA_COMMITTED_2023, [D(p[1]) for p in SON_LA_PROJECTS])
        for n, ((sector, _w, modality, beneficiaries, title), usd) in enumerate(
            zip(SON_LA_PROJECTS, amounts, strict=True)
        ):
            donor, currency = ngos[n * 5]
            start = date(2023, 2 + n, 10)
            item = self.aid_item(
                f"sl-{n}",
                title=title,
                modality=modality,
                owner=SON_LA,
                start=start,
                end=date(2026, 12, 31),
                status=AidStatus.IN_PROGRESS,
                donor=donor,
                managing=committee,
                aid_owner=union,
                sectors=[(sector, D(100))],
                locations=self.locations_in(self.old_sl_communes),
                beneficiaries=beneficiaries,
            )
            self.son_la_items.append((item, donor, currency, usd))
            self.transaction(
                item,
                f"sl-{n}-c",
                kind=TransactionType.OUTGOING_COMMITMENT,
                day=start,
                usd=usd,
                currency=currency,
                provider=donor,
            )
            for t, (year, share) in enumerate([(2023, D("0.35")), (2024, D("0.40"))]):
                self.transaction(
                    item,
                    f"sl-{n}-d{t}",
                    kind=TransactionType.DISBURSEMENT,
                    day=date(year, 9, 1 + n),
                    usd=quantize(usd * share),
                    currency=currency,
                    provider=donor,
                )

    def national(self) -> None:
        """Aid in every province so that yearly disbursements add up to the reported national totals."""
        donors = self.donors
        for index in range(60):
            country, currency = DONOR_COUNTRIES[index % len(DONOR_COUNTRIES)]
            org = self.organisation(
                f"nat-ngo-{index}",
                name=f"{_NGO_NAMES[(index + 7) % len(_NGO_NAMES)]} {country}",
                acronym=f"N{index:02}",
                country=country,
                kind=OrganisationKind.FOREIGN_NGO,
            )
            self.register(org, f"NA{index:02}", [HAI_PHONG if index % 5 == 0 else "01"], date(2017, 1 + index % 12, 5))
            donors.append((org, currency))
        current = sorted((p for (era, _c), p in self.provinces.items() if era == Era.CURRENT), key=lambda p: p.code)
        old = sorted((p for (era, _c), p in self.provinces.items() if era == Era.PRE2025), key=lambda p: p.code)
        disbursed_so_far: dict[int, Decimal] = {}
        for tx in self.build.transactions:
            if tx.transaction_type == TransactionType.DISBURSEMENT:
                disbursed_so_far[tx.value_date.year] = disbursed_so_far.get(tx.value_date.year, D(0)) + tx.amount_usd
        for year, millions in NATIONAL_DISBURSED.items():
            remaining = millions * D(1_000_000) - disbursed_so_far.get(year, D(0))
            amounts = allocate(remaining, self.weights(FILLER_ITEMS_PER_YEAR, 10, 400))
            for n, usd in enumerate(amounts):
                donor, currency = donors[(year * 7 + n) % len(donors)]
                # Older items are located in old-era provinces (as recorded then), newer ones in new provinces.
                pool = old if n % 2 == 0 else current
                chosen = self.rng.sample(
                    [p for p in pool if p.code not in {SON_LA, HAI_DUONG_OLD}], self.rng.choice([1, 1, 2])
                )
                shares = allocate(D(100), self.weights(len(chosen), 1, 5))
                owner = self.current_province(chosen[0]).code
                start = date(year, self.rng.randint(1, 6), self.rng.randint(1, 28))
                sector_codes = self.rng.sample(FILLER_SECTORS, self.rng.choice([1, 1, 2]))
                sector_shares = allocate(D(100), [D(1)] * len(sector_codes))
                item = self.aid_item(
                    f"nat-{year}-{n:02}",
                    title=f"{self.rng.choice(_FILLER_TITLES)} ({year})",
                    modality=self.rng.choice(
                        [Modality.PROJECT, Modality.PROJECT, Modality.NON_PROJECT, Modality.PROGRAMME]
                    ),
                    owner=owner,
                    start=start,
                    end=date(year, 12, 31),
                    status=AidStatus.CLOSED if year < 2024 else AidStatus.COMPLETED,
                    donor=donor,
                    managing=donor,
                    aid_owner=donor,
                    sectors=list(zip(sector_codes, sector_shares, strict=True)),
                    locations=list(zip(chosen, shares, strict=True)),
                    beneficiaries=[self.rng.choice(list(BeneficiaryGroup.values))],
                )
                self.transaction(
                    item,
                    f"nat-{year}-{n}-c",
                    kind=TransactionType.OUTGOING_COMMITMENT,
                    day=start,
                    usd=quantize(usd * D("1.1")),
                    currency=currency,
                    provider=donor,
                )
                self.transaction(
                    item,
                    f"nat-{year}-{n}-d",
                    kind=TransactionType.DISBURSEMENT,
                    day=start + timedelta(days=30),
                    usd=usd,
                    currency=currency,
                    provider=donor,
                )

    def recent(self) -> None:
        """From 2025 up to the loading day: national aid month by month (old provinces until 30 Jun 2025, the
        34 new ones after), Hải Phòng's own aid in its new communes — some still proposed or in appraisal — and
        the Sơn La projects' later tranches. Nothing is dated after `today`."""
        rng, today = self.recent_rng, self.today
        if today < RECENT_FROM:
            return
        current = sorted((p for (era, _c), p in self.provinces.items() if era == Era.CURRENT), key=lambda p: p.code)
        old = sorted((p for (era, _c), p in self.provinces.items() if era == Era.PRE2025), key=lambda p: p.code)
        hai_phong_communes = list(
            AdministrativeUnit.objects.filter(era=Era.CURRENT, level=UnitLevel.COMMUNE, province__code=HAI_PHONG)
            .select_related("province")
            .order_by("code")
        )
        donors = self.donors + self.hai_duong_donors + self.son_la_ngos
        month = RECENT_FROM
        n = 0
        while month <= today:
            amounts = allocate(RECENT_USD_PER_MONTH, self.weights_from(rng, RECENT_ITEMS_PER_MONTH))
            for usd in amounts:
                n += 1
                donor, currency = donors[n % len(donors)]
                start = month + timedelta(days=rng.randint(0, 27))
                if start > today:
                    continue
                pool = old if start < NEW_ERA_FROM else current
                chosen = rng.sample(pool, rng.choice([1, 1, 2]))
                sector_codes = rng.sample(FILLER_SECTORS, rng.choice([1, 1, 2]))
                end = start + timedelta(days=rng.randint(60, 540))
                item = self.aid_item(
                    f"recent-{n:04}",
                    title=f"{rng.choice(_FILLER_TITLES)} ({start.year})",
                    modality=rng.choice([Modality.PROJECT, Modality.NON_PROJECT, Modality.PROGRAMME]),
                    owner=self.current_province(chosen[0]).code,
                    start=start,
                    end=end,
                    status=AidStatus.COMPLETED if end < today else AidStatus.IN_PROGRESS,
                    donor=donor,
                    managing=donor,
                    aid_owner=donor,
                    sectors=list(zip(sector_codes, allocate(D(100), [D(1)] * len(sector_codes)), strict=True)),
                    locations=list(zip(chosen, allocate(D(100), [D(1)] * len(chosen)), strict=True)),
                    beneficiaries=[rng.choice(list(BeneficiaryGroup.values))],
                )
                self.tranches(item, f"recent-{n}", start=start, end=end, usd=usd, currency=currency, donor=donor)
            month = (month + timedelta(days=32)).replace(day=1)
        self.hai_phong_recent(hai_phong_communes)
        for index, (item, donor, currency, usd) in enumerate(self.son_la_items):
            for year in range(2025, today.year + 1):
                day = date(year, 3, 1 + index)
                if day <= today:
                    self.give(
                        item,
                        f"sl-{index}-{year}",
                        TransactionType.DISBURSEMENT,
                        day,
                        quantize(usd * D("0.10")),
                        donor,
                        currency,
                    )

    def hai_phong_recent(self, communes: list[AdministrativeUnit]) -> None:
        """Hải Phòng's aid in its new communes since 1 Jul 2025: under way, and a few items the demo approver
        has to decide (proposed last week, in appraisal for ten days)."""
        rng, today = self.recent_rng, self.today
        if today < NEW_ERA_FROM:
            return
        themes = [theme for theme in HAI_DUONG_THEMES for _ in range(theme[1])]
        span = (today - NEW_ERA_FROM).days
        for n in range(12):
            donor, currency = self.hai_duong_donors[n % len(self.hai_duong_donors)]
            sector, _w, modality, beneficiaries, title = rng.choice(themes)
            pending = n >= 10
            start = today - timedelta(days=7 + 3 * n) if pending else NEW_ERA_FROM + timedelta(days=span * n // 10)
            end = start + timedelta(days=rng.randint(90, 400))
            status = (
                (AidStatus.PROPOSED if n == 11 else AidStatus.UNDER_APPRAISAL)
                if pending
                else (AidStatus.COMPLETED if end < today else AidStatus.IN_PROGRESS)
            )
            item = self.aid_item(
                f"hp-{n:02}",
                title=f"{title} ({start.year})",
                modality=modality,
                owner=HAI_PHONG,
                start=start,
                end=end,
                status=status,
                donor=donor,
                managing=self.hai_duong_committee,
                aid_owner=self.hai_duong_union,
                sectors=[(sector, D(100))],
                locations=self.locations_in(communes, rng),
                beneficiaries=beneficiaries,
            )
            if pending:
                item.appraisal_started_on = today - timedelta(days=10) if status == AidStatus.UNDER_APPRAISAL else None
                item.decision_number = item.decision_authority = ""
                item.decision_date = None
                continue
            usd = quantize(D(rng.randint(20_000, 180_000)))
            self.tranches(item, f"hp-{n}", start=start, end=end, usd=usd, currency=currency, donor=donor)

    def tranches(
        self, item: AidItem, key: str, *, start: date, end: date, usd: Decimal, currency: str, donor: Organisation
    ) -> None:
        """The commitment on the start day, then disbursements every 90 days until the end — none after today."""
        self.give(item, f"{key}-c", TransactionType.OUTGOING_COMMITMENT, start, usd, donor, currency)
        days = list(range(30, max((end - start).days, 31), 90))
        for t, part in enumerate(allocate(usd, [D(1)] * len(days))):
            day = start + timedelta(days=days[t])
            if day <= self.today:
                self.give(item, f"{key}-d{t}", TransactionType.DISBURSEMENT, day, part, donor, currency)

    def give(
        self, item: AidItem, key: str, kind: str, day: date, usd: Decimal, donor: Organisation, currency: str
    ) -> None:
        self.transaction(item, key, kind=kind, day=day, usd=usd, currency=currency, provider=donor)

    @staticmethod
    def weights_from(rng: random.Random, count: int) -> list[Decimal]:
        return [D(rng.randint(10, 400)) for _ in range(count)]

    def write(self) -> DemoBuild:
        build = self.build
        bulk_create_with_history(build.organisations, Organisation, batch_size=500)
        by_uuid = {o.public_id: o for o in Organisation.all_objects.filter(is_demo=True)}
        _repoint(build.registrations, "organisation", by_uuid)
        bulk_create_with_history(build.registrations, Registration, batch_size=500)
        registrations = {r.public_id: r for r in Registration.all_objects.filter(is_demo=True)}
        through = Registration.provinces.through
        through.objects.bulk_create(
            through(registration_id=registrations[r.public_id].pk, administrativeunit_id=p.pk)
            for r, p in build.registration_provinces
        )
        for event in build.events:
            event.registration = registrations[event.registration.public_id]
        RegistrationEvent.objects.bulk_create(build.events)
        for item in build.items:
            for name in ("managing_agency", "aid_owner"):
                setattr(item, name, by_uuid[getattr(item, name).public_id])
        bulk_create_with_history(build.items, AidItem, batch_size=500)
        items = {i.public_id: i for i in AidItem.all_objects.filter(is_demo=True)}
        for rows in (
            build.participants,
            build.sectors,
            build.locations,
            build.beneficiaries,
            build.transactions,
        ):
            for row in rows:
                row.aid_item = items[row.aid_item.public_id]
        for row in build.participants:
            row.organisation = by_uuid[row.organisation.public_id]
        for tx in build.transactions:
            if tx.provider is not None:
                tx.provider = by_uuid[tx.provider.public_id]
        AidParticipant.objects.bulk_create(build.participants, batch_size=1000)
        SectorSplit.objects.bulk_create(build.sectors, batch_size=1000)
        LocationSplit.objects.bulk_create(build.locations, batch_size=1000)
        AidBeneficiary.objects.bulk_create(build.beneficiaries, batch_size=1000)
        bulk_create_with_history(build.transactions, Transaction, batch_size=1000)
        facts_refresh(items[item.public_id].pk for item in build.items)
        return build


def _repoint(rows: Sequence[Model], name: str, by_uuid: dict[uuid.UUID, Organisation]) -> None:
    for row in rows:
        setattr(row, name, by_uuid[getattr(row, name).public_id])


_STARTED = {AidStatus.IN_PROGRESS, AidStatus.COMPLETED, AidStatus.CLOSED}
_ENDED = {AidStatus.COMPLETED, AidStatus.CLOSED}
_NGO_NAMES = [
    "Green Mountains Trust",
    "Bridges of Friendship",
    "Helping Hands International",
    "Clear Water Alliance",
    "Rural Futures Foundation",
    "Children First Network",
    "Healthy Villages Initiative",
    "Seeds of Hope",
    "Open Classrooms Fund",
    "Mekong Partners",
    "Sunrise Care Association",
    "Highland Livelihoods Trust",
]
_FILLER_TITLES = [
    "Nước sạch và vệ sinh môi trường nông thôn",
    "Hỗ trợ sinh kế cho phụ nữ nghèo",
    "Phòng chống thiên tai dựa vào cộng đồng",
    "Chăm sóc sức khỏe ban đầu",
    "Xây dựng trường mầm non",
    "Dạy nghề cho thanh niên",
    "Cứu trợ khẩn cấp sau bão lũ",
    "Dinh dưỡng cho trẻ em dưới 5 tuổi",
    "Phát triển nông nghiệp bền vững",
    "Hỗ trợ người khuyết tật hòa nhập cộng đồng",
]


DEMO_MODELS: tuple[type[BaseModel], ...] = (Transaction, AidItem, Registration, Organisation)


def demo_loaded() -> bool:
    return AidItem.all_objects.filter(is_demo=True).exists()


def demo_load(today: date | None = None) -> dict[str, int]:
    """Create the demo data and demo users (idempotent: does nothing if demo data is there), its recent part up
    to `today` (the day it is loaded, unless a test says otherwise)."""
    with transaction.atomic():
        demo_users_ensure()
        if demo_loaded():
            return {}
        builder = DemoBuilder(today)
        builder.hai_duong()
        builder.son_la()
        builder.national()
        builder.recent()
        build = builder.write()
        diplomacy = diplomacy_load()
        documents = demo_documents_load(demo_uuid("org", "hd-union"), demo_uuid("org", "hd-pc"))
        duties = demo_obligations_load(today)
    return {
        **diplomacy,
        "organisations": len(build.organisations),
        "registrations": len(build.registrations),
        "aid items": len(build.items),
        "transactions": len(build.transactions),
        "documents": documents,
        "reporting duties": duties,
    }


def demo_remove() -> dict[str, int]:
    """Delete every demo record, its history and the demo users."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        counts["documents"] = demo_documents_remove()  # first: they were written by demo users
        counts["reporting duties"] = demo_obligations_remove()
        User.objects.filter(email__endswith="@demo.amity.invalid").delete()
        counts.update(diplomacy_remove())  # first: the union refers to its organisation
        for model in DEMO_MODELS:
            counts[str(model._meta.verbose_name_plural)] = model.all_objects.filter(is_demo=True).count()
            model.all_objects.filter(is_demo=True).delete()
            model.history.filter(is_demo=True).delete()  # type: ignore[attr-defined]
    return counts


def iter_demo_counts() -> Iterator[tuple[str, int]]:
    for model in DEMO_MODELS:
        yield str(model._meta.verbose_name_plural), model.all_objects.filter(is_demo=True).count()
