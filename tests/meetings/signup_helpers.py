"""Sign-ups as people make them: the form on the page, then the link in the mail."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.meetings import services
from campaign.meetings.models import Meeting, Observer, Speaker
from campaign.outbox.models import OutboxMessage

MAI = {"first_name": "Mai", "last_name": "Vang", "email": "mai@example.org", "locale": "en"}


def mailed_link(address: str, kind: str = "confirm") -> str:
    """The path (with its query) of the latest `kind` link ("confirm", "cancel") mailed to `address`."""
    query = select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id.desc())
    for message in db.session.scalars(query):
        found = re.search(rf"http://localhost(/meetings/\S+/{kind}/\S+)", message.body_text)
        if found:
            return found.group(1)
    raise AssertionError(f"no {kind} link was mailed to {address}")


def mails_to(address: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def count(model: type[Observer] | type[Speaker]) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def observe(client, meeting, **fields):
    return client.post(f"/meetings/{meeting.slug}/observe", data=MAI | fields)


def speak(client, item, **fields):
    return client.post(f"/meetings/{item.meeting.slug}/items/{item.id}/speak", data=MAI | fields)


def confirmed_observer(client, meeting, **fields):
    assert observe(client, meeting, **fields).status_code == 303
    return client.post(mailed_link(fields.get("email", MAI["email"])))


def confirmed_speaker(client, item, **fields):
    assert speak(client, item, **fields).status_code == 303
    return client.post(mailed_link(fields.get("email", MAI["email"])))


def local_start(meeting: Meeting) -> datetime:
    """The start as the organizer form shows it: the county's wall clock, without a zone."""
    return meeting.starts_at.astimezone(services.meeting_zone(meeting)).replace(tzinfo=None)


def meeting_input(meeting: Meeting, **changes) -> services.MeetingInput:
    """What the organizer form sends for `meeting` as it stands, with `changes`."""
    fields = ("title", "title_es", "slug", "body", "place", "agenda_url", "minutes_url", "video_url")
    fields += ("observer_limit", "status", "outcome")
    values = {name: getattr(meeting, name) for name in fields} | {"starts_local": local_start(meeting)}
    return services.MeetingInput(**values | changes)
