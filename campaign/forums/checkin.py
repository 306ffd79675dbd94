"""The day of a forum and after: check-in, walk-ins, attendance by county.

Areas that care who came (pledges to attend a forum are fulfilled by showing up) connect
to `attendance_changed` rather than being imported here: they sit above forums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign.core.errors import Conflict, NotFound
from campaign.core.text import blank_to_none, name_key
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP, Forum, ForumStatus, RSVPStatus
from campaign.geo.services import get_county, lookup_zip
from campaign.people.services import MAX_NAME, clean_email, clean_line, person_for

# Sent with the RSVP (sender) after its check-in is set or undone, inside the caller's
# transaction: receivers write with it and roll back with it.
attendance_changed = Namespace().signal("forum-attendance-changed")


def check_in(record: RSVP, now: datetime | None = None) -> RSVP:
    """Mark someone as here. A person who was waiting or had cancelled is here all the same."""
    if record.forum.status is ForumStatus.CANCELLED:
        raise Conflict(_("This forum is cancelled."))
    if record.checked_in_at is None:
        record.checked_in_at = now or utcnow()
    if record.status is not RSVPStatus.GOING:
        record.status, record.cancelled_at = RSVPStatus.GOING, None
    db.session.flush()
    attendance_changed.send(record)
    return record


def undo_check_in(record: RSVP) -> RSVP:
    record.checked_in_at = None
    db.session.flush()
    attendance_changed.send(record)
    return record


@dataclass
class WalkInInput:
    first_name: str
    last_name: str
    email: str | None = None
    zip_code: str | None = None
    email_updates: bool = False
    locale: str = "en"


def walk_in(forum: Forum, data: WalkInInput, now: datetime | None = None) -> RSVP:
    """Register and check in someone who came without an RSVP. Name is enough; with an email
    they join the supporters (and someone who had in fact RSVP'd is checked in instead)."""
    first_name = clean_line(data.first_name, "first_name", MAX_NAME, required=True)
    last_name = clean_line(data.last_name, "last_name", MAX_NAME, required=True)
    place = lookup_zip(data.zip_code) if blank_to_none(data.zip_code) else None
    county_fips = place.county.fips if place and place.county else None
    person = None
    if blank_to_none(data.email):
        email = clean_email(data.email)
        person = person_for(email, first_name, last_name, place and place.zip_code, county_fips, data.locale)
        registered = db.session.scalar(select(RSVP).where(RSVP.forum_id == forum.id, RSVP.person_id == person.id))
        if registered is not None:
            return check_in(registered, now)
    record = RSVP(
        forum=forum,
        person=person,
        status=RSVPStatus.GOING,
        walk_in=True,
        first_name=first_name,
        last_name=last_name,
        zip_code=place and place.zip_code,
        county_fips=county_fips,
        email_updates=data.email_updates and person is not None,
        locale=data.locale,
    )
    db.session.add(record)
    return check_in(record, now)


def checkin_list(forum: Forum, search: str | None = None) -> list[RSVP]:
    """Everyone expected or already here, by last name. `search` matches the start of any
    part of the name, accents and case ignored ("alv" finds Álvarez): matched here rather
    than in SQL, whose LIKE folds only ASCII on SQLite; one forum's list is small."""
    query = select(RSVP).where(
        RSVP.forum_id == forum.id,
        (RSVP.status != RSVPStatus.CANCELLED) | RSVP.checked_in_at.is_not(None),
    )
    words = name_key(search or "", "").split()
    people = [(name_key(record.last_name, record.first_name), record) for record in db.session.scalars(query).all()]
    matching = [
        (key, record)
        for key, record in people
        if all(any(part.startswith(word) for part in key.split()) for word in words)
    ]
    return [record for _key, record in sorted(matching, key=lambda pair: (pair[0], pair[1].id))]


def get_rsvp(forum: Forum, rsvp_id: int) -> RSVP:
    record = db.session.get(RSVP, rsvp_id)
    if record is None or record.forum_id != forum.id:
        raise NotFound(_("There is no such RSVP for this forum."))
    return record


@dataclass(frozen=True)
class CountyAttendance:
    county_fips: str | None
    label: str
    registered: int  # RSVPs that were coming (walk-ins not included)
    attended: int  # everyone checked in, walk-ins included


@dataclass(frozen=True)
class Attendance:
    registered: int
    registered_attended: int
    walk_ins: int
    guests_expected: int
    by_county: list[CountyAttendance]

    @property
    def attended(self) -> int:
        return self.registered_attended + self.walk_ins

    @property
    def rate(self) -> int | None:
        """Percent of the people who RSVP'd who came."""
        return round(100 * self.registered_attended / self.registered) if self.registered else None


def attendance(forum: Forum) -> Attendance:
    """Who RSVP'd and who came, in total and by county (grouped in the database)."""
    here = RSVP.checked_in_at.is_not(None)
    registered = (RSVP.status == RSVPStatus.GOING) & RSVP.walk_in.is_(False)
    query = (
        select(
            RSVP.county_fips,
            func.count().filter(registered),
            func.count().filter(registered & here),
            func.count().filter(RSVP.walk_in.is_(True) & here),
            func.coalesce(func.sum(RSVP.guests).filter(registered), 0),
        )
        .where(RSVP.forum_id == forum.id)
        .group_by(RSVP.county_fips)
    )
    rows = db.session.execute(query).all()
    counties = {county.fips: county for county in map(get_county, [row[0] for row in rows if row[0]])}
    by_county = sorted(
        (
            CountyAttendance(
                fips,
                counties[fips].label if fips else _("County not known"),
                coming,
                came + walked_in,
            )
            for fips, coming, came, walked_in, _guests in rows
            if coming or came or walked_in
        ),
        key=lambda row: (row.county_fips is None, -row.attended, -row.registered, row.label),
    )
    return Attendance(
        registered=sum(row[1] for row in rows),
        registered_attended=sum(row[2] for row in rows),
        walk_ins=sum(row[3] for row in rows),
        guests_expected=sum(row[4] for row in rows),
        by_county=by_county,
    )
