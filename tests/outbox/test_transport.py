"""One SMTP session carries a whole delivery run, and survives a refused recipient."""

from __future__ import annotations

from sqlalchemy import select

from campaign.extensions import db
from campaign.outbox import services as outbox
from campaign.outbox.models import MessageStatus, OutboxMessage


def _write(recipient: str) -> None:
    outbox.write(recipient, "Hello", "A message.", "outbox.test")


def test_a_delivery_run_uses_one_session_and_a_refusal_does_not_end_it(smtp_app, smtp_server):
    smtp_server.mailbox.refuse_recipients["gone@example.org"] = "550 5.1.1 No such user"
    for recipient in ("a@example.org", "gone@example.org", "b@example.org", "c@example.org"):
        _write(recipient)
    db.session.commit()

    totals = outbox.deliver_pending()

    assert totals == {"sent": 3, "retrying": 0, "failed": 1}
    received = smtp_server.mailbox.messages
    assert [message["To"] for message in received] == ["a@example.org", "b@example.org", "c@example.org"]
    assert len({message["X-SMTP-Session"] for message in received}) == 1
    statuses = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.status)).all())
    assert statuses["gone@example.org"] is MessageStatus.FAILED


def test_a_dropped_session_is_opened_again_for_the_next_run(smtp_app, smtp_server):
    _write("a@example.org")
    db.session.commit()
    outbox.deliver_pending()
    smtp_server.stop()  # the server goes away between runs and comes back
    smtp_server.start()
    _write("b@example.org")
    db.session.commit()
    assert outbox.deliver_pending()["sent"] == 1
    assert [message["To"] for message in smtp_server.mailbox.messages] == ["a@example.org", "b@example.org"]
