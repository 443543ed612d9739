"""IATI 2.03 export: aid items as an activity file and organisations as an organisation file, written with
lxml's incremental `xmlfile` in chunks of records, so that memory stays flat and the queries per chunk fixed.

The callers pass querysets that already went through `restrict(user, "view")`; this module never widens them.
What Amity keeps beyond IATI (unit era, level and GSO code, location percentages, public identifiers) is written
as attributes in the Amity namespace (`AMITY_NS`), which the IATI schemas allow (`anyAttribute ##other`) and
other readers ignore. The conventions are described in docs/DATA_EXCHANGE.md, "IATI export".
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from lxml import etree

from amity.aid.choices import IATI_ACTIVITY_STATUS
from amity.aid.models import AidItem, AidParticipant, LocationSplit, SectorSplit, Transaction
from amity.core.money import HUNDRED
from amity.core.text import xml_text
from amity.organisations.choices import OrganisationKind
from amity.organisations.models import Organisation
from amity.reference.choices import Era, UnitLevel
from amity.reference.models import AdministrativeUnit, CodelistItem, Currency

logger = logging.getLogger(__name__)

IATI_VERSION = "2.03"
AMITY_NS = "urn:x-amity:iati:1"
NSMAP = {"amity": AMITY_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CHUNK_SIZE = 500  # records per database round trip (one query per related table per chunk)
FLUSH_BYTES = 64 * 1024  # hand the written bytes on once this much has gathered

# The default language of narratives without xml:lang. Everything Amity knows to be Vietnamese is tagged "vi";
# what is left untagged is an organisation's name in its own language, most often English for foreign donors.
DEFAULT_LANGUAGE = "en"

# Codes written as constants (each is in the codelist named beside it; the tests check them).
DESCRIPTION_GENERAL = "1"  # DescriptionType
ROLE_ACCOUNTABLE = "2"  # OrganisationRole
ROLE_IMPLEMENTING = "4"  # OrganisationRole
OTHER_ID_INTERNAL = "A1"  # OtherIdentifierType: reporting organisation's internal activity identifier
OTHER_ID_OTHER = "A9"  # OtherIdentifierType: other activity identifier
GEO_VOCABULARY_ISO_COUNTRY = "A4"  # GeographicVocabulary: ISO country (3166-1 alpha-2)
LOCATION_CLASS_ADMINISTRATIVE = "1"  # GeographicLocationClass: administrative region
SECTOR_VOCABULARY = {"Sector": "1", "SectorCategory": "2"}  # SectorVocabulary: DAC 5-digit, DAC 3-digit
# LocationType: a unit's order in its era's hierarchy. Since 1 July 2025 communes sit directly under provinces;
# units of the old era are "historical" divisions.
FEATURE_DESIGNATION: dict[tuple[str, str], str] = {
    (Era.CURRENT, UnitLevel.PROVINCE): "ADM1",
    (Era.CURRENT, UnitLevel.COMMUNE): "ADM2",
    (Era.PRE2025, UnitLevel.PROVINCE): "ADM1H",
    (Era.PRE2025, UnitLevel.DISTRICT): "ADM2H",
    (Era.PRE2025, UnitLevel.COMMUNE): "ADM3H",
}
# ActivityDateType codes of the four dates Amity keeps.
ACTIVITY_DATES = (("planned_start", "1"), ("actual_start", "2"), ("planned_end", "3"), ("actual_end", "4"))

# Activity status (ActivityStatus codelist) from Amity's lifecycle, `amity.aid.choices.IATI_ACTIVITY_STATUS`:
#   proposed, under_appraisal, approved  → 1 Pipeline/identification (not started yet)
#   in_progress                          → 2 Implementation
#   completed                            → 3 Finalisation (work done, accounts not yet closed)
#   closed                               → 4 Closed
#   cancelled, rejected, approval_revoked → 5 Cancelled (never carried out, or stopped)
ACTIVITY_STATUS = IATI_ACTIVITY_STATUS


@dataclass(frozen=True)
class ReportingOrg:
    """The organisation that publishes the file (IATI `reporting-org`)."""

    ref: str
    type: str
    name: str

    @classmethod
    def from_settings(cls) -> ReportingOrg:
        config = settings.AMITY_IATI_REPORTING_ORG
        return cls(ref=config["ref"].strip(), type=config["type"].strip(), name=config["name"].strip())


class _Lookups:
    """What many rows share, read once rather than joined into every row: codelist codes (to check codes that
    come from free JSON data, and the sectors' codes and vocabularies), currency codes, and organisations —
    fetched per chunk, only those not seen yet, so at most the register's ~2,000. For a `public` file (the public
    information page's open data) individual donors are not named and transaction descriptions are left out:
    they may name people."""

    def __init__(self, *, public: bool = False) -> None:
        self.public = public
        names: dict[str, set[str]] = {"Country": set(), "Region": set(), "RegionVocabulary": set(), "Language": set()}
        self.sectors: dict[int, tuple[str, str]] = {}  # codelist item id → (vocabulary, code)
        rows = CodelistItem.objects.filter(codelist__name__in=[*names, *SECTOR_VOCABULARY]).values_list(
            "pk", "codelist__name", "code"
        )
        for pk, name, code in rows:
            if name in SECTOR_VOCABULARY:
                self.sectors[pk] = (SECTOR_VOCABULARY[name], code)
            else:
                names[name].add(code)
        self.countries = frozenset(names["Country"])
        self.regions = frozenset(names["Region"])
        self.region_vocabularies = frozenset(names["RegionVocabulary"])
        self.languages = frozenset(names["Language"])
        self.currencies: dict[int, str] = dict(Currency.objects.values_list("pk", "code"))
        self.organisations: dict[int, Organisation] = {}

    def load_organisations(self, items: list[AidItem]) -> None:
        wanted = {pk for item in items for pk in (item.managing_agency_id, item.aid_owner_id) if pk}
        wanted.update(participant.organisation_id for item in items for participant in item.participants.all())
        wanted.update(
            pk for item in items for tx in item.transactions.all() for pk in (tx.provider_id, tx.receiver_id) if pk
        )
        missing = wanted - self.organisations.keys()
        if missing:
            # all_objects: a soft-deleted organisation still names the party it was.
            found = Organisation.all_objects.filter(pk__in=missing).select_related("iati_type")
            self.organisations.update((organisation.pk, self._shown(organisation)) for organisation in found)

    def _shown(self, organisation: Organisation) -> Organisation:
        if not self.public or organisation.kind != OrganisationKind.INDIVIDUAL:
            return organisation
        # A person: a stand-in with a fresh identifier, no name, no IATI reference.
        return Organisation(pk=organisation.pk, name="Individual donor", name_vi="Cá nhân", kind=organisation.kind)


# --- public functions ---------------------------------------------------------------------------------------


def write_activities(
    aid_items_queryset: QuerySet[AidItem], stream: IO[bytes], *, reporting_org: ReportingOrg | None = None
) -> None:
    """Write an `<iati-activities>` file with one `<iati-activity>` per aid item of the queryset to `stream`."""
    for chunk in iter_activities(aid_items_queryset, reporting_org=reporting_org):
        stream.write(chunk)


def write_organisations(
    org_queryset: QuerySet[Organisation], stream: IO[bytes], *, reporting_org: ReportingOrg | None = None
) -> None:
    """Write an `<iati-organisations>` file with one `<iati-organisation>` per organisation to `stream`."""
    for chunk in iter_organisations(org_queryset, reporting_org=reporting_org):
        stream.write(chunk)


def iter_activities(
    aid_items_queryset: QuerySet[AidItem],
    *,
    reporting_org: ReportingOrg | None = None,
    progress: Callable[[int], None] | None = None,
    public: bool = False,
) -> Iterator[bytes]:
    """The activity file as successive pieces of bytes (for a streamed response); `progress(items_done)` after
    each chunk (a background export's progress bar); `public`: for anyone, without personal data (`_Lookups`)."""
    org = reporting_org or ReportingOrg.from_settings()
    lookups = _Lookups(public=public)
    items = activities_queryset(aid_items_queryset).iterator(chunk_size=CHUNK_SIZE)

    def elements() -> Iterator[etree._Element]:
        # The iterator prefetches the related rows of each chunk of CHUNK_SIZE items; take the same chunks.
        done = 0
        while chunk := list(islice(items, CHUNK_SIZE)):
            lookups.load_organisations(chunk)
            for item in chunk:
                yield activity_element(item, reporting_org=org, lookups=lookups)
            done += len(chunk)
            if progress is not None:
                progress(done)

    yield from _iter_file("iati-activities", elements())


def iter_organisations(
    org_queryset: QuerySet[Organisation], *, reporting_org: ReportingOrg | None = None
) -> Iterator[bytes]:
    """The organisation file as successive pieces of bytes (for a streamed response)."""
    org = reporting_org or ReportingOrg.from_settings()
    organisations = organisations_queryset(org_queryset).iterator(chunk_size=CHUNK_SIZE)
    elements = (organisation_element(organisation, reporting_org=org) for organisation in organisations)
    yield from _iter_file("iati-organisations", elements)


def activities_queryset(aid_items_queryset: QuerySet[AidItem]) -> QuerySet[AidItem]:
    """The given (already restricted, filtered) aid items with everything the export reads, in a fixed number
    of queries per chunk. Taken by primary key so that the caller's annotations, joins and prefetches (list
    totals, filter joins) neither slow the export nor duplicate rows; written in order of creation."""
    ids = aid_items_queryset.order_by().values("pk")
    # Organisations, currencies and sector codes come from `_Lookups`: joining them into every transaction
    # row would build tens of thousands of duplicate model instances per chunk.
    tx_fields = [
        "aid_item_id",
        "public_id",
        "transaction_type",
        "date",
        "value_date",
        "amount",
        "description",
        "viet_nam_share",
    ]
    return (
        AidItem.objects.filter(pk__in=ids)
        .order_by("pk")
        .select_related("owning_province")
        .prefetch_related(
            Prefetch("participants", queryset=AidParticipant.objects.only("aid_item_id", "organisation_id", "role")),
            Prefetch("sectors", queryset=SectorSplit.objects.only("aid_item_id", "sector_id", "percentage")),
            Prefetch("locations", queryset=LocationSplit.objects.select_related("unit")),
            Prefetch(
                "transactions",
                # Soft-deleted transactions are not part of the record any more.
                queryset=Transaction.objects.filter(deleted_at__isnull=True).only(
                    *tx_fields, "currency_id", "provider_id", "receiver_id"
                ),
            ),
            "budgets",
        )
    )


def organisations_queryset(org_queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    ids = org_queryset.order_by().values("pk")
    return Organisation.objects.filter(pk__in=ids).order_by("pk").select_related("iati_type")


def activity_identifier(item: AidItem, reporting_org: ReportingOrg) -> str:
    """The item's IATI identifier, or one made from the reporting organisation's and the item's public one."""
    return item.iati_identifier.strip() or f"{reporting_org.ref}-{item.public_id}"


def organisation_identifier(organisation: Organisation, reporting_org: ReportingOrg) -> str:
    return organisation.iati_identifier.strip() or f"{reporting_org.ref}-{organisation.public_id}"


def location_ref(unit: AdministrativeUnit) -> str:
    """`gso:<era>:<level>:<code>`: GSO codes are reused across eras and levels, so all three name a unit."""
    return f"gso:{unit.era}:{unit.level}:{unit.code}"


# --- the file -----------------------------------------------------------------------------------------------


class _Buffer(io.RawIOBase):
    """A write-only file that keeps what was written until it is taken, to stream xmlfile's output."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self.size += len(chunk)
        return len(chunk)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


def _iter_file(root_tag: str, elements: Iterable[etree._Element]) -> Iterator[bytes]:
    buffer = _Buffer()
    attributes = {"version": IATI_VERSION, "generated-datetime": _datetime(timezone.now())}
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(root_tag, attributes, nsmap=NSMAP):
            xf.write("\n")
            for element in elements:
                xf.write(element, pretty_print=True)
                if buffer.size >= FLUSH_BYTES:
                    xf.flush()
                    yield buffer.take()
    yield buffer.take()


# --- one activity -------------------------------------------------------------------------------------------


def activity_element(item: AidItem, *, reporting_org: ReportingOrg, lookups: _Lookups) -> etree._Element:
    """One `<iati-activity>`, its children in the order of the 2.03 schema's sequence."""
    codes, currency = lookups, lookups.currencies
    budgets = list(item.budgets.all())
    transactions = list(item.transactions.all())
    currencies = Counter([currency[tx.currency_id] for tx in transactions] + [currency[b.currency_id] for b in budgets])

    activity = etree.Element("iati-activity", nsmap=NSMAP)
    activity.set("last-updated-datetime", _datetime(item.updated_at))
    activity.set(XML_LANG, DEFAULT_LANGUAGE)
    if currencies:
        # The most used currency (ties: the first code); every value still names its own currency.
        activity.set("default-currency", min(currencies, key=lambda code: (-currencies[code], code)))
    activity.set("humanitarian", "1" if item.is_relief else "0")

    _sub(activity, "iati-identifier", text=activity_identifier(item, reporting_org))
    _reporting_org(activity, reporting_org)

    title_texts = _texts([("vi", item.title_vi), ("en", item.title_en)], item.narratives, "title", codes)
    _narratives(_sub(activity, "title"), title_texts)
    description_texts = _texts([("vi", item.description)], item.narratives, "description", codes)
    # The schema requires a description with text; an item without one is described by its title.
    description = _sub(activity, "description", type=DESCRIPTION_GENERAL)
    _narratives(description, description_texts or title_texts)
    if not description_texts:  # marked, so that Amity's importer does not take the title for a description
        description.set(f"{{{AMITY_NS}}}derived-from", "title")

    _participating_orgs(activity, item, lookups)
    _sub(activity, "other-identifier", ref=str(item.public_id), type=OTHER_ID_INTERNAL)
    if item.reference.strip():
        _sub(activity, "other-identifier", ref=item.reference.strip(), type=OTHER_ID_OTHER)
    # The donor's own status when a file gave one (so that a round trip changes nothing), else Amity's.
    _sub(activity, "activity-status", code=item.reported_status or ACTIVITY_STATUS[item.status])
    _activity_dates(activity, item)
    _recipients(activity, item, codes)
    for location in item.locations.all():
        _location(activity, location)
    for split in item.sectors.all():
        vocabulary, code = lookups.sectors[split.sector_id]
        _sub(activity, "sector", vocabulary=vocabulary, code=code, percentage=_decimal(split.percentage))
    for budget in budgets:
        element = _sub(activity, "budget", type=budget.kind, status=budget.status)
        _sub(element, "period-start", **{"iso-date": _date(budget.period_start)})
        _sub(element, "period-end", **{"iso-date": _date(budget.period_end)})
        _value(element, budget.amount, currency[budget.currency_id], budget.value_date)
    for tx in transactions:
        _transaction(activity, tx, lookups)
    return activity


def _participating_orgs(activity: etree._Element, item: AidItem, lookups: _Lookups) -> None:
    organisations = lookups.organisations
    participants = [(organisations[p.organisation_id], p.role) for p in item.participants.all()]
    # Participants written only because the schema requires one are marked, so that Amity's importer does
    # not record them as participants.
    derived = not participants
    if not participants:
        # The schema requires at least one participating organisation. Decree 80/2020's managing agency is
        # accountable for the aid and the aid owner carries it out; failing both, the owning province's
        # People's Committee, which approves the aid, is accountable for it.
        if item.managing_agency_id:
            participants.append((organisations[item.managing_agency_id], ROLE_ACCOUNTABLE))
        if item.aid_owner_id:
            participants.append((organisations[item.aid_owner_id], ROLE_IMPLEMENTING))
    for organisation, role in participants:
        element = _sub(activity, "participating-org", role=role, **_org_attributes(organisation))
        _narratives(element, _org_names(organisation))
        if derived:
            element.set(f"{{{AMITY_NS}}}derived-from", "managing_agency" if role == ROLE_ACCOUNTABLE else "aid_owner")
    if not participants:
        element = _sub(activity, "participating-org", role=ROLE_ACCOUNTABLE)
        element.set(f"{{{AMITY_NS}}}derived-from", "owning_province")
        _narratives(element, [("vi", accountable_body(item.owning_province))])


def accountable_body(province: AdministrativeUnit | None) -> str:
    """Who answers for aid no organisation is named for: the province's People's Committee, which approves it
    ("Tỉnh Sơn La" → "Ủy ban nhân dân tỉnh Sơn La"), or for the centre's aid the Committee for Foreign NGO
    Affairs."""
    if province is None:
        return "Ủy ban Công tác về các tổ chức phi chính phủ nước ngoài"
    name = province.full_name_vi
    return f"Ủy ban nhân dân {name[:1].lower()}{name[1:]}"


def _activity_dates(activity: etree._Element, item: AidItem) -> None:
    dates = [(code, getattr(item, field)) for field, code in ACTIVITY_DATES if getattr(item, field)]
    for code, value in dates:
        _sub(activity, "activity-date", type=code, **{"iso-date": _date(value)})
    if not dates:
        # The schema requires a date. Amity then writes the planned start as the approval decision's date or
        # the day the item was recorded, marked so that Amity's importer does not take it for a real date.
        derived_from = "decision_date" if item.decision_date else "created_at"
        on = item.decision_date or timezone.localdate(item.created_at)
        element = _sub(activity, "activity-date", type="1", **{"iso-date": _date(on)})
        element.set(f"{{{AMITY_NS}}}derived-from", derived_from)


def _recipients(activity: etree._Element, item: AidItem, codes: _Lookups) -> None:
    countries = [
        (str(row.get("code", "")).upper(), _percentage(row.get("percentage")))
        for row in _rows(item.recipient_countries)
    ]
    valid_countries = [(code, share) for code, share in countries if code in codes.countries]
    regions = [
        (str(row.get("code", "")), str(row.get("vocabulary") or "1"), _percentage(row.get("percentage")))
        for row in _rows(item.recipient_regions)
    ]
    valid_regions = [
        (code, vocabulary, share)
        for code, vocabulary, share in regions
        if vocabulary in codes.region_vocabularies and (vocabulary != "1" or code in codes.regions)
    ]
    if len(valid_countries) != len(countries) or len(valid_regions) != len(regions):
        logger.warning("IATI export: aid item %s has recipient codes outside the codelists", item.public_id)
    if not valid_countries and not valid_regions:  # Amity records aid to Viet Nam; marked as said by Amity
        _sub(activity, "recipient-country", code="VN", percentage="100").set(f"{{{AMITY_NS}}}derived-from", "amity")
    for code, share in valid_countries:
        _sub(activity, "recipient-country", code=code, percentage=share)
    for code, vocabulary, share in valid_regions:
        _sub(activity, "recipient-region", code=code, vocabulary=vocabulary, percentage=share)


def _location(activity: etree._Element, location: LocationSplit) -> None:
    unit = location.unit
    element = _sub(activity, "location", ref=location_ref(unit))
    element.set(f"{{{AMITY_NS}}}era", unit.era)
    element.set(f"{{{AMITY_NS}}}level", unit.level)
    element.set(f"{{{AMITY_NS}}}code", unit.code)
    element.set(f"{{{AMITY_NS}}}percentage", _decimal(location.percentage))
    _narratives(_sub(element, "name"), [("vi", unit.full_name_vi), ("en", unit.full_name_en)])
    # The unit lies in Viet Nam; GSO codes have no IATI geographic vocabulary, so they travel in `ref` and the
    # Amity attributes above.
    _sub(element, "administrative", vocabulary=GEO_VOCABULARY_ISO_COUNTRY, level="0", code="VN")
    _sub(element, "location-class", code=LOCATION_CLASS_ADMINISTRATIVE)
    designation = FEATURE_DESIGNATION.get((unit.era, unit.level))
    if designation:
        _sub(element, "feature-designation", code=designation)


def _transaction(activity: etree._Element, tx: Transaction, lookups: _Lookups) -> None:
    element = _sub(activity, "transaction", ref=str(tx.public_id))
    if tx.viet_nam_share != HUNDRED:
        element.set(f"{{{AMITY_NS}}}viet-nam-share", _decimal(tx.viet_nam_share))
    _sub(element, "transaction-type", code=tx.transaction_type)
    _sub(element, "transaction-date", **{"iso-date": _date(tx.date)})
    _value(element, tx.amount, lookups.currencies[tx.currency_id], tx.value_date)
    if tx.description.strip() and not lookups.public:
        _narratives(_sub(element, "description"), [("vi", tx.description)])
    for tag, organisation_id in (("provider-org", tx.provider_id), ("receiver-org", tx.receiver_id)):
        if organisation_id:
            organisation = lookups.organisations[organisation_id]
            _narratives(_sub(element, tag, **_org_attributes(organisation)), _org_names(organisation))


# --- one organisation ---------------------------------------------------------------------------------------


def organisation_element(organisation: Organisation, *, reporting_org: ReportingOrg) -> etree._Element:
    element = etree.Element("iati-organisation", nsmap=NSMAP)
    element.set("last-updated-datetime", _datetime(organisation.updated_at))
    element.set(XML_LANG, DEFAULT_LANGUAGE)
    element.set(f"{{{AMITY_NS}}}id", str(organisation.public_id))
    _sub(element, "organisation-identifier", text=organisation_identifier(organisation, reporting_org))
    _narratives(_sub(element, "name"), _org_names(organisation))
    _reporting_org(element, reporting_org)
    return element


# --- helpers ------------------------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, *, text: str | None = None, **attributes: str) -> etree._Element:
    """Every stored text reaches the file through here, without the characters XML cannot hold."""
    element = etree.SubElement(parent, tag, {name: xml_text(value) for name, value in attributes.items() if value})
    if text is not None:
        element.text = xml_text(text)
    return element


def _narratives(parent: etree._Element, texts: Iterable[tuple[str | None, str]]) -> None:
    for language, text in texts:
        narrative = _sub(parent, "narrative", text=text)
        if language:
            narrative.set(XML_LANG, language)


def _texts(own: list[tuple[str, str]], narratives: Any, key: str, codes: _Lookups) -> list[tuple[str | None, str]]:
    """Amity's own fields, then the other languages kept from an import (`AidItem.narratives[key]`)."""
    texts: list[tuple[str | None, str]] = [(language, text.strip()) for language, text in own if text.strip()]
    seen = {language for language, _text in own}
    extra = narratives.get(key) if isinstance(narratives, dict) else None
    if isinstance(extra, dict):
        for language, text in sorted(extra.items()):
            if language not in seen and language in codes.languages and isinstance(text, str) and text.strip():
                texts.append((language, text.strip()))
    return texts


def _org_attributes(organisation: Organisation) -> dict[str, str]:
    attributes = {"ref": organisation.iati_identifier.strip()}
    if organisation.iati_type is not None:
        attributes["type"] = organisation.iati_type.code
    attributes[f"{{{AMITY_NS}}}id"] = str(organisation.public_id)
    return attributes


def _org_names(organisation: Organisation) -> list[tuple[str | None, str]]:
    """The name in the organisation's own language (untagged, so in the file's default language, unless the
    organisation is Vietnamese) and the Vietnamese name when it differs."""
    own_language = "vi" if organisation.kind == OrganisationKind.VIETNAMESE_AGENCY else None
    names: list[tuple[str | None, str]] = [(own_language, organisation.name.strip())]
    if organisation.name_vi.strip() and organisation.name_vi.strip() != organisation.name.strip():
        names.append(("vi", organisation.name_vi.strip()))
    return names


def _reporting_org(parent: etree._Element, reporting_org: ReportingOrg) -> None:
    element = _sub(parent, "reporting-org", ref=reporting_org.ref, type=reporting_org.type)
    _narratives(element, [(None, reporting_org.name)])


def _value(parent: etree._Element, amount: Decimal, currency: str, value_date: date) -> None:
    _sub(parent, "value", text=_decimal(amount), currency=currency, **{"value-date": _date(value_date)})


def _rows(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _percentage(value: Any) -> str:
    """A percentage from a JSON field as a decimal string, or "" (left out) if it is not one from 0 to 100."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    return _decimal(number) if number.is_finite() and 0 <= number <= 100 else ""


def _decimal(value: Decimal) -> str:
    return f"{value:f}"


def _date(value: date) -> str:
    return value.isoformat()


def _datetime(value: datetime) -> str:
    return value.astimezone(timezone.get_fixed_timezone(0)).replace(microsecond=0).isoformat()
