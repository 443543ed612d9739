"""The public pages (no sign-in): homes, news, events, the NGO directory, robots.txt. Each is a `public_page`
(read in the address's language, cached for anonymous readers, see `public.py`)."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_safe

from amity.core.files import file_response
from amity.core.views import HomeView
from amity.diplomacy import feed
from amity.diplomacy.selectors import month_weeks
from amity.organisations.choices import RegistrationKind
from amity.reference.models import AdministrativeUnit

from . import selectors
from .public import public_page

NEWS_PER_PAGE = 20
DIRECTORY_PER_PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    """`/`: the national public home for visitors; signed-in staff keep their own home, which links to the public
    one ("View as public", `/public/`)."""
    if request.user.is_authenticated:
        return HomeView.as_view()(request)
    return public_home(request)


@require_safe
@public_page
def public_home(request: HttpRequest) -> HttpResponse:
    return _home(request, None)


@require_safe
@public_page
def province_home(request: HttpRequest, code: str) -> HttpResponse:
    return _home(request, selectors.province(code))


def _home(request: HttpRequest, portal: AdministrativeUnit | None) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "portal_province": portal,
        "public_section": "home",
        "canonical_path": reverse("home") if portal is None else "",
        "news": [article_view(a) for a in selectors.published_news(portal)[:6]],
        "events": selectors.upcoming_events(portal, today=today),
        "headlines": selectors.headline_figures(portal),
        "provinces": selectors.provinces() if portal is None else (),
    }
    return render(request, "portal/home.html", context)


def article_view(article: Any) -> dict[str, Any]:
    return {"article": article, **article.in_language()}


@require_safe
@public_page(params=("page",))
def news_list(request: HttpRequest, code: str | None = None) -> HttpResponse:
    portal = selectors.province(code) if code else None
    page = Paginator(selectors.published_news(portal), NEWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "portal_province": portal,
        "public_section": "news",
        "page_obj": page,
        "news": [article_view(a) for a in page.object_list],
    }
    return render(request, "portal/news_list.html", context)


@require_safe
@public_page
def news_article(request: HttpRequest, public_id: Any) -> HttpResponse:
    article = selectors.published_article(public_id)
    return render_article(request, article)


def render_article(request: HttpRequest, article: Any, *, preview: bool = False) -> HttpResponse:
    context = {
        "portal_province": article.owning_province,
        "public_section": "news",
        "preview": preview,
        "file_url_name": "portal:news_staff_file" if preview else "portal:news_file",
        "attachments": list(article.attachments.all()),
        **article_view(article),
    }
    return render(request, "portal/news_article.html", context)


@require_safe
def news_file(request: HttpRequest, public_id: Any, name: str) -> HttpResponseBase:
    """A published article's image (`image`) or attachment (its id): found through the article, never by address."""
    article = selectors.published_article(public_id)
    if name == "image":
        return file_response(article.image, inline=True)
    attachment = next((a for a in article.attachments.all() if str(a.pk) == name), None)
    if attachment is None:
        raise Http404
    return attachment.response()


@require_safe
@public_page(params=("month",))
def events_list(request: HttpRequest, code: str | None = None) -> HttpResponse:
    portal = selectors.province(code) if code else None
    today = timezone.localdate()
    year, month = _month(request, today)
    first = date(year, month, 1)
    last = date(year, month, month_calendar.monthrange(year, month)[1])
    in_month = list(selectors.public_events(portal, first=first, last=last))
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    context = {
        "portal_province": portal,
        "public_section": "events",
        "upcoming": selectors.upcoming_events(portal, today=today, limit=20),
        "month": first,
        "weeks": month_weeks(year, month, in_month),
        "in_month": in_month,
        "previous": previous,
        "following": following,
        "weekdays": [date(2024, 1, day) for day in range(1, 8)],  # 1 Jan 2024 was a Monday
    }
    return render(request, "portal/events.html", context)


def _month(request: HttpRequest, today: date) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if not 2000 <= year <= 2100:
        return today.year, today.month
    return year, month


@require_safe
@public_page
def event_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = selectors.public_event(public_id)
    context = {"portal_province": event.owning_province, "public_section": "events", "event": event}
    return render(request, "portal/event_detail.html", context)


@require_safe
@public_page
def events_ics(request: HttpRequest) -> HttpResponse:
    """The public events as a calendar to subscribe to (the diplomacy app's feed builder, as the public sees it)."""
    content = feed.public_ics(today=timezone.localdate(), name="Amity")
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@require_safe
@public_page(params=("q", "country", "sector", "province", "kind", "page"))
def directory(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = {name: request.GET.get(name, "").strip()[:100] for name in ("q", "country", "sector", "province", "kind")}
    entries = selectors.directory(
        today=today,
        query=filters["q"],
        country=filters["country"],
        sector=filters["sector"],
        province_code=filters["province"],
        kind=filters["kind"] if filters["kind"] in RegistrationKind.values else "",
    )
    page = Paginator(entries, DIRECTORY_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "public_section": "directory",
        "page_obj": page,
        "entries": page.object_list,
        "count": len(entries),
        "filters": filters,
        "choices": selectors.directory_choices(today),
        "kinds": RegistrationKind.choices,
        "querystring": query.urlencode(),
        "today": today,
    }
    return render(request, "portal/directory.html", context)


@require_safe
@public_page
def directory_entry(request: HttpRequest, public_id: Any) -> HttpResponse:
    today = timezone.localdate()
    entry = selectors.directory_entry(public_id, today=today)
    figures = selectors.ngo_aid_figures(entry.organisation)
    measures = figures.spec.measures

    def shown(value: Any) -> str:
        return formats.number_format(value, 0, force_grouping=True)

    context = {
        "public_section": "directory",
        "entry": entry,
        "figures": figures,
        "figure_labels": [m.label for m in measures],
        "figure_rows": [(row.keys[0].label, [shown(row.value(m)) for m in measures]) for row in figures.rows],
        "figure_totals": [shown(figures.totals.get(m, 0)) for m in measures],
        "today": today,
    }
    return render(request, "portal/directory_entry.html", context)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Disallow: /api/v1/",
        "Disallow: /portal/",
        f"Sitemap: {request.build_absolute_uri(reverse('portal:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
