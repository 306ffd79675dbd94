"""Enqueue a job inside the caller's transaction; it runs only after that transaction commits."""

from __future__ import annotations

import json
import traceback
from datetime import datetime, timedelta

from flask import current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import delete, event, or_, select, update

from campaign.core.errors import Conflict, NotFound
from campaign.core.guard import PROCESS_EXITS
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job, JobStatus
from campaign.jobs.registry import HANDLERS

_PENDING_KEY = "jobs_to_dispatch"
_DELAYS_KEY = "jobs_delays"  # job id -> how long after the commit it runs
# A queued job untouched this long was lost by a runner (a restart): `run-due` picks it up.
STALE_AFTER = timedelta(minutes=2)
# A job still running after this long lost its runner mid-way (a crash, a deploy): `run-due`
# counts the attempt as failed so the job is retried, or shown as failed, instead of
# staying "running" for ever. Long enough for the slowest build.
LOST_AFTER = timedelta(hours=1)
# A runner may start a retry this much before its time (RQ's scheduler counts whole seconds).
CLOCK_SLACK = timedelta(seconds=5)
MAX_BACKOFF = timedelta(hours=6)
KEEP_SUCCEEDED = timedelta(days=7)


def enqueue(name: str, *, once_per_transaction: bool = False, delay: timedelta | None = None, **arguments) -> Job:
    """Record a job; it is handed to the runner when the caller's transaction commits.

    With `once_per_transaction`, asking again for the same job in the same transaction
    returns the first one (one mail delivery run, however many messages were written).
    With `delay`, it runs that much later (the eager runner of tests leaves it to `run-due`).
    """
    if name not in HANDLERS:
        raise NotFound(f"no job handler called {name!r}")
    pending: dict = db.session.info.setdefault(_PENDING_KEY, {})
    key = (name, json.dumps(arguments, sort_keys=True))
    if once_per_transaction and key in pending:
        existing = db.session.get(Job, pending[key])
        if existing is not None:  # None: a rolled-back savepoint took it away
            return existing
    job = Job(name=name, arguments=arguments, max_attempts=current_app.config["JOBS_MAX_ATTEMPTS"])
    if delay:
        job.run_after = utcnow() + delay
    db.session.add(job)
    db.session.flush()
    if delay:
        db.session.info.setdefault(_DELAYS_KEY, {})[job.id] = delay
    pending[key if once_per_transaction else (name, job.id)] = job.id
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a released savepoint: the real commit is still to come
        return
    pending = session.info.pop(_PENDING_KEY, {})
    delays = session.info.pop(_DELAYS_KEY, {})
    if pending:
        runner = current_app.extensions["jobs_runner"]
        for job_id in pending.values():
            try:
                runner.submit(job_id, delay=delays.get(job_id))
            except Exception:
                # The caller's work is committed: never turn it into an error page because
                # Redis blinked. The job stays queued and `run-due` picks it up.
                current_app.logger.exception("could not hand job %s to the runner; run-due will", job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_DELAYS_KEY, None)


def backoff(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min... (base times 4 to the power of earlier failures), at most 6 hours."""
    seconds = current_app.config["JOBS_BACKOFF_SECONDS"] * 4 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def execute(job_id: int, now: datetime | None = None) -> Job | None:
    """Run one attempt of a job and record its outcome. Commits: this is the job's own unit of work.

    Returns the job, or None when another runner already took it or its retry is not due
    yet (a runner's timer from an earlier attempt: the job keeps its later time).
    """
    # Claiming with one conditional UPDATE means two runners never run the same attempt.
    claim = (
        update(Job)
        .where(
            Job.id == job_id,
            Job.status.in_([JobStatus.QUEUED, JobStatus.RETRYING]),
            Job.run_after <= (now or utcnow()) + CLOCK_SLACK,
        )
        .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, started_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    claimed = db.session.execute(claim).rowcount
    db.session.commit()
    if not claimed:
        return None
    job = db.session.get(Job, job_id)

    try:
        job.result = HANDLERS[job.name](**job.arguments)
        job.status = JobStatus.SUCCEEDED
        job.progress = 100
        job.finished_at = utcnow()
        db.session.commit()  # inside the try: a result the database refuses is a failure too
    # A job's failure is recorded, never swallowed: a panic in native code (a BaseException)
    # too, or the job would stay "running". A process asked to stop records it and stops.
    except BaseException as error:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        current_app.logger.warning("job %s (%s) attempt %s failed: %s", job.id, job.name, job.attempts, error)
        _record_failure(job, "".join(traceback.format_exception_only(error)).strip(), now)
        if isinstance(error, PROCESS_EXITS):
            raise
    return job


def _record_failure(job: Job, error: str, now: datetime | None = None) -> None:
    """Keep the error; schedule the next attempt with backoff, or give up after the last."""
    job.last_error = error[:4000]
    if job.attempts < job.max_attempts:
        job.status = JobStatus.RETRYING
        delay = backoff(job.attempts)
        job.run_after = (now or utcnow()) + delay
        db.session.commit()
        try:
            current_app.extensions["jobs_runner"].submit(job.id, delay=delay)
        except Exception:  # the retry is recorded; `run-due` will start it
            current_app.logger.exception("could not schedule the retry of job %s", job.id)
    else:
        job.status = JobStatus.FAILED
        job.finished_at = utcnow()
        db.session.commit()


def report_progress(job_id: int, percent: int) -> None:
    """For long jobs (packet builds): lets organizers watch a build move. Written on a
    connection of its own, so the job's transaction (and a streaming cursor) stays open."""
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id).values(progress=max(0, min(100, percent))))


def due_job_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    query = select(Job.id).where(
        or_(
            (Job.status == JobStatus.RETRYING) & (Job.run_after <= now),
            (Job.status == JobStatus.QUEUED) & (Job.created_at <= now - STALE_AFTER),
        )
    )
    return list(db.session.scalars(query.order_by(Job.id)))


def recover_lost(now: datetime | None = None) -> int:
    """Count an attempt "running" for longer than LOST_AFTER as failed: its runner died.

    The job becomes due at once (or failed for good after its last attempt). Conditional
    updates, so a result the runner writes meanwhile is never overwritten."""
    now = now or utcnow()
    lost = (Job.status == JobStatus.RUNNING) & (Job.started_at < now - LOST_AFTER)
    error = f"Interrupted: no result {int(LOST_AFTER.total_seconds() // 60)} minutes after the attempt started."
    retried = db.session.execute(
        update(Job)
        .where(lost, Job.attempts < Job.max_attempts)
        .values(status=JobStatus.RETRYING, run_after=now, last_error=error)
        .execution_options(synchronize_session=False)
    ).rowcount
    failed = db.session.execute(
        update(Job)
        .where(lost, Job.attempts >= Job.max_attempts)
        .values(status=JobStatus.FAILED, finished_at=now, last_error=error)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return retried + failed


def run_due(now: datetime | None = None) -> list[Job]:
    """Run, here and now, every job whose retry is due or whose runner lost it."""
    recover_lost(now)
    finished = [job for job_id in due_job_ids(now) if (job := execute(job_id, now=now)) is not None]
    cutoff = (now or utcnow()) - KEEP_SUCCEEDED
    db.session.execute(delete(Job).where(Job.status == JobStatus.SUCCEEDED, Job.finished_at < cutoff))
    db.session.commit()
    return finished


def retry(job_id: int) -> Job:
    """An organizer asks for a failed job to be tried again, or a job waiting for its retry
    to run now. It is handed to the runner after the caller's commit."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    if job.status not in (JobStatus.FAILED, JobStatus.RETRYING):
        raise Conflict(f"job {job_id} is {job.status.value}, not failed")
    values = {"status": JobStatus.QUEUED, "run_after": utcnow()}
    if job.status is JobStatus.FAILED:
        values["max_attempts"] = job.attempts + current_app.config["JOBS_MAX_ATTEMPTS"]
    # Conditional on the status just read: a runner may have claimed the job meanwhile.
    changed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == job.status).values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not changed:
        raise Conflict(f"job {job_id} has just been taken by a runner")
    db.session.refresh(job)
    db.session.info.setdefault(_PENDING_KEY, {})[(job.name, job.id)] = job.id
    return job


def problem_jobs(limit: int = 50) -> list[Job]:
    """Failed and retrying jobs, newest first, for the organizers' status page."""
    query = select(Job).where(Job.status.in_([JobStatus.FAILED, JobStatus.RETRYING]))
    return list(db.session.scalars(query.order_by(Job.id.desc()).limit(limit)))
