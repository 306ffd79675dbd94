from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County


class Body(enum.StrEnum):
    SHERIFF = "sheriff"
    COUNTY_BOARD = "county_board"
    COUNTY_EXECUTIVE = "county_executive"
    CITY_COUNCIL = "city_council"
    STATE_LEGISLATURE = "state_legislature"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(BODY_LABELS[self])


BODY_LABELS = {
    Body.SHERIFF: _l("Sheriff"),
    Body.COUNTY_BOARD: _l("County board"),
    Body.COUNTY_EXECUTIVE: _l("County executive"),
    Body.CITY_COUNCIL: _l("City council"),
    Body.STATE_LEGISLATURE: _l("State legislature"),
    Body.OTHER: _l("Other"),
}


class Official(db.Model):
    """A public office holder. Contact details here are public ones (office phone, office email)."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120))  # "Sheriff", "Chair, County Board"
    body: Mapped[Body] = mapped_column(StrEnumType(Body, 30))
    county_fips: Mapped[str | None] = mapped_column(ForeignKey("counties.fips"), index=True)
    district: Mapped[str | None] = mapped_column(String(40))  # a supervisory district, where there is one
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    office_address: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(255))
    term_starts_on: Mapped[date | None]
    term_ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    county: Mapped[County | None] = relationship()
    # Newest first: the first is where the official stands now.
    positions: Mapped[list[Position]] = relationship(
        back_populates="official",
        cascade="all, delete-orphan",
        order_by="(Position.stated_on.desc(), Position.id.desc())",
    )


class Stance(enum.StrEnum):
    """Where an official stands on rescinding the 287(g) agreement."""

    SUPPORTS = "supports"
    OPPOSES = "opposes"
    UNDECIDED = "undecided"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return str(STANCE_LABELS[self])


STANCE_LABELS = {
    Stance.SUPPORTS: _l("Supports rescission"),
    Stance.OPPOSES: _l("Opposes rescission"),
    Stance.UNDECIDED: _l("Undecided"),
    Stance.UNKNOWN: _l("Unknown"),
}


class Position(db.Model):
    """A recorded position of an official, with the public source it rests on. Rows are
    never edited: a new statement is a new row, so the history stays."""

    __tablename__ = "official_positions"
    __table_args__ = (Index("ix_official_positions_official", "official_id", "stated_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"))
    stance: Mapped[Stance] = mapped_column(StrEnumType(Stance, 20))
    stated_on: Mapped[date]
    source_url: Mapped[str] = mapped_column(String(500))  # required: a position without a source is a rumour
    summary: Mapped[str | None] = mapped_column(Text)  # what they said, in a sentence or two
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    official: Mapped[Official] = relationship(back_populates="positions")
