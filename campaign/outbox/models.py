from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first try or for a retry
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; shown to organizers


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # Messages written to one address lately (the per-recipient throttle).
        Index("ix_outbox_messages_recipient", "recipient", "created_at"),
        # Only messages whose bodies are still kept: the purge reads these, never all of history.
        Index(
            "ix_outbox_messages_bodies_kept",
            "sent_at",
            sqlite_where=text("body_text <> ''"),
            postgresql_where=text("body_text <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))  # in lower case: one address, one spelling
    subject: Mapped[str] = mapped_column(String(255))
    # Emptied OUTBOX_KEEP_BODIES_DAYS after sending (purge_sent_bodies); the rest is kept.
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "content_type", "data" (base64)}]: .ics invitations and the like.
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # Headers beyond the usual ones: List-Unsubscribe and Reply-To on broadcasts.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # What caused it, for organizers reading the outbox ("accounts.password_reset").
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[MessageStatus] = mapped_column(StrEnumType(MessageStatus, 20), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SuppressionReason(enum.StrEnum):
    BOUNCE = "bounce"  # the receiving server refused the address for good: no mail at all
    COMPLAINT = "complaint"  # marked as spam: no more broadcasts; confirmations still go


class Suppression(db.Model):
    """An address no broadcast goes to again, and, after a hard bounce, no mail at all."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)  # lower case, as the outbox writes it
    reason: Mapped[SuppressionReason] = mapped_column(StrEnumType(SuppressionReason, 20))
    # Where it came from: "smtp" (our own send was refused) or "import" (a provider's list).
    source: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
