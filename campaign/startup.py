"""Start-up checks: one readable line per unreachable service, never a traceback wall."""

from __future__ import annotations

import smtplib

from flask import Flask
from sqlalchemy import text

from campaign.extensions import db


def database_problem(app: Flask) -> str | None:
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            return f"The database at {db.engine.url.render_as_string(hide_password=True)} is unreachable: {reason}"
    return None


def redis_problem(app: Flask) -> str | None:
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    try:
        Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as error:
        return f"Redis at {url} is unreachable (rate limits and jobs need it): {error}"
    return None


def mail_problem(app: Flask) -> str | None:
    server = app.config.get("MAIL_SERVER")
    if not server:
        return None
    port = app.config["MAIL_PORT"]
    try:
        smtp_class = smtplib.SMTP_SSL if app.config.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(server, port, timeout=5) as smtp:
            smtp.noop()
    except (TimeoutError, OSError, smtplib.SMTPException) as error:
        return f"The mail server {server}:{port} is unreachable ({error}); mail waits in the outbox until it is back."
    return None


def shared_store_problem(app: Flask, processes: int) -> str | None:
    """Rate limits kept in memory are counted by each process on its own: with several
    workers every limit is multiplied by their number."""
    if processes > 1 and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return (
            f"{processes} worker processes need REDIS_URL: without it each one counts rate limits on its own "
            "(set REDIS_URL, or start a single worker with -w 1)"
        )
    return None


def check_services(app: Flask, processes: int = 1) -> tuple[list[str], list[str]]:
    """(fatal problems, warnings) for an app served by `processes` worker processes. Mail is
    only a warning: the outbox keeps every message."""
    problems = (shared_store_problem(app, processes), database_problem(app), redis_problem(app))
    fatal = [problem for problem in problems if problem]
    warnings = [problem for problem in (mail_problem(app),) if problem]
    return fatal, warnings
