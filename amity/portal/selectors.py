"""What the public pages read. News and published reports are read through their scope policies as an anonymous
visitor (`PUBLIC`), so only published articles and reports come out; public events through the diplomacy register's
own selector (`diplomacy.selectors.public_events`, see there why not its policy); the NGO directory, see
`directory`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import formats

from amity.accounts.choices import Role
from amity.accounts.models import User
from amity.diplomacy.models import Event
from amity.diplomacy.selectors import public_events as diplomacy_public_events
from amity.diplomacy.selectors import public_events_between
from amity.documents.search import normalise
from amity.organisations.choices import OrganisationKind
from amity.organisations.models import Organisation, Registration
from amity.organisations.selectors import registration_valid_on_q
from amity.reference.choices import Era
from amity.reference.models import AdministrativeUnit, CodelistItem, Country
from amity.reports.models import PublishedReport
from amity.reports.selectors import ReportResult, report
from amity.reports.spec import Dimension, Measure, ReportSpec, StatusBasis

from .choices import NewsState
from .models import NewsArticle

PUBLIC = AnonymousUser()  # the visitor: every public read goes through the scope policy as this user
EVENTS_AHEAD_DAYS = 366


def province(code: str) -> AdministrativeUnit:
    """A province of the current era by its code, or 404."""
    found = AdministrativeUnit.objects.filter(era=Era.CURRENT, level="province", code=code).first()
    if found is None:
        raise Http404
    return found


def provinces() -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(era=Era.CURRENT, level="province").order_by("code")


# --- news -------------------------------------------------------------------------------------------------


def published_news(portal: AdministrativeUnit | None = None) -> QuerySet[NewsArticle]:
    """Published articles, newest first: a province's own, or on the national portal every portal's."""
    rows = NewsArticle.objects.restrict(PUBLIC, "view").filter(state=NewsState.PUBLISHED)
    if portal is not None:
        rows = rows.filter(owning_province=portal)
    return rows.select_related("owning_province").order_by("-published_at", "-pk")


def published_article(public_id: Any) -> NewsArticle:
    found = published_news().prefetch_related("attachments").filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


# --- events -----------------------------------------------------------------------------------------------


def public_events(portal: AdministrativeUnit | None = None, *, first: date, last: date) -> QuerySet[Event]:
    """Events marked public, on at least one day from `first` to `last` (the diplomacy register's selector)."""
    rows = public_events_between(first, last)
    if portal is not None:
        rows = rows.filter(owning_province=portal)
    return rows.select_related("union", "owning_province")


def upcoming_events(portal: AdministrativeUnit | None, *, today: date, limit: int = 5) -> list[Event]:
    return list(public_events(portal, first=today, last=today + timedelta(days=EVENTS_AHEAD_DAYS))[:limit])


def public_event(public_id: Any) -> Event:
    found = diplomacy_public_events().select_related("union", "owning_province").filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


# --- published figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    report: PublishedReport
    totals: list[tuple[str, str]]  # (measure, amount as published)
    currency: str
    url: str


def headline_figures(portal: AdministrativeUnit | None, *, limit: int = 3) -> list[Headline]:
    """The latest published reports of the portal (national: those with no province) with their totals."""
    rows = PublishedReport.objects.restrict(PUBLIC, "view").filter(province=portal).order_by("-published_at")
    found = []
    for published in rows.select_related("province")[:limit]:
        figures = published.figures or {}
        currency = str(figures.get("currency", ""))
        totals = [
            (Measure(name).label, _shown(Measure(name), value, currency))
            for name, value in (figures.get("totals") or {}).items()
            if name in set(Measure)
        ]
        try:
            url = reverse("portal-data:figures_detail", kwargs={"public_id": published.public_id})
        except NoReverseMatch:
            url = ""
        found.append(Headline(published, totals, currency, url))
    return found


def _shown(measure: Measure, value: Any, currency: str) -> str:
    """A published total as printed: money rounded to units with its currency, counts as they are."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if measure.is_money:
        return f"{formats.number_format(number, 0, force_grouping=True)} {currency}"
    return formats.number_format(number, 0, force_grouping=True)


# --- the NGO directory ------------------------------------------------------------------------------------


@dataclass
class DirectoryEntry:
    organisation: Organisation
    registrations: list[Registration]

    @property
    def sectors(self) -> list[Any]:
        return sorted({s for r in self.registrations for s in r.sectors.all()}, key=lambda s: s.code)

    @property
    def provinces(self) -> list[Any]:
        return sorted({p for r in self.registrations for p in r.provinces.all()}, key=lambda p: p.code)


def valid_registrations(today: date) -> QuerySet[Registration]:
    return Registration.objects.unscoped().filter(registration_valid_on_q(today))


def directory_organisations(
    *, today: date, country: str = "", sector: str = "", province_code: str = "", kind: str = ""
) -> QuerySet[Organisation]:
    """The directory's rule, the one place it is written (the directory page, the `ngos` dataset and the public
    API's `ngos/` read it): foreign NGOs holding a registration valid today — one of `kind`, covering `sector`
    (a sector category's code) and the current-era province `province_code` when they are given, all on the same
    registration — from `country`.

    Decree 58/2022's register of licensed foreign NGOs is public, but the organisations' scope policy grants
    nothing to anonymous users (it serves the staff register, drafts and all): this is the one read of it for the
    public, `unscoped()` on purpose; the callers show only the public fields."""
    registrations = valid_registrations(today)
    if kind:
        registrations = registrations.filter(kind=kind)
    if sector:
        registrations = registrations.filter(sectors__code=sector)
    if province_code:
        registrations = registrations.filter(provinces__era=Era.CURRENT, provinces__code=province_code)
    organisations = Organisation.objects.unscoped().filter(
        kind=OrganisationKind.FOREIGN_NGO, pk__in=registrations.values("organisation_id")
    )
    if country:
        organisations = organisations.filter(country__code=country)
    return organisations


def directory(
    *, today: date, query: str = "", country: str = "", sector: str = "", province_code: str = "", kind: str = ""
) -> list[DirectoryEntry]:
    """The directory page's entries (`directory_organisations`) with their valid registrations; the pages show only
    the public fields (names, country, licences, sectors, provinces, the organisation's own website, e-mail and
    address) — never a person's details. A query matches the names with or without diacritics
    (`documents.search.normalise`), each word a prefix of a word of a name."""
    listed = (
        directory_organisations(today=today, country=country, sector=sector, province_code=province_code, kind=kind)
        .select_related("country")
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=valid_registrations(today).prefetch_related("sectors", "provinces").order_by("expiry_date"),
                to_attr="valid_registrations",
            )
        )
        .order_by("name", "pk")
    )
    words = normalise(query).split()
    entries = []
    for organisation in listed:
        if words:
            names = normalise(f"{organisation.name} {organisation.name_vi} {organisation.acronym}").split()
            if not all(any(name.startswith(word) for name in names) for word in words):
                continue
        entries.append(DirectoryEntry(organisation, organisation.valid_registrations))
    return entries


def directory_entry(public_id: Any, *, today: date) -> DirectoryEntry:
    organisation = (
        Organisation.objects.unscoped()
        .filter(kind=OrganisationKind.FOREIGN_NGO, public_id=public_id, registrations__in=valid_registrations(today))
        .select_related("country")
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=valid_registrations(today).prefetch_related("sectors", "provinces").order_by("expiry_date"),
                to_attr="valid_registrations",
            )
        )
        .distinct()
        .first()
    )
    if organisation is None:
        raise Http404
    return DirectoryEntry(organisation, organisation.valid_registrations)


def _national_reader() -> User:
    """Who reads the public aid figures: an unsaved central officer, who sees every report fact (the public
    figures are national), so that `reports.selectors.report` counts them exactly as the reports do."""
    return User(username="public-page", role=Role.CENTRAL_OFFICER, is_active=True)


def ngo_aid_figures(organisation: Organisation) -> ReportResult:
    """The NGO's aid as a donor, by year, in USD at value-date rates, counting only aid from its approval on (the
    official status basis) — the reports' own aggregation, not a second one."""
    spec = ReportSpec(
        measures=(Measure.COMMITTED, Measure.DISBURSED, Measure.AID_ITEMS),
        group_by=(Dimension.YEAR,),
        filters={"donor": str(organisation.public_id)},
        statuses=StatusBasis.OFFICIAL,
    )
    return report(_national_reader(), spec)


def directory_choices(today: date) -> dict[str, Any]:
    """The filters' choices: countries, sectors and provinces that appear among valid registrations."""
    registrations = valid_registrations(today).filter(organisation__kind=OrganisationKind.FOREIGN_NGO)

    return {
        "countries": Country.objects.filter(
            pk__in=Organisation.objects.unscoped()
            .filter(registrations__in=registrations.values("pk"))
            .values("country")
        ).order_by("code"),
        "sectors": CodelistItem.objects.filter(pk__in=registrations.values("sectors")).order_by("code"),
        "provinces": AdministrativeUnit.objects.filter(pk__in=registrations.values("provinces")).order_by("code"),
    }
