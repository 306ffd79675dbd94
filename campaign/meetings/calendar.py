"""Meetings in iCalendar: one meeting, and a campaign's feed of its forums and meetings."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Event

from campaign.campaigns.models import Campaign
from campaign.core.i18n import localized
from campaign.core.urls import external_url
from campaign.forums.calendar import build_calendar, forum_event
from campaign.meetings.models import Meeting, MeetingStatus
from campaign.meetings.services import meeting_zone

# Agendas give a start only; a board meeting runs about this long, so a calendar shows a block.
MEETING_LENGTH = timedelta(hours=2)


def meeting_event(meeting: Meeting) -> Event:
    zone = meeting_zone(meeting)
    event = Event()
    # The address is set once, at creation: the event keeps its identity across edits.
    event.add("uid", f"meeting-{meeting.slug}@campaign-organizer")
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", (meeting.starts_at + MEETING_LENGTH).astimezone(zone))
    event.add("summary", localized(meeting, "title"))
    page = external_url("meetings.show", slug=meeting.slug)
    event.add("url", page)
    event.add("description", "\n\n".join(link for link in (page, meeting.agenda_url) if link))
    if meeting.place:
        event.add("location", meeting.place)
    event.add("status", "CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def meeting_calendar(meeting: Meeting) -> bytes:
    return build_calendar([meeting_event(meeting)])


def campaign_calendar(campaign: Campaign) -> bytes:
    """The campaign's forums and meetings, cancelled ones marked so (a subscribed calendar
    then drops them)."""
    events = [forum_event(forum) for forum in campaign.forums] + [
        meeting_event(meeting) for meeting in campaign.meetings
    ]
    return build_calendar(events)
