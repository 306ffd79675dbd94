"""Actions waiting for proof of the mailbox: the writer and the reader of the kit in
core.tokens, for every area whose public form acts on a person's record.

A first action creates its record waiting for confirmation (a pending signature, commitment
or RSVP). A repeat action by a known email never touches the record: its details are kept
here, and the link mailed to that address applies them. So knowing someone's email lets
nobody change their name, details, consent or seat, and both cases answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from campaign.core.tokens import TokenPurpose
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.people.models import PendingAction, Person

R = TypeVar("R")


@dataclass
class Confirmation(Generic[R]):
    """What a confirmation link is for: the record, and the change waiting on it (None for
    the record's own first confirmation). `details` are what the click will record."""

    record: R
    change: PendingAction | None
    details: dict

    @property
    def already_used(self) -> bool:
        return self.change is not None and self.change.used_at is not None


def propose(purpose: TokenPurpose, person: Person, record_id: int, details: dict) -> str:
    """Keep a change to `record_id` until the person's mailbox proves itself; returns the
    token of the link that applies it."""
    change = PendingAction(purpose=purpose.salt, person_id=person.id, subject_id=record_id, payload=details)
    db.session.add(change)
    db.session.flush()
    return purpose.dumps(record_id, person.id, change.id)


def first_link(purpose: TokenPurpose, record) -> str:
    """The token of a new record's own confirmation link."""
    db.session.flush()
    return purpose.dumps(record.id, record.person_id, 0)


def load(purpose: TokenPurpose, token: str, model: type[R], details_of) -> Confirmation[R]:
    """The record and the change a link names; the purpose's InvalidLink when the link is
    forged, expired, or names a record or change that is gone or someone else's.
    `details_of(record)` gives a first confirmation's details from the record itself."""
    record_id, person_id, change_id = purpose.load(token, 3)
    record = db.session.get(model, record_id)
    if record is None or record.person_id != person_id:
        raise purpose.refuse()
    if not change_id:
        return Confirmation(record, None, details_of(record))
    change = db.session.get(PendingAction, change_id)
    if change is None or (change.purpose, change.person_id, change.subject_id) != (purpose.salt, person_id, record_id):
        raise purpose.refuse()
    return Confirmation(record, change, dict(change.payload))


def apply(confirmation: Confirmation) -> bool:
    """Write a waiting change onto its record, once. False when there was none to apply."""
    change = confirmation.change
    if change is None or change.used_at is not None:
        return False
    record = confirmation.record
    for name, value in change.payload.items():
        setattr(record, name, value)
    if hasattr(record, "consented_at"):  # the boxes were ticked when the form was sent
        record.consented_at = change.created_at
    change.used_at = utcnow()
    return True
