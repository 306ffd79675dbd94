"""Scheduling forums, RSVPs with capacity and a waitlist, cancellations and promotions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from itsdangerous import BadSignature
from sqlalchemy import func, select, update

from campaign.campaigns.models import Campaign, Organization
from campaign.campaigns.services import checked_slug
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import blank_to_none
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP, Accessibility, Forum, ForumKind, ForumStatus, RSVPStatus
from campaign.forums.notices import cancel_serializer, mail_rsvp
from campaign.forums.reminders import plan_reminders
from campaign.geo.services import county_timezone, get_county, lookup_zip
from campaign.officials.models import Official
from campaign.people.services import clean_email, person_for

MAX_GUESTS = 20


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
    languages: str | None = None
    interpretation: str | None = None
    childcare: bool = False
    speakers: str | None = None
    partner_ids: list[int] = field(default_factory=list)
    official_ids: list[int] = field(default_factory=list)


def zone_for(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            _("%(zone)s is not a time zone we know, such as America/Chicago.", zone=name), field="timezone"
        ) from None


def schedule(campaign: Campaign, data: ForumInput, forum: Forum | None = None, now: datetime | None = None) -> Forum:
    """Create or change a forum. A change of time or place raises its calendar SEQUENCE and
    tells everyone registered; nothing is written when the input is refused."""
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
    forum.capacity, forum.childcare = data.capacity, data.childcare
    forum.languages, forum.interpretation = blank_to_none(data.languages), blank_to_none(data.interpretation)
    forum.speakers = blank_to_none(data.speakers)
    forum.partners, forum.invited_officials = partners, officials
    if moved:
        forum.sequence += 1
    plan_reminders(forum, now)
    db.session.add(forum)
    db.session.flush()
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
    """Everyone coming or waiting who can be written to (walk-ins may have left no email)."""
    query = select(RSVP).where(
        RSVP.forum_id == forum.id, RSVP.status != RSVPStatus.CANCELLED, RSVP.person_id.is_not(None)
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
    guests: int = 0
    interpretation_language: str | None = None
    accessibility_needs: str | None = None
    childcare_needed: bool = False
    email_updates: bool = False
    locale: str = "en"


def rsvp(forum: Forum, data: RSVPInput, now: datetime | None = None) -> RSVP:
    """Register someone (with guests). Full: they join the waitlist. A party that only
    partly fits is refused with the seats left, so nobody is half registered."""
    now = now or utcnow()
    if forum.status is not ForumStatus.SCHEDULED or forum.starts_at <= now:
        raise Conflict(_("This forum no longer takes RSVPs."))
    if not 0 <= data.guests <= MAX_GUESTS:
        raise DomainError(_("Bring between 0 and %(max)s guests.", max=MAX_GUESTS), field="guests")
    first_name, last_name = (data.first_name or "").strip(), (data.last_name or "").strip()
    if not first_name or not last_name:
        raise DomainError(_("This field is required."), field="first_name" if not first_name else "last_name")
    email = clean_email(data.email)
    place = lookup_zip(data.zip_code)
    county_fips = place.county.fips if place.county else None
    _lock(forum)
    person = person_for(email, first_name, last_name, place.zip_code, county_fips, data.locale)
    existing = db.session.scalar(select(RSVP).where(RSVP.forum_id == forum.id, RSVP.person_id == person.id))
    if existing is not None and existing.status is not RSVPStatus.CANCELLED:
        holding = existing.party_size if existing.status is RSVPStatus.GOING else 0
    else:
        holding = 0
    party = 1 + data.guests
    if forum.capacity is None:
        status = RSVPStatus.GOING
    else:
        free = forum.capacity - seats_taken(forum) + holding
        queue = waiting_count(forum) - (1 if existing is not None and existing.status is RSVPStatus.WAITLISTED else 0)
        if party <= free and (queue == 0 or holding):
            status = RSVPStatus.GOING
        elif free > 0 and party > free and not queue:
            raise DomainError(
                _(
                    "Only %(free)s seats are left: come with fewer guests, or the whole party joins the waitlist "
                    "when the forum is full.",
                    free=free,
                ),
                field="guests",
            )
        else:
            status = RSVPStatus.WAITLISTED
    record = existing or RSVP(forum=forum, person=person)
    record.status, record.guests = status, data.guests
    record.first_name, record.last_name = first_name, last_name
    record.zip_code, record.county_fips = place.zip_code, county_fips
    record.interpretation_language = blank_to_none(data.interpretation_language)
    record.accessibility_needs = blank_to_none(data.accessibility_needs)
    record.childcare_needed, record.email_updates, record.locale = (
        data.childcare_needed,
        data.email_updates,
        data.locale,
    )
    record.cancelled_at = None
    db.session.add(record)
    db.session.flush()
    mail_rsvp(record, "forums/rsvp_going" if status is RSVPStatus.GOING else "forums/rsvp_waitlisted")
    return record


def rsvp_for_token(forum: Forum, token: str) -> RSVP:
    try:
        rsvp_id, person_id = cancel_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise DomainError(_("This cancellation link is not valid.")) from None
    record = db.session.get(RSVP, rsvp_id)
    if record is None or record.person_id != person_id or record.forum_id != forum.id:
        raise DomainError(_("This cancellation link is not valid."))
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
    for record in db.session.scalars(waiting.order_by(RSVP.created_at, RSVP.id)).all():
        if free is not None and record.party_size > free:
            break
        record.status, record.promoted_at = RSVPStatus.GOING, utcnow()
        if free is not None:
            free -= record.party_size
        promoted.append(record)
        mail_rsvp(record, "forums/rsvp_promoted")
    db.session.flush()
    return promoted


def get_forum(slug: str) -> Forum:
    forum = db.session.scalar(select(Forum).where(Forum.slug == slug))
    if forum is None:
        raise NotFound(_("There is no forum at this address."))
    return forum


def upcoming(county_fips: str | None = None, kind: ForumKind | None = None, now: datetime | None = None) -> list[Forum]:
    query = select(Forum).where(Forum.ends_at > (now or utcnow()), Forum.status != ForumStatus.COMPLETED)
    if county_fips:
        query = query.where(Forum.county_fips == county_fips)
    if kind:
        query = query.where(Forum.kind == kind)
    return list(db.session.scalars(query.order_by(Forum.starts_at)))
