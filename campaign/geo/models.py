from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from campaign.extensions import db


class County(db.Model):
    """A US county or county-equivalent, keyed by its five-digit FIPS code (2020 list)."""

    __tablename__ = "counties"

    fips: Mapped[str] = mapped_column(String(5), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    state_fips: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(100))

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"

    def __repr__(self) -> str:
        return f"<County {self.fips} {self.label}>"
