from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from campaign.campaigns.models import Campaign
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.forums.models import Forum
from campaign.geo.models import County
from campaign.meetings.models import Meeting
from campaign.officials.models import Official
from campaign.people.models import Person, keeps_name_key


class PledgeKind(enum.StrEnum):
    ATTEND_MEETING = "attend_meeting"
    CONTACT_OFFICIAL = "contact_official"  # call or email
    PUBLIC_COMMENT = "public_comment"
    HOST_HOUSE_MEETING = "host_house_meeting"
    RECRUIT = "recruit"

    @property
    def label(self) -> str:
        return str(PLEDGE_KIND_LABELS[self])


PLEDGE_KIND_LABELS = {
    PledgeKind.ATTEND_MEETING: _l("Attend a meeting"),
    PledgeKind.CONTACT_OFFICIAL: _l("Call or email an official"),
    PledgeKind.PUBLIC_COMMENT: _l("Speak at public comment"),
    PledgeKind.HOST_HOUSE_MEETING: _l("Host a house meeting"),
    PledgeKind.RECRUIT: _l("Bring others"),
}


class PledgeStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(PLEDGE_STATUS_LABELS[self])


PLEDGE_STATUS_LABELS = {
    PledgeStatus.DRAFT: _l("Draft"),
    PledgeStatus.OPEN: _l("Open for commitments"),
    PledgeStatus.CLOSED: _l("Closed"),
}


class Pledge(db.Model):
    """A commitment to act that people make, optionally counting only once enough commit."""

    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[PledgeKind] = mapped_column(StrEnumType(PledgeKind, 30))
    title: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str | None] = mapped_column(String(200))
    # The commitment in the first person: "I will attend the Brown County Board meeting ..."
    action: Mapped[str] = mapped_column(Text)
    action_es: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    body_es: Mapped[str | None] = mapped_column(Text)
    # Shown once someone has committed, with the official's public contact details.
    script: Mapped[str | None] = mapped_column(Text)
    script_es: Mapped[str | None] = mapped_column(Text)
    # The day it happens: a linked forum (its time wins), or a meeting elsewhere.
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_place: Mapped[str | None] = mapped_column(String(300))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    goal: Mapped[int | None]
    # "Counts only if N people commit": met once, announced once.
    threshold: Mapped[int | None]
    threshold_met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[PledgeStatus] = mapped_column(StrEnumType(PledgeStatus), default=PledgeStatus.DRAFT)
    # The date the reminder went out for; a new date (the forum moved) arms it again.
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_recipients: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(backref=backref("pledges", order_by="Pledge.id"))
    forum: Mapped[Forum | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    official: Mapped[Official | None] = relationship()

    @property
    def is_open(self) -> bool:
        if self.status is not PledgeStatus.OPEN:
            return False
        return self.deadline is None or self.deadline > utcnow()

    @property
    def happens_at(self) -> datetime | None:
        """When the action takes place: the linked forum's start, else the targeted meeting's,
        else the date written on the pledge."""
        if self.forum is not None:
            return self.forum.starts_at
        return self.meeting.starts_at if self.meeting is not None else self.meeting_at

    @property
    def shows_contact(self) -> bool:
        return self.kind is PledgeKind.CONTACT_OFFICIAL and (self.official is not None or bool(self.script))


class CommitmentStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the email confirmation
    CONFIRMED = "confirmed"


class FulfilledVia(enum.StrEnum):
    ORGANIZER = "organizer"
    CHECK_IN = "check_in"  # checked in at the linked forum
    SELF_REPORT = "self_report"  # "I did it" through the person's own link

    @property
    def label(self) -> str:
        return str(FULFILLED_VIA_LABELS[self])


FULFILLED_VIA_LABELS = {
    FulfilledVia.ORGANIZER: _l("marked by an organizer"),
    FulfilledVia.CHECK_IN: _l("checked in at the forum"),
    FulfilledVia.SELF_REPORT: _l("reported by the person"),
}


class Commitment(db.Model):
    __tablename__ = "commitments"
    __table_args__ = (
        # One commitment per person per pledge, whatever the race between two requests.
        UniqueConstraint("pledge_id", "person_id"),
        Index("ix_commitments_counts", "pledge_id", "status", "county_fips"),
        Index("ix_commitments_name_search", "pledge_id", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
        Index("ix_commitments_created", "pledge_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[CommitmentStatus] = mapped_column(StrEnumType(CommitmentStatus), default=CommitmentStatus.PENDING)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(200), default="")  # kept by keeps_name_key
    zip_code: Mapped[str] = mapped_column(String(5))
    county_fips: Mapped[str] = mapped_column(ForeignKey("counties.fips"))
    email_updates: Mapped[bool] = mapped_column(default=False)
    referral: Mapped[str | None] = mapped_column(String(40))  # the `?source=` code it came by
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_via: Mapped[FulfilledVia | None] = mapped_column(StrEnumType(FulfilledVia))
    fulfilled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # erasure or retention

    pledge: Mapped[Pledge] = relationship()
    person: Mapped[Person] = relationship()
    county: Mapped[County] = relationship()


keeps_name_key(Commitment)
