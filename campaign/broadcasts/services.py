"""The verbs of a broadcast: write and edit it, preview its reach, send a test, send it now
or at a time, pause, resume, cancel, discard a draft; and unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from campaign.accounts.audit import Changes
from campaign.accounts.models import User
from campaign.accounts.services import record_event
from campaign.broadcasts import delivery, rendering
from campaign.broadcasts.audience import (
    Reach,
    consent_after,
    reach,
    read_audience,
    require_someone,
    stored_audience,
)
from campaign.broadcasts.models import Broadcast, BroadcastStatus
from campaign.campaigns.models import Campaign
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import clean_control
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.outbox import services as outbox
from campaign.people.models import Person, Unsubscribe

MAX_SUBJECT = 200
MAX_BODY_BYTES = 100 * 1024


@dataclass
class Draft:
    """What the organizer writes: the texts, and the audience as its form fields."""

    subject_en: str
    body_en: str
    subject_es: str | None = None
    body_es: str | None = None
    audience: dict[str, str] | None = None


def _subject(value: str | None, field: str, required: bool) -> str | None:
    text = clean_control(value or "", multiline=False).strip()
    if not text:
        if required:
            raise DomainError(_("Write a subject."), field=field)
        return None
    if len(text) > MAX_SUBJECT:
        raise DomainError(_("Use at most %(count)s characters.", count=MAX_SUBJECT), field=field)
    return text


def _body(value: str | None, field: str, required: bool) -> str | None:
    text = clean_control(value or "", multiline=True).strip()
    if not text:
        if required:
            raise DomainError(_("Write the message."), field=field)
        return None
    if len(text.encode("utf-8")) > MAX_BODY_BYTES:
        raise DomainError(_("A message can be at most 100 KB: shorten it, or link to a page."), field=field)
    return text


def _apply(broadcast: Broadcast, data: Draft) -> None:
    subject_es = _subject(data.subject_es, "subject_es", required=False)
    body_es = _body(data.body_es, "body_es", required=False)
    if bool(subject_es) != bool(body_es):
        field = "body_es" if subject_es else "subject_es"
        raise DomainError(_("Write both the Spanish subject and message, or neither."), field=field)
    broadcast.subject_en = _subject(data.subject_en, "subject_en", required=True)
    broadcast.body_en = _body(data.body_en, "body_en", required=True)
    broadcast.subject_es = subject_es
    broadcast.body_es = body_es
    broadcast.audience = stored_audience(read_audience(broadcast.campaign, data.audience or {}))


def create(campaign: Campaign, data: Draft, user: User) -> Broadcast:
    broadcast = Broadcast(campaign=campaign, created_by_id=user.id)
    _apply(broadcast, data)
    db.session.add(broadcast)
    db.session.flush()
    _audit(user, "broadcast_created", broadcast)
    return broadcast


def update(broadcast: Broadcast, data: Draft, user: User) -> Broadcast:
    """Change a draft, or a scheduled broadcast until it starts: then its new audience must
    reach someone, as it must to be scheduled at all."""
    _require_editable(broadcast)
    changes = Changes(broadcast)
    _apply(broadcast, data)
    if broadcast.status is BroadcastStatus.SCHEDULED:
        require_someone(preview_reach(broadcast))
    _audit(user, "broadcast_edited", broadcast, **changes.details())
    return broadcast


def _require_editable(broadcast: Broadcast) -> None:
    if not broadcast.editable:
        raise Conflict(_("This broadcast is already being sent: it can no longer be changed."))


def preview_reach(broadcast: Broadcast) -> Reach:
    return reach(broadcast.campaign, read_audience(broadcast.campaign, broadcast.audience))


def send_test(broadcast: Broadcast, user: User) -> int:
    """The message, as recipients will see it, to the organizer's own address: once per
    language written, each marked a test in its own language. Its unsubscribe link leads to
    a page saying it was a test. Refused when that address bounced for good: no mail goes
    to it any more, and "on its way" would not be true."""
    languages = rendering.written_languages(broadcast)
    for language in languages:
        link = rendering.test_link(broadcast, language)
        with force_locale(language):
            prefix = rendering.test_subject_prefix()
        rendered = rendering.render(broadcast, language, subject_prefix=prefix)
        text, html = rendered.for_link(link)
        written = outbox.write(
            user.email,
            rendered.subject,
            text,
            "broadcasts.test",
            locale=language,
            html=html,
            headers=rendering.headers(link),
        )
        if written is None:
            raise DomainError(
                _(
                    "No test was sent: the mail server refused %(email)s for good before, so nothing "
                    "is mailed to it any more. Ask an administrator to give your account another address.",
                    email=user.email,
                )
            )
    jobs.enqueue(outbox.DELIVER_JOB, once_per_transaction=True)
    broadcast.test_sent_at = utcnow()
    _audit(user, "broadcast_test_sent", broadcast, languages=list(languages))
    return len(languages)


def send(broadcast: Broadcast, user: User, at: datetime | None = None, now: datetime | None = None) -> Broadcast:
    """Send now, or at `at` (UTC). Refused for an audience of nobody or a time gone by."""
    now = now or utcnow()
    _require_editable(broadcast)
    found = preview_reach(broadcast)
    require_someone(found)
    broadcast.sent_by_id = user.id
    if at is not None:
        if at <= now:
            raise DomainError(_("Choose a time in the future, or send it now."), field="scheduled_for")
        if broadcast.status is BroadcastStatus.DRAFT:
            broadcast.move_to(BroadcastStatus.SCHEDULED)
        broadcast.scheduled_for = at
        jobs.enqueue(delivery.START_JOB, delay=at - now, broadcast_id=broadcast.id, at=at.isoformat())
        _audit(user, "broadcast_scheduled", broadcast, recipients=found.recipients, at=at.isoformat())
        return broadcast
    broadcast.scheduled_for = None
    delivery.start(broadcast)
    _audit(user, "broadcast_sent", broadcast, recipients=found.recipients)
    return broadcast


def _audit(user: User, action: str, broadcast: Broadcast, **details) -> None:
    """Who sent, paused or stopped which broadcast to whom (the audience as its filter)."""
    record_event(user, action, broadcast_id=broadcast.id, audience=broadcast.audience, **details)


def unschedule(broadcast: Broadcast, user: User) -> Broadcast:
    """A scheduled broadcast back to a draft, to edit or send another time."""
    broadcast.move_to(BroadcastStatus.DRAFT)
    broadcast.scheduled_for = None
    _audit(user, "broadcast_unscheduled", broadcast)
    return broadcast


def pause(broadcast: Broadcast, user: User) -> Broadcast:
    """Nothing more is queued or handed over; what is already in the outbox (at most a
    minute's worth) still goes."""
    broadcast.move_to(BroadcastStatus.PAUSED)
    _audit(user, "broadcast_paused", broadcast)
    return broadcast


def resume(broadcast: Broadcast, user: User) -> Broadcast:
    if broadcast.status is not BroadcastStatus.PAUSED:
        raise Conflict(_("Only a paused broadcast can be resumed."))
    if broadcast.queued_at is None:
        delivery.start(broadcast)
    else:
        broadcast.move_to(BroadcastStatus.SENDING)
        jobs.enqueue(delivery.HAND_OVER_JOB)  # the next minute's turn, now
    _audit(user, "broadcast_resumed", broadcast)
    return broadcast


def cancel(broadcast: Broadcast, user: User) -> int:
    """Stop for good; returns how many recipients will not get it."""
    broadcast.move_to(BroadcastStatus.CANCELLED)
    broadcast.finished_at = utcnow()
    stopped = delivery.cancel_waiting(broadcast)
    _audit(user, "broadcast_cancelled", broadcast, not_sent=stopped)
    return stopped


def discard(broadcast: Broadcast, user: User) -> None:
    """A draft nobody will send (a follow-up draft not wanted) is deleted."""
    if broadcast.status is not BroadcastStatus.DRAFT:
        raise Conflict(_("Only a draft can be discarded; cancel a broadcast that is being sent."))
    _audit(user, "broadcast_discarded", broadcast, subject=broadcast.subject_en)
    db.session.delete(broadcast)


def get(broadcast_id: int) -> Broadcast:
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFound(_("There is no such broadcast."))
    return broadcast


def for_campaign(campaign: Campaign) -> list[Broadcast]:
    query = select(Broadcast).where(Broadcast.campaign_id == campaign.id).order_by(Broadcast.created_at.desc())
    return list(db.session.scalars(query))


# --- unsubscribing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UnsubscribeLink:
    """What an unsubscribe link stands for. `person` is None for an organizer's test message."""

    person: Person | None
    campaign: Campaign
    broadcast_id: int


def load_link(token: str) -> UnsubscribeLink:
    purpose = rendering.UNSUBSCRIBE
    person_id, campaign_id, broadcast_id = purpose.load(
        token, 3, max_age=current_app.config["UNSUBSCRIBE_LINK_DAYS"] * 86400
    )
    campaign = db.session.get(Campaign, campaign_id)
    person = db.session.get(Person, person_id) if person_id else None
    if campaign is None or (person_id and (person is None or person.erased_at is not None)):
        raise purpose.refuse()
    return UnsubscribeLink(person, campaign, broadcast_id)


def unsubscribe(link: UnsubscribeLink, everything: bool, via: str) -> Unsubscribe | None:
    """Record it with its time; a second click adds nothing. Signatures and counts are
    never touched. None for a test message's link."""
    if link.person is None:
        return None
    campaign_id = None if everything else link.campaign.id
    # The latest unsubscribe that already covers this one (from everything covers a campaign).
    covers = Unsubscribe.campaign_id.is_(None)
    if campaign_id is not None:
        covers = covers | (Unsubscribe.campaign_id == campaign_id)
    existing = db.session.scalar(
        select(Unsubscribe)
        .where(Unsubscribe.person_id == link.person.id, covers)
        .order_by(Unsubscribe.created_at.desc())
        .limit(1)
    )
    if existing is not None:
        resubscribed = consent_after(link.person.id, existing.campaign_id, existing.created_at)
        if not db.session.scalar(select(resubscribed)):
            return existing
    record = Unsubscribe(person_id=link.person.id, campaign_id=campaign_id, via=via, broadcast_id=link.broadcast_id)
    db.session.add(record)
    db.session.flush()
    return record
