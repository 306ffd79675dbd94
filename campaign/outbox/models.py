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
    # What caused it, for organizers reading the outbox ("accounts.password_reset").
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[MessageStatus] = mapped_column(StrEnumType(MessageStatus, 20), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
