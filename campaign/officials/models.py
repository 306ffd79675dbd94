from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County | None] = relationship()
