from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from campaign.accounts.models import User
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.officials.models import Official
from campaign.petitions.models import Petition


class PacketStatus(enum.StrEnum):
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class Packet(db.Model):
    """One generated PDF: what it holds, its SHA-256, who built it and when."""

    __tablename__ = "packets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Printed on every page and in the verification address; random, so unguessable.
    public_id: Mapped[str] = mapped_column(String(20), unique=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    county_fips: Mapped[list] = mapped_column(JSON, default=list)  # empty: every county
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    include_address: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5), default="en")
    status: Mapped[PacketStatus] = mapped_column(StrEnumType(PacketStatus), default=PacketStatus.BUILDING)
    signature_count: Mapped[int] = mapped_column(default=0)
    # [[county label, confirmed]] as printed, for the verification page.
    county_counts: Mapped[list] = mapped_column(JSON, default=list)
    page_count: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    built_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    petition: Mapped[Petition] = relationship()
    official: Mapped[Official | None] = relationship()
    built_by: Mapped[User | None] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="packet", cascade="all, delete-orphan", order_by="Delivery.delivered_at"
    )

    @property
    def file_name(self) -> str:
        return f"{self.public_id}.pdf"


class DeliveryMethod(enum.StrEnum):
    IN_PERSON = "in_person"
    AT_MEETING = "at_meeting"
    EMAIL = "email"
    MAIL = "mail"


class Delivery(db.Model):
    """A packet handed to an official: when, by whom, how, and what they answered."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    packet_id: Mapped[int] = mapped_column(ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    recipient: Mapped[str] = mapped_column(String(200))
    method: Mapped[DeliveryMethod] = mapped_column(StrEnumType(DeliveryMethod))
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    packet: Mapped[Packet] = relationship(back_populates="deliveries")
    official: Mapped[Official | None] = relationship()
    delivered_by: Mapped[User | None] = relationship()


class Response(db.Model):
    """An official's answer to a delivered packet: a letter, a statement, an email."""

    __tablename__ = "delivery_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    responded_on: Mapped[date]
    text: Mapped[str | None] = mapped_column(Text)
    document_url: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delivery: Mapped[Delivery] = relationship(
        backref=backref("responses", order_by="Response.responded_on", cascade="all, delete-orphan")
    )
    official: Mapped[Official | None] = relationship()
