"""Mail cannot be turned into a weapon, and the outbox keeps less: mail anyone can cause is
capped per recipient, and bodies of mail sent long ago are emptied."""

from __future__ import annotations

import base64
import logging
import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.outbox import services as outbox
from campaign.outbox.models import MessageStatus, OutboxMessage

LINK = "http://localhost/check/abc123"


def write(recipient: str, throttle: bool = True, **extra) -> OutboxMessage | None:
    return outbox.enqueue(recipient, "outbox/test", {"link": LINK}, throttle=throttle, **extra)


def mails_to(address: str) -> int:
    return db.session.scalar(select(func.count()).where(OutboxMessage.recipient == address))


# --- at most OUTBOX_RECIPIENT_LIMIT messages per address in the window ------------------


def test_one_address_gets_five_mails_an_hour_whatever_its_spelling(app, caplog):
    spellings = ["victim@example.org", "Victim@Example.org", "VICTIM@EXAMPLE.ORG"] * 3
    with caplog.at_level(logging.WARNING):
        written = [write(address) for address in spellings]
    db.session.commit()
    assert [message is not None for message in written] == [True] * 5 + [False] * 4
    assert mails_to("victim@example.org") == 5
    refusals = [record.getMessage() for record in caplog.records if "not written" in record.getMessage()]
    assert len(refusals) == 4 and all("victim" not in line.lower() for line in refusals)
    # Another address is not held back, nor is mail nobody outside can cause.
    assert write("neighbour@example.org") is not None
    assert write("victim@example.org", throttle=False) is not None


def test_the_window_moves_on(app):
    for _ in range(5):
        write("victim@example.org")
    assert write("victim@example.org") is None
    window = timedelta(minutes=app.config["OUTBOX_RECIPIENT_WINDOW_MINUTES"], seconds=1)
    db.session.execute(update(OutboxMessage).values(created_at=utcnow() - window))
    assert write("victim@example.org") is not None


def test_the_limit_is_a_setting(make_app):
    app = make_app(OUTBOX_RECIPIENT_LIMIT=2)
    with app.app_context():
        assert [write("victim@example.org") is not None for _ in range(3)] == [True, True, False]


def test_password_resets_for_someone_else_stop_at_the_limit_and_answer_the_same(client, make_user):
    make_user(email="ana@example.org")
    answers = set()
    for number in range(8):  # from eight addresses, past the per-address request limit
        response = client.post(
            "/reset", data={"email": "ana@example.org"}, environ_base={"REMOTE_ADDR": f"192.0.2.{number}"}
        )
        answers.add((response.status_code, response.get_data(as_text=True)))
    assert len(answers) == 1 and next(iter(answers))[0] == 200
    assert mails_to("ana@example.org") == 5


def test_signing_again_and_again_with_someone_elses_email_mails_them_five_times(client, make_petition):
    petition = make_petition()
    form = {"first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.org", "zip_code": "54301"}
    answers = set()
    for _ in range(8):
        response = client.post(f"/p/{petition.slug}", data=form)
        answers.add((response.status_code, response.headers["Location"], response.get_data(as_text=True)))
    assert len(answers) == 1 and next(iter(answers))[0] == 303
    assert mails_to("ana@example.org") == 5


# --- bodies of mail sent long ago are emptied, the record stays ------------------------


ATTACHMENT = {"filename": "forum.ics", "content_type": "text/calendar", "data": "BEGIN:VCALENDAR"}


def sent(days_ago: float, recipient: str = "maria@example.org") -> OutboxMessage:
    message = write(recipient, throttle=False, attachments=[ATTACHMENT])
    message.status = MessageStatus.SENT
    message.sent_at = utcnow() - timedelta(days=days_ago)
    return message


def test_bodies_of_mail_sent_long_ago_are_emptied_and_the_rest_kept(app):
    old, recent = sent(31), sent(29)
    waiting = write(
        "late@example.org", throttle=False, attachments=[ATTACHMENT], not_before=utcnow() + timedelta(days=1)
    )
    waiting.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    record = (old.recipient, old.subject, old.kind, old.status, old.created_at, old.sent_at)

    assert outbox.purge_sent_bodies() == 1
    db.session.commit()
    db.session.expire_all()
    assert (old.body_text, old.body_html, old.attachments) == ("", None, [])
    assert (old.recipient, old.subject, old.kind, old.status, old.created_at, old.sent_at) == record
    for kept in (recent, waiting):
        assert LINK in kept.body_text and LINK in kept.body_html
        assert base64.b64decode(kept.attachments[0]["data"]) == b"BEGIN:VCALENDAR"
    assert outbox.purge_sent_bodies() == 0  # already done


def test_how_long_bodies_are_kept_is_a_setting(app):
    message = sent(8)
    db.session.commit()
    assert outbox.purge_sent_bodies() == 0
    app.config["OUTBOX_KEEP_BODIES_DAYS"] = 7
    assert outbox.purge_sent_bodies() == 1
    db.session.commit()
    db.session.refresh(message)
    assert message.body_text == ""


def test_the_cron_line_empties_old_bodies_and_files_and_the_status_page_still_counts_them(
    app, runner, client, login_as
):
    old = sent(31)
    db.session.commit()
    mail_dir = Path(app.config["MAIL_FILE_DIR"])
    mail_dir.mkdir(parents=True, exist_ok=True)
    old_file, new_file = mail_dir / "old.eml", mail_dir / "new.eml"
    for path in (old_file, new_file):
        path.write_text(f"Subject: x\n\n{LINK}\n")
    month_ago = time.time() - 31 * 86400
    os.utime(old_file, (month_ago, month_ago))

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent messages emptied of their bodies." in result.output
    db.session.expire_all()
    assert old.body_text == "" and old.status is MessageStatus.SENT
    # Without a mail server, the .eml copies are the bodies too.
    assert not old_file.exists() and new_file.exists()

    login_as("viewer")
    page = client.get("/organize/status").get_data(as_text=True)
    assert "sent: 1" in page
