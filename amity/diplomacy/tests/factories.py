"""Records of the diplomacy register for tests, written through the services (as a province's editor would)."""

from __future__ import annotations

from datetime import date
from typing import Any

from amity.accounts.models import User
from amity.diplomacy import services
from amity.diplomacy.models import AssociationMember, Delegation, Event, Partnership, Union, UnionUnit, Visitor
from amity.reference.models import AdministrativeUnit, Country


def unit_of(era: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level="province", era=era, code=code)


def country(code: str) -> Country:
    return Country.objects.get(code=code)


def union(user: User, *, era: str = "pre2025", code: str = "30", name: str = "Liên hiệp hữu nghị") -> Union:
    saved: Union = services.record_save(
        model=Union, user=user, data={"name": name, "province": unit_of(era, code), "founded_on": date(2002, 2, 19)}
    )
    return saved


def event(user: User, of: Union, **data: Any) -> Event:
    fields = {
        "union": of,
        "event_type": "friendship_meeting",
        "title": "Gặp mặt hữu nghị Việt – Pháp 2024",
        "start_date": date(2024, 5, 6),
    }
    fields.update(data)
    saved: Event = services.record_save(model=Event, user=user, data=fields)
    return saved


def delegation(user: User, of: Union, **data: Any) -> Delegation:
    fields = {
        "union": of,
        "direction": "incoming",
        "country": country("FR"),
        "counterpart": "Montreuil",
        "start_date": date(2024, 5, 6),
        "end_date": date(2024, 5, 9),
    }
    fields.update(data)
    saved: Delegation = services.record_save(model=Delegation, user=user, data=fields)
    return saved


def partnership(user: User, of: Union, **data: Any) -> Partnership:
    fields = {
        "union": of,
        "vietnamese_locality": unit_of("pre2025", "30"),
        "foreign_locality": "Suwon",
        "country": country("KR"),
        "level": "city",
        "signed_on": date(2014, 6, 3),
    }
    fields.update(data)
    saved: Partnership = services.record_save(model=Partnership, user=user, data=fields)
    return saved


def visitor(user: User, of: Union, **data: Any) -> Visitor:
    fields = {
        "union": of,
        "kind": "volunteer",
        "full_name": "Marie Dupont",
        "nationality": country("FR"),
        "start_date": date(2023, 9, 1),
        "end_date": date(2024, 6, 30),
    }
    fields.update(data)
    saved: Visitor = services.record_save(model=Visitor, user=user, data=fields)
    return saved


def unit(user: User, of: Union, **data: Any) -> UnionUnit:
    fields = {
        "union": of,
        "kind": "association",
        "name": "Hội hữu nghị Việt Nam – Pháp",
        "partner_country": country("FR"),
    }
    fields.update(data)
    saved: UnionUnit = services.record_save(model=UnionUnit, user=user, data=fields)
    return saved


def member(user: User, of: UnionUnit, **data: Any) -> AssociationMember:
    fields = {
        "association": of,
        "full_name": "Nguyễn Thị Lan",
        "gender": "female",
        "birth_year": 1975,
        "occupation": "Giáo viên, Trường THPT Chu Văn An",
        "email": "lan@example.vn",
        "phone": "0912 345 678",
        "joined_on": date(2019, 3, 8),
    }
    fields.update(data)
    saved: AssociationMember = services.record_save(model=AssociationMember, user=user, data=fields)
    return saved


def declare(user: User, association: UnionUnit, counts: dict[int, int]) -> UnionUnit:
    """The member counts an association declares, year → members (its parts, as the unit's form writes them)."""
    association.refresh_from_db()
    parts = [{"year": year, "members": n} for year, n in counts.items()]
    [saved] = services.units_save(
        user=user, rows=[services.Change({}, association.pk, association.version, parts=parts)]
    )
    return saved
