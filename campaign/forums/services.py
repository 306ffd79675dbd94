"""Scheduling forums, RSVPs with capacity and a waitlist, cancellations and promotions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from campaign.accounts.audit import Changes
from campaign.accounts.services import record_event
from campaign.campaigns.models import Campaign, CampaignStatus, Organization
from campaign.campaigns.services import checked_slug
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import blank_to_none, clean_referral
from campaign.core.tokens import TokenPurpose
from campaign.core.types import utcnow
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.forums.models import RSVP, Accessibility, Forum, ForumKind, ForumStatus, RSVPStatus
from campaign.forums.notices import CANCELLATION, mail_rsvp
from campaign.forums.reminders import plan_reminders
from campaign.geo.services import county_timezone, get_county, zone_for
from campaign.officials.models import Official
from campaign.people import pending
from campaign.people.services import MAX_NAME, clean_email, clean_line, person_for, resolve_home_county

MAX_GUESTS = 20  # the most an organizer may allow per RSVP
DEFAULT_MAX_GUESTS = 4
CONFIRMATION = TokenPurpose(
    "rsvp-confirm",
    invalid=_l("This confirmation link is not valid. RSVP again to get a new one."),
    expired=_l("This confirmation link has expired. RSVP again to get a new one."),
    max_age=14 * 24 * 3600,
)


@dataclass
class ForumInput:
    title: str
    kind: ForumKind
    starts_local: datetime  # wall-clock time at the forum, without a zone
    ends_local: datetime
    timezone: str | None = None  # IANA name; None: the county's
    slug: str = ""
    title_es: str | None = None
    description: str = ""
    description_es: str | None = None
    county: str | None = None  # FIPS; None: the campaign's
    venue_name: str | None = None
    venue_address: str | None = None
    address_after_rsvp: bool = False
    accessibility: Accessibility = Accessibility.UNKNOWN
    accessibility_notes: str | None = None
    virtual_url: str | None = None
    capacity: int | None = None
    max_guests: int = DEFAULT_MAX_GUESTS
    languages: str | None = None
    interpretation: str | None = None
    childcare: bool = False
    speakers: str | None = None
    partner_ids: list[int] = field(default_factory=list)
    official_ids: list[int] = field(default_factory=list)


def schedule(
    campaign: Campaign, data: ForumInput, forum: Forum | None = None, now: datetime | None = None, user=None
) -> Forum:
    """Create or change a forum. A change of time or place raises its calendar SEQUENCE and
    tells everyone registered; nothing is written when the input is refused. The audit log
    names, by `user`, the fields changed (never their values)."""
    now = now or utcnow()
    county = get_county(data.county) if data.county else campaign.county
    zone_name = (data.timezone or "").strip() or county_timezone(county)
    zone = zone_for(zone_name)
    starts = data.starts_local.replace(tzinfo=zone)
    ends = data.ends_local.replace(tzinfo=zone)
    if ends <= starts:
        raise DomainError(_("The end must come after the start."), field="ends_at")
    if forum is None and starts <= now:
        raise DomainError(_("A new forum cannot start in the past."), field="starts_at")
    if data.capacity is not None and data.capacity < 0:
        raise DomainError(_("Capacity cannot be below zero. Leave it empty for no limit."), field="capacity")
    if not 0 <= data.max_guests <= MAX_GUESTS:
        raise DomainError(_("Allow between 0 and %(max)s guests per RSVP.", max=MAX_GUESTS), field="max_guests")
    venue_address, virtual_url = blank_to_none(data.venue_address), blank_to_none(data.virtual_url)
    if not venue_address and not virtual_url:
        raise DomainError(_("Give an address, a video link, or both."), field="venue_address")
    slug = checked_slug(data.slug, data.title, Forum, current_id=forum.id if forum else None)
    partners = list(db.session.scalars(select(Organization).where(Organization.id.in_(data.partner_ids or [0]))))
    officials = list(db.session.scalars(select(Official).where(Official.id.in_(data.official_ids or [0]))))

    moved = forum is not None and (
        forum.starts_at != starts
        or forum.ends_at != ends
        or forum.venue_address != venue_address
        or forum.virtual_url != virtual_url
        or forum.timezone != zone_name
    )
    forum = forum or Forum(campaign=campaign, uid=f"{uuid.uuid4()}@campaign-organizer")
    changes = Changes(forum, "partners", "invited_officials")
    forum.slug, forum.kind, forum.timezone = slug, data.kind, zone_name
    forum.title, forum.title_es = data.title.strip(), blank_to_none(data.title_es)
    forum.description, forum.description_es = data.description or "", blank_to_none(data.description_es)
    forum.starts_at, forum.ends_at, forum.county_fips = starts, ends, county.fips
    forum.venue_name, forum.venue_address, forum.virtual_url = (
        blank_to_none(data.venue_name),
        venue_address,
        virtual_url,
    )
    forum.address_after_rsvp = data.address_after_rsvp
    forum.accessibility, forum.accessibility_notes = data.accessibility, blank_to_none(data.accessibility_notes)
    forum.capacity, forum.max_guests, forum.childcare = data.capacity, data.max_guests, data.childcare
    forum.languages, forum.interpretation = blank_to_none(data.languages), blank_to_none(data.interpretation)
    forum.speakers = blank_to_none(data.speakers)
    forum.partners, forum.invited_officials = partners, officials
    if moved:
        forum.sequence += 1
    plan_reminders(forum, now)
    db.session.add(forum)
    db.session.flush()
    record_event(user, "forum_saved", forum=forum.slug, **changes.details())
    if moved:
        _tell_registrants(forum, "forums/changed")
    return forum


def cancel_forum(forum: Forum) -> Forum:
    if forum.status is ForumStatus.CANCELLED:
        raise Conflict(_("This forum is already cancelled."))
    forum.status = ForumStatus.CANCELLED
    forum.sequence += 1
    db.session.flush()
    _tell_registrants(forum, "forums/cancelled")
    return forum


def _tell_registrants(forum: Forum, template: str) -> None:
    """Everyone coming or waiting who can be written to (walk-ins may have left no email;
    an RSVP never confirmed hears nothing more)."""
    query = select(RSVP).where(
        RSVP.forum_id == forum.id,
        RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLISTED]),
        RSVP.person_id.is_not(None),
    )
    for rsvp in db.session.scalars(query.order_by(RSVP.id)):
        mail_rsvp(rsvp, template)


def _lock(forum: Forum) -> None:
    """Serialise seat counting for one forum: a no-op UPDATE takes the row lock on
    PostgreSQL and the write lock on SQLite before the seats are read."""
    db.session.execute(update(Forum).where(Forum.id == forum.id).values(sequence=Forum.sequence))


def seats_taken(forum: Forum) -> int:
    query = select(func.coalesce(func.sum(1 + RSVP.guests), 0)).where(
        RSVP.forum_id == forum.id, RSVP.status == RSVPStatus.GOING
    )
    return db.session.scalar(query)


def waiting_count(forum: Forum) -> int:
    query = select(func.count()).where(RSVP.forum_id == forum.id, RSVP.status == RSVPStatus.WAITLISTED)
    return db.session.scalar(query)


@dataclass
class RSVPInput:
    first_name: str
    last_name: str
    email: str
    zip_code: str
    county: str | None = None  # FIPS code picked when the ZIP does not tell
    guests: int = 0
    interpretation_language: str | None = None
    accessibility_needs: str | None = None
    childcare_needed: bool = False
    email_updates: bool = False
    locale: str = "en"
    referral: str | None = None  # the `?source=` code; kept by the first action only


def _check_open(forum: Forum, now: datetime) -> None:
    if forum.status is not ForumStatus.SCHEDULED or forum.starts_at <= now:
        raise Conflict(_("This forum no longer takes RSVPs."))


def rsvp(forum: Forum, data: RSVPInput, now: datetime | None = None) -> RSVP:
    """Ask for a seat (with guests) and mail the link that takes it.

    Nothing is held until the mailbox proves itself: a first RSVP waits as pending, holding
    no seat; a repeat by a known email leaves the RSVP as it is and keeps the new details
    for its link (people.pending). Both answer, and mail, alike. A party bigger than the
    seats left, when nobody waits, is refused with the number every visitor sees.
    """
    _check_open(forum, now or utcnow())
    if not 0 <= data.guests <= forum.max_guests:
        raise DomainError(_("Bring between 0 and %(max)s guests.", max=forum.max_guests), field="guests")
    first_name = clean_line(data.first_name, "first_name", MAX_NAME, required=True)
    last_name = clean_line(data.last_name, "last_name", MAX_NAME, required=True)
    email = clean_email(data.email)
    place, county = resolve_home_county(data.zip_code, data.county)
    details = {
        "first_name": first_name,
        "last_name": last_name,
        "zip_code": place.zip_code,
        "county_fips": county.fips,
        "guests": data.guests,
        "interpretation_language": clean_line(data.interpretation_language, "interpretation_language", 60, False),
        "accessibility_needs": clean_line(data.accessibility_needs, "accessibility_needs", 500, False),
        "childcare_needed": data.childcare_needed and forum.childcare,
        "email_updates": data.email_updates,
        "locale": data.locale,
    }
    free = seats_left(forum)
    if free is not None and 0 < free < 1 + data.guests and not waiting_count(forum):
        message = _(
            "Only %(free)s seats are left: come with fewer guests, or the whole party joins the waitlist "
            "when the forum is full.",
            free=free,
        )
        raise DomainError(message, field="guests")

    person = person_for(email, first_name, last_name, place.zip_code, county.fips, data.locale)
    record = _existing(forum, person.id)
    if record is None:
        # By id: setting `forum` would load its RSVP list, flushing this one before it is added.
        record = RSVP(
            forum_id=forum.id,
            person_id=person.id,
            status=RSVPStatus.PENDING,
            referral=clean_referral(data.referral),
            **details,
        )
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:  # the same person's other tab or double click won the race
            record = _existing(forum, person.id)
        else:
            _mail_confirmation(record, pending.first_link(CONFIRMATION, record), data.locale)
            return record
    _mail_confirmation(record, pending.propose(CONFIRMATION, person, record.id, details), data.locale)
    return record


def _existing(forum: Forum, person_id: int) -> RSVP | None:
    return db.session.scalar(select(RSVP).where(RSVP.forum_id == forum.id, RSVP.person_id == person_id))


def _mail_confirmation(record: RSVP, token: str, locale: str) -> None:
    link = external_url("forums.confirm_rsvp", slug=record.forum.slug, token=token)
    mail_rsvp(record, "forums/rsvp_confirm", calendar=False, locale=locale, throttle=True, link=link)


def seats_left(forum: Forum) -> int | None:
    """Free seats as every visitor sees them (None: no limit)."""
    return None if forum.capacity is None else max(forum.capacity - seats_taken(forum), 0)


def rsvp_details(record: RSVP) -> dict:
    """What a first confirmation records: the RSVP as it was given."""
    return {
        "first_name": record.first_name,
        "last_name": record.last_name,
        "zip_code": record.zip_code,
        "county_fips": record.county_fips,
        "guests": record.guests,
        "interpretation_language": record.interpretation_language,
        "accessibility_needs": record.accessibility_needs,
        "childcare_needed": record.childcare_needed,
        "email_updates": record.email_updates,
    }


def rsvp_for_confirmation(forum: Forum, token: str) -> pending.Confirmation[RSVP]:
    confirmation = pending.load(CONFIRMATION, token, RSVP, rsvp_details)
    if confirmation.record.forum_id != forum.id:
        raise CONFIRMATION.refuse()
    return confirmation


def confirm_rsvp(forum: Forum, token: str, now: datetime | None = None) -> RSVP:
    """The mailbox is proven: take a seat, or a place in the waitlist, with the details the
    link names. Using a link twice is harmless."""
    confirmation = rsvp_for_confirmation(forum, token)
    record = confirmation.record
    if confirmation.already_used or (confirmation.change is None and record.status is not RSVPStatus.PENDING):
        return record
    return take_seat(record, confirmation, now)


def take_seat(record: RSVP, confirmation: pending.Confirmation | None = None, now: datetime | None = None) -> RSVP:
    """Seat a proven RSVP (or queue it), applying the change its link carried. A seat holder
    who brings more guests than the seats left keeps their RSVP as it was."""
    now = now or utcnow()
    forum = record.forum
    _check_open(forum, now)
    _lock(forum)
    db.session.refresh(record)  # as it stands now that seats are counted one at a time
    was = record.status
    others = seats_taken(forum) - (record.party_size if was is RSVPStatus.GOING else 0)
    if confirmation is not None:
        pending.apply(confirmation)
    if was is RSVPStatus.GOING:
        if forum.capacity is not None and others + record.party_size > forum.capacity:
            message = _(
                "Only %(free)s seats are left, so your RSVP stays as it was. Come with fewer guests, or keep it.",
                free=max(forum.capacity - others, 0),
            )
            raise Conflict(message)
    elif was is not RSVPStatus.WAITLISTED:  # pending, or cancelled and back
        fits = forum.capacity is None or (others + record.party_size <= forum.capacity and not waiting_count(forum))
        record.status = RSVPStatus.GOING if fits else RSVPStatus.WAITLISTED
        record.confirmed_at, record.cancelled_at = now, None
    db.session.flush()
    promote_waitlist(forum)  # a smaller party may have freed seats
    mail_rsvp(record, "forums/rsvp_going" if record.holds_seat else "forums/rsvp_waitlisted")
    return record


def rsvp_for_cancel_token(forum: Forum, token: str) -> RSVP:
    record_id, person_id = CANCELLATION.load(token, 2)
    record = db.session.get(RSVP, record_id)
    if record is None or record.person_id != person_id or record.forum_id != forum.id:
        raise CANCELLATION.refuse()
    return record


def cancel_rsvp(record: RSVP) -> list[RSVP]:
    """Cancel, then give the freed seats to the waitlist in order. Returns who moved up."""
    if record.status is RSVPStatus.CANCELLED:
        return []
    _lock(record.forum)
    record.status, record.cancelled_at = RSVPStatus.CANCELLED, utcnow()
    db.session.flush()
    return promote_waitlist(record.forum)


def promote_waitlist(forum: Forum) -> list[RSVP]:
    """First come, first served: the head of the waitlist moves up while its party fits."""
    waiting = select(RSVP).where(RSVP.forum_id == forum.id, RSVP.status == RSVPStatus.WAITLISTED)
    free = None if forum.capacity is None else forum.capacity - seats_taken(forum)
    promoted = []
    for record in db.session.scalars(waiting.order_by(RSVP.confirmed_at, RSVP.id)).all():
        if free is not None and record.party_size > free:
            break
        record.status, record.promoted_at = RSVPStatus.GOING, utcnow()
        if free is not None:
            free -= record.party_size
        promoted.append(record)
        mail_rsvp(record, "forums/rsvp_promoted")
    db.session.flush()
    return promoted


def get_forum(slug: str, include_drafts: bool = False) -> Forum:
    """A forum by its address. A draft campaign's forums are for organizers only."""
    forum = db.session.scalar(select(Forum).where(Forum.slug == slug))
    if forum is None or (not include_drafts and not forum.campaign.status.is_public):
        raise NotFound(_("There is no forum at this address."))
    return forum


def upcoming(county_fips: str | None = None, kind: ForumKind | None = None, now: datetime | None = None) -> list[Forum]:
    """Public forums still to come (a draft campaign's stay hidden)."""
    query = (
        select(Forum)
        .join(Forum.campaign)
        .where(
            Forum.ends_at > (now or utcnow()),
            Forum.status != ForumStatus.COMPLETED,
            Campaign.status != CampaignStatus.DRAFT,
        )
    )
    if county_fips:
        query = query.where(Forum.county_fips == county_fips)
    if kind:
        query = query.where(Forum.kind == kind)
    return list(db.session.scalars(query.order_by(Forum.starts_at)))
