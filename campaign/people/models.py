from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.core.types import UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County


class Person(db.Model):
    """A supporter. Only what actions need is kept; street address and phone live on the
    action that asked for them, not here."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed (trimmed), for writing back to the person.
    email: Mapped[str] = mapped_column(String(254))
    # Canonical form, for recognising the same person twice.
    email_normalized: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    zip_code: Mapped[str | None] = mapped_column(String(5))
    county_fips: Mapped[str | None] = mapped_column(ForeignKey("counties.fips"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    county: Mapped[County | None] = relationship()

    @property
    def public_name(self) -> str:
        """First name and last initial: all that is ever shown publicly."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}"


class PendingAction(db.Model):
    """A change to someone's record that waits for proof they own the mailbox: a repeat
    signature, commitment or RSVP by a known email. The record stays as it was until the
    link mailed to that address is used; the link names this row."""

    __tablename__ = "pending_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))  # the token purpose: "signature", "commitment", "rsvp"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int]  # the signature, commitment or RSVP it changes
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # the details the click will record
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
