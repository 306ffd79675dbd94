"""Erasure on request: a person is anonymised everywhere, and their valid signatures still
count, without a name, in their county. The retention purge anonymises with the same
functions (`anonymise`, `forget_person`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from campaign.accounts.services import record_event
from campaign.core.errors import Conflict, NotFound
from campaign.core.text import name_key
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP, Forum
from campaign.meetings.models import AgendaItem, Meeting, Observer, Speaker
from campaign.outbox import services as outbox
from campaign.outbox.models import MessageStatus, OutboxMessage
from campaign.people.models import PendingAction, Person
from campaign.petitions.models import Petition, Signature
from campaign.pledges.models import Commitment, Pledge

# Stored as is; pages show a translated label for it.
ERASED_NAME = "Erased"

# What each kind of action loses beyond the name and the consent to mail. Status, county,
# ZIP, times, channel and referral stay: they are what counts and charts are made of.
PERSONAL_DETAILS = {
    Signature: {
        "street_address": None,
        "phone": None,
        "phone_digits": None,
        "comment": None,
        "city": None,
        "ip_hash": None,
        "show_publicly": False,
    },
    Commitment: {},
    RSVP: {"accessibility_needs": None, "interpretation_language": None},
    # An observer's notes are what they saw of a public meeting, not about them: they stay.
    Observer: {},
    Speaker: {"interpretation_language": None},
}


def anonymise(model: type, condition, now: datetime | None = None) -> int:
    """Remove the name and personal details from the signatures, commitments, RSVPs or
    meeting sign-ups that `condition` picks and that still have them. One UPDATE: the keys the ORM listeners keep
    (name_key, phone_digits) are set here. Returns how many rows changed."""
    values = {
        "first_name": ERASED_NAME,
        "last_name": "",
        "name_key": name_key(ERASED_NAME, ""),
        "email_updates": False,
        "anonymised_at": now or utcnow(),
        **PERSONAL_DETAILS[model],
    }
    statement = (
        update(model)
        .where(condition, model.anonymised_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return db.session.execute(statement).rowcount


def forget_person(person: Person, now: datetime | None = None) -> int:
    """The person part of an erasure: name, email and ZIP gone, the changes waiting for
    their mailbox to prove itself deleted, their mail forgotten by the outbox unless others
    of their household still use the mailbox. Returns how many waiting messages were dropped."""
    address = person.email if not _shares_mailbox(person) else None
    person.first_name = ERASED_NAME
    person.last_name = ""
    person.email = None
    person.email_normalized = None  # email_domain follows (people.models)
    person.zip_code = None
    person.erased_at = now or utcnow()
    db.session.execute(delete(PendingAction).where(PendingAction.person_id == person.id))
    dropped = outbox.forget_recipient(address) if address else 0
    db.session.flush()
    return dropped


def _shares_mailbox(person: Person) -> bool:
    """The outbox knows mail by address: while others of a household still use the mailbox,
    its mail is theirs too (a waiting confirmation, the record of what was sent)."""
    others = select(Person.id).where(
        Person.email_normalized == person.email_normalized, Person.id != person.id, Person.erased_at.is_(None)
    )
    return person.email_normalized is not None and db.session.scalar(others.limit(1)) is not None


def get_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound(_("There is no supporter number %(id)s.", id=person_id))
    return person


@dataclass(frozen=True)
class ErasurePreview:
    """What an erasure will touch, for the confirmation page."""

    petitions: list[Petition]
    pledges: list[Pledge]
    forums: list[Forum]
    observed: list[Meeting]
    spoken: list[AgendaItem]
    waiting_mail: int


def preview(person: Person) -> ErasurePreview:
    def titles(parent, action) -> list:
        query = select(parent).join(action).where(action.person_id == person.id, action.anonymised_at.is_(None))
        return list(db.session.scalars(query.order_by(parent.id)))

    waiting = 0
    if person.email and not _shares_mailbox(person):
        waiting = db.session.scalar(
            select(func.count()).where(
                OutboxMessage.recipient == person.email.lower(), OutboxMessage.status == MessageStatus.PENDING
            )
        )
    return ErasurePreview(
        petitions=titles(Petition, Signature),
        pledges=titles(Pledge, Commitment),
        forums=titles(Forum, RSVP),
        observed=titles(Meeting, Observer),
        spoken=titles(AgendaItem, Speaker),
        waiting_mail=waiting,
    )


def erase(person: Person, user) -> dict[str, int]:
    """Anonymise the person and everything they did, in the caller's transaction, and audit
    it with counts only. Conflict when the person was already erased."""
    if person.erased_at is not None:
        raise Conflict(_("This supporter was already erased."))
    now = utcnow()
    counts = {
        "signatures": anonymise(Signature, Signature.person_id == person.id, now),
        "commitments": anonymise(Commitment, Commitment.person_id == person.id, now),
        "rsvps": anonymise(RSVP, RSVP.person_id == person.id, now),
        "observers": anonymise(Observer, Observer.person_id == person.id, now),
        "speakers": anonymise(Speaker, Speaker.person_id == person.id, now),
    }
    counts["mail_dropped"] = forget_person(person, now)
    record_event(user, "person_erased", person=person.id, **counts)
    return counts
