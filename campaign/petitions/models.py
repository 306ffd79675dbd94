from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, Index, LargeBinary, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from campaign.campaigns.models import Campaign
from campaign.core.text import phone_digits
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County
from campaign.officials.models import Official
from campaign.people.models import Person, keeps_name_key


class FieldRule(enum.StrEnum):
    """Whether the sign form asks for an optional detail (street address, phone)."""

    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


FIELD_RULE_LABELS = {
    FieldRule.OFF: _l("Do not ask"),
    FieldRule.OPTIONAL: _l("Ask, optional"),
    FieldRule.REQUIRED: _l("Ask, required"),
}


class PetitionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DELIVERED = "delivered"

    @property
    def label(self) -> str:
        return str(PETITION_STATUS_LABELS[self])


PETITION_STATUS_LABELS = {
    PetitionStatus.DRAFT: _l("Draft"),
    PetitionStatus.OPEN: _l("Open for signatures"),
    PetitionStatus.CLOSED: _l("Closed"),
    PetitionStatus.DELIVERED: _l("Delivered"),
}

petition_targets = Table(
    "petition_targets",
    db.Model.metadata,
    Column("petition_id", ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True),
    Column("official_id", ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True),
)


class Petition(db.Model):
    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str | None] = mapped_column(String(200))
    ask: Mapped[str] = mapped_column(Text)  # "We call on the Brown County Board to ..."
    ask_es: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    body_es: Mapped[str | None] = mapped_column(Text)
    # The letter opening a signature packet; {placeholders} filled in when it is built.
    cover_letter: Mapped[str | None] = mapped_column(Text)
    goal: Mapped[int | None]
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[PetitionStatus] = mapped_column(StrEnumType(PetitionStatus), default=PetitionStatus.DRAFT)
    address_rule: Mapped[FieldRule] = mapped_column(StrEnumType(FieldRule), default=FieldRule.OPTIONAL)
    phone_rule: Mapped[FieldRule] = mapped_column(StrEnumType(FieldRule), default=FieldRule.OPTIONAL)
    # Maintained in batches by services.refresh_counts, never per signature.
    confirmed_count: Mapped[int] = mapped_column(default=0)
    resident_count: Mapped[int] = mapped_column(default=0)
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    count_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it last stopped taking signatures (closed or delivered): the retention clock.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # The backref lets campaign pages list their petitions without importing this area.
    campaign: Mapped[Campaign] = relationship(backref=backref("petitions", order_by="Petition.id"))
    targets: Mapped[list[Official]] = relationship(secondary=petition_targets, order_by=Official.name)
    counties: Mapped[list[PetitionCounty]] = relationship(
        back_populates="petition", cascade="all, delete-orphan", order_by="PetitionCounty.county_fips"
    )

    @property
    def is_open(self) -> bool:
        if self.status is not PetitionStatus.OPEN:
            return False
        return self.deadline is None or self.deadline > utcnow()


class PetitionCounty(db.Model):
    """A county the petition is about (its residents count apart) or has a goal for."""

    __tablename__ = "petition_counties"

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    county_fips: Mapped[str] = mapped_column(ForeignKey("counties.fips"), primary_key=True)
    is_target: Mapped[bool] = mapped_column(default=True)
    goal: Mapped[int | None]

    petition: Mapped[Petition] = relationship(back_populates="counties")
    county: Mapped[County] = relationship()


class SignatureStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the email confirmation
    CONFIRMED = "confirmed"
    INVALIDATED = "invalidated"  # removed by an organizer, with a reason; can be restored


class SignatureSource(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"


class Signature(db.Model):
    __tablename__ = "signatures"
    __table_args__ = (
        # One signature per person per petition, whatever the race between two requests.
        UniqueConstraint("petition_id", "person_id"),
        # With confirmed_at, a county's signatures over time are read from the index alone.
        Index("ix_signatures_counts", "petition_id", "status", "county_fips", "confirmed_at"),
        Index("ix_signatures_recent", "petition_id", "status", "confirmed_at"),
        # Paper signatures often carry no email: the same name at the same ZIP is the same person.
        Index("ix_signatures_name", "petition_id", "zip_code", "name_key"),
        Index("ix_signatures_referral", "petition_id", "referral"),
        # Supporter search and the fraud panel (name prefix, phone, newest first, one address).
        Index("ix_signatures_name_search", "petition_id", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
        Index("ix_signatures_phone", "petition_id", "phone_digits"),
        Index("ix_signatures_created", "petition_id", "created_at", "id"),
        Index("ix_signatures_ip", "petition_id", "ip_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    # None for a paper signature without an email address.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[SignatureStatus] = mapped_column(StrEnumType(SignatureStatus), default=SignatureStatus.PENDING)
    source: Mapped[SignatureSource] = mapped_column(StrEnumType(SignatureSource), default=SignatureSource.ONLINE)
    # The `?source=` code of the link the signer came by (a partner's share link, a flyer).
    referral: Mapped[str | None] = mapped_column(String(40))
    # The name, place and optional details as given on this petition.
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(200), default="")  # kept by keeps_name_key
    zip_code: Mapped[str] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(100))
    county_fips: Mapped[str] = mapped_column(ForeignKey("counties.fips"))
    street_address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_digits: Mapped[str | None] = mapped_column(String(40))  # kept by _keep_phone_digits below
    comment: Mapped[str | None] = mapped_column(Text)
    show_publicly: Mapped[bool] = mapped_column(default=False)
    email_updates: Mapped[bool] = mapped_column(default=False)
    # What the person agreed to, word for word, and when.
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    # Keyed hash of the address it came from, for abuse review only; cleared after review.
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invalidated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invalidated_reason: Mapped[str | None] = mapped_column(String(500))
    invalidated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Paper signatures: where the sheet was filled in, its number, who typed it in.
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"), index=True)
    sheet_number: Mapped[int | None]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the signer's details were removed (erasure, retention): it still counts in its
    # county, and is left out of packets and exports.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    petition: Mapped[Petition] = relationship()
    person: Mapped[Person | None] = relationship()
    county: Mapped[County] = relationship()

    @property
    def public_name(self) -> str:
        return f"{self.first_name} {self.last_name[:1]}." if self.last_name else self.first_name


keeps_name_key(Signature)


@event.listens_for(Signature, "before_insert")
@event.listens_for(Signature, "before_update")
def _keep_phone_digits(_mapper, _connection, signature: Signature) -> None:
    signature.phone_digits = phone_digits(signature.phone)


@event.listens_for(Petition.status, "set")
def _keep_closed_at(petition: Petition, value, old, _initiator) -> None:
    if value in (PetitionStatus.CLOSED, PetitionStatus.DELIVERED):
        if petition.closed_at is None or old is PetitionStatus.OPEN:
            petition.closed_at = utcnow()
    else:
        petition.closed_at = None


class PetitionCountyCount(db.Model):
    """Confirmed signatures per county, refreshed in batches (at most ~10 s stale)."""

    __tablename__ = "petition_county_counts"

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    county_fips: Mapped[str] = mapped_column(ForeignKey("counties.fips"), primary_key=True)
    confirmed: Mapped[int] = mapped_column(default=0)

    county: Mapped[County] = relationship()


class PetitionHourCount(db.Model):
    """Confirmed signatures per UTC hour ("YYYY-MM-DD HH:00:00", core.timeline.hour_bucket),
    channel (online, paper) and referral code ("" for none), refreshed with the county
    counts, hour by hour: the charts gather the hours into local days, and the sources are
    their sum, so no refresh reads every signature again to count sources."""

    __tablename__ = "petition_hour_counts"

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[str] = mapped_column(String(19), primary_key=True)
    channel: Mapped[SignatureSource] = mapped_column(StrEnumType(SignatureSource), primary_key=True)
    referral: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    confirmed: Mapped[int] = mapped_column(default=0)


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # a file refused as a whole (columns, encoding) is never recorded


class PaperImport(db.Model):
    """A CSV of paper signatures, applied in the background, with a report line per row."""

    __tablename__ = "paper_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"))
    # The date signed of rows that give none: the forum's day when the sheets came from one.
    default_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filename: Mapped[str] = mapped_column(String(255))
    # The upload itself: a worker on another machine reads it from here. Dropped once applied.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    encoding: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[ImportStatus] = mapped_column(StrEnumType(ImportStatus, 20), default=ImportStatus.QUEUED)
    # Rows applied so far, committed with them: a retried job resumes after the last one.
    rows_done: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    petition: Mapped[Petition] = relationship()


class RowOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    MERGED = "merged"  # the person had already signed: counted once
    REJECTED = "rejected"


class PaperImportRow(db.Model):
    __tablename__ = "paper_import_rows"

    import_id: Mapped[int] = mapped_column(ForeignKey("paper_imports.id", ondelete="CASCADE"), primary_key=True)
    line: Mapped[int] = mapped_column(primary_key=True)  # in the file, header = line 1
    outcome: Mapped[RowOutcome] = mapped_column(StrEnumType(RowOutcome, 20))
    message: Mapped[str] = mapped_column(Text, default="")
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signatures.id", ondelete="SET NULL"))


class BulkActionStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BulkModeration(db.Model):
    """Invalidating or restoring every signature a filter matches (after a bot attack): done
    by a job in batches, each its own transaction, so signing goes on meanwhile and a restart
    resumes after `last_id`. Recorded once, with who asked and how many rows it touched."""

    __tablename__ = "bulk_moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # "invalidate" or "restore"
    reason: Mapped[str | None] = mapped_column(String(500))
    # The filter as query parameters (petitions.listing / petitions.fraud), replayed by the job.
    filter: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[BulkActionStatus] = mapped_column(StrEnumType(BulkActionStatus), default=BulkActionStatus.QUEUED)
    matched: Mapped[int] = mapped_column(default=0)  # the count the organizer previewed
    touched: Mapped[int] = mapped_column(default=0)
    last_id: Mapped[int] = mapped_column(default=0)  # the highest signature id done so far
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
