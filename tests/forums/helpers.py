"""RSVPs as people make them: the form, then the link in the mail."""

from __future__ import annotations

import re

from sqlalchemy import select

from campaign.extensions import db
from campaign.forums import services
from campaign.forums.models import RSVP
from campaign.outbox.models import OutboxMessage


def confirmation_link(address: str) -> str:
    """The path of the latest confirmation link mailed to `address`."""
    query = select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id.desc())
    for message in db.session.scalars(query):
        found = re.search(r"http://localhost(/forums/\S+/confirm/\S+)", message.body_text)
        if found:
            return found.group(1)
    raise AssertionError(f"no confirmation link was mailed to {address}")


def confirmed_rsvp(forum, data: services.RSVPInput, now=None) -> RSVP:
    """RSVP, then press Confirm in the mailed link: the seat (or waitlist place) is taken."""
    services.rsvp(forum, data, now=now)
    token = confirmation_link(data.email).rsplit("/", 1)[1]
    record = services.confirm_rsvp(forum, token, now=now)
    db.session.commit()
    return record
