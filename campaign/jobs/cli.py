from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from campaign.jobs import services
from campaign.jobs.models import JobStatus
from campaign.jobs.runners import QUEUE_NAME

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("run-due")
def run_due_command() -> None:
    """Run jobs whose retry is due or whose runner lost them (for cron)."""
    finished = services.run_due()
    failed = [job for job in finished if job.status is not JobStatus.SUCCEEDED]
    click.echo(f"{len(finished)} job(s) run, {len(failed)} failed.")
    if failed:  # cron mails the output of a command that fails
        raise SystemExit(1)


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker (needs REDIS_URL) with the app loaded."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run inside the web process.")
    connection = Redis.from_url(url)
    queue = Queue(current_app.config.get("JOBS_QUEUE_NAME", QUEUE_NAME), connection=connection)
    # SimpleWorker runs jobs in this process: a forked child would share database connections.
    SimpleWorker([queue], connection=connection).work(burst=burst, with_scheduler=True)
