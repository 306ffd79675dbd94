from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from campaign.campaigns.models import Campaign
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County
from campaign.officials.models import Body, Official
from campaign.people.models import Person, keeps_name_key


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Meeting(db.Model):
    """A public meeting of a body (the county board, one of its committees, the sheriff's
    budget hearing) that a campaign watches."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    body: Mapped[Body] = mapped_column(StrEnumType(Body, 30))
    county_fips: Mapped[str] = mapped_column(ForeignKey("counties.fips"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # "Brown County Board of Supervisors"
    title_es: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    agenda_url: Mapped[str | None] = mapped_column(String(500))
    minutes_url: Mapped[str | None] = mapped_column(String(500))
    video_url: Mapped[str | None] = mapped_column(String(500))
    observer_limit: Mapped[int | None]  # None: as many observers as come
    status: Mapped[MeetingStatus] = mapped_column(StrEnumType(MeetingStatus), default=MeetingStatus.SCHEDULED)
    outcome: Mapped[str | None] = mapped_column(Text)  # what happened, recorded after the meeting
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(backref=backref("meetings", order_by="Meeting.starts_at"))
    county: Mapped[County] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )


class AgendaItem(db.Model):
    """An item on a meeting's agenda. Public comment is taken per item."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # order on the page
    number: Mapped[str | None] = mapped_column(String(20))  # the agenda's own numbering, "7.b"
    title: Mapped[str] = mapped_column(String(300))
    title_es: Mapped[str | None] = mapped_column(String(300))
    concerns_agreement: Mapped[bool] = mapped_column(default=True)
    # Public comment: None slots means the item takes no comment sign-ups.
    speaker_slots: Mapped[int | None]
    minutes_per_speaker: Mapped[int] = mapped_column(default=3, server_default="3")
    talking_points: Mapped[str | None] = mapped_column(Text)  # Markdown
    talking_points_es: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(300))  # "Tabled", "Passed 5-2"

    meeting: Mapped[Meeting] = relationship(back_populates="items")


class VoteChoice(enum.StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return str(VOTE_LABELS[self])


VOTE_LABELS = {
    VoteChoice.YES: _l("Yes"),
    VoteChoice.NO: _l("No"),
    VoteChoice.ABSTAIN: _l("Abstained"),
    VoteChoice.ABSENT: _l("Absent"),
}


class Vote(db.Model):
    """An official's vote on an agenda item. A correction is a new row; the newest counts."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_item_official", "agenda_item_id", "official_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    choice: Mapped[VoteChoice] = mapped_column(StrEnumType(VoteChoice, 20))
    source_url: Mapped[str | None] = mapped_column(String(500))  # minutes, video at a time
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agenda_item: Mapped[AgendaItem] = relationship()
    official: Mapped[Official] = relationship()


class SignupStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the email link: holds no place
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Observer(db.Model):
    """A volunteer who watches a meeting; their notes come after it."""

    __tablename__ = "meeting_observers"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[SignupStatus] = mapped_column(StrEnumType(SignupStatus))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(200), default="")  # kept by keeps_name_key
    email_updates: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    notes: Mapped[str | None] = mapped_column(Text)  # what they saw, after the meeting
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # erasure or retention

    meeting: Mapped[Meeting] = relationship(backref=backref("observers", order_by="Observer.created_at"))
    person: Mapped[Person | None] = relationship()


class Speaker(db.Model):
    """A resident on an agenda item's public-comment speaker list."""

    __tablename__ = "meeting_speakers"
    __table_args__ = (
        UniqueConstraint("agenda_item_id", "person_id"),
        Index("ix_meeting_speakers_item_status", "agenda_item_id", "status", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[SignupStatus] = mapped_column(StrEnumType(SignupStatus))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(200), default="")
    # The language to interpret from, when they asked for an interpreter.
    interpretation_language: Mapped[str | None] = mapped_column(String(60))
    email_updates: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The speaker list runs in the order the mailboxes proved themselves.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agenda_item: Mapped[AgendaItem] = relationship(backref=backref("speakers", order_by="Speaker.confirmed_at"))
    person: Mapped[Person | None] = relationship()


keeps_name_key(Observer)
keeps_name_key(Speaker)
