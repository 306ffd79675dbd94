"""RSVPs over time for the organizer's chart: seats taken and the waitlist, day by day in
the forum's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from campaign.core.timeline import daily_counts, hour_bucket, hour_start, running_total
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP, Forum, RSVPStatus
from campaign.geo.services import zone_for


@dataclass(frozen=True)
class RSVPDay:
    day: date
    going: int  # seats taken by the end of the day: people, guests included, as capacity counts
    waiting: int  # people on the waitlist by the end of the day


def rsvps_over_time(forum: Forum) -> list[RSVPDay]:
    """Running totals per local day of the RSVPs that hold a seat or wait for one now, by the
    day each was made; from the day the forum was announced (or the first RSVP, if earlier)
    to today, or to the forum's day once it is over. Empty when nobody has RSVP'd.

    One query, grouped by UTC hour and status on the (forum, status, created_at) index."""
    bucket = hour_bucket(RSVP.created_at)
    rows = db.session.execute(
        select(bucket, RSVP.status, func.sum(1 + RSVP.guests))
        .where(RSVP.forum_id == forum.id, RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLISTED]))
        .group_by(bucket, RSVP.status)
    ).all()
    if not rows:
        return []
    zone = zone_for(forum.timezone)
    days = [hour_start(hour).astimezone(zone).date() for hour, _status, _people in rows]
    last = max(min(utcnow(), forum.ends_at).astimezone(zone).date(), *days)
    first = min(forum.created_at.astimezone(zone).date(), *days, last - timedelta(days=1))  # a line, not a point
    going, waiting = (
        running_total(
            daily_counts([(hour, people) for hour, state, people in rows if state == status], zone, first, last)
        )
        for status in (RSVPStatus.GOING, RSVPStatus.WAITLISTED)
    )
    return [RSVPDay(day, seats, waits) for (day, seats), (_day, waits) in zip(going, waiting, strict=True)]
