from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"  # manages organizer accounts and everything below
    ORGANIZER = "organizer"  # runs campaigns, exports, packets
    VIEWER = "viewer"  # reads organizer pages, changes nothing

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 0, Role.ORGANIZER: 1, Role.ADMIN: 2}[self]


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 20))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def password_fingerprint(self) -> str:
        """Changes with the password: ends open sessions and used reset links."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:32]

    def get_id(self) -> str:
        # Kept in the session cookie; a new password makes every older session invalid.
        return f"{self.id}:{self.password_fingerprint}"

    def has_role(self, role: Role | str) -> bool:
        return self.role.rank >= Role(role).rank


class AuditEvent(db.Model):
    """Who did what: logins, exports, account changes. Never holds a supporter's details."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()
