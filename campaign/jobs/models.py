from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"  # failed, another attempt is scheduled
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # out of attempts; organizers see the error


class Job(db.Model):
    """The record of one background job, whichever runner executes it."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    arguments: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(StrEnumType(JobStatus, 20), default=JobStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    # Not before this time: set when a retry is scheduled, read by `flask jobs run-due`.
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    progress: Mapped[int] = mapped_column(default=0)  # percent, for long builds
    result: Mapped[dict | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
