"""The private calendar feed (RFC 5545, written by `icalendar`): a user's events, as their scope allows, at an
address holding a secret token instead of a session, so that Outlook or a phone can read it. Only the token's
digest is stored; issuing a new one or revoking it stops the old address at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import CalendarFeed, Event
from .selectors import events_between, public_events_between
from .services import token_digest

PAST_DAYS = 366  # a feed holds the last year's events and those of the next two
FUTURE_DAYS = 2 * 366


def has_feed(user: Any) -> bool:
    return CalendarFeed.objects.filter(user=user).exists()


def user_for_token(token: str) -> Any:
    """The active user whose feed this token opens, or None."""
    if not token or len(token) > 100:
        return None
    found = CalendarFeed.objects.select_related("user").filter(token_digest=token_digest(token)).first()
    if found is None or not found.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=found.pk).update(last_read_at=timezone.now())
    return found.user


def ics_for(user: Any, *, today: date) -> bytes:
    """The events `user` may see from a year ago to two years ahead."""
    window = events_between(user, today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS))
    return ics_of(window.select_related("union"), name="Amity")


def public_ics(*, today: date, name: str) -> bytes:
    """The events marked public over the same window: the public information page's calendar."""
    window = public_events_between(today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS))
    return ics_of(window.select_related("union"), name=name)


def ics_of(events: Iterable[Event], *, name: str) -> bytes:
    """A calendar of `events` (RFC 5545), all-day entries with a stable UID each."""
    calendar = Calendar()
    calendar.add("prodid", "-//Amity//People's diplomacy//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    host = (settings.ALLOWED_HOSTS or ["amity"])[0].lstrip(".") or "amity"
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", f"{event.public_id}@{host}")
        entry.add("dtstamp", stamp)
        entry.add("summary", event.title)
        entry.add("dtstart", event.start_date)
        entry.add("dtend", (event.end_date or event.start_date) + timedelta(days=1))  # all-day: the day after
        if event.place:
            entry.add("location", event.place)
        entry.add("categories", [event.get_event_type_display()])
        entry.add("description", f"{event.union}\n{event.description}".strip())
        entry.add("last-modified", event.updated_at)
        entry.add("sequence", event.version)
        calendar.add_component(entry)
    ical: bytes = calendar.to_ical()  # icalendar ships no types
    return ical
