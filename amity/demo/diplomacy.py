"""The demo register of people's diplomacy, built so that the union's period report reproduces the first source
article: Hải Dương's union (old province 30, founded 19 Feb 2002, its information page opened in Feb 2024) leads
14 units — its office, its Centre for Cooperation and Friendship and 12 member friendship associations — keeps
partnerships with Vientiane province (Laos), Seine-Saint-Denis department and Montreuil city (France) and Suwon city
(Korea), and received hundreds of international visitors and volunteers in 2018–2024 (the aid it mobilised is the
aid register's, `register.py`). Hải Phòng's union (31) has a few records of its own since 2025; the merger of the
two registers is left to `manage.py merge_unions` (docs/USER_GUIDE.md).

Deterministic (a seeded generator), every record with `is_demo`; `diplomacy_remove()` deletes exactly those."""

from __future__ import annotations

import random
from datetime import date, timedelta

from simple_history.utils import bulk_create_with_history

from amity.diplomacy.choices import Direction, EventType, LocalityLevel, PersonKind, PersonStatus, UnitKind
from amity.diplomacy.models import (
    AgreementRenewal,
    AssociationMember,
    Delegation,
    DelegationDay,
    Event,
    MemberCount,
    Partnership,
    Union,
    UnionUnit,
    Visitor,
)
from amity.diplomacy.rollups import rollups_rebuild
from amity.diplomacy.rules import term_end_of
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit, Country

SEED = 20020219
ASSOCIATIONS = [  # (partner country, name)
    ("LA", "Hội hữu nghị Việt Nam – Lào tỉnh Hải Dương"),
    ("FR", "Hội hữu nghị Việt Nam – Pháp tỉnh Hải Dương"),
    ("KR", "Hội hữu nghị Việt Nam – Hàn Quốc tỉnh Hải Dương"),
    ("JP", "Hội hữu nghị Việt Nam – Nhật Bản tỉnh Hải Dương"),
    ("CN", "Hội hữu nghị Việt Nam – Trung Quốc tỉnh Hải Dương"),
    ("RU", "Hội hữu nghị Việt Nam – Nga tỉnh Hải Dương"),
    ("CU", "Hội hữu nghị Việt Nam – Cu Ba tỉnh Hải Dương"),
    ("KH", "Hội hữu nghị Việt Nam – Campuchia tỉnh Hải Dương"),
    ("US", "Hội hữu nghị Việt Nam – Hoa Kỳ tỉnh Hải Dương"),
    ("DE", "Hội hữu nghị Việt Nam – Đức tỉnh Hải Dương"),
    ("AU", "Hội hữu nghị Việt Nam – Australia tỉnh Hải Dương"),
    ("GB", "Hội hữu nghị Việt Nam – Anh tỉnh Hải Dương"),
]
PARTNERSHIPS = [  # (country, locality, Vietnamese name, level, signed on)
    ("LA", "Vientiane Province", "Tỉnh Viêng Chăn", LocalityLevel.PROVINCE, date(2008, 10, 2)),
    ("FR", "Seine-Saint-Denis", "Tỉnh Seine-Saint-Denis", LocalityLevel.DEPARTMENT, date(2004, 4, 12)),
    ("FR", "Montreuil", "Thành phố Montreuil", LocalityLevel.CITY, date(2010, 11, 20)),
    ("KR", "Suwon", "Thành phố Suwon", LocalityLevel.CITY, date(2014, 6, 3)),
]
EVENT_TITLES = {
    EventType.COMMEMORATION: "Kỷ niệm ngày thành lập Liên hiệp các tổ chức hữu nghị",
    EventType.FRIENDSHIP_MEETING: "Gặp mặt hữu nghị",
    EventType.TET_VISIT: "Thăm, chúc Tết",
    EventType.YOUTH_EXCHANGE: "Giao lưu thanh niên",
    EventType.THEMATIC_DISCUSSION: "Tọa đàm về tình hình thế giới và chính sách đối ngoại",
    EventType.STAFF_TRAINING: "Tập huấn nghiệp vụ đối ngoại nhân dân",
    EventType.CULTURAL_EXCHANGE: "Giao lưu văn hóa",
    EventType.CHARITY: "Trao quà từ thiện",
    EventType.RECEPTION: "Tiếp đối tác nước ngoài",
    EventType.CONFERENCE: "Hội nghị tổng kết công tác",
}
MEMBERS = [  # individual members of the Việt Nam – France association: fictional people
    ("Phạm Thu Hà", "female", 1968, "Trường Đại học Hải Dương", "chair", date(2018, 3, 1), None),
    ("Vũ Đức Thắng", "male", 1972, "Sở Ngoại vụ", "vice_chair", date(2018, 3, 1), None),
    (
        "Đỗ Minh Châu",
        "female",
        1985,
        "Giáo viên tiếng Pháp, Trường THPT Nguyễn Trãi",
        "secretary",
        date(2019, 5, 10),
        None,
    ),
    ("Nguyễn Văn Bình", "male", 1959, "Hưu trí", "member", date(2018, 6, 15), date(2022, 12, 31)),
    ("Lê Thị Mai", "female", 1990, "Bệnh viện Đa khoa tỉnh", "member", date(2020, 9, 1), None),
    ("Trần Quốc Huy", "male", 1995, "Doanh nghiệp xuất khẩu nông sản", "member", date(2023, 2, 20), None),
]
PERIOD = range(2018, 2025)  # the article's period
AGREEMENT_YEARS = 5  # the term of the demo's agreements and of each renewal
EARLIER = range(2011, 2018)  # the period before, for the comparisons
VISITORS_PER_YEAR = 46  # 322 people in 2018–2024: "hundreds of international visitors and volunteers"


def _province(era: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level="province", era=era, code=code)


def diplomacy_load() -> dict[str, int]:
    """Write the demo register (once the aid register and its organisations are written)."""
    rng = random.Random(SEED)
    codes = {code for code, _name in ASSOCIATIONS}
    countries = {c.code: c for c in Country.objects.filter(code__in=codes)}
    hai_duong, hai_phong = _province("pre2025", "30"), _province("2025", "31")
    own = {"owning_province": hai_phong, "old_province": hai_duong, "is_demo": True}
    union = Union(
        name="Liên hiệp các tổ chức hữu nghị tỉnh Hải Dương",
        name_en="Hai Duong Union of Friendship Organizations",
        province=hai_duong,
        founded_on=date(2002, 2, 19),
        organisation=Organisation.all_objects.filter(is_demo=True, acronym="LHHN-HD").first(),
        website="https://lhhn.haiduong.invalid/",
        website_opened_on=date(2024, 2, 1),
        **own,
    )
    hai_phong_union = Union(
        name="Liên hiệp các tổ chức hữu nghị thành phố Hải Phòng",
        name_en="Hai Phong Union of Friendship Organizations",
        province=hai_phong,
        founded_on=date(1994, 6, 1),
        owning_province=hai_phong,
        is_demo=True,
    )
    bulk_create_with_history([union, hai_phong_union], Union)
    union, hai_phong_union = Union.all_objects.filter(is_demo=True).order_by("pk")

    units = [
        UnionUnit(union=union, kind=UnitKind.OFFICE, name="Văn phòng Liên hiệp", founded_on=date(2002, 2, 19), **own),
        UnionUnit(
            union=union,
            kind=UnitKind.CENTRE,
            name="Trung tâm Hợp tác và Hữu nghị",
            name_en="Centre for Cooperation and Friendship",
            founded_on=date(2009, 5, 4),
            **own,
        ),
    ]
    for code, name in ASSOCIATIONS:
        units.append(
            UnionUnit(
                union=union,
                kind=UnitKind.ASSOCIATION,
                name=name,
                partner_country=countries[code],
                founded_on=date(2003 + len(units), 3, 1),
                leader_name="Nguyễn Văn " + "ABCDEGHKLMNP"[len(units) - 2],
                leader_title="Chủ tịch Hội",
                term="2022–2027",
                **own,
            )
        )
    bulk_create_with_history(units, UnionUnit)
    stored_units = list(UnionUnit.all_objects.filter(is_demo=True).order_by("pk"))
    counts = [
        MemberCount(unit=unit, year=year, members=60 + 7 * index + 4 * (year - 2018))
        for index, unit in enumerate(stored_units)
        if unit.kind == UnitKind.ASSOCIATION
        for year in PERIOD
    ]
    bulk_create_with_history(counts, MemberCount)
    # Individual members of one association (fictional people), to show them beside its declared counts.
    france = next(unit for unit in stored_units if unit.partner_country_id == countries["FR"].pk)
    members = [
        AssociationMember(
            association=france,
            full_name=name,
            gender=gender,
            birth_year=born,
            occupation=work,
            role=role,
            joined_on=joined,
            left_on=left,
            **own,
        )
        for name, gender, born, work, role, joined, left in MEMBERS
    ]
    bulk_create_with_history(members, AssociationMember)

    partnerships = [
        Partnership(
            union=union,
            vietnamese_locality=hai_duong,
            foreign_locality=locality,
            foreign_locality_vi=name_vi,
            country=countries[code],
            level=level,
            signed_on=signed,
            signatories="Chủ tịch UBND tỉnh Hải Dương; " + locality,
            agreement_reference="Thỏa thuận hợp tác hữu nghị",
            term_ends_on=term_end_of(signed, AGREEMENT_YEARS),
            areas="Giáo dục, y tế, văn hóa, giao lưu nhân dân",
            **own,
        )
        for code, locality, name_vi, level, signed in PARTNERSHIPS
    ]
    bulk_create_with_history(partnerships, Partnership)
    stored_partnerships = list(Partnership.all_objects.filter(is_demo=True).order_by("pk"))
    # Each agreement renewed for five years at the end of every term up to 2024 (Suwon's, signed in 2014: in 2019 and
    # 2024), so that the term in force is the latest renewal's and some agreements come due in the next years.
    renewals = []
    for partnership in stored_partnerships:
        ends = partnership.term_ends_on
        while ends is not None and ends.year <= 2024:
            renewed = ends + timedelta(days=1)
            ends = term_end_of(renewed, AGREEMENT_YEARS)
            renewals.append(
                AgreementRenewal(
                    partnership=partnership,
                    renewed_on=renewed,
                    term_years=AGREEMENT_YEARS,
                    term_ends_on=ends,
                    signatories=partnership.signatories,
                    **own,
                )
            )
    bulk_create_with_history(renewals, AgreementRenewal)

    events: list[Event] = []
    delegations: list[Delegation] = []
    visitors: list[Visitor] = []
    types = list(EventType)
    for year in (*EARLIER, *PERIOD):
        recent = year in PERIOD
        for n in range(12 if recent else 7):
            kind = types[n % len(types)]
            start = date(year, 1 + n % 12, rng.randint(1, 25))
            length = rng.choice([0, 0, 1, 2])
            events.append(
                Event(
                    union=union,
                    event_type=kind,
                    title=f"{EVENT_TITLES[kind]} {year}",
                    start_date=start,
                    end_date=start + timedelta(days=length) if length else None,
                    place="Thành phố Hải Dương",
                    vietnamese_participants=rng.randint(30, 200),
                    foreign_participants=rng.randint(0, 40),
                    **own,
                )
            )
        for n in range(5 if recent else 3):
            partnership = stored_partnerships[n % len(stored_partnerships)]
            outgoing = n % 3 == 2
            start = date(year, 2 + 2 * n, rng.randint(1, 20))
            delegations.append(
                Delegation(
                    union=union,
                    direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
                    country=partnership.country,
                    counterpart=partnership.foreign_locality,
                    partnership=partnership,
                    head_name="Trưởng đoàn",
                    head_title="Phó Chủ tịch",
                    size=rng.randint(3, 12),
                    start_date=start,
                    end_date=start + timedelta(days=4),
                    purpose="Trao đổi hợp tác hữu nghị",
                    permit_number=f"{100 + n}/QĐ-UBND" if outgoing else "",
                    permit_date=start - timedelta(days=20) if outgoing else None,
                    permit_authority="UBND tỉnh Hải Dương" if outgoing else "",
                    **own,
                )
            )
        per_year = VISITORS_PER_YEAR if recent else 20
        nationalities = ["FR", "KR", "JP", "US", "AU", "LA", "DE", "GB"]
        people = 0
        n = 0
        while people < per_year:
            size = min(per_year - people, 1 if n % 3 else rng.randint(4, 10))
            code = nationalities[n % len(nationalities)]
            start = date(year, 1 + n % 12, rng.randint(1, 25))
            visitors.append(
                Visitor(
                    union=union,
                    kind=PersonKind.VOLUNTEER if n % 2 else PersonKind.VISITOR,
                    group_size=size,
                    group_name=f"Đoàn tình nguyện {code} {year}" if size > 1 else "",
                    full_name="" if size > 1 else f"Volunteer {code}-{year}-{n}",
                    nationality=countries[code],
                    sending_organisation="Volunteer programme",
                    host_placement="Trường THPT Hải Dương",
                    field="Giảng dạy tiếng Anh",
                    start_date=start,
                    end_date=start + timedelta(days=rng.randint(7, 180)),
                    status=PersonStatus.LEFT,
                    **own,
                )
            )
            people += size
            n += 1
    for year_offset, kind in enumerate([EventType.FRIENDSHIP_MEETING, EventType.TET_VISIT]):
        start = date(2025, 9 + year_offset, 12)
        events.append(
            Event(
                union=hai_phong_union,
                event_type=kind,
                title=f"{EVENT_TITLES[kind]} thành phố Hải Phòng",
                start_date=start,
                place="Thành phố Hải Phòng",
                vietnamese_participants=80,
                foreign_participants=15,
                owning_province=hai_phong,
                is_demo=True,
            )
        )
    bulk_create_with_history(events, Event, batch_size=500)
    bulk_create_with_history(delegations, Delegation, batch_size=500)
    bulk_create_with_history(visitors, Visitor, batch_size=500)
    days = [
        DelegationDay(delegation=d, day=d.start_date + timedelta(days=offset), programme=programme)
        for d in Delegation.all_objects.filter(is_demo=True)
        for offset, programme in enumerate(["Đón đoàn, làm việc với Liên hiệp", "Thăm trường học", "Tiễn đoàn"])
    ]
    bulk_create_with_history(days, DelegationDay, batch_size=500)
    through = Event.partnerships.through
    stored_events = list(Event.all_objects.filter(is_demo=True, union=union).order_by("pk"))
    through.objects.bulk_create(
        through(event_id=event.pk, partnership_id=stored_partnerships[i % len(stored_partnerships)].pk)
        for i, event in enumerate(stored_events)
        if event.event_type in (EventType.FRIENDSHIP_MEETING, EventType.RECEPTION, EventType.YOUTH_EXCHANGE)
    )
    rollups_rebuild()  # the demo's rows were written in bulk, beside the services that keep the rollups
    return {
        "diplomacy units": len(units),
        "members of associations": len(members),
        "partnerships": len(partnerships),
        "renewals of agreements": len(renewals),
        "events": len(events),
        "delegations": len(delegations),
        "visitors and volunteers": len(visitors),
    }


DEMO_MODELS = (Visitor, Delegation, Event, AgreementRenewal, Partnership, AssociationMember, UnionUnit, Union)


def diplomacy_remove() -> dict[str, int]:
    counts = {}
    for model in DEMO_MODELS:
        counts[str(model._meta.verbose_name_plural)] = model.all_objects.filter(is_demo=True).count()
        model.all_objects.filter(is_demo=True).delete()
        model.history.filter(is_demo=True).delete()
    rollups_rebuild()
    return counts
