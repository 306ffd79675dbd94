"""Sending a broadcast: a job writes one delivery per recipient in batches, then every minute
the deliveries whose turn has come are handed to the outbox, which sends and retries them.

Exactly once: a delivery is unique per broadcast, person and mailbox, so a queuing job that
crashed and runs again skips what it wrote; a delivery is marked handed over in the same
transaction that writes its message, so a crash before that commit hands over nothing and
one after it hands over everything once. Memory stays flat: each batch reads at most
QUEUE_BATCH people and hands over at most BROADCAST_RATE_PER_MINUTE deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from campaign.accounts.services import record_event
from campaign.broadcasts import rendering
from campaign.broadcasts.audience import (
    batch_end,
    candidates,
    consent_after,
    reach,
    read_audience,
    suppressed,
    unsubscribed,
)
from campaign.broadcasts.models import Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus
from campaign.core.database import take_turn
from campaign.core.hashing import keyed_hash
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.models import Job, JobStatus
from campaign.jobs.registry import handler
from campaign.outbox import services as outbox
from campaign.outbox.models import MessageStatus, OutboxMessage
from campaign.people.models import Person, Unsubscribe

QUEUE_JOB = "broadcasts.queue"
HAND_OVER_JOB = "broadcasts.hand_over"
START_JOB = "broadcasts.start_due"
QUEUE_BATCH = 1000
# Deliveries handed over at most this long ago count against the rate.
RATE_WINDOW = timedelta(minutes=1)
# At most this many deliveries per transaction: each is a bound parameter, and PostgreSQL
# takes at most 65,535 in one statement (a rate of 100,000 a minute would break it).
HAND_OVER_CHUNK = 1000


def start(broadcast: Broadcast) -> None:
    """Queue it now (a job, after the caller's commit)."""
    broadcast.move_to(BroadcastStatus.QUEUING)
    broadcast.started_at = broadcast.started_at or utcnow()
    jobs.enqueue(QUEUE_JOB, broadcast_id=broadcast.id)


@handler(QUEUE_JOB)
def queue_job(broadcast_id: int) -> dict[str, int]:
    return queue(broadcast_id)


def queue(broadcast_id: int, batch_size: int = QUEUE_BATCH) -> dict[str, int]:
    """Write the deliveries, a batch per transaction, from where the last run stopped.
    Stops early when the broadcast is paused or cancelled meanwhile."""
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status is not BroadcastStatus.QUEUING:
        return {"written": 0}
    wanted = read_audience(broadcast.campaign, broadcast.audience)
    written = 0
    while (end := batch_end(broadcast.campaign, wanted, broadcast.queued_through, batch_size)) is not None:
        batch = db.session.execute(
            candidates(broadcast.campaign, wanted, after_person=broadcast.queued_through, through=end)
        ).all()
        rows = [
            {
                "broadcast_id": broadcast.id,
                "person_id": found.person_id,
                "mailbox_hash": keyed_hash("broadcast-mailbox", found.mailbox),
                "locale": found.locale,
            }
            for found in batch
            if not (found.unsubscribed or found.suppressed)
        ]
        if rows:
            written += _insert_new(rows)
        # Added in SQL with the cursor, in the batch's transaction: a second job that ran
        # the same batch (a resume while the first was still at work) cannot count it twice.
        advanced = db.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast.id, Broadcast.queued_through == broadcast.queued_through)
            .values(
                queued_through=end,
                unsubscribed=Broadcast.unsubscribed + sum(1 for found in batch if found.unsubscribed),
                suppressed=Broadcast.suppressed
                + sum(1 for found in batch if found.suppressed and not found.unsubscribed),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if not advanced:  # another job took this batch: let it finish the queue
            db.session.rollback()
            return {"written": written}
        db.session.commit()
        db.session.refresh(broadcast)  # an organizer may have paused or cancelled it meanwhile
        if broadcast.status is not BroadcastStatus.QUEUING:
            return {"written": written}
    recipients = select(func.count()).where(BroadcastDelivery.broadcast_id == broadcast.id).scalar_subquery()
    # Conditional: an organizer who paused or cancelled since the last batch keeps their word.
    db.session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.QUEUING)
        .values(status=BroadcastStatus.SENDING, queued_at=utcnow(), recipients=recipients)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    hand_over()
    book_next_minute()
    return {"written": written}


def _insert_new(rows: list[dict]) -> int:
    """Insert the deliveries that do not exist yet (same person, or same mailbox: a
    household); returns how many were new."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = BroadcastDelivery.__table__
    # One statement compiled once and sent as an executemany (a VALUES list of 1,000 rows
    # is compiled anew every batch); counted from RETURNING, for psycopg reports no row
    # count for ON CONFLICT DO NOTHING.
    statement = dialect.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return len(db.session.execute(statement, rows).all())


def hand_over(now: datetime | None = None) -> int:
    """Hand to the outbox as many queued deliveries as the rate leaves room for this
    minute, oldest broadcast first, and commit. Returns how many were handed over.

    The room is counted under a lock held until the chunk's commit: the cron line and a
    booked job running at once would each see the whole minute's room free."""
    now = now or utcnow()
    rate = current_app.config["BROADCAST_RATE_PER_MINUTE"]
    recent = select(func.count()).where(BroadcastDelivery.handed_over_at > now - RATE_WINDOW)
    handed = 0
    sending = select(Broadcast).where(Broadcast.status == BroadcastStatus.SENDING).order_by(Broadcast.started_at)
    for broadcast in db.session.scalars(sending).all():
        while True:
            take_turn(db.session, HAND_OVER_JOB)
            chunk = min(rate - db.session.scalar(recent), HAND_OVER_CHUNK)
            if chunk <= 0:
                db.session.commit()
                return handed
            taken = _hand_over_batch(broadcast, chunk, now)
            db.session.commit()
            handed += taken
            if taken < chunk:  # this broadcast has nothing more waiting
                break
    return handed


def _hand_over_batch(broadcast: Broadcast, limit: int, now: datetime) -> int:
    turn = (
        select(BroadcastDelivery.id)
        .where(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.status == DeliveryStatus.QUEUED)
        .order_by(BroadcastDelivery.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(turn))
    if len(ids) < limit:  # this is the last of them: every delivery will have been handed over
        # Conditional, not move_to on the object read before: an organizer who paused or
        # cancelled meanwhile (another process) keeps their word, as in queue().
        db.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.SENDING)
            .values(status=BroadcastStatus.SENT, finished_at=now)
            .execution_options(synchronize_session=False)
        )
    if not ids:
        return 0
    # Claimed with a conditional UPDATE: a second sender running at the same time gets
    # none of these rows, and the claim is undone with everything else if this one fails.
    claimed = set(
        db.session.scalars(
            update(BroadcastDelivery)
            .where(BroadcastDelivery.id.in_(ids), BroadcastDelivery.status == DeliveryStatus.QUEUED)
            .values(status=DeliveryStatus.HANDED_OVER, handed_over_at=now)
            .returning(BroadcastDelivery.id)
            .execution_options(synchronize_session=False)
        )
    )
    rendered: dict[str, rendering.Rendered] = {}
    outcomes = []
    for delivery_id, person_id, email, locale, blocked in db.session.execute(_recipients(broadcast, claimed)):
        if blocked or email is None:
            outcomes.append({"id": delivery_id, "status": DeliveryStatus.SKIPPED})
            continue
        if locale not in rendered:
            rendered[locale] = rendering.render(broadcast, locale)
        token = rendering.unsubscribe_token(person_id, broadcast.campaign_id, broadcast.id)
        link = rendering.unsubscribe_url(token, rendered[locale].language)
        text, html = rendered[locale].for_link(link)
        message = outbox.write(
            email,
            rendered[locale].subject,
            text,
            "broadcasts.broadcast",
            locale=locale,
            html=html,
            headers=rendering.headers(link),
        )
        if message is None:  # the address bounced for good since it was queued
            outcomes.append({"id": delivery_id, "status": DeliveryStatus.SKIPPED})
        else:
            outcomes.append({"id": delivery_id, "message_id": message.id})
    for outcome in outcomes:  # one row each: the executemany form needs the same keys in every row
        db.session.execute(
            update(BroadcastDelivery)
            .where(BroadcastDelivery.id == outcome.pop("id"))
            .values(**outcome)
            .execution_options(synchronize_session=False)
        )
    jobs.enqueue(outbox.DELIVER_JOB, once_per_transaction=True)
    return len(claimed)


def _recipients(broadcast: Broadcast, delivery_ids: set[int]):
    """The claimed deliveries with their person's address now, and whether they can no
    longer be mailed: their consent to the campaign withdrawn meanwhile (unsubscribed, or
    the action that gave it invalidated or cancelled) or their address suppressed."""
    person = BroadcastDelivery.person_id
    blocked = or_(
        unsubscribed(person, broadcast.campaign_id),
        not_(consent_after(person, broadcast.campaign_id)),
        suppressed(Person.email),
    )
    return (
        select(BroadcastDelivery.id, person, Person.email, BroadcastDelivery.locale, blocked.label("blocked"))
        .join(Person, Person.id == person)
        .where(BroadcastDelivery.id.in_(sorted(delivery_ids)))
        .order_by(BroadcastDelivery.id)
    )


@handler(HAND_OVER_JOB)
def hand_over_job() -> dict[str, int]:
    handed = hand_over()
    book_next_minute()
    return {"handed_over": handed}


def book_next_minute() -> None:
    """While deliveries wait, the hand-over runs again a minute later as a job of its own, so a
    broadcast goes on without the cron line too (with it, both take turns: the rate is
    counted from the rows). Commits."""
    waiting = (
        select(BroadcastDelivery.id)
        .join(Broadcast, Broadcast.id == BroadcastDelivery.broadcast_id)
        .where(Broadcast.status == BroadcastStatus.SENDING, BroadcastDelivery.status == DeliveryStatus.QUEUED)
        .limit(1)
    )
    booked = select(Job.id).where(Job.name == HAND_OVER_JOB, Job.status.in_([JobStatus.QUEUED, JobStatus.RETRYING]))
    if db.session.scalar(waiting) is not None and db.session.scalar(booked.limit(1)) is None:
        jobs.enqueue(HAND_OVER_JOB, delay=RATE_WINDOW)
    db.session.commit()


def _start_scheduled(broadcast: Broadcast) -> bool:
    """Start it (True), unless nobody in its audience can be mailed any more (they unsubscribed or
    bounced since it was scheduled): then it goes back to the drafts, as an organizer's
    "Unschedule" would, rather than end as "sent" to nobody."""
    if not reach(broadcast.campaign, read_audience(broadcast.campaign, broadcast.audience)).recipients:
        broadcast.move_to(BroadcastStatus.DRAFT)
        broadcast.scheduled_for = None
        record_event(None, "broadcast_reached_nobody", broadcast_id=broadcast.id, audience=broadcast.audience)
        return False
    start(broadcast)
    # The audience it went to: a scheduled broadcast can be edited until it starts.
    record_event(None, "broadcast_started", broadcast_id=broadcast.id, audience=broadcast.audience)
    return True


@handler(START_JOB)
def start_scheduled_job(broadcast_id: int, at: str) -> dict[str, int]:
    """Booked for a broadcast's time; one taken back to a draft or moved to another time is
    left alone (the booking of its new time starts it)."""
    broadcast = db.session.get(Broadcast, broadcast_id)
    due = broadcast is not None and broadcast.status is BroadcastStatus.SCHEDULED
    if due and broadcast.scheduled_for.isoformat() == at:
        started = _start_scheduled(broadcast)
        db.session.commit()
        return {"started": int(started)}
    return {"started": 0}


@outbox.producer("broadcasts")
def produce(now: datetime) -> int:
    """Every minute (`flask outbox send`): start the scheduled broadcasts that are due (their
    booked job may have been lost with a restart), and hand over the next minute's deliveries."""
    due = select(Broadcast).where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_for <= now)
    for broadcast in db.session.scalars(due).all():
        _start_scheduled(broadcast)
    db.session.commit()
    return hand_over(now)


@dataclass(frozen=True)
class Progress:
    recipients: int  # deliveries written so far
    waiting: int  # queued, not handed over yet
    in_outbox: int  # handed over, not sent yet (or retrying)
    sent: int
    failed: int
    skipped: int  # unsubscribed, suppressed or erased before their turn
    cancelled: int
    unsubscribed_by_link: int  # people who used this broadcast's unsubscribe link

    @property
    def remaining(self) -> int:
        return self.waiting + self.in_outbox

    @property
    def percent_done(self) -> int:
        done = self.sent + self.failed + self.skipped
        return round(100 * done / self.recipients) if self.recipients else 0


def progress(broadcast: Broadcast) -> Progress:
    """One GROUP BY over the broadcast's deliveries and their messages."""
    query = (
        select(BroadcastDelivery.status, OutboxMessage.status, func.count())
        .outerjoin(OutboxMessage, OutboxMessage.id == BroadcastDelivery.message_id)
        .where(BroadcastDelivery.broadcast_id == broadcast.id)
        .group_by(BroadcastDelivery.status, OutboxMessage.status)
    )
    counts: dict[str, int] = {}
    for delivery_status, message_status, count in db.session.execute(query):
        if delivery_status is DeliveryStatus.HANDED_OVER:
            key = {MessageStatus.SENT: "sent", MessageStatus.FAILED: "failed"}.get(message_status, "in_outbox")
            if message_status is None:  # its message was purged with its recipient's erasure
                key = "sent"
        else:
            key = {
                DeliveryStatus.QUEUED: "waiting",
                DeliveryStatus.SKIPPED: "skipped",
                DeliveryStatus.CANCELLED: "cancelled",
            }[delivery_status]
        counts[key] = counts.get(key, 0) + count
    by_link = select(func.count()).where(Unsubscribe.broadcast_id == broadcast.id)
    return Progress(
        recipients=sum(counts.values()),
        waiting=counts.get("waiting", 0),
        in_outbox=counts.get("in_outbox", 0),
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        skipped=counts.get("skipped", 0),
        cancelled=counts.get("cancelled", 0),
        unsubscribed_by_link=db.session.scalar(by_link),
    )


def cancel_waiting(broadcast: Broadcast) -> int:
    """Deliveries not handed over yet will never be: what is in the outbox still goes."""
    statement = (
        update(BroadcastDelivery)
        .where(and_(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.status == DeliveryStatus.QUEUED))
        .values(status=DeliveryStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount
