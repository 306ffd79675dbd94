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
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def password_fingerprint(self) -> str:
        """Changes with the password: ends open sessions and used reset links."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:32]

    # The key of the UserSession this request runs in: set by accounts.services when a session
    # starts or is loaded, never stored on the row.
    session_key = None  # str once set; not annotated, so SQLAlchemy leaves it unmapped
    # One row is one object in a database session; UserMixin would compare get_id() instead.
    __eq__ = object.__eq__
    __ne__ = object.__ne__

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the session's random
        key, so ending the UserSession row ends every copy of the cookie."""
        if self.session_key is None:
            raise RuntimeError("start a session (accounts.services.start_session) before logging in")
        return self.session_key

    def has_role(self, role: Role | str) -> bool:
        return self.role.rank >= Role(role).rank


class AuditEvent(db.Model):
    """Who did what: logins, exports, account changes. Never holds a supporter's details."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # A keyed hash of the client address (core.hashing.ip_hash), cleared by the IP-hash purge.
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()


class UserSession(db.Model):
    """One logged-in browser. Logging out deletes the row, and with it every copy of the
    session and remember cookies. Only a hash of the cookie's key is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed logins for one email as typed (normalized), whether or not an account has it:
    the key is a keyed hash of the address, so unknown emails are throttled exactly alike and
    the table holds no address."""

    __tablename__ = "login_throttles"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
