"""enqueue() writes a message in the caller's transaction; deliver_pending() sends it later.

With MAIL_SERVER set, messages go out over SMTP, one session per delivery run
(outbox.transport). Without it (a laptop), each message is written as an .eml file under
instance/mail/ and its links are logged.
"""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import delete, func, select, update

from campaign.core.errors import Conflict, NotFound
from campaign.core.text import clean_control
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.registry import handler
from campaign.outbox import suppression
from campaign.outbox.html import mail_html
from campaign.outbox.models import MessageStatus, OutboxMessage, SuppressionReason
from campaign.outbox.transport import SMTPSession, as_mail, write_eml

DELIVER_JOB = "outbox.deliver_pending"
# How long a sender holds a message it took before another may take it. Renewed before
# each send, so it only has to outlast one SMTP conversation.
LEASE = timedelta(minutes=10)
# Areas that write mail on a timetable (forum reminders) register a producer here, so one
# cron line (`flask outbox send`) writes what has come due and sends it, without the
# outbox importing those areas. A producer takes the time and returns how many it wrote.
PRODUCERS: dict[str, Callable[[datetime], int]] = {}
# The SMTP session a delivery run shares between its messages.
_run_session: ContextVar[SMTPSession | None] = ContextVar("outbox_smtp_session", default=None)


def producer(name: str):
    def register(function: Callable[[datetime], int]) -> Callable[[datetime], int]:
        PRODUCERS[name] = function
        return function

    return register


def produce_due(now: datetime | None = None) -> dict[str, int | str]:
    """Run every producer in a transaction of its own. One that fails is logged and
    reported, and the others (and delivery) go on: its mail is written on the next run."""
    results: dict[str, int | str] = {}
    for name, function in PRODUCERS.items():
        try:
            results[name] = function(now or utcnow())
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            current_app.logger.exception("mail producer %s failed", name)
            results[name] = describe_error(error)
    return results


def enqueue(
    recipient: str,
    template: str,
    context: dict,
    locale: str = "en",
    attachments: list[dict] | None = None,
    not_before: datetime | None = None,
    throttle: bool = False,
) -> OutboxMessage | None:
    """Render templates/mail/<template>.txt in the recipient's language and keep the message
    in the outbox; its HTML part is that text in the one mail layout (outbox.html). The
    first line of the text template, "Subject: ...", is the subject.

    `throttle` is for mail a member of the public can cause for any address (confirmations,
    password resets): when the address already had OUTBOX_RECIPIENT_LIMIT messages of any
    kind in the last OUTBOX_RECIPIENT_WINDOW_MINUTES, nothing is written and None is
    returned. Callers answer the same either way, so the answer tells nothing."""
    recipient = recipient.lower()
    kind = template.replace("/", ".")
    if throttle and _recently_mailed(recipient) >= current_app.config["OUTBOX_RECIPIENT_LIMIT"]:
        current_app.logger.warning("mail %s not written: its recipient has had enough mail for now", kind)
        return None
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
    subject_line, _newline, body = text.partition("\n")
    if not subject_line.startswith("Subject:"):
        raise ValueError(f"mail/{template}.txt must start with a 'Subject:' line")
    message = write(
        recipient,
        subject_line.removeprefix("Subject:"),
        body.lstrip("\n"),
        kind,
        locale=locale,
        attachments=attachments,
        not_before=not_before,
    )
    if message is not None and not_before is None:
        jobs.enqueue(DELIVER_JOB, once_per_transaction=True)
    return message


def write(
    recipient: str,
    subject: str,
    text: str,
    kind: str,
    *,
    locale: str = "en",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[dict] | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Keep one message in the outbox, as written (broadcasts render their own). Without
    `html`, the HTML part is the text in the one mail layout. An address the receiving
    server refused for good gets nothing (None): the transactional mail of an unsubscribed
    person still goes, a hard bounce never again."""
    recipient = recipient.lower()
    if suppression.bounced(recipient):
        current_app.logger.warning("mail %s not written: its address bounced for good", kind)
        return None
    # One line whatever the caller put in it: a title stored with a bare CR (written before the
    # forms cleaned input, or by anything but a form) must not add a header.
    subject = clean_control(subject, multiline=False).strip()
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html if html is not None else mail_html(subject, text, locale),
        headers=headers or {},
        attachments=[_encode_attachment(item) for item in attachments or []],
        kind=kind,
        next_attempt_at=not_before or utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def _recently_mailed(recipient: str) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["OUTBOX_RECIPIENT_WINDOW_MINUTES"])
    query = select(func.count()).where(OutboxMessage.recipient == recipient, OutboxMessage.created_at >= since)
    return db.session.scalar(query)


def _encode_attachment(item: dict) -> dict:
    data = item["data"]
    if isinstance(data, str):
        data = data.encode("utf-8")
    return {
        "filename": item["filename"],
        "content_type": item["content_type"],
        "data": base64.b64encode(data).decode("ascii"),
    }


def describe_error(error: Exception) -> str:
    """The error as organizers read it on the status page: "SMTPDataError: 550 5.1.1 No such user"."""

    def text(value) -> str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    if isinstance(error, smtplib.SMTPResponseException):
        detail = f"{error.smtp_code} {text(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{address}: {code} {text(reply)}" for address, (code, reply) in error.recipients.items())
    else:
        detail = str(error)
    return f"{type(error).__name__}: {detail}"[:2000]


def refused_for_good(error: Exception) -> bool:
    """The receiving server answered 5xx to the address itself ("no such user"): retrying
    would only delay the moment organizers see it. Other 5xx replies (a wrong mail password,
    a full outbox quota) are about our setup and are retried until fixed."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _reply in error.recipients.values()
    )


def deliver(message: OutboxMessage) -> None:
    """Send one message now, on the session of the run in progress (deliver_pending) or on
    one of its own; raises whatever the mail transport raised."""
    mail_message = as_mail(message)
    if not current_app.config["MAIL_SERVER"]:
        write_eml(message, mail_message)
        return
    session = _run_session.get()
    if session is not None:
        session.send(mail_message)
        return
    with SMTPSession() as own:
        own.send(mail_message)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes (with the default base), capped at six hours."""
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim_due(now: datetime, limit: int) -> tuple[list[int], datetime]:
    """Lease up to `limit` due messages to this sender and commit the lease at once.

    The conditional UPDATE is atomic per row on both engines, so two senders (cron and a
    worker) never take the same message; on PostgreSQL, SKIP LOCKED lets a second sender
    take the next rows instead of waiting for the first one's. A sender that dies leaves
    its lease to expire and the messages become due again. Returns the messages' ids and
    the lease's end, which is this sender's mark on them.
    """
    lease_until = now + LEASE
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    lease = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(due),
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=lease_until)
        .returning(OutboxMessage.id)
    )
    ids = sorted(db.session.scalars(lease))
    db.session.commit()
    return ids, lease_until


def _renew_lease(message_id: int, held: datetime, now: datetime) -> bool:
    """Extend this sender's lease on one message just before sending it. The caller commits
    it, with the previous message's outcome: one commit a message, not two.

    Refused (False) when the message no longer carries this sender's mark: the lease ran
    out while earlier messages of the batch were slow and another sender took it, or an
    organizer asked for it to be sent again. Sending it anyway would send it twice.
    """
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.next_attempt_at == held,
        )
        .values(next_attempt_at=max(now, utcnow()) + LEASE)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount == 1


def deliver_pending(now: datetime | None = None, batch_size: int = 50) -> dict[str, int]:
    """Send every message that is due. Each outcome is committed before the next message is
    sent (with that message's lease), so a crash re-sends at most the message in flight. A
    failure is recorded on the message and retried with backoff; after the last attempt the
    message is marked failed.

    `now` freezes the clock (tests, and "pretend it is later"); without it each batch is
    taken at the current time, so messages written during a long run are sent too.
    """
    with SMTPSession() as session:
        token = _run_session.set(session)
        try:
            return _deliver_due(now, batch_size)
        finally:
            _run_session.reset(token)


def _deliver_due(now: datetime | None, batch_size: int) -> dict[str, int]:
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    totals = {"sent": 0, "retrying": 0, "failed": 0}
    while True:
        moment = now or utcnow()
        batch, lease_until = _claim_due(moment, batch_size)
        if not batch:
            return totals
        for message_id in batch:
            taken = _renew_lease(message_id, lease_until, now or utcnow())
            db.session.commit()
            if not taken:
                continue
            message = db.session.get(OutboxMessage, message_id)
            message.attempts += 1
            try:
                deliver(message)
            except Exception as error:
                message.last_error = describe_error(error)
                if refused_for_good(error):
                    message.status = MessageStatus.FAILED
                    suppression.suppress(message.recipient, SuppressionReason.BOUNCE, "smtp", message.last_error)
                    totals["failed"] += 1
                elif message.attempts >= max_attempts:
                    message.status = MessageStatus.FAILED
                    totals["failed"] += 1
                else:
                    message.next_attempt_at = (now or utcnow()) + backoff(message.attempts)
                    totals["retrying"] += 1
                current_app.logger.warning(
                    "mail %s to %s failed: %s", message.id, message.recipient, message.last_error
                )
            else:
                message.status = MessageStatus.SENT
                message.sent_at = utcnow()
                message.last_error = None
                totals["sent"] += 1
        # The last outcome; each earlier one went with the next message's lease.
        db.session.commit()


@handler(DELIVER_JOB)
def deliver_pending_job() -> dict[str, int]:
    return deliver_pending()


def retry_failed(message_id: int) -> OutboxMessage:
    """An organizer sends a failed (or waiting-to-retry) message again, now, with a fresh
    count of attempts. The delivery job runs after the caller's commit."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"no message {message_id}")
    if message.status is MessageStatus.SENT:
        raise Conflict(f"message {message_id} was already sent")
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    jobs.enqueue(DELIVER_JOB, once_per_transaction=True)
    return message


def purge_sent_bodies(now: datetime | None = None) -> int:
    """Empty the bodies and attachments of messages sent more than OUTBOX_KEEP_BODIES_DAYS
    ago: they hold live links (password resets, cancel links, "I did it" links). Recipient,
    subject, kind, times and status stay for the organizers' record. Without a mail server
    the .eml files are copies of the bodies: those as old go too. Returns how many messages."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["OUTBOX_KEEP_BODIES_DAYS"])
    for path in Path(current_app.config["MAIL_FILE_DIR"]).glob("*.eml"):
        if path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.body_text != "",
            OutboxMessage.sent_at < cutoff,
            OutboxMessage.status == MessageStatus.SENT,
        )
        .values(body_text="", body_html=None, attachments=[])
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount


def forget_recipient(address: str) -> int:
    """An erased person's mail: what still waits to go is dropped, and what was sent (or
    failed) keeps its subject, kind, times and status for the counts but loses the address
    and the body. Returns how many waiting messages were dropped."""
    recipient = address.lower()
    dropped = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.recipient == recipient, OutboxMessage.status == MessageStatus.PENDING)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient == recipient)
        .values(recipient="", body_text="", body_html=None, attachments=[])
        .execution_options(synchronize_session=False)
    )
    return dropped


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {str(status): count for status, count in rows}


def failed_messages(limit: int = 50) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        (OutboxMessage.status == MessageStatus.FAILED)
        | ((OutboxMessage.status == MessageStatus.PENDING) & OutboxMessage.last_error.is_not(None))
    )
    return list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))
