"""The reminder the day before a pledge's linked forum, targeted meeting or written date,
written by `flask outbox send` through the outbox producer registry."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from campaign.extensions import db
from campaign.forums.models import Forum, ForumStatus
from campaign.meetings.models import Meeting, MeetingStatus
from campaign.outbox.services import producer
from campaign.pledges.models import Commitment, CommitmentStatus, Pledge, PledgeStatus
from campaign.pledges.notices import mail_commitment

REMIND_BEFORE = timedelta(days=1)
PRODUCER = "pledges.reminders"


@producer(PRODUCER)
def send_due_reminders(now: datetime) -> int:
    """The day before a pledge's date (its linked forum's, its meeting's, or the one written
    on it), remind everyone committed who has not done it yet; not for a cancelled forum or
    meeting. Claimed per date, so a moved forum or meeting is reminded of again and two
    senders never both send. Returns the number of messages written."""
    happens = func.coalesce(Forum.starts_at, Meeting.starts_at, Pledge.meeting_at)
    due = (
        select(Pledge, happens)
        .outerjoin(Forum, Pledge.forum_id == Forum.id)
        .outerjoin(Meeting, Pledge.meeting_id == Meeting.id)
        .where(
            Pledge.status != PledgeStatus.DRAFT,
            or_(Forum.id.is_(None), Forum.status == ForumStatus.SCHEDULED),
            or_(Meeting.id.is_(None), Meeting.status == MeetingStatus.SCHEDULED),
            happens > now,
            happens <= now + REMIND_BEFORE,
            or_(Pledge.reminded_for.is_(None), Pledge.reminded_for != happens),
        )
        .order_by(Pledge.id)
    )
    written = 0
    for pledge, moment in db.session.execute(due).all():
        claim = (
            update(Pledge)
            .where(Pledge.id == pledge.id, or_(Pledge.reminded_for.is_(None), Pledge.reminded_for != moment))
            .values(reminded_for=moment)
            .execution_options(synchronize_session=False)
        )
        if db.session.execute(claim).rowcount != 1:
            continue
        waiting = select(Commitment).where(
            Commitment.pledge_id == pledge.id,
            Commitment.status == CommitmentStatus.CONFIRMED,
            Commitment.fulfilled_at.is_(None),
        )
        recipients = db.session.scalars(waiting.order_by(Commitment.id)).all()
        for commitment in recipients:
            mail_commitment(commitment, "pledges/reminder")
        db.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge.id)
            .values(reminder_recipients=len(recipients))
            .execution_options(synchronize_session=False)
        )
        written += len(recipients)
    return written
