"""Where jobs run. `thread` (default): a small pool inside the web process, so the embedded
set-up needs nothing else. `rq`: Redis queues and `flask jobs worker` processes. `eager`:
at once in the caller's thread, after its commit (tests)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import Flask

from campaign.core.guard import PROCESS_EXITS

QUEUE_NAME = "campaign"


def _run_in_new_context(app: Flask, job_id: int) -> None:
    from campaign.jobs.services import execute

    # A fresh app context gives the job its own database session.
    with app.app_context():
        execute(job_id)


class EagerRunner:
    def __init__(self, app: Flask):
        self.app = app

    def submit(self, job_id: int, delay: timedelta | None = None) -> None:
        # Retries wait for `flask jobs run-due`: running them at once would spin.
        if not delay:
            _run_in_new_context(self.app, job_id)


class ThreadRunner:
    def __init__(self, app: Flask, workers: int = 2):
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="campaign-job")

    def submit(self, job_id: int, delay: timedelta | None = None) -> None:
        if delay:
            timer = threading.Timer(delay.total_seconds(), self.submit, args=(job_id,))
            timer.daemon = True
            timer.start()
            return
        self.pool.submit(self._run, job_id)

    def _run(self, job_id: int) -> None:
        try:
            _run_in_new_context(self.app, job_id)
        except PROCESS_EXITS:
            raise
        except BaseException:  # the job row keeps the state; the log keeps the trace; the pool goes on
            self.app.logger.exception("job runner failed on job %s", job_id)


def rq_execute(job_id: int) -> None:
    """What an RQ worker runs: the worker has pushed an app context (see `flask jobs worker`).

    Each job still gets a fresh context, hence a fresh database session: a job that broke
    its session (a lost connection) must not break every later job of a long-lived worker."""
    from flask import current_app

    _run_in_new_context(current_app._get_current_object(), job_id)


class RQRunner:
    def __init__(self, app: Flask):
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(app.config["REDIS_URL"])
        self.queue = Queue(app.config.get("JOBS_QUEUE_NAME", QUEUE_NAME), connection=self.connection)

    def submit(self, job_id: int, delay: timedelta | None = None) -> None:
        if delay:
            self.queue.enqueue_in(delay, rq_execute, job_id)
        else:
            self.queue.enqueue(rq_execute, job_id)


RUNNERS = {"eager": EagerRunner, "thread": ThreadRunner, "rq": RQRunner}


def init_app(app: Flask) -> None:
    kind = app.config["JOBS_RUNNER"]
    if kind not in RUNNERS:
        raise RuntimeError(f"JOBS_RUNNER must be one of {', '.join(RUNNERS)}, not {kind!r}")
    if kind == "rq" and not app.config.get("REDIS_URL"):
        raise RuntimeError("JOBS_RUNNER=rq needs REDIS_URL")
    app.extensions["jobs_runner"] = RUNNERS[kind](app)
