"""Commitments over time for the organizer's chart, day by day where the pledge happens."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from campaign.core.timeline import daily_counts, hour_bucket, hour_start, running_total
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.pledges.models import Commitment, CommitmentStatus, Pledge
from campaign.pledges.services import pledge_zone


def commitments_over_time(pledge: Pledge) -> list[tuple[date, int]]:
    """Confirmed commitments so far at the end of each local day, by the day each was
    confirmed; from the day the pledge was written (or the first confirmation, if earlier) to
    today, or to its deadline once passed. Empty when nobody has confirmed yet.

    One query, grouped by UTC hour; the last total is the report's "committed"."""
    bucket = hour_bucket(func.coalesce(Commitment.confirmed_at, Commitment.created_at))
    rows = db.session.execute(
        select(bucket, func.count())
        .where(Commitment.pledge_id == pledge.id, Commitment.status == CommitmentStatus.CONFIRMED)
        .group_by(bucket)
    ).all()
    if not rows:
        return []
    zone = pledge_zone(pledge)
    days = [hour_start(hour).astimezone(zone).date() for hour, _count in rows]
    last = max(min(utcnow(), pledge.deadline or utcnow()).astimezone(zone).date(), *days)
    first = min(pledge.created_at.astimezone(zone).date(), *days, last - timedelta(days=1))  # a line, not a point
    return running_total(daily_counts([tuple(row) for row in rows], zone, first, last))
