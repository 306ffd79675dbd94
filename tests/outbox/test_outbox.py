"""The outbox: written in the caller's transaction, delivered after commit, retried with
backoff, never lost and never sent twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from campaign.core.errors import Conflict, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job
from campaign.outbox import services as outbox
from campaign.outbox.models import MessageStatus, OutboxMessage

LINK = "http://localhost/check/abc123"
SUBJECT = "Test message from the campaign organizer"


def write_message(recipient: str = "maria@example.org", **extra) -> OutboxMessage:
    return outbox.enqueue(recipient, "outbox/test", {"link": LINK}, **extra)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def make_due(now=None) -> None:
    """Time passes: every pending message is due."""
    db.session.execute(update(OutboxMessage).values(next_attempt_at=(now or utcnow()) - timedelta(seconds=1)))
    db.session.commit()


# --- without a mail server: .eml files and logged links -------------------------------


def test_without_mail_server_messages_become_eml_files_and_links_are_logged(app, tmp_path, caplog):
    message = write_message()
    assert not (tmp_path / "mail").exists(), "nothing leaves before the commit"
    db.session.commit()  # the eager runner delivers right after the commit

    db.session.refresh(message)
    assert message.status is MessageStatus.SENT and message.sent_at is not None
    [eml] = (tmp_path / "mail").glob("*.eml")
    content = eml.read_text()
    assert "To: maria@example.org" in content
    assert f"Subject: {SUBJECT}" in content
    assert "mail works and there is nothing else to do" in content
    assert LINK in content
    assert f"mail to maria@example.org written to {eml}" in caplog.text
    assert f"link: {LINK}" in caplog.text


def test_rolled_back_action_sends_nothing(app, tmp_path):
    write_message()
    db.session.rollback()
    db.session.commit()  # a later commit in the same session dispatches nothing either
    assert count(OutboxMessage) == 0
    assert count(Job) == 0
    assert not (tmp_path / "mail").exists()


def test_many_messages_in_one_transaction_make_one_delivery_job(app, tmp_path):
    write_message("a@example.org")
    write_message("b@example.org")
    db.session.commit()
    assert db.session.scalars(select(Job.name)).all() == [outbox.DELIVER_JOB]
    assert set(db.session.scalars(select(OutboxMessage.status))) == {MessageStatus.SENT}
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 2


def test_each_transaction_gets_its_own_delivery_job(app):
    write_message("a@example.org")
    db.session.commit()
    write_message("b@example.org")
    db.session.commit()
    assert count(Job) == 2
    assert outbox.status_counts() == {"sent": 2}


def test_message_is_rendered_in_the_recipients_language(app):
    context = {"user": SimpleNamespace(email="maria@example.org"), "link": LINK, "minutes": 60}
    message = outbox.enqueue("maria@example.org", "accounts/password_reset", context, locale="es")
    db.session.flush()
    assert message.subject == "Restablezca su contraseña de organizador"
    assert "Hola" in message.body_text


def test_unknown_template_fails_loudly_before_anything_is_written(app):
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound):
        outbox.enqueue("a@example.org", "missing/template", {})
    assert count(OutboxMessage) == 0


def test_message_scheduled_for_later_waits(app, tmp_path):
    message = write_message(not_before=utcnow() + timedelta(days=1))
    db.session.commit()
    assert count(Job) == 0, "nothing to run before its time"
    assert outbox.deliver_pending()["sent"] == 0
    assert outbox.deliver_pending(now=utcnow() + timedelta(days=1, minutes=1))["sent"] == 1
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT


def test_backoff_doubles_and_is_capped(app):
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(30) == timedelta(hours=6)


# --- a real SMTP server ---------------------------------------------------------------


def test_delivery_through_a_real_smtp_server(smtp_app, smtp_server):
    message = write_message(
        attachments=[
            {"filename": "forum.ics", "content_type": "text/calendar", "data": "BEGIN:VCALENDAR\r\nEND:VCALENDAR"},
            {"filename": "packet.pdf", "content_type": "application/pdf", "data": b"%PDF-1.4\x00\xff binary"},
        ]
    )
    db.session.commit()

    db.session.refresh(message)
    assert message.status is MessageStatus.SENT
    assert message.sent_at is not None and message.attempts == 1 and message.last_error is None
    [received] = smtp_server.messages
    assert received["X-Envelope-To"] == "maria@example.org"
    assert received["To"] == "maria@example.org"
    assert received["From"] == "campaigns@example.org"
    assert received["Subject"] == SUBJECT
    files = {part.get_filename(): part for part in received.walk() if part.get_filename()}
    assert files["forum.ics"].get_content_type() == "text/calendar"
    assert files["forum.ics"].get_payload(decode=True) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR"
    assert files["packet.pdf"].get_payload(decode=True) == b"%PDF-1.4\x00\xff binary"
    text = next(part for part in received.walk() if part.get_content_type() == "text/plain")
    html = next(part for part in received.walk() if part.get_content_type() == "text/html")
    assert LINK in text.get_payload(decode=True).decode()
    assert f'<a href="{LINK}"' in html.get_payload(decode=True).decode()


def test_server_down_then_back_retries_with_backoff(smtp_app, smtp_server):
    smtp_server.stop()
    message = write_message()
    db.session.commit()

    db.session.refresh(message)
    assert message.status is MessageStatus.PENDING, "a failed delivery keeps the message"
    assert message.attempts == 1 and message.sent_at is None
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert outbox.failed_messages() == [message], "organizers see the message waiting to retry"
    assert outbox.deliver_pending() == {"sent": 0, "retrying": 0, "failed": 0}, "not due yet"

    smtp_server.start()
    totals = outbox.deliver_pending(now=utcnow() + timedelta(minutes=2))
    assert totals == {"sent": 1, "retrying": 0, "failed": 0}
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, None)
    assert [received["X-Envelope-To"] for received in smtp_server.messages] == ["maria@example.org"]
    assert outbox.failed_messages() == []


def test_temporary_refusal_is_retried(smtp_app, smtp_server):
    smtp_server.mailbox.refuse_with = "451 4.3.0 Mailbox busy, try again later"
    message = write_message()
    db.session.commit()
    db.session.refresh(message)
    assert message.status is MessageStatus.PENDING
    assert "451" in message.last_error and "try again later" in message.last_error
    assert smtp_server.messages == []

    smtp_server.mailbox.refuse_with = None
    outbox.deliver_pending(now=utcnow() + timedelta(hours=1))
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("550 5.1.1 No such user here", MessageStatus.FAILED),
        ("450 4.2.1 Mailbox temporarily unavailable", MessageStatus.PENDING),  # retried later
    ],
)
def test_an_address_refused_for_good_fails_at_once(smtp_app, smtp_server, reply, status):
    smtp_server.mailbox.refuse_recipients["gone@example.org"] = reply
    message = write_message("gone@example.org")
    db.session.commit()

    db.session.refresh(message)
    assert message.status is status
    assert message.attempts == 1 and reply in message.last_error
    assert outbox.failed_messages() == [message], "organizers see it either way"
    assert smtp_server.messages == []


def test_a_server_that_never_answers_times_out(make_app, silent_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent_server.port, MAIL_TIMEOUT=0.5)
    with app.app_context():
        message = write_message(not_before=utcnow())
        db.session.commit()
        started = time.monotonic()
        assert outbox.deliver_pending() == {"sent": 0, "retrying": 1, "failed": 0}
        assert time.monotonic() - started < 10
        db.session.refresh(message)
        assert message.status is MessageStatus.PENDING and message.attempts == 1
        assert "timed out" in message.last_error


def tls_app(make_app, server, **overrides):
    settings = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "campaigns",
        "MAIL_PASSWORD": "mail-password",
    }
    return make_app(**(settings | overrides))


def test_delivery_over_starttls_with_a_login(make_app, tls_smtp_server, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # this test's certificate is trusted
    with tls_app(make_app, tls_smtp_server).app_context():
        message = write_message(not_before=utcnow())
        db.session.commit()
        assert outbox.deliver_pending()["sent"] == 1
        db.session.refresh(message)
        assert message.status is MessageStatus.SENT
    [received] = tls_smtp_server.messages
    assert received["X-Over-TLS"] == "yes"
    assert received["X-Authenticated-As"] == "campaigns"
    assert received["Subject"] == SUBJECT


def test_an_untrusted_certificate_is_refused(make_app, tls_smtp_server):
    """The password never goes to a server that cannot prove who it is."""
    with tls_app(make_app, tls_smtp_server).app_context():
        message = write_message(not_before=utcnow())
        db.session.commit()
        assert outbox.deliver_pending()["retrying"] == 1
        db.session.refresh(message)
        assert message.status is MessageStatus.PENDING
        assert "CERTIFICATE_VERIFY_FAILED" in message.last_error
    assert tls_smtp_server.messages == []


def test_a_wrong_mail_password_is_shown_to_organizers(make_app, tls_smtp_server, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with tls_app(make_app, tls_smtp_server, MAIL_PASSWORD="wrong").app_context():
        message = write_message(not_before=utcnow())
        db.session.commit()
        outbox.deliver_pending()
        db.session.refresh(message)
        assert message.last_error.startswith("SMTPAuthenticationError: 535")
    assert tls_smtp_server.messages == []


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
    assert "550 5.1.1 No such user" in message.last_error
    assert outbox.failed_messages() == [message]
    assert outbox.status_counts() == {"failed": 1}
    assert outbox.deliver_pending(now=later + timedelta(days=1))["sent"] == 0, "failed for good stays failed"

    smtp_server.mailbox.refuse_with = None
    assert outbox.retry_failed(message.id) is message
    db.session.commit()  # the retry's delivery job runs after the commit
    db.session.refresh(message)
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert [received["X-Envelope-To"] for received in smtp_server.messages] == ["nobody@example.org"]


def test_retry_refuses_a_sent_or_missing_message(app):
    message = write_message()
    db.session.commit()
    with pytest.raises(Conflict):
        outbox.retry_failed(message.id)
    with pytest.raises(NotFound):
        outbox.retry_failed(message.id + 1000)


# --- two senders at once --------------------------------------------------------------


def test_a_leased_message_is_not_due_for_another_sender(app, monkeypatch):
    """While the first sender holds its batch, a second one (cron) finds nothing to take."""
    for number in range(3):
        write_message(f"person{number}@example.org", not_before=utcnow())
    db.session.commit()
    seen_by_second: list[dict] = []
    sent: list[str] = []
    real_deliver = outbox.deliver

    def deliver_while_another_sender_runs(message):
        if not seen_by_second:
            with app.app_context():  # its own context, hence its own session
                seen_by_second.append(outbox.deliver_pending())
        sent.append(message.recipient)
        real_deliver(message)

    monkeypatch.setattr(outbox, "deliver", deliver_while_another_sender_runs)
    assert outbox.deliver_pending() == {"sent": 3, "retrying": 0, "failed": 0}
    assert seen_by_second == [{"sent": 0, "retrying": 0, "failed": 0}]
    assert sorted(sent) == ["person0@example.org", "person1@example.org", "person2@example.org"]


def test_a_sender_whose_lease_ran_out_leaves_the_rest_to_its_successor(app, monkeypatch):
    """A sender took its batch 20 minutes ago and is still busy: its lease has run out and
    a second sender takes over the rest. The first does not send those messages again."""
    started = utcnow() - timedelta(minutes=20)
    for number in range(3):
        write_message(f"person{number}@example.org", not_before=started - timedelta(seconds=1))
    db.session.commit()
    sent: list[str] = []
    successor: list[dict] = []
    real_deliver = outbox.deliver

    def deliver_while_a_successor_runs(message):
        if not successor:
            successor.append({})
            with app.app_context():
                successor[0] = outbox.deliver_pending()
        sent.append(message.recipient)
        real_deliver(message)

    monkeypatch.setattr(outbox, "deliver", deliver_while_a_successor_runs)
    first = outbox.deliver_pending(now=started)
    assert first == {"sent": 1, "retrying": 0, "failed": 0}
    assert successor == [{"sent": 2, "retrying": 0, "failed": 0}]
    assert sorted(sent) == ["person0@example.org", "person1@example.org", "person2@example.org"]
    assert outbox.status_counts() == {"sent": 3}


def test_an_organizers_retry_during_a_run_is_not_sent_twice(app, monkeypatch):
    """The status page's "Retry" on a message the sender has taken but not reached yet."""
    first, second = (write_message(f"person{number}@example.org", not_before=utcnow()) for number in range(2))
    db.session.commit()
    first_id, second_id = first.id, second.id
    sent: list[str] = []
    real_deliver = outbox.deliver

    def deliver_and_retry_the_other(message):
        if message.id == first_id:
            with app.app_context():
                outbox.retry_failed(second_id)
                db.session.commit()  # its delivery job sends the second message now
        sent.append(message.recipient)
        real_deliver(message)

    monkeypatch.setattr(outbox, "deliver", deliver_and_retry_the_other)
    assert outbox.deliver_pending()["sent"] == 1
    assert sorted(sent) == ["person0@example.org", "person1@example.org"]
    assert outbox.status_counts() == {"sent": 2}


def test_two_senders_never_send_one_message_twice(make_app, smtp_server):
    """Cron and a worker at the same moment, each in its own thread, context and session."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        for number in range(20):
            write_message(f"person{number}@example.org", not_before=utcnow())
        db.session.commit()

    totals: list[dict] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def send():
        try:
            with app.app_context():
                start.wait(timeout=10)
                totals.append(outbox.deliver_pending(batch_size=5))
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(total["sent"] for total in totals) == 20
    recipients = [received["X-Envelope-To"] for received in smtp_server.messages]
    assert sorted(recipients) == sorted(f"person{number}@example.org" for number in range(20))
    with app.app_context():
        assert outbox.status_counts() == {"sent": 20}
        assert set(db.session.scalars(select(OutboxMessage.attempts))) == {1}


# --- the command line -----------------------------------------------------------------


def test_cli_send_reports_and_fails_while_mail_is_stuck(smtp_app, smtp_server):
    runner = smtp_app.test_cli_runner()
    assert runner.invoke(args=["outbox", "status"]).output.strip() == "The outbox is empty."
    smtp_server.stop()
    write_message()
    db.session.commit()  # the first attempt fails at once
    waiting = runner.invoke(args=["outbox", "send"])
    assert (waiting.exit_code, waiting.output.strip()) == (0, "0 sent, 0 to retry, 0 failed for good.")

    make_due()
    stuck = runner.invoke(args=["outbox", "send"])
    assert (stuck.exit_code, stuck.output.strip()) == (1, "0 sent, 1 to retry, 0 failed for good.")
    assert runner.invoke(args=["outbox", "status"]).output.strip() == "pending: 1"

    smtp_server.start()
    make_due()
    sent = runner.invoke(args=["outbox", "send"])
    assert (sent.exit_code, sent.output.strip()) == (0, "1 sent, 0 to retry, 0 failed for good.")
    assert runner.invoke(args=["outbox", "status"]).output.strip() == "sent: 1"
    assert len(smtp_server.messages) == 1


def test_cli_send_fails_when_a_message_fails_for_good(smtp_app, smtp_server):
    smtp_app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    smtp_server.mailbox.refuse_with = "550 5.1.1 No such user"
    write_message(not_before=utcnow())
    db.session.commit()
    result = smtp_app.test_cli_runner().invoke(args=["outbox", "send"])
    assert (result.exit_code, result.output.strip()) == (1, "0 sent, 0 to retry, 1 failed for good.")


def test_cli_test_message_through_smtp(smtp_app, smtp_server):
    result = smtp_app.test_cli_runner().invoke(args=["outbox", "test", "admin@example.org"])
    assert (result.exit_code, result.output.strip()) == (0, "Test message to admin@example.org sent by SMTP.")
    [received] = smtp_server.messages
    assert (received["X-Envelope-To"], received["Subject"]) == ("admin@example.org", SUBJECT)


def test_cli_test_message_shows_why_it_failed(smtp_app, smtp_server):
    smtp_server.stop()
    result = smtp_app.test_cli_runner().invoke(args=["outbox", "test", "admin@example.org"])
    assert result.exit_code == 1
    assert "the test message to admin@example.org was not sent: ConnectionRefusedError" in result.output


def test_cli_test_message_without_mail_server_writes_a_file(app, runner, tmp_path):
    result = runner.invoke(args=["outbox", "test", "admin@example.org"])
    assert result.exit_code == 0
    assert f"sent as a file in {tmp_path / 'mail'}" in result.output
    [eml] = (tmp_path / "mail").glob("*.eml")
    assert "http://localhost/" in eml.read_text()
