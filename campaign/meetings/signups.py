"""Observers and public-comment speakers at a meeting: the sign-up, the email link that
confirms it, the limits, and the organizers' notes afterwards.

They work as forum RSVPs do (forums.services): a first sign-up waits as pending and holds no
place; a repeat by a known email leaves the record as it is and keeps the new details for
its link (people.pending). A place is taken only when the link is pressed, under the row
lock of the meeting (observers) or of the agenda item (speakers), so two confirmations
racing for the last place cannot both take it. Speakers speak in the order their mailboxes
proved themselves (confirmed_at).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from campaign.accounts.services import record_event
from campaign.campaigns.models import Campaign
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import clean_control
from campaign.core.tokens import TokenPurpose
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings import services
from campaign.meetings.models import AgendaItem, Meeting, MeetingStatus, Observer, SignupStatus, Speaker
from campaign.meetings.signup_mail import (
    OBSERVER_CANCELLATION,
    SPEAKER_CANCELLATION,
    mail_observer,
    mail_observer_confirmation,
    mail_speaker,
    mail_speaker_confirmation,
)
from campaign.people import pending
from campaign.people.services import MAX_NAME, clean_email, clean_line, person_for, resolve_home_county

CONFIRM_MAX_AGE = 14 * 24 * 3600
# Speakers sign in with the clerk before the meeting opens.
ARRIVE_BEFORE = timedelta(minutes=30)
MAX_NOTES = 20_000


def _confirmation(salt: str) -> TokenPurpose:
    return TokenPurpose(
        salt,
        invalid=_l("This confirmation link is not valid. Sign up again to get a new one."),
        expired=_l("This confirmation link has expired. Sign up again to get a new one."),
        max_age=CONFIRM_MAX_AGE,
    )


OBSERVER_CONFIRMATION = _confirmation("observer-confirm")
SPEAKER_CONFIRMATION = _confirmation("speaker-confirm")


@dataclass
class SignupInput:
    first_name: str
    last_name: str
    email: str
    zip_code: str | None = None  # optional: it only files the person under their county
    county: str | None = None  # FIPS code picked when the ZIP does not tell
    email_updates: bool = False
    locale: str = "en"
    interpretation_language: str | None = None  # speakers: the language to interpret from


def get_comment_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of this meeting that takes public comment sign-ups."""
    item = services.get_item(meeting, item_id)
    if item.speaker_slots is None:
        raise NotFound(_("This agenda item takes no public comment sign-ups."))
    return item


def _check_open(meeting: Meeting, now: datetime, closed: str) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting was cancelled, so it takes no sign-ups."))
    if meeting.starts_at <= now:
        raise Conflict(closed)


def _observers_closed() -> str:
    return _("Observer sign-up is closed: this meeting has already taken place.")


def _speakers_closed() -> str:
    return _("Public comment sign-up is closed: this meeting has already taken place.")


def _lock(model: type, row_id: int, column) -> None:
    """Serialise counting for one row (as forums.services does for seats): a no-op UPDATE
    takes the row lock on PostgreSQL and the write lock on SQLite before the count is read."""
    statement = update(model).where(model.id == row_id).values({column: column})
    db.session.execute(statement.execution_options(synchronize_session=False))


# --- counts the public sees ---------------------------------------------------------------


def observer_count(meeting: Meeting) -> int:
    query = select(func.count()).where(Observer.meeting_id == meeting.id, Observer.status == SignupStatus.CONFIRMED)
    return db.session.scalar(query)


def observers_full(meeting: Meeting) -> bool:
    return meeting.observer_limit is not None and observer_count(meeting) >= meeting.observer_limit


def speaker_count(item: AgendaItem) -> int:
    query = select(func.count()).where(Speaker.agenda_item_id == item.id, Speaker.status == SignupStatus.CONFIRMED)
    return db.session.scalar(query)


def speakers_full(item: AgendaItem) -> bool:
    return speaker_count(item) >= (item.speaker_slots or 0)


# --- signing up ---------------------------------------------------------------------------


def _details(data: SignupInput) -> tuple[object, dict]:
    """The person the form names and the details a confirmation will record."""
    first_name = clean_line(data.first_name, "first_name", MAX_NAME, required=True)
    last_name = clean_line(data.last_name, "last_name", MAX_NAME, required=True)
    email = clean_email(data.email)
    zip_code = county_fips = None
    if (data.zip_code or "").strip():
        place, county = resolve_home_county(data.zip_code, data.county)
        zip_code, county_fips = place.zip_code, county.fips
    person = person_for(email, first_name, last_name, zip_code, county_fips, data.locale)
    details = {
        "first_name": first_name,
        "last_name": last_name,
        "email_updates": data.email_updates,
        "locale": data.locale,
    }
    return person, details


def _sign_up(model: type, parent: dict, purpose: TokenPurpose, person, details: dict, mail) -> object:
    """The shared second half: a new pending record with its own link, or a change to a
    known one kept for the mailbox to apply. Both answer, and mail, alike."""
    query = select(model).filter_by(**parent, person_id=person.id)
    record = db.session.scalar(query)
    if record is None:
        record = model(**parent, person_id=person.id, status=SignupStatus.PENDING, **details)
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:  # the same person's other tab or double click won the race
            record = db.session.scalar(query)
        else:
            mail(record, pending.first_link(purpose, record), details["locale"])
            return record
    mail(record, pending.propose(purpose, person, record.id, details), details["locale"])
    return record


def sign_up_observer(meeting: Meeting, data: SignupInput, now: datetime | None = None) -> Observer:
    _check_open(meeting, now or utcnow(), _observers_closed())
    if observers_full(meeting):
        raise Conflict(_("The observer list for this meeting is full."))
    person, details = _details(data)
    return _sign_up(
        Observer, {"meeting_id": meeting.id}, OBSERVER_CONFIRMATION, person, details, mail_observer_confirmation
    )


def sign_up_speaker(item: AgendaItem, data: SignupInput, now: datetime | None = None) -> Speaker:
    _check_open(item.meeting, now or utcnow(), _speakers_closed())
    if speakers_full(item):
        raise Conflict(_("The speaker list for this item is full."))
    person, details = _details(data)
    details["interpretation_language"] = clean_line(
        data.interpretation_language, "interpretation_language", 60, required=False
    )
    return _sign_up(
        Speaker, {"agenda_item_id": item.id}, SPEAKER_CONFIRMATION, person, details, mail_speaker_confirmation
    )


# --- the email link -----------------------------------------------------------------------


def _observer_details(record: Observer) -> dict:
    return {"first_name": record.first_name, "last_name": record.last_name, "email_updates": record.email_updates}


def _speaker_details(record: Speaker) -> dict:
    return _observer_details(record) | {"interpretation_language": record.interpretation_language}


def observer_for_confirmation(meeting: Meeting, token: str) -> pending.Confirmation[Observer]:
    confirmation = pending.load(OBSERVER_CONFIRMATION, token, Observer, _observer_details)
    if confirmation.record.meeting_id != meeting.id:
        raise OBSERVER_CONFIRMATION.refuse()
    return confirmation


def speaker_for_confirmation(meeting: Meeting, token: str) -> pending.Confirmation[Speaker]:
    confirmation = pending.load(SPEAKER_CONFIRMATION, token, Speaker, _speaker_details)
    if confirmation.record.agenda_item.meeting_id != meeting.id:
        raise SPEAKER_CONFIRMATION.refuse()
    return confirmation


def _take_place(confirmation: pending.Confirmation, full: Callable[[], bool], message: str, now: datetime) -> bool:
    """Apply the link's change and confirm a record not yet confirmed, unless `full()` says
    there is no room (Conflict with `message`, nothing written). Call under the row lock.
    Returns whether the record has just been confirmed."""
    record = confirmation.record
    db.session.refresh(record)  # as it stands now that places are counted one at a time
    if confirmation.already_used or (confirmation.change is None and record.status is not SignupStatus.PENDING):
        return False
    was_confirmed = record.status is SignupStatus.CONFIRMED
    if not was_confirmed and full():
        raise Conflict(message)
    pending.apply(confirmation)
    if was_confirmed:
        db.session.flush()
        return False
    record.status, record.confirmed_at, record.cancelled_at = SignupStatus.CONFIRMED, now, None
    db.session.flush()
    return True


def confirm_observer(meeting: Meeting, token: str, now: datetime | None = None) -> Observer:
    """The mailbox is proven: take an observer's place. Using a link twice is harmless."""
    now = now or utcnow()
    confirmation = observer_for_confirmation(meeting, token)
    _check_open(meeting, now, _observers_closed())
    _lock(Meeting, meeting.id, Meeting.observer_limit)
    full = _("The observer list for this meeting is full.")
    if _take_place(confirmation, lambda: observers_full(meeting), full, now):
        mail_observer(confirmation.record, "meetings/observer_confirmed")
    return confirmation.record


def confirm_speaker(meeting: Meeting, token: str, now: datetime | None = None) -> Speaker:
    """The mailbox is proven: join the speaker list, last in order. Using a link twice is harmless."""
    now = now or utcnow()
    confirmation = speaker_for_confirmation(meeting, token)
    item = confirmation.record.agenda_item
    _check_open(meeting, now, _speakers_closed())
    _lock(AgendaItem, item.id, AgendaItem.speaker_slots)
    full = _("The speaker list for this item is full.")
    if _take_place(confirmation, lambda: speakers_full(item), full, now):
        speaker = confirmation.record
        mail_speaker(speaker, "meetings/speaker_confirmed", turn=turn_of(speaker), arrive_by=arrive_by(meeting))
    return confirmation.record


# --- cancelling ---------------------------------------------------------------------------


def observer_for_cancel_token(meeting: Meeting, token: str) -> Observer:
    record_id, person_id = OBSERVER_CANCELLATION.load(token, 2)
    record = db.session.get(Observer, record_id)
    if record is None or record.person_id != person_id or record.meeting_id != meeting.id:
        raise OBSERVER_CANCELLATION.refuse()
    return record


def speaker_for_cancel_token(meeting: Meeting, token: str) -> Speaker:
    record_id, person_id = SPEAKER_CANCELLATION.load(token, 2)
    record = db.session.get(Speaker, record_id)
    if record is None or record.person_id != person_id or record.agenda_item.meeting_id != meeting.id:
        raise SPEAKER_CANCELLATION.refuse()
    return record


def cancel(record: Observer | Speaker, now: datetime | None = None) -> Observer | Speaker:
    """Free the place; the speakers after a cancelled one move up. Cancelling twice is harmless."""
    if record.status is not SignupStatus.CANCELLED:
        record.status, record.cancelled_at = SignupStatus.CANCELLED, now or utcnow()
        db.session.flush()
    return record


# --- the speaker list ---------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """A confirmed speaker's place: `place` counts from 1, `offset` is how long after public
    comment on the item opens their turn comes."""

    speaker: Speaker
    place: int
    offset: timedelta


def speaker_list(item: AgendaItem) -> list[Turn]:
    query = (
        select(Speaker)
        .where(Speaker.agenda_item_id == item.id, Speaker.status == SignupStatus.CONFIRMED)
        .order_by(Speaker.confirmed_at, Speaker.id)
    )
    minutes = item.minutes_per_speaker
    return [
        Turn(speaker, place, timedelta(minutes=(place - 1) * minutes))
        for place, speaker in enumerate(db.session.scalars(query), start=1)
    ]


def turn_of(speaker: Speaker) -> Turn | None:
    """The speaker's place now (it moves up when someone before them cancels)."""
    if speaker.status is not SignupStatus.CONFIRMED:
        return None
    before = select(func.count()).where(
        Speaker.agenda_item_id == speaker.agenda_item_id,
        Speaker.status == SignupStatus.CONFIRMED,
        (Speaker.confirmed_at < speaker.confirmed_at)
        | ((Speaker.confirmed_at == speaker.confirmed_at) & (Speaker.id < speaker.id)),
    )
    place = db.session.scalar(before) + 1
    return Turn(speaker, place, timedelta(minutes=(place - 1) * speaker.agenda_item.minutes_per_speaker))


def arrive_by(meeting: Meeting) -> datetime:
    return meeting.starts_at - ARRIVE_BEFORE


# --- after the meeting --------------------------------------------------------------------


def confirmed_observers(meeting: Meeting) -> list[Observer]:
    query = select(Observer).where(Observer.meeting_id == meeting.id, Observer.status == SignupStatus.CONFIRMED)
    return list(db.session.scalars(query.order_by(Observer.confirmed_at, Observer.id)))


def get_observer(meeting: Meeting, observer_id: int) -> Observer:
    record = db.session.get(Observer, observer_id)
    if record is None or record.meeting_id != meeting.id:
        raise NotFound(_("There is no such observer at this meeting."))
    return record


def record_notes(record: Observer, notes: str | None, user) -> Observer:
    """What the observer saw, written up by an organizer. The audit log names the meeting
    and the observer's number, never the notes."""
    text = (clean_control(notes, multiline=True) or "").strip()
    if len(text) > MAX_NOTES:
        raise DomainError(_("Notes can be at most %(max)s characters.", max=MAX_NOTES), field="notes")
    record.notes = text or None
    db.session.flush()
    record_event(user, "observer_notes", meeting=record.meeting.slug, observer=record.id)
    return record


# --- when the organizers change the meeting -----------------------------------------------


def save_and_tell(
    campaign: Campaign, data: services.MeetingInput, meeting: Meeting | None = None, user=None
) -> Meeting:
    """Save the meeting (services.save_meeting), then write to everyone holding a place at it
    when it has just been cancelled, or moved to another time or place: otherwise they may
    travel to a meeting that is not there. A meeting already held (by its start before the
    change) is a record being corrected, and nobody hears of it."""
    if meeting is None:
        return services.save_meeting(campaign, data, user=user)
    ahead = not services.is_past(meeting)
    was_cancelled = meeting.status is MeetingStatus.CANCELLED
    starts_at, place = meeting.starts_at, meeting.place
    services.save_meeting(campaign, data, meeting, user=user)
    if not ahead:
        return meeting
    if meeting.status is MeetingStatus.CANCELLED:
        if not was_cancelled:
            _tell_signups(meeting, "meetings/cancelled")
    elif (meeting.starts_at, meeting.place) != (starts_at, place):
        _tell_signups(meeting, "meetings/changed")
    return meeting


def _tell_signups(meeting: Meeting, template: str) -> None:
    """Every confirmed observer and speaker (a pending sign-up holds no place, and a
    cancelled one has given it up)."""
    for observer in confirmed_observers(meeting):
        mail_observer(observer, template)
    speakers = select(Speaker).join(Speaker.agenda_item).where(AgendaItem.meeting_id == meeting.id)
    for speaker in db.session.scalars(speakers.where(Speaker.status == SignupStatus.CONFIRMED).order_by(Speaker.id)):
        mail_speaker(speaker, template, arrive_by=arrive_by(meeting))
