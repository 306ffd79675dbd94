from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.accounts.models import User
from campaign.campaigns.models import Campaign
from campaign.core.errors import Conflict
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db


class BroadcastStatus(enum.StrEnum):
    DRAFT = "draft"  # being written; follow-up drafts start here too
    SCHEDULED = "scheduled"  # waits for `scheduled_for`
    QUEUING = "queuing"  # the job is writing one delivery per recipient
    SENDING = "sending"  # deliveries are handed to the outbox, a minute's rate at a time
    PAUSED = "paused"  # nothing more is handed over until it is resumed
    CANCELLED = "cancelled"  # what was not handed over stays unsent
    SENT = "sent"  # every delivery handed over


# Which moves an organizer or the jobs may make, and from where.
MOVES: dict[BroadcastStatus, set[BroadcastStatus]] = {
    BroadcastStatus.DRAFT: {BroadcastStatus.SCHEDULED, BroadcastStatus.QUEUING},
    BroadcastStatus.SCHEDULED: {BroadcastStatus.DRAFT, BroadcastStatus.QUEUING, BroadcastStatus.CANCELLED},
    BroadcastStatus.QUEUING: {BroadcastStatus.SENDING, BroadcastStatus.PAUSED, BroadcastStatus.CANCELLED},
    BroadcastStatus.SENDING: {BroadcastStatus.PAUSED, BroadcastStatus.CANCELLED, BroadcastStatus.SENT},
    BroadcastStatus.PAUSED: {BroadcastStatus.QUEUING, BroadcastStatus.SENDING, BroadcastStatus.CANCELLED},
    BroadcastStatus.CANCELLED: set(),
    BroadcastStatus.SENT: set(),
}


class BroadcastOrigin(enum.StrEnum):
    MANUAL = "manual"
    PACKET_DELIVERED = "packet_delivered"
    OFFICIAL_RESPONSE = "official_response"
    VOTE_RECORDED = "vote_recorded"
    PLEDGE_MET = "pledge_met"


class Broadcast(db.Model):
    """A message to the supporters of a campaign who agreed to hear about it: the record of
    who wrote it, who sent it, when, to which audience, and how it went."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    subject_en: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)  # Markdown
    # Spanish is optional: without it Spanish speakers get the English text.
    subject_es: Mapped[str | None] = mapped_column(String(200))
    body_es: Mapped[str | None] = mapped_column(Text)
    # The supporter filter's query parameters (supporters.filters), consent and status fixed.
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[BroadcastStatus] = mapped_column(StrEnumType(BroadcastStatus, 20), default=BroadcastStatus.DRAFT)
    origin: Mapped[BroadcastOrigin] = mapped_column(StrEnumType(BroadcastOrigin, 30), default=BroadcastOrigin.MANUAL)
    # What made a follow-up draft ("delivery:12", "votes:7" for an agenda item), so one moment
    # makes one draft.
    origin_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # queuing began
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # every delivery written
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    test_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Queuing resumes after this person id; figures are added batch by batch with it.
    queued_through: Mapped[int] = mapped_column(default=0)
    recipients: Mapped[int] = mapped_column(default=0)  # deliveries written
    unsubscribed: Mapped[int] = mapped_column(default=0)  # consenting, but asked for no more
    suppressed: Mapped[int] = mapped_column(default=0)  # consenting, but the address bounced or complained

    campaign: Mapped[Campaign] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    def move_to(self, status: BroadcastStatus) -> None:
        if status not in MOVES[self.status]:
            # Shown to the organizer (a second click, a page left open): in their language.
            raise Conflict(_("This broadcast has moved on since the page was opened: look at what it is doing now."))
        self.status = status

    @property
    def editable(self) -> bool:
        return self.status in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED)

    def language_for(self, locale: str) -> str:
        """The language a reader of `locale` gets: Spanish when it was written, else English."""
        return "es" if locale == "es" and self.subject_es and self.body_es else "en"

    def subject_for(self, locale: str) -> str:
        return self.subject_es if self.language_for(locale) == "es" else self.subject_en

    def body_for(self, locale: str) -> str:
        return self.body_es if self.language_for(locale) == "es" else self.body_en


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"  # written, waiting for its turn at the rate
    HANDED_OVER = "handed_over"  # its message is in the outbox, which sends and retries it
    SKIPPED = "skipped"  # unsubscribed, suppressed or erased between queuing and its turn
    CANCELLED = "cancelled"  # the broadcast was cancelled before its turn


class BroadcastDelivery(db.Model):
    """One recipient of one broadcast. Unique per person and per mailbox (a household
    sharing one address gets one copy), so a resumed job never writes anyone twice; the
    message is written in the same transaction that marks the delivery handed over, so
    nobody is handed to the outbox twice either."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "person_id"),
        UniqueConstraint("broadcast_id", "mailbox_hash"),
        # The next deliveries to hand over, in order.
        Index("ix_broadcast_deliveries_turn", "broadcast_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The person's canonical address when queued, as a keyed hash: one copy per mailbox without
    # keeping an address that erasing the person would have to find here too.
    mailbox_hash: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(5))
    status: Mapped[DeliveryStatus] = mapped_column(StrEnumType(DeliveryStatus, 20), default=DeliveryStatus.QUEUED)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    # For the rate: how many were handed over in the last minute, across broadcasts.
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
