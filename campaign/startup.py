"""Start-up checks: one readable line per unreachable service, never a traceback wall."""

from __future__ import annotations

import smtplib
from email.utils import parseaddr

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


def deliverability_problems(app: Flask) -> list[str]:
    """Settings that send mail to spam, or lose replies and one-click unsubscribes, at the big
    mailbox providers. Only with a mail server: without one, mail stays on this machine."""
    config = app.config
    if not config.get("MAIL_SERVER"):
        return []
    problems = []
    sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
    domain = sender.rpartition("@")[2].strip("[]").rstrip(".").lower()
    if domain in ("localhost", "127.0.0.1") or domain.endswith((".local", ".localhost")):
        problems.append(
            f"mail from {sender} lands in spam or is refused: "
            "set MAIL_DEFAULT_SENDER to an address at the campaign's own domain"
        )
    if not config.get("BROADCAST_REPLY_TO"):
        problems.append(
            f"broadcasts have no Reply-To: replies go to MAIL_DEFAULT_SENDER ({sender}); "
            "set BROADCAST_REPLY_TO to a mailbox an organizer reads"
        )
    if not config["BASE_URL"].startswith("https://"):
        problems.append(
            f"BASE_URL is {config['BASE_URL']}: unsubscribe links in mail must be https for "
            "Gmail's and Yahoo's one-click unsubscribe; serve the app over https and set BASE_URL to match"
        )
    return problems


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
    only a warning: the outbox keeps every message, and mail that lands in spam still goes."""
    problems = (shared_store_problem(app, processes), database_problem(app), redis_problem(app))
    fatal = [problem for problem in problems if problem]
    warnings = [problem for problem in (mail_problem(app),) if problem] + deliverability_problems(app)
    return fatal, warnings
