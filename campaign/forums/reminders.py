"""Reminders the day before and two hours before a forum, written by `flask outbox send`.

Each forum has one row per reminder holding its offset from the start; a forum that moves
moves its reminders' due time, and a reminder whose new moment is still ahead is armed
again. A reminder is claimed by one conditional UPDATE, so two senders never both send it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from campaign.extensions import db
from campaign.forums.models import RSVP, Forum, ForumReminder, ForumStatus, RSVPStatus
from campaign.forums.notices import mail_rsvp
from campaign.outbox.services import producer

REMINDERS = (timedelta(days=1), timedelta(hours=2))
PRODUCER = "forums.reminders"


def plan_reminders(forum: Forum, now: datetime) -> None:
    """Give a forum its reminders, or move them with its start. One whose moment has passed
    is marked skipped: a reminder an hour after the RSVP confirmation helps nobody."""
    existing = {reminder.minutes_before: reminder for reminder in forum.reminders}
    for offset in REMINDERS:
        minutes = int(offset.total_seconds() // 60)
        reminder = existing.get(minutes) or ForumReminder(minutes_before=minutes)
        due_at = forum.starts_at - offset
        if reminder.id is not None and reminder.due_at == due_at:
            continue
        reminder.due_at = due_at
        past = due_at <= now
        reminder.sent_at, reminder.skipped, reminder.recipients = (now, True, 0) if past else (None, False, None)
        if reminder.id is None:
            forum.reminders.append(reminder)


@producer(PRODUCER)
def send_due_reminders(now: datetime) -> int:
    """Write the reminders that are due. When several of one forum are due at once (the
    sender did not run for a day), only the nearest to the start goes out. Returns the
    number of messages written."""
    due = (
        select(ForumReminder)
        .join(Forum)
        .where(
            ForumReminder.sent_at.is_(None),
            ForumReminder.due_at <= now,
            Forum.status == ForumStatus.SCHEDULED,
            Forum.starts_at > now,
        )
        .order_by(ForumReminder.forum_id, ForumReminder.minutes_before)
    )
    written = 0
    handled_forums: set[int] = set()
    for reminder in db.session.scalars(due).all():
        skip = reminder.forum_id in handled_forums
        handled_forums.add(reminder.forum_id)
        if not _claim(reminder, now, skip):
            continue
        if skip:
            continue
        coming = select(RSVP).where(
            RSVP.forum_id == reminder.forum_id, RSVP.status == RSVPStatus.GOING, RSVP.person_id.is_not(None)
        )
        recipients = db.session.scalars(coming.order_by(RSVP.id)).all()
        for rsvp in recipients:
            mail_rsvp(rsvp, "forums/reminder", calendar=False)
        reminder.recipients = len(recipients)
        written += len(recipients)
        db.session.flush()
    return written


def _claim(reminder: ForumReminder, now: datetime, skip: bool) -> bool:
    claim = (
        update(ForumReminder)
        .where(ForumReminder.id == reminder.id, ForumReminder.sent_at.is_(None))
        .values(sent_at=now, skipped=skip, recipients=0 if skip else None)
        .execution_options(synchronize_session=False)
    )
    claimed = db.session.execute(claim).rowcount == 1
    if claimed:
        db.session.refresh(reminder)
    return claimed
