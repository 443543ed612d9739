"""The rules of aid items and transactions, each written once. Every writer of aid data — the aid services, the
Excel check and write, the IATI importer, the forms — asks these functions instead of restating a rule.

A broken rule is a `Breach`: the field it concerns, a message kept as its English source text with named
parameters, translated when shown. Batch writers collect breaches per row or line; the services raise them as
`ValidationError`s (a 400 with the field's name).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_noop

from amity.core.breaches import Breach
from amity.core.money import HUNDRED, allocate
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem

from .choices import FINAL_STATUSES, AidStatus

VIET_NAM = "VN"
SHARE_QUANTUM = Decimal("0.01")


# --- transactions -------------------------------------------------------------------------------------------

ZERO_AMOUNT = gettext_noop("The amount must not be zero (a reversal, refund or de-obligation is a negative amount).")
NO_REGISTRATION = gettext_noop("%(provider)s held no valid registration on %(date)s.")


def check_amount(amount: Decimal | None) -> None:
    """Any non-zero amount: IATI and every real donor file carry negative transactions (reversed
    disbursements, de-obligations, refunds), and figures are net. A zero moves nothing."""
    if amount is not None and amount == 0:
        raise Breach("amount", ZERO_AMOUNT)


def value_date_of(day: date, value_date: date | None) -> date:
    """The date whose exchange rate values a transaction: its own value date, else its date."""
    return value_date or day


def registered_on(registrations: Sequence[tuple[date, date]], day: date) -> bool:
    """Whether a provider with these registrations (issue, expiry) may give on `day` (Decree 58/2022): one of
    them is valid then, or it has none on record (embassies, individuals, foreign companies are not checked)."""
    return not registrations or any(start <= day <= end for start, end in registrations)


def check_provider_registered(provider: Any, registrations: Sequence[tuple[date, date]], day: date) -> None:
    """A foreign NGO with registrations on record gives within one of them."""
    if provider is not None and not registered_on(registrations, day):
        raise Breach("date", NO_REGISTRATION, {"provider": str(provider), "date": day})


# --- aid items ----------------------------------------------------------------------------------------------

ENDED = gettext_noop("This aid item is %(status)s and can no longer be changed.")


def may_change_ended_items(user: Any) -> bool:
    """Only an administrator (or the system, `user` None) corrects an aid item on record as it ended."""
    return user is None or bool(getattr(user, "is_administrator", False))


def is_editable(status: str, user: Any) -> bool:
    """Whether the user may change an aid item in this status: one on record as ended (closed, cancelled,
    rejected, revoked) only an administrator corrects."""
    return status not in FINAL_STATUSES or may_change_ended_items(user)


def check_editable(status: str, user: Any) -> None:
    if not is_editable(status, user):
        raise Breach("status", ENDED, {"status": str(AidStatus(status).label).lower()})


# --- an aid item's parts -----------------------------------------------------------------------------------

ERA_CHANGE = date(2025, 7, 1)  # the new administrative units took effect
PERCENT_TOTAL = gettext_noop("Percentages must add up to 100 (they add up to %(total)s).")
SECTOR_TWICE = gettext_noop("A sector is listed twice.")
SECTOR_MIXED = gettext_noop("Give either DAC 5-digit sectors or DAC 3-digit categories, not both.")
NOT_A_SECTOR = gettext_noop("%(code)s is not a DAC 5-digit sector.")
SECTOR_SHARE = gettext_noop("Each sector's percentage must be more than 0.")
LOCATION_TWICE = gettext_noop("A location is listed twice.")
NO_DISTRICTS = gettext_noop("Give communes or whole provinces, not districts.")
ONE_ERA = gettext_noop("All locations of one aid item must be of the same era.")
CURRENT_ERA_AID = gettext_noop("Aid starting on or after 1 July 2025 is located in units of the current era.")
LOCATION_SHARE = gettext_noop("Each location's percentage must be more than 0.")
OWNING_PROVINCE = gettext_noop("The owning province must be a province of the current era.")
PARTICIPANT_TWICE = gettext_noop("An organisation is listed twice with the same role.")
STATUS_BY_LIFECYCLE = gettext_noop("Change the status with the lifecycle actions.")
IATI_TWICE = gettext_noop("Two aid items cannot have the same IATI identifier.")
IATI_TAKEN = gettext_noop("Another aid item already has the IATI identifier %(identifier)s.")


def _check_total(field: str, percentages: Sequence[Decimal]) -> None:
    total = sum(percentages, Decimal(0))
    if total != HUNDRED:
        raise Breach(field, PERCENT_TOTAL, {"total": f"{total.normalize():f}"})


def check_sectors(shares: Sequence[tuple[CodelistItem, Decimal]]) -> None:
    """An item's sector shares (sector, percentage): DAC 5-digit sectors or 3-digit categories, not both, each
    once and more than 0, adding up to 100. None given is allowed (not yet known)."""
    if not shares:
        return
    sectors = [sector for sector, _percentage in shares]
    if len({sector.code for sector in sectors}) != len(sectors):
        raise Breach("sectors.sector", SECTOR_TWICE)
    for sector in sectors:
        if sector.codelist.name not in ("Sector", "SectorCategory"):
            raise Breach("sectors.sector", NOT_A_SECTOR, {"code": sector.code})
    if len({sector.codelist.name for sector in sectors}) > 1:
        raise Breach("sectors.sector", SECTOR_MIXED)
    if any(percentage <= 0 for _sector, percentage in shares):
        raise Breach("sectors.percentage", SECTOR_SHARE)
    _check_total("sectors.percentage", [percentage for _sector, percentage in shares])


def check_locations(shares: Sequence[tuple[AdministrativeUnit, Decimal]], *, planned_start: date | None) -> None:
    """An item's location shares (unit, percentage): communes or whole provinces of one era — the current era for
    aid starting after the change —, each once and more than 0, adding up to 100. None given: nationwide."""
    if not shares:
        return
    units = [unit for unit, _percentage in shares]
    if len({unit.pk for unit in units}) != len(units):
        raise Breach("locations.unit", LOCATION_TWICE)
    if any(unit.level == UnitLevel.DISTRICT for unit in units):
        raise Breach("locations.unit", NO_DISTRICTS)
    if len({unit.era for unit in units}) > 1:
        raise Breach("locations.unit", ONE_ERA)
    if units[0].era == Era.PRE2025 and planned_start is not None and planned_start >= ERA_CHANGE:
        raise Breach("locations.unit", CURRENT_ERA_AID)
    if any(percentage <= 0 for _unit, percentage in shares):
        raise Breach("locations.percentage", LOCATION_SHARE)
    _check_total("locations.percentage", [percentage for _unit, percentage in shares])


OUTSIDE_PROVINCES = gettext_noop(
    "Some locations lie outside your provinces (%(provinces)s): the aid item will also be shown to those provinces"
    " and counted in their figures. Confirm to save them."
)


def check_locations_within_provinces(
    added: Sequence[AdministrativeUnit], provinces: Collection[int] | None, *, confirmed: bool
) -> None:
    """Locations added to an aid item (each given as the current-era province it lies in) outside the user's
    provinces (None: national users, who have no such limit) put the item in those provinces' lists and figures.
    The scope policy allows it — a province's aid may reach beyond it — so it is not refused; it waits for the
    user to confirm. Locations already stored are not asked about again."""
    outside = [province for province in added if provinces is not None and province.pk not in provinces]
    if outside and not confirmed:
        names = lazy(lambda: ", ".join(dict.fromkeys(province.name for province in outside)), str)()
        raise Breach("locations.unit", OUTSIDE_PROVINCES, {"provinces": names}, confirmable=True)


def check_participants(participants: Sequence[tuple[int, str]]) -> None:
    """(organisation id, role) pairs: an organisation takes each role once."""
    if len(set(participants)) != len(participants):
        raise Breach("participants", PARTICIPANT_TWICE)


def check_owning_province(province: AdministrativeUnit | None) -> None:
    """A province of the current era, or none: kept by the centre (the scope policy says who may)."""
    if province is not None and (province.era != Era.CURRENT or province.level != UnitLevel.PROVINCE):
        raise Breach("owning_province", OWNING_PROVINCE)


def check_status_unchanged(stored: str, given: str) -> None:
    """A writer of an item's fields leaves its status to the lifecycle actions."""
    if given != stored:
        raise Breach("status", STATUS_BY_LIFECYCLE)


# --- Viet Nam's share ---------------------------------------------------------------------------------------

SHARE_SPLIT_EQUALLY = gettext_noop(
    "%(count)s recipient countries are given without percentages: Viet Nam's share is taken as %(share)s %%."
)
SHARE_OF_REST = gettext_noop(
    "Viet Nam is given no percentage beside other recipient countries: it is taken as %(share)s %%, its part of"
    " what the others leave."
)


@dataclass(frozen=True)
class CountryShare:
    """Viet Nam's percentage of an activity, and the warning (source text, params) if it had to be assumed."""

    percentage: Decimal
    warning: tuple[str, dict[str, Any]] | None = None


def viet_nam_share(recipient_countries: Sequence[tuple[str, Decimal | None]]) -> CountryShare:
    """Viet Nam's share of an activity from its recipient countries (code, percentage or None).

    None given: 100 (nothing says the aid is anyone else's). Viet Nam alone: 100. Several with percentages:
    Viet Nam's (0 when it is not among them). Several without any percentage: an equal split, with a warning.
    Viet Nam without a percentage beside others that have one: its equal part of what they leave, with a
    warning.
    """
    countries = {code: pct for code, pct in recipient_countries}
    if not countries or set(countries) == {VIET_NAM}:
        return CountryShare(HUNDRED)
    if VIET_NAM not in countries:
        return CountryShare(Decimal(0))
    given = countries[VIET_NAM]
    if given is not None:
        return CountryShare(min(max(given, Decimal(0)), HUNDRED).quantize(SHARE_QUANTUM))
    unstated = [code for code, pct in countries.items() if pct is None]
    stated = sum((pct for pct in countries.values() if pct is not None), Decimal(0))
    rest = max(HUNDRED - stated, Decimal(0))
    share = allocate(rest, [Decimal(1)] * len(unstated), SHARE_QUANTUM)[unstated.index(VIET_NAM)]
    if len(unstated) == len(countries):
        return CountryShare(share, (SHARE_SPLIT_EQUALLY, {"count": len(countries), "share": f"{share:f}"}))
    return CountryShare(share, (SHARE_OF_REST, {"share": f"{share:f}"}))


def is_about_viet_nam(recipient_countries: Iterable[str], transaction_countries: Iterable[str]) -> bool:
    """Whether an activity is aid to Viet Nam at all: Viet Nam among its recipient countries, or named by one of
    its transactions."""
    return VIET_NAM in recipient_countries or VIET_NAM in transaction_countries


def transaction_share(recipient_country: str, activity_share: Decimal) -> Decimal:
    """A transaction that names its recipient country counts wholly if it is Viet Nam and not at all otherwise;
    one that names none counts by the activity's share."""
    if recipient_country:
        return HUNDRED if recipient_country == VIET_NAM else Decimal(0)
    return activity_share


__all__ = [
    "VIET_NAM",
    "Breach",
    "CountryShare",
    "check_amount",
    "check_editable",
    "check_locations",
    "check_locations_within_provinces",
    "check_owning_province",
    "check_participants",
    "check_provider_registered",
    "check_sectors",
    "check_status_unchanged",
    "is_about_viet_nam",
    "is_editable",
    "may_change_ended_items",
    "registered_on",
    "transaction_share",
    "value_date_of",
    "viet_nam_share",
]
