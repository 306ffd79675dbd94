"""One supporter across every action: their signatures, commitments, RSVPs and meeting
sign-ups (observer, public comment) with the consent each recorded, the people sharing
their mailbox, and the mail sent to them (what and when, never the text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from campaign.campaigns.models import Campaign
from campaign.core.errors import NotFound
from campaign.extensions import db
from campaign.forums.models import RSVP
from campaign.meetings.models import Observer, Speaker
from campaign.outbox.models import MessageStatus, OutboxMessage, Suppression
from campaign.people.models import Person, Unsubscribe
from campaign.petitions.models import Signature
from campaign.pledges.models import Commitment

# The statuses of signatures, commitments and RSVPs, by their stored value.
STATUS_LABELS = {
    "pending": _l("Pending"),
    "confirmed": _l("Confirmed"),
    "invalidated": _l("Invalidated"),
    "going": _l("Going"),
    "waitlisted": _l("On the waitlist"),
    "cancelled": _l("Cancelled"),
}
MAIL_STATUS_LABELS = {
    MessageStatus.PENDING: _l("Waiting to be sent"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.FAILED: _l("Could not be delivered"),
}

# A person's mail history can be long (reminders, confirmations): the newest are shown.
MAIL_SHOWN = 100


@dataclass(frozen=True)
class Mail:
    """A message to the person's address, without its body."""

    subject: str
    kind: str
    status: MessageStatus
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    household: list[Person]  # others with the same mailbox
    signatures: list[Signature]
    commitments: list[Commitment]
    rsvps: list[RSVP]
    observers: list[Observer]
    speakers: list[Speaker]
    mail: list[Mail]
    # Broadcast preferences: when they asked for no more (campaign title, or None: everything).
    unsubscribes: list[tuple[Unsubscribe, str | None]]
    suppression: Suppression | None  # their address bounced or complained

    @property
    def erased(self) -> bool:
        return self.person.erased_at is not None


def person_record(person_id: int) -> PersonRecord:
    """Everything recorded about one person, newest first; NotFound for an unknown id."""
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound(_("There is no supporter with this number."))
    household = []
    if person.email_normalized:
        household = list(
            db.session.scalars(
                select(Person)
                .where(Person.email_normalized == person.email_normalized, Person.id != person.id)
                .order_by(Person.id)
            )
        )
    return PersonRecord(
        person=person,
        household=household,
        signatures=_rows(Signature, person, Signature.petition, Signature.county),
        commitments=_rows(Commitment, person, Commitment.pledge, Commitment.county),
        rsvps=_rows(RSVP, person, RSVP.forum, RSVP.county),
        observers=_rows(Observer, person, Observer.meeting),
        speakers=_rows(Speaker, person, Speaker.agenda_item),
        mail=_mail(person),
        unsubscribes=_unsubscribes(person),
        suppression=db.session.scalar(select(Suppression).where(Suppression.address == person.email.lower()))
        if person.email
        else None,
    )


def _unsubscribes(person: Person) -> list[tuple[Unsubscribe, str | None]]:
    query = (
        select(Unsubscribe, Campaign.title)
        .outerjoin(Campaign, Campaign.id == Unsubscribe.campaign_id)
        .where(Unsubscribe.person_id == person.id)
        .order_by(Unsubscribe.created_at.desc())
    )
    return [(row, title) for row, title in db.session.execute(query)]


def _rows(model, person: Person, *loaded) -> list:
    query = (
        select(model)
        .where(model.person_id == person.id)
        .order_by(model.created_at.desc(), model.id.desc())
        .options(*(selectinload(relation) for relation in loaded))
    )
    return list(db.session.scalars(query))


def _mail(person: Person) -> list[Mail]:
    """The outbox keeps recipients in lower case. Only these columns are read: a body is
    never loaded for this page."""
    if not person.email:
        return []
    query = (
        select(
            OutboxMessage.subject,
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        .where(OutboxMessage.recipient == person.email.lower())
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(MAIL_SHOWN)
    )
    return [Mail(*row) for row in db.session.execute(query)]
