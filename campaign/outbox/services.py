"""enqueue() writes a message in the caller's transaction; deliver_pending() sends it later.

With MAIL_SERVER set, messages go out through Flask-Mail (SMTP). Without it (a laptop),
each message is written as an .eml file under instance/mail/ and its links are logged.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message
from jinja2 import TemplateNotFound
from sqlalchemy import func, select, update

from campaign.core.types import utcnow
from campaign.extensions import db, mail
from campaign.jobs import services as jobs
from campaign.jobs.registry import handler
from campaign.outbox.models import MessageStatus, OutboxMessage

DELIVER_JOB = "outbox.deliver_pending"
LINK_PATTERN = re.compile(r"https?://\S+")
# How long a sender holds the messages it took before another may take them.
LEASE = timedelta(minutes=10)


def enqueue(
    recipient: str,
    template: str,
    context: dict,
    locale: str = "en",
    attachments: list[dict] | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Render templates/mail/<template>.txt (and .html when it exists) in the recipient's
    language and keep the message in the outbox. The first line of the text template,
    "Subject: ...", is the subject."""
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = _render_optional(f"mail/{template}.html", context)
    subject_line, _newline, body = text.partition("\n")
    if not subject_line.startswith("Subject:"):
        raise ValueError(f"mail/{template}.txt must start with a 'Subject:' line")
    message = OutboxMessage(
        recipient=recipient,
        subject=subject_line.removeprefix("Subject:").strip(),
        body_text=body.lstrip("\n"),
        body_html=html,
        attachments=[_encode_attachment(item) for item in attachments or []],
        kind=template.replace("/", "."),
        next_attempt_at=not_before or utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    if not_before is None:
        jobs.enqueue(DELIVER_JOB, once_per_transaction=True)
    return message


def _render_optional(template: str, context: dict) -> str | None:
    try:
        current_app.jinja_env.get_template(template)
    except TemplateNotFound:
        return None
    return render_template(template, **context)


def _encode_attachment(item: dict) -> dict:
    data = item["data"]
    if isinstance(data, str):
        data = data.encode("utf-8")
    return {
        "filename": item["filename"],
        "content_type": item["content_type"],
        "data": base64.b64encode(data).decode("ascii"),
    }


def _as_mail(message: OutboxMessage) -> Message:
    mail_message = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    for item in message.attachments:
        mail_message.attach(item["filename"], item["content_type"], base64.b64decode(item["data"]))
    return mail_message


def _write_eml(message: OutboxMessage, mail_message: Message) -> Path:
    directory = Path(current_app.config["MAIL_FILE_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{message.created_at:%Y%m%d-%H%M%S}-{message.id}.eml"
    path.write_bytes(mail_message.as_bytes())
    links = LINK_PATTERN.findall(message.body_text)
    current_app.logger.warning(
        "mail to %s written to %s%s", message.recipient, path, "".join(f"\n    link: {link}" for link in links)
    )
    return path


def deliver(message: OutboxMessage) -> None:
    """Send one message now; raises whatever the mail transport raised."""
    mail_message = _as_mail(message)
    if current_app.config["MAIL_SERVER"]:
        mail.send(mail_message)
    else:
        _write_eml(message, mail_message)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes (with the default base), capped at six hours."""
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim_due(now: datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to this sender and commit the lease at once.

    The conditional UPDATE is atomic per row on both engines, so two senders (cron and a
    worker) never take the same message; a sender that dies leaves its lease to expire
    and the messages become due again.
    """
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .scalar_subquery()
    )
    lease = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(due),
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
        .returning(OutboxMessage.id)
    )
    ids = list(db.session.scalars(lease))
    db.session.commit()
    if not ids:
        return []
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)))


def deliver_pending(now: datetime | None = None, batch_size: int = 50) -> dict[str, int]:
    """Send every message that is due. Each outcome is committed as soon as it is known, so a
    crash re-sends at most the message in flight. A failure is recorded on the message and
    retried with backoff; after the last attempt the message is marked failed."""
    now = now or utcnow()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    totals = {"sent": 0, "retrying": 0, "failed": 0}
    while batch := _claim_due(now, batch_size):
        for message in batch:
            message.attempts += 1
            try:
                deliver(message)
            except Exception as error:
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                if message.attempts >= max_attempts:
                    message.status = MessageStatus.FAILED
                    totals["failed"] += 1
                else:
                    message.next_attempt_at = now + backoff(message.attempts)
                    totals["retrying"] += 1
                current_app.logger.warning("mail %s to %s failed: %s", message.id, message.recipient, error)
            else:
                message.status = MessageStatus.SENT
                message.sent_at = utcnow()
                message.last_error = None
                totals["sent"] += 1
            db.session.commit()
    return totals


@handler(DELIVER_JOB)
def deliver_pending_job() -> dict[str, int]:
    return deliver_pending()


def retry_failed(message_id: int) -> OutboxMessage | None:
    """An organizer sends a failed (or waiting-to-retry) message now. A sent one stays sent."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status is MessageStatus.SENT:
        return None
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    jobs.enqueue(DELIVER_JOB, once_per_transaction=True)
    return message


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {str(status): count for status, count in rows}


def failed_messages(limit: int = 50) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        (OutboxMessage.status == MessageStatus.FAILED)
        | ((OutboxMessage.status == MessageStatus.PENDING) & OutboxMessage.last_error.is_not(None))
    )
    return list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))
