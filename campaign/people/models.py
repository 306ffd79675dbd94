from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.core.text import name_key
from campaign.core.types import UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County


class Person(db.Model):
    """A supporter. Only what actions need is kept; street address and phone live on the
    action that asked for them, not here."""

    __tablename__ = "people"
    __table_args__ = (
        # One mailbox, one person per name: a household sharing an address signs as several
        # people (at most HOUSEHOLD_LIMIT), never as the same name twice.
        UniqueConstraint("email_normalized", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed (trimmed), for writing back to the person; None once erased.
    email: Mapped[str | None] = mapped_column(String(254))
    # Canonical form, for recognising the same mailbox twice; None once erased.
    email_normalized: Mapped[str | None] = mapped_column(String(254))
    # The canonical domain, for the fraud panel and bulk moderation by domain.
    email_domain: Mapped[str | None] = mapped_column(String(254), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(200), default="")  # kept by _keep_keys below
    zip_code: Mapped[str | None] = mapped_column(String(5))
    county_fips: Mapped[str | None] = mapped_column(ForeignKey("counties.fips"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set when the person was anonymised, on request or by the retention purge.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    county: Mapped[County | None] = relationship()

    @property
    def public_name(self) -> str:
        """First name and last initial: all that is ever shown publicly."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}"


def keeps_name_key(model: type) -> type:
    """Every way of writing a row with a first and last name (form, paper, demo, import,
    erasure) keeps its `name_key` (core.text.name_key) right, for matching and search."""

    def keep(_mapper, _connection, row) -> None:
        row.name_key = name_key(row.first_name, row.last_name)

    event.listen(model, "before_insert", keep)
    event.listen(model, "before_update", keep)
    return model


keeps_name_key(Person)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _keep_email_domain(_mapper, _connection, person: Person) -> None:
    person.email_domain = person.email_normalized.rpartition("@")[2] if person.email_normalized else None


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


class Unsubscribe(db.Model):
    """A person asked for no more broadcasts: from one campaign, or from every campaign
    (`campaign_id` None). It never touches their actions or any count. A later action of
    theirs with "email me" ticked is newer consent and outweighs it (broadcasts.audience),
    so subscribing again is recorded by that action's own consent and time."""

    __tablename__ = "unsubscribes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    # "one-click" (the mail program's button, RFC 8058) or "page" (the footer link's page).
    via: Mapped[str] = mapped_column(String(20))
    broadcast_id: Mapped[int | None]  # the broadcast whose link was used, for its figures
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
