"""Background jobs: recorded in the caller's transaction, run after commit, retried with
backoff, and a final failure left visible to organizers."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from campaign.core.errors import Conflict, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.models import Job, JobStatus
from campaign.jobs.registry import handler

CALLS: dict[str, int] = {}


@handler("tests.jobs.flaky")
def flaky(key: str, failures: int) -> dict:
    """Fails `failures` times for `key`, then succeeds."""
    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] <= failures:
        raise ConnectionError(f"printer on fire (call {CALLS[key]})")
    return {"calls": CALLS[key]}


@handler("tests.jobs.unstorable_result")
def unstorable_result(key: str) -> dict:
    CALLS[key] = CALLS.get(key, 0) + 1
    return {"not json": object()}


@pytest.fixture
def key() -> str:
    return uuid.uuid4().hex


def reload(job: Job) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job.id)


def wait_for(job: Job, *statuses: JobStatus, timeout: float = 10) -> Job:
    deadline = time.monotonic() + timeout
    while (current := reload(job)).status not in statuses and time.monotonic() < deadline:
        time.sleep(0.02)
    return current


# --- enqueue and the eager runner -----------------------------------------------------


def test_job_runs_only_after_commit(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
    db.session.flush()
    assert job.status is JobStatus.QUEUED and key not in CALLS
    db.session.commit()
    job = reload(job)
    assert job.status is JobStatus.SUCCEEDED
    assert (job.attempts, job.result, job.progress) == (1, {"calls": 1}, 100)
    assert job.started_at is not None and job.finished_at is not None


def test_rolled_back_job_never_runs(app, key):
    jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
    db.session.rollback()
    db.session.commit()
    assert key not in CALLS
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_unknown_job_name_is_refused(app):
    with pytest.raises(NotFound):
        jobs.enqueue("tests.jobs.no-such-job")


def test_once_per_transaction_gives_one_job(app, key):
    first = jobs.enqueue("tests.jobs.flaky", once_per_transaction=True, key=key, failures=0)
    again = jobs.enqueue("tests.jobs.flaky", once_per_transaction=True, key=key, failures=0)
    assert again is first
    db.session.commit()
    assert CALLS[key] == 1
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_once_per_transaction_survives_a_rolled_back_savepoint(app, key):
    savepoint = db.session.begin_nested()
    jobs.enqueue("tests.jobs.flaky", once_per_transaction=True, key=key, failures=0)
    savepoint.rollback()
    job = jobs.enqueue("tests.jobs.flaky", once_per_transaction=True, key=key, failures=0)
    assert job is not None
    db.session.commit()
    assert reload(job).status is JobStatus.SUCCEEDED


# --- retries and final failure --------------------------------------------------------


def test_failure_is_retried_with_backoff_until_it_succeeds(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=2)
    db.session.commit()
    job = reload(job)
    assert job.status is JobStatus.RETRYING
    assert job.attempts == 1
    assert job.last_error == "ConnectionError: printer on fire (call 1)"
    assert job.run_after > utcnow() + timedelta(seconds=20)
    assert jobs.problem_jobs() == [job]

    assert jobs.run_due() == [], "not due yet"
    assert CALLS[key] == 1
    first = utcnow() + timedelta(minutes=1)
    jobs.run_due(now=first)
    job = reload(job)
    assert (job.status, job.attempts) == (JobStatus.RETRYING, 2)
    assert job.run_after > first + timedelta(seconds=100), "the second wait is longer"

    jobs.run_due(now=utcnow() + timedelta(hours=1))
    job = reload(job)
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 3, {"calls": 3})
    assert jobs.problem_jobs() == []


def test_final_failure_is_kept_with_its_error_and_can_be_retried(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=3)
    db.session.commit()
    for hours in (1, 2):
        jobs.run_due(now=utcnow() + timedelta(hours=hours))
    job = reload(job)
    assert job.status is JobStatus.FAILED
    assert (job.attempts, job.max_attempts) == (3, 3)
    assert job.last_error == "ConnectionError: printer on fire (call 3)"
    assert job.finished_at is not None
    assert jobs.problem_jobs() == [job]
    assert jobs.run_due(now=utcnow() + timedelta(days=1)) == [], "failed for good is not retried by itself"

    assert jobs.retry(job.id) is job
    assert job.status is JobStatus.QUEUED and job.max_attempts == 6
    db.session.commit()  # handed to the runner after the commit
    job = reload(job)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 4)
    assert jobs.problem_jobs() == []


def test_a_job_waiting_for_its_retry_can_be_run_now(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=1)
    db.session.commit()
    assert reload(job).status is JobStatus.RETRYING
    jobs.retry(job.id)
    db.session.commit()
    job = reload(job)
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.SUCCEEDED, 2, 3)


def test_only_a_failed_or_waiting_job_can_be_retried(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
    db.session.commit()
    with pytest.raises(Conflict):
        jobs.retry(job.id)
    with pytest.raises(NotFound):
        jobs.retry(job.id + 1000)


def test_retry_does_not_undo_a_runner_that_took_the_job_meanwhile(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=3)
    db.session.commit()
    job = reload(job)
    assert job.status is JobStatus.RETRYING
    with db.engine.begin() as other_connection:  # a runner claims it while the page was open
        other_connection.execute(update(Job).where(Job.id == job.id).values(status=JobStatus.RUNNING))
    with pytest.raises(Conflict):
        jobs.retry(job.id)
    db.session.rollback()
    assert reload(job).status is JobStatus.RUNNING


def test_a_job_already_taken_is_not_run_twice(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
    db.session.commit()
    assert jobs.execute(job.id) is None
    assert CALLS[key] == 1


def test_two_runners_at_once_run_a_job_once(make_app, key):
    """Two runners (threads, each with its own context and session) handed the same job."""
    app = make_app()
    with app.app_context():
        job = Job(name="tests.jobs.flaky", arguments={"key": key, "failures": 0})
        db.session.add(job)
        db.session.commit()  # written without dispatch
        job_id = job.id

    outcomes: list[Job | None] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run():
        try:
            with app.app_context():
                start.wait(timeout=10)
                outcomes.append(jobs.execute(job_id))
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert CALLS[key] == 1
    assert sorted(outcome is None for outcome in outcomes) == [False, True]
    with app.app_context():
        assert db.session.get(Job, job_id).attempts == 1


def test_an_early_retry_from_an_old_timer_waits_for_its_time(app, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=1)
    db.session.commit()
    assert jobs.execute(job.id) is None, "the retry is due in 30 seconds"
    job = reload(job)
    assert (job.status, job.attempts, CALLS[key]) == (JobStatus.RETRYING, 1, 1)


def test_a_result_the_database_cannot_store_is_a_failure_not_a_stuck_job(app, key):
    job = jobs.enqueue("tests.jobs.unstorable_result", key=key)
    db.session.commit()
    job = reload(job)
    assert job.status is JobStatus.RETRYING
    assert "not JSON serializable" in job.last_error


def test_backoff_grows_and_is_capped(app):
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 120, 480]
    assert jobs.backoff(20) == timedelta(hours=6)


# --- jobs a runner lost ---------------------------------------------------------------


def test_queued_job_lost_by_a_restart_is_picked_up(app, key):
    job = Job(
        name="tests.jobs.flaky", arguments={"key": key, "failures": 0}, created_at=utcnow() - timedelta(minutes=5)
    )
    db.session.add(job)
    db.session.commit()  # written without dispatch, as if the process died after commit
    assert [finished.id for finished in jobs.run_due()] == [job.id]
    assert reload(job).status is JobStatus.SUCCEEDED


def test_job_whose_runner_died_mid_way_is_retried(app, key):
    job = Job(
        name="tests.jobs.flaky",
        arguments={"key": key, "failures": 0},
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=utcnow() - timedelta(hours=2),
    )
    db.session.add(job)
    db.session.commit()
    [finished] = jobs.run_due()
    assert (finished.id, finished.status, finished.attempts) == (job.id, JobStatus.SUCCEEDED, 2)
    assert "Interrupted" in finished.last_error


def test_job_whose_runner_died_on_its_last_attempt_is_shown_as_failed(app, key):
    job = Job(
        name="tests.jobs.flaky",
        arguments={"key": key, "failures": 0},
        status=JobStatus.RUNNING,
        attempts=3,
        max_attempts=3,
        started_at=utcnow() - timedelta(hours=2),
    )
    db.session.add(job)
    db.session.commit()
    assert jobs.run_due() == []
    job = reload(job)
    assert job.status is JobStatus.FAILED and "Interrupted" in job.last_error
    assert jobs.problem_jobs() == [job]


def test_a_job_still_running_recently_is_left_alone(app, key):
    job = Job(
        name="tests.jobs.flaky",
        arguments={"key": key, "failures": 0},
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=utcnow() - timedelta(minutes=5),
    )
    db.session.add(job)
    db.session.commit()
    assert jobs.run_due() == []
    assert reload(job).status is JobStatus.RUNNING


def test_a_runner_that_cannot_take_the_job_does_not_undo_the_commit(make_app, key, caplog):
    """Redis is down when a request commits: the request's work stands, the job waits."""
    app = make_app(JOBS_RUNNER="rq", REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        job = jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
        db.session.commit()  # no exception
        job = reload(job)
        assert job.status is JobStatus.QUEUED
        assert f"could not hand job {job.id} to the runner" in caplog.text
        later = utcnow() + jobs.STALE_AFTER + timedelta(seconds=1)
        assert [finished.id for finished in jobs.run_due(now=later)] == [job.id]
        assert reload(job).status is JobStatus.SUCCEEDED


# --- the thread runner ----------------------------------------------------------------


def test_thread_runner_runs_in_the_background(make_app, key):
    app = make_app(JOBS_RUNNER="thread")
    with app.app_context():
        job = jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
        db.session.commit()
        job = wait_for(job, JobStatus.SUCCEEDED, JobStatus.FAILED)
        assert (job.status, job.result) == (JobStatus.SUCCEEDED, {"calls": 1})


def test_thread_runner_retries_by_itself(make_app, key):
    app = make_app(JOBS_RUNNER="thread", JOBS_BACKOFF_SECONDS=0)
    with app.app_context():
        job = jobs.enqueue("tests.jobs.flaky", key=key, failures=2)
        db.session.commit()
        job = wait_for(job, JobStatus.SUCCEEDED, JobStatus.FAILED)
        assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 3)
        assert job.last_error == "ConnectionError: printer on fire (call 2)"


# --- the command line -----------------------------------------------------------------


def test_cli_run_due(app, runner, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=1)
    db.session.commit()
    db.session.execute(update(Job).values(run_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = runner.invoke(args=["jobs", "run-due"])
    assert (result.exit_code, result.output.strip()) == (0, "1 job(s) run, 0 failed.")
    assert reload(job).status is JobStatus.SUCCEEDED


def test_cli_run_due_fails_when_a_job_fails(app, runner, key):
    job = jobs.enqueue("tests.jobs.flaky", key=key, failures=5)
    db.session.commit()
    db.session.execute(update(Job).values(run_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = runner.invoke(args=["jobs", "run-due"])
    assert (result.exit_code, result.output.strip()) == (1, "1 job(s) run, 1 failed.")
    assert reload(job).attempts == 2


def test_cli_worker_needs_redis(app, runner):
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output


# --- RQ and the real Redis ------------------------------------------------------------


@pytest.mark.redis
class TestRQRunner:
    @pytest.fixture
    def make_rq_app(self, make_app, redis_url):
        def build(**overrides):
            queue_name = f"test-{uuid.uuid4().hex[:8]}"
            return make_app(JOBS_RUNNER="rq", REDIS_URL=redis_url, JOBS_QUEUE_NAME=queue_name, **overrides)

        return build

    @pytest.fixture
    def rq_app(self, make_rq_app):
        app = make_rq_app()
        with app.app_context():
            yield app

    @staticmethod
    def work(app) -> None:
        from rq import SimpleWorker

        runner = app.extensions["jobs_runner"]
        SimpleWorker([runner.queue], connection=runner.connection).work(burst=True, with_scheduler=True)

    def test_job_goes_through_redis_to_a_worker(self, rq_app, key):
        job = jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
        queue = rq_app.extensions["jobs_runner"].queue
        db.session.flush()
        assert queue.count == 0, "nothing reaches Redis before the commit"
        db.session.commit()
        assert queue.count == 1, "the job waits in Redis for a worker"
        assert reload(job).status is JobStatus.QUEUED
        self.work(rq_app)
        job = reload(job)
        assert (job.status, job.result) == (JobStatus.SUCCEEDED, {"calls": 1})
        assert queue.count == 0

    def test_rolled_back_job_never_reaches_redis(self, rq_app, key):
        jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
        db.session.rollback()
        db.session.commit()
        assert rq_app.extensions["jobs_runner"].queue.count == 0

    def test_immediate_retry_goes_back_on_the_queue(self, make_rq_app, key):
        app = make_rq_app(JOBS_BACKOFF_SECONDS=0)
        with app.app_context():
            job = jobs.enqueue("tests.jobs.flaky", key=key, failures=1)
            db.session.commit()
            self.work(app)
            job = reload(job)
            assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
            assert job.last_error == "ConnectionError: printer on fire (call 1)"

    def test_failure_is_scheduled_in_redis_and_run_by_the_scheduler(self, make_rq_app, key):
        from rq.registry import ScheduledJobRegistry

        app = make_rq_app(JOBS_BACKOFF_SECONDS=1)
        with app.app_context():
            job = jobs.enqueue("tests.jobs.flaky", key=key, failures=1)
            db.session.commit()
            self.work(app)
            job = reload(job)
            assert (job.status, job.attempts) == (JobStatus.RETRYING, 1)
            assert "printer on fire" in job.last_error
            runner = app.extensions["jobs_runner"]
            scheduled = ScheduledJobRegistry(queue=runner.queue)
            assert scheduled.count == 1, "the retry waits in RQ's schedule"

            deadline = time.monotonic() + 10
            while reload(job).status is not JobStatus.SUCCEEDED and time.monotonic() < deadline:
                time.sleep(0.2)
                self.work(app)  # the worker's scheduler moves due retries onto the queue
            job = reload(job)
            assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
            assert scheduled.count == 0

    def test_failing_for_good_through_redis(self, make_rq_app, key):
        app = make_rq_app(JOBS_BACKOFF_SECONDS=0)
        with app.app_context():
            job = jobs.enqueue("tests.jobs.flaky", key=key, failures=10)
            db.session.commit()
            self.work(app)
            job = reload(job)
            assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
            assert job.last_error == "ConnectionError: printer on fire (call 3)"
            assert app.extensions["jobs_runner"].queue.count == 0

    def test_worker_command(self, rq_app, key):
        job = jobs.enqueue("tests.jobs.flaky", key=key, failures=0)
        db.session.commit()
        result = rq_app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
        assert result.exit_code == 0, result.output
        assert reload(job).status is JobStatus.SUCCEEDED

    def test_mail_is_delivered_by_the_worker(self, rq_app, tmp_path):
        from campaign.outbox import services as outbox
        from campaign.outbox.models import MessageStatus

        message = outbox.enqueue("maria@example.org", "outbox/test", {"link": "http://localhost/"})
        db.session.commit()
        assert not (tmp_path / "mail").exists(), "the web process only queued it"
        self.work(rq_app)
        db.session.refresh(message)
        assert message.status is MessageStatus.SENT
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
