"""The outbox: written in the caller's transaction, delivered after commit, retried with
backoff, never lost."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job
from campaign.outbox import services as outbox
from campaign.outbox.models import MessageStatus, OutboxMessage

LINK = "http://localhost/reset/abc123"


def write_message(recipient: str = "maria@example.org", **extra) -> OutboxMessage:
    context = {"user": SimpleNamespace(email=recipient), "link": LINK, "minutes": 60}
    return outbox.enqueue(recipient, "accounts/password_reset", context, **extra)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_without_mail_server_messages_become_eml_files_and_links_are_logged(app, tmp_path, caplog):
    message = write_message()
    db.session.commit()  # the eager runner delivers right after the commit

    db.session.refresh(message)
    assert message.status is MessageStatus.SENT
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    content = files[0].read_text()
    assert "To: maria@example.org" in content
    assert "Subject: Reset your organizer password" in content
    assert LINK in content
    assert f"link: {LINK}" in caplog.text


def test_rolled_back_action_sends_nothing(app, tmp_path):
    write_message()
    db.session.rollback()
    assert count(OutboxMessage) == 0
    assert count(Job) == 0
    assert not (tmp_path / "mail").exists()


def test_many_messages_in_one_transaction_make_one_delivery_job(app):
    write_message("a@example.org")
    write_message("b@example.org")
    db.session.commit()
    assert count(Job) == 1
    assert db.session.scalar(select(Job.name)) == outbox.DELIVER_JOB
    assert set(db.session.scalars(select(OutboxMessage.status))) == {MessageStatus.SENT}


def test_message_is_rendered_in_the_recipients_language(app):
    message = write_message(locale="es")
    db.session.flush()
    assert message.subject == "Restablezca su contraseña de organizador"
    assert "Hola" in message.body_text


def test_delivery_through_a_real_smtp_server(smtp_app, smtp_server):
    message = write_message(
        attachments=[{"filename": "forum.ics", "content_type": "text/calendar", "data": "BEGIN:VCALENDAR"}]
    )
    db.session.commit()

    db.session.refresh(message)
    assert message.status is MessageStatus.SENT
    assert message.sent_at is not None and message.attempts == 1
    [received] = smtp_server.messages
    assert received["X-Envelope-To"] == "maria@example.org"
    assert received["From"] == "campaigns@example.org"
    assert received["Subject"] == "Reset your organizer password"
    parts = {part.get_filename(): part for part in received.walk() if part.get_filename()}
    assert parts["forum.ics"].get_payload(decode=True) == b"BEGIN:VCALENDAR"
    body = next(part for part in received.walk() if part.get_content_type() == "text/plain")
    assert LINK in body.get_payload(decode=True).decode()


def test_server_down_then_back_retries_with_backoff(smtp_app, smtp_server):
    smtp_server.stop()
    message = write_message()
    db.session.commit()

    db.session.refresh(message)
    assert message.status is MessageStatus.PENDING, "a failed delivery keeps the message"
    assert message.attempts == 1
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    assert message.next_attempt_at > utcnow() + timedelta(seconds=30)
    # Not due yet: a run now sends nothing.
    assert outbox.deliver_pending() == {"sent": 0, "retrying": 0, "failed": 0}

    smtp_server.start()
    totals = outbox.deliver_pending(now=utcnow() + timedelta(minutes=2))
    assert totals == {"sent": 1, "retrying": 0, "failed": 0}
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT and message.attempts == 2 and message.last_error is None
    assert len(smtp_server.messages) == 1


def test_temporary_refusal_is_retried(smtp_app, smtp_server):
    smtp_server.mailbox.refuse_with = "451 4.3.0 Mailbox busy, try again later"
    message = write_message()
    db.session.commit()
    db.session.refresh(message)
    assert message.status is MessageStatus.PENDING
    assert "451" in message.last_error

    smtp_server.mailbox.refuse_with = None
    outbox.deliver_pending(now=utcnow() + timedelta(hours=1))
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT
    assert len(smtp_server.messages) == 1


def test_gives_up_after_the_last_attempt_and_organizers_see_it(smtp_app, smtp_server):
    smtp_app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    smtp_server.mailbox.refuse_with = "550 5.1.1 No such user"
    message = write_message("nobody@example.org")
    db.session.commit()
    later = utcnow()
    for _attempt in range(2):
        later += timedelta(hours=7)
        outbox.deliver_pending(now=later)
    db.session.refresh(message)
    assert message.status is MessageStatus.FAILED
    assert message.attempts == 3
    assert outbox.failed_messages() == [message]
    assert outbox.deliver_pending(now=later + timedelta(days=1))["sent"] == 0

    smtp_server.mailbox.refuse_with = None
    assert outbox.retry_failed(message.id) is message
    db.session.commit()  # the retry's delivery job runs after the commit
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT


def test_backoff_doubles_and_is_capped(app):
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(30) == timedelta(hours=6)


def test_message_scheduled_for_later_waits(app, tmp_path):
    message = write_message(not_before=utcnow() + timedelta(days=1))
    db.session.commit()
    assert count(Job) == 0
    assert outbox.deliver_pending()["sent"] == 0
    assert outbox.deliver_pending(now=utcnow() + timedelta(days=1, minutes=1))["sent"] == 1
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT


def test_two_senders_never_send_one_message_twice(make_app, smtp_server, engine_name):
    """Cron and a worker at the same moment, each in its own thread and session."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, JOBS_RUNNER="thread")
    with app.app_context():
        for number in range(20):
            write_message(f"person{number}@example.org", not_before=utcnow())
        db.session.commit()

    totals: list[dict] = []

    def send():
        with app.app_context():
            totals.append(outbox.deliver_pending(batch_size=5))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(total["sent"] for total in totals) == 20
    recipients = [message["X-Envelope-To"] for message in smtp_server.messages]
    assert len(recipients) == 20 and len(set(recipients)) == 20


def test_cli_send_reports_and_fails_when_mail_is_stuck(smtp_app, smtp_server):
    runner = smtp_app.test_cli_runner()
    smtp_server.stop()
    write_message()
    db.session.commit()
    stuck = runner.invoke(args=["outbox", "send"])
    assert stuck.exit_code == 0 and "0 sent" in stuck.output  # not due yet

    db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    failed = runner.invoke(args=["outbox", "send"])
    assert failed.exit_code == 1
    assert "0 sent, 1 to retry" in failed.output

    smtp_server.start()
    db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    sent = runner.invoke(args=["outbox", "send"])
    assert sent.exit_code == 0 and "1 sent" in sent.output
    assert "pending" not in runner.invoke(args=["outbox", "status"]).output
    assert "sent: 1" in runner.invoke(args=["outbox", "status"]).output


@pytest.mark.parametrize("template", ["missing/template"])
def test_unknown_template_fails_loudly_before_anything_is_written(app, template):
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound):
        outbox.enqueue("a@example.org", template, {})
    assert count(OutboxMessage) == 0
