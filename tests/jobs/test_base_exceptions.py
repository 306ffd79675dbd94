"""A job that raises a BaseException (a panic in native code, as the zipcodes package's Rust
PanicException is) is recorded as failed, and the runner goes on with the next job."""

from __future__ import annotations

import time
import uuid

import pytest

from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.models import Job, JobStatus
from campaign.jobs.registry import handler

RAN: list[str] = []


class NativePanic(BaseException):
    """What pyo3 raises when Rust code panics: not an Exception."""


@handler("tests.jobs.panics")
def panics(key: str) -> dict:
    RAN.append(key)
    raise NativePanic("called `Option::unwrap()` on a `None` value")


@handler("tests.jobs.records")
def records(key: str) -> dict:
    RAN.append(key)
    return {"ran": key}


def _reload(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _wait_for(job_id: int, *statuses: JobStatus, timeout: float = 10) -> Job:
    deadline = time.monotonic() + timeout
    while (job := _reload(job_id)).status not in statuses and time.monotonic() < deadline:
        time.sleep(0.02)
    return job


@pytest.mark.parametrize("runner", ["eager", "thread"])
def test_a_panicking_job_is_marked_failed_and_the_next_job_runs(make_app, runner):
    app = make_app(JOBS_RUNNER=runner, JOBS_MAX_ATTEMPTS=1)
    with app.app_context():
        key = uuid.uuid4().hex
        panicking = jobs.enqueue("tests.jobs.panics", key=key).id
        db.session.commit()
        failed = _wait_for(panicking, JobStatus.FAILED)
        assert failed.status is JobStatus.FAILED
        assert (
            failed.last_error
            == "tests.jobs.test_base_exceptions.NativePanic: called `Option::unwrap()` on a `None` value"
        )
        assert failed.finished_at is not None

        following = jobs.enqueue("tests.jobs.records", key=key + "-next").id
        db.session.commit()
        done = _wait_for(following, JobStatus.SUCCEEDED)
        assert (done.status, done.result) == (JobStatus.SUCCEEDED, {"ran": key + "-next"})


def test_a_panicking_job_with_attempts_left_waits_for_its_retry(app):
    key = uuid.uuid4().hex
    job_id = jobs.enqueue("tests.jobs.panics", key=key).id
    db.session.commit()
    job = _reload(job_id)
    assert (job.status, job.attempts) == (JobStatus.RETRYING, 1)
    assert "NativePanic" in job.last_error
