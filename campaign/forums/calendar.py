"""iCalendar files for forums (RFC 5545, made with the icalendar package); `build_calendar`
wraps any area's events (meetings add theirs to a campaign's feed)."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from campaign.core.i18n import localized
from campaign.core.urls import external_url
from campaign.forums.models import Forum, ForumStatus

PRODUCT_ID = "-//Campaign organizer//Forums//EN"


def forum_event(forum: Forum, registrant: bool = False) -> Event:
    """One forum as an event. The private details (a house meeting's address, the video
    link) go only into a registrant's copy."""
    zone = ZoneInfo(forum.timezone)
    event = Event()
    event.add("uid", forum.uid)
    event.add("sequence", forum.sequence)
    event.add("dtstamp", forum.updated_at)
    event.add("dtstart", forum.starts_at.astimezone(zone))
    event.add("dtend", forum.ends_at.astimezone(zone))
    event.add("summary", localized(forum, "title"))
    page = external_url("forums.show", slug=forum.slug)
    event.add("url", page)
    description = [localized(forum, "description") or "", page]
    if registrant and forum.virtual_url:
        description.append(forum.virtual_url)
    event.add("description", "\n\n".join(part for part in description if part))
    location = ", ".join(part for part in (forum.venue_name, forum.venue_address) if part)
    if forum.address_after_rsvp and not registrant:
        location = forum.venue_name or ""
    if location:
        event.add("location", location)
    elif registrant and forum.virtual_url:
        event.add("location", forum.virtual_url)
    event.add("status", "CANCELLED" if forum.status is ForumStatus.CANCELLED else "CONFIRMED")
    return event


def build_calendar(events: Iterable[Event], method: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_for(forums: Iterable[Forum], registrant: bool = False, method: str | None = None) -> bytes:
    return build_calendar((forum_event(forum, registrant) for forum in forums), method)


def invitation(forum: Forum, registrant: bool) -> dict:
    """The .ics attachment of a mail to someone registered: a request, or a cancellation.
    `registrant`: they hold a seat, so their copy has the private details."""
    method = "CANCEL" if forum.status is ForumStatus.CANCELLED else "REQUEST"
    return {
        "filename": f"{forum.slug}.ics",
        "content_type": f"text/calendar; charset=utf-8; method={method}",
        "data": calendar_for([forum], registrant=registrant, method=method),
    }
