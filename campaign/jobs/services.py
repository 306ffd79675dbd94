"""Enqueue a job inside the caller's transaction; it runs only after that transaction commits."""

from __future__ import annotations

import json
import traceback
from datetime import datetime, timedelta

from flask import current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import delete, event, or_, select, update

from campaign.core.errors import Conflict, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job, JobStatus
from campaign.jobs.registry import HANDLERS

_PENDING_KEY = "jobs_to_dispatch"
# A queued job untouched this long was lost by a runner (a restart): `run-due` picks it up.
STALE_AFTER = timedelta(minutes=2)
KEEP_SUCCEEDED = timedelta(days=7)


def enqueue(name: str, *, once_per_transaction: bool = False, **arguments) -> Job:
    """Record a job; it is handed to the runner when the caller's transaction commits.

    With `once_per_transaction`, asking again for the same job in the same transaction
    returns the first one (one mail delivery run, however many messages were written).
    """
    if name not in HANDLERS:
        raise NotFound(f"no job handler called {name!r}")
    pending: dict = db.session.info.setdefault(_PENDING_KEY, {})
    key = (name, json.dumps(arguments, sort_keys=True))
    if once_per_transaction and key in pending:
        return db.session.get(Job, pending[key])
    job = Job(name=name, arguments=arguments, max_attempts=current_app.config["JOBS_MAX_ATTEMPTS"])
    db.session.add(job)
    db.session.flush()
    pending[key if once_per_transaction else (name, job.id)] = job.id
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, {})
    if pending:
        runner = current_app.extensions["jobs_runner"]
        for job_id in pending.values():
            runner.submit(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def backoff(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min... (base times 4 to the power of earlier failures)."""
    return timedelta(seconds=current_app.config["JOBS_BACKOFF_SECONDS"] * 4 ** max(attempts - 1, 0))


def execute(job_id: int) -> Job | None:
    """Run one attempt of a job and record its outcome. Commits: this is the job's own unit of work.

    Returns the job, or None when another runner already took it.
    """
    # Claiming with one conditional UPDATE means two runners never run the same attempt.
    claim = (
        update(Job)
        .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RETRYING]))
        .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, started_at=utcnow())
    )
    claimed = db.session.execute(claim).rowcount
    db.session.commit()
    if not claimed:
        return None
    job = db.session.get(Job, job_id)

    try:
        result = HANDLERS[job.name](**job.arguments)
    except Exception as error:  # a job's failure is recorded, never swallowed
        db.session.rollback()
        current_app.logger.warning("job %s (%s) attempt %s failed: %s", job.id, job.name, job.attempts, error)
        job = db.session.get(Job, job_id)
        job.last_error = "".join(traceback.format_exception_only(error)).strip()[:4000]
        if job.attempts < job.max_attempts:
            job.status = JobStatus.RETRYING
            delay = backoff(job.attempts)
            job.run_after = utcnow() + delay
            db.session.commit()
            current_app.extensions["jobs_runner"].submit(job.id, delay=delay)
        else:
            job.status = JobStatus.FAILED
            job.finished_at = utcnow()
            db.session.commit()
        return job

    job.status = JobStatus.SUCCEEDED
    job.result = result
    job.progress = 100
    job.finished_at = utcnow()
    db.session.commit()
    return job


def report_progress(job_id: int, percent: int) -> None:
    """For long jobs (packet builds): lets organizers watch a build move."""
    job = db.session.get(Job, job_id)
    if job is not None:
        job.progress = max(0, min(100, percent))
        db.session.commit()


def due_job_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    query = select(Job.id).where(
        or_(
            (Job.status == JobStatus.RETRYING) & (Job.run_after <= now),
            (Job.status == JobStatus.QUEUED) & (Job.created_at <= now - STALE_AFTER),
        )
    )
    return list(db.session.scalars(query.order_by(Job.id)))


def run_due(now: datetime | None = None) -> list[Job]:
    """Run, here and now, every job whose retry is due or whose runner lost it."""
    finished = [job for job_id in due_job_ids(now) if (job := execute(job_id)) is not None]
    cutoff = (now or utcnow()) - KEEP_SUCCEEDED
    db.session.execute(delete(Job).where(Job.status == JobStatus.SUCCEEDED, Job.finished_at < cutoff))
    db.session.commit()
    return finished


def retry(job_id: int) -> Job:
    """An organizer asks for a failed job to be tried again."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    if job.status is not JobStatus.FAILED:
        raise Conflict(f"job {job_id} is {job.status.value}, not failed")
    job.status = JobStatus.QUEUED
    job.max_attempts = job.attempts + current_app.config["JOBS_MAX_ATTEMPTS"]
    job.run_after = utcnow()
    db.session.info.setdefault(_PENDING_KEY, {})[(job.name, job.id)] = job.id
    return job


def problem_jobs(limit: int = 50) -> list[Job]:
    """Failed and retrying jobs, newest first, for the organizers' status page."""
    query = select(Job).where(Job.status.in_([JobStatus.FAILED, JobStatus.RETRYING]))
    return list(db.session.scalars(query.order_by(Job.id.desc()).limit(limit)))
