from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from campaign.campaigns.models import Campaign, Organization
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County
from campaign.officials.models import Official
from campaign.people.models import Person, keeps_name_key


class ForumKind(enum.StrEnum):
    COMMUNITY_FORUM = "community_forum"
    HOUSE_MEETING = "house_meeting"
    COUNTY_BOARD_MEETING = "county_board_meeting"
    TRAINING = "training"

    @property
    def label(self) -> str:
        return str(FORUM_KIND_LABELS[self])


FORUM_KIND_LABELS = {
    ForumKind.COMMUNITY_FORUM: _l("Community forum"),
    ForumKind.HOUSE_MEETING: _l("House meeting"),
    ForumKind.COUNTY_BOARD_MEETING: _l("County board meeting"),
    ForumKind.TRAINING: _l("Training"),
}


class ForumStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Accessibility(enum.StrEnum):
    ACCESSIBLE = "accessible"
    PARTIAL = "partial"
    NOT_ACCESSIBLE = "not_accessible"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return str(ACCESSIBILITY_LABELS[self])


ACCESSIBILITY_LABELS = {
    Accessibility.ACCESSIBLE: _l("Wheelchair accessible"),
    Accessibility.PARTIAL: _l("Partly accessible"),
    Accessibility.NOT_ACCESSIBLE: _l("Not wheelchair accessible"),
    Accessibility.UNKNOWN: _l("Accessibility not known yet"),
}

forum_partners = Table(
    "forum_partners",
    db.Model.metadata,
    Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)

forum_invited_officials = Table(
    "forum_invited_officials",
    db.Model.metadata,
    Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    Column("official_id", ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True),
)


class Forum(db.Model):
    __tablename__ = "forums"
    __table_args__ = (Index("ix_forums_upcoming", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The iCalendar UID: stays the same across edits so calendars update the event.
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, raised on each change
    kind: Mapped[ForumKind] = mapped_column(StrEnumType(ForumKind, 30))
    title: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    description_es: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(60))  # IANA, e.g. America/Chicago
    county_fips: Mapped[str] = mapped_column(ForeignKey("counties.fips"), index=True)
    venue_name: Mapped[str | None] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    address_after_rsvp: Mapped[bool] = mapped_column(default=False)  # house meetings
    accessibility: Mapped[Accessibility] = mapped_column(StrEnumType(Accessibility), default=Accessibility.UNKNOWN)
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    virtual_url: Mapped[str | None] = mapped_column(String(500))  # sent only to registrants
    capacity: Mapped[int | None]  # people, guests included; None: no limit
    max_guests: Mapped[int] = mapped_column(default=4, server_default="4")  # per RSVP, set by the organizer
    languages: Mapped[str | None] = mapped_column(String(200))  # "English, Spanish"
    interpretation: Mapped[str | None] = mapped_column(String(200))  # "Spanish, Hmong on request"
    childcare: Mapped[bool] = mapped_column(default=False)
    speakers: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ForumStatus] = mapped_column(StrEnumType(ForumStatus), default=ForumStatus.SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(backref=backref("forums", order_by="Forum.starts_at"))
    county: Mapped[County] = relationship()
    partners: Mapped[list[Organization]] = relationship(secondary=forum_partners, order_by=Organization.name)
    invited_officials: Mapped[list[Official]] = relationship(secondary=forum_invited_officials, order_by=Official.name)

    @property
    def is_virtual_only(self) -> bool:
        return bool(self.virtual_url) and not self.venue_address


class RSVPStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the email link: holds no seat, hears no address
    GOING = "going"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class RSVP(db.Model):
    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("forum_id", "person_id"),
        Index("ix_rsvps_forum_status", "forum_id", "status", "created_at"),
        Index("ix_rsvps_name_search", "forum_id", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    # None for a walk-in who gave no email at the door: nobody to write to.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[RSVPStatus] = mapped_column(StrEnumType(RSVPStatus))
    walk_in: Mapped[bool] = mapped_column(default=False)
    guests: Mapped[int] = mapped_column(default=0)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(200), default="")  # kept by keeps_name_key
    zip_code: Mapped[str | None] = mapped_column(String(5))
    county_fips: Mapped[str | None] = mapped_column(ForeignKey("counties.fips"))
    interpretation_language: Mapped[str | None] = mapped_column(String(60))
    accessibility_needs: Mapped[str | None] = mapped_column(String(500))
    childcare_needed: Mapped[bool] = mapped_column(default=False)
    email_updates: Mapped[bool] = mapped_column(default=False)
    referral: Mapped[str | None] = mapped_column(String(40))  # the `?source=` code it came by
    locale: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the mailbox proved itself and the RSVP took a seat or its place in the waitlist.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # erasure or retention

    forum: Mapped[Forum] = relationship(backref=backref("rsvps", order_by="RSVP.created_at"))
    person: Mapped[Person | None] = relationship()
    county: Mapped[County | None] = relationship()

    @property
    def party_size(self) -> int:
        return 1 + self.guests

    @property
    def holds_seat(self) -> bool:
        """Only a seat holder hears a house meeting's address and the video link."""
        return self.status is RSVPStatus.GOING


keeps_name_key(RSVP)


class ForumReminder(db.Model):
    """A reminder to everyone coming, `minutes_before` the start. `due_at` follows the start
    when the forum moves; `sent_at` is set once, by whichever sender claims it first."""

    __tablename__ = "forum_reminders"
    __table_args__ = (
        UniqueConstraint("forum_id", "minutes_before"),
        Index("ix_forum_reminders_due", "sent_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    minutes_before: Mapped[int]
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None while unsent; 0 with `skipped` when its moment had passed (scheduled late, or a
    # nearer reminder was due at the same time).
    recipients: Mapped[int | None]
    skipped: Mapped[bool] = mapped_column(default=False)

    forum: Mapped[Forum] = relationship(
        backref=backref("reminders", order_by="ForumReminder.minutes_before.desc()", cascade="all, delete-orphan")
    )
