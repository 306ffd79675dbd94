from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from campaign.core.types import UTCDateTime, utcnow
from campaign.extensions import db


class PurgeRun(db.Model):
    """One run of the retention purge (`flask privacy purge`): when, and how many of each
    kind of data it removed, for the admins' privacy page. Never holds what was removed."""

    __tablename__ = "purge_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The admin who started it from the privacy page; None from the command line or a schedule.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {"signatures": 120, "people": 80, "ip_hashes": 3000, "mail_bodies": 12, "login_ips": 40}
    removed: Mapped[dict] = mapped_column(JSON, default=dict)
    # The settings it ran with, e.g. {"retention_months": 12, "ip_hash_days": 30}.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))
