"""Background jobs: recorded in the caller's transaction, run after commit, retried with
backoff, and a final failure left visible to organizers."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.core.errors import Conflict
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.models import Job, JobStatus
from campaign.jobs.registry import handler

CALLS: dict[str, int] = {}


@handler("tests.flaky")
def flaky(key: str, failures: int) -> dict:
    """Fails `failures` times for `key`, then succeeds."""
    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] <= failures:
        raise ConnectionError(f"printer on fire (call {CALLS[key]})")
    return {"calls": CALLS[key]}


@pytest.fixture
def key() -> str:
    return uuid.uuid4().hex


def reload(job: Job) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job.id)


def test_job_runs_only_after_commit(app, key):
    job = jobs.enqueue("tests.flaky", key=key, failures=0)
    assert job.status is JobStatus.QUEUED and key not in CALLS
    db.session.commit()
    job = reload(job)
    assert job.status is JobStatus.SUCCEEDED
    assert job.result == {"calls": 1} and job.progress == 100 and job.finished_at is not None


def test_rolled_back_job_never_runs(app, key):
    jobs.enqueue("tests.flaky", key=key, failures=0)
    db.session.rollback()
    db.session.commit()
    assert key not in CALLS
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_unknown_job_name_is_refused(app):
    from campaign.core.errors import NotFound

    with pytest.raises(NotFound):
        jobs.enqueue("tests.no-such-job")


def test_failure_is_retried_with_backoff_until_it_succeeds(app, key):
    job = jobs.enqueue("tests.flaky", key=key, failures=2)
    db.session.commit()
    job = reload(job)
    assert job.status is JobStatus.RETRYING
    assert job.attempts == 1
    assert "ConnectionError: printer on fire (call 1)" in job.last_error
    assert job.run_after > utcnow() + timedelta(seconds=20)
    assert jobs.problem_jobs() == [job]

    assert jobs.run_due() == [], "not due yet"
    first = utcnow() + timedelta(minutes=1)
    jobs.run_due(now=first)
    job = reload(job)
    assert (job.status, job.attempts) == (JobStatus.RETRYING, 2)
    assert job.run_after > first, "the second wait is longer"

    jobs.run_due(now=utcnow() + timedelta(hours=1))
    job = reload(job)
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 3, {"calls": 3})
    assert jobs.problem_jobs() == []


def test_final_failure_is_kept_with_its_error_and_can_be_retried(app, key):
    job = jobs.enqueue("tests.flaky", key=key, failures=3)
    db.session.commit()
    for hours in (1, 2):
        jobs.run_due(now=utcnow() + timedelta(hours=hours))
    job = reload(job)
    assert job.status is JobStatus.FAILED
    assert (job.attempts, job.max_attempts) == (3, 3)
    assert "printer on fire (call 3)" in job.last_error
    assert jobs.run_due(now=utcnow() + timedelta(days=1)) == []

    jobs.retry(job.id)
    db.session.commit()
    job = reload(job)
    assert job.status is JobStatus.SUCCEEDED and job.attempts == 4


def test_only_a_failed_job_can_be_retried(app, key):
    job = jobs.enqueue("tests.flaky", key=key, failures=0)
    db.session.commit()
    with pytest.raises(Conflict):
        jobs.retry(job.id)


def test_a_job_already_taken_is_not_run_twice(app, key):
    job = jobs.enqueue("tests.flaky", key=key, failures=0)
    db.session.commit()
    assert jobs.execute(job.id) is None
    assert CALLS[key] == 1


def test_queued_job_lost_by_a_restart_is_picked_up(app, key):
    job = Job(name="tests.flaky", arguments={"key": key, "failures": 0}, created_at=utcnow() - timedelta(minutes=5))
    db.session.add(job)
    db.session.commit()  # written without dispatch, as if the process died after commit
    assert [finished.id for finished in jobs.run_due()] == [job.id]
    assert reload(job).status is JobStatus.SUCCEEDED


def test_thread_runner_runs_in_the_background(make_app, key):
    app = make_app(JOBS_RUNNER="thread")
    with app.app_context():
        job = jobs.enqueue("tests.flaky", key=key, failures=0)
        db.session.commit()
        deadline = time.monotonic() + 10
        while reload(job).status is not JobStatus.SUCCEEDED and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reload(job).status is JobStatus.SUCCEEDED


def test_cli_run_due(app, runner, key):
    job = jobs.enqueue("tests.flaky", key=key, failures=1)
    db.session.commit()
    db.session.execute(Job.__table__.update().values(run_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = runner.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0
    assert "1 job(s) run, 0 failed." in result.output
    assert reload(job).status is JobStatus.SUCCEEDED


@pytest.mark.redis
class TestRQRunner:
    @pytest.fixture
    def rq_app(self, make_app, redis_url):
        app = make_app(JOBS_RUNNER="rq", REDIS_URL=redis_url, JOBS_QUEUE_NAME=f"test-{uuid.uuid4().hex[:8]}")
        with app.app_context():
            yield app

    @staticmethod
    def work(app):
        from rq import SimpleWorker

        runner = app.extensions["jobs_runner"]
        SimpleWorker([runner.queue], connection=runner.connection).work(burst=True, with_scheduler=True)

    def test_job_goes_through_redis_to_a_worker(self, rq_app, key):
        job = jobs.enqueue("tests.flaky", key=key, failures=0)
        db.session.commit()
        queue = rq_app.extensions["jobs_runner"].queue
        assert queue.count == 1, "the job waits in Redis for a worker"
        assert reload(job).status is JobStatus.QUEUED
        self.work(rq_app)
        assert reload(job).status is JobStatus.SUCCEEDED
        assert queue.count == 0

    def test_failure_is_scheduled_for_retry_in_redis(self, rq_app, key):
        from rq.registry import ScheduledJobRegistry

        job = jobs.enqueue("tests.flaky", key=key, failures=1)
        db.session.commit()
        self.work(rq_app)
        job = reload(job)
        assert job.status is JobStatus.RETRYING
        assert "printer on fire" in job.last_error
        runner = rq_app.extensions["jobs_runner"]
        scheduled = ScheduledJobRegistry(queue=runner.queue)
        assert scheduled.count == 1, "the retry waits in RQ's schedule"

        # Time passes: move the scheduled retry to now, as RQ's scheduler would.
        [rq_job_id] = scheduled.get_job_ids()
        runner.queue.enqueue_job(runner.queue.fetch_job(rq_job_id))
        scheduled.remove(rq_job_id)
        self.work(rq_app)
        job = reload(job)
        assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)

    def test_worker_command(self, rq_app, key):
        job = jobs.enqueue("tests.flaky", key=key, failures=0)
        db.session.commit()
        result = rq_app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
        assert result.exit_code == 0, result.output
        assert reload(job).status is JobStatus.SUCCEEDED
