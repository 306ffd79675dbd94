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


def test_a_line_too_long_for_the_wire_goes_quoted_printable_and_arrives_whole(smtp_app, smtp_server):
    """RFC 5322 caps a line at 998 octets: a paragraph pasted as one line (or a long inlined
    HTML line) would be refused or cut by servers on the way, so its part goes
    quoted-printable. A short message stays 8bit, readable as it is."""
    paragraph = "Señoras y señores de la junta del condado, les pedimos que pongan fin al acuerdo. " * 30
    html = f"<p>{paragraph}</p>"
    outbox.write("long@example.org", "Carta", paragraph, "outbox.test", html=html)
    outbox.write("short@example.org", "Carta", "Gracias por firmar, José.", "outbox.test")
    db.session.commit()

    assert outbox.deliver_pending()["sent"] == 2

    long_raw, short_raw = smtp_server.mailbox.raw
    assert max(len(line) for line in long_raw.split(b"\r\n")) <= 998
    long_message, short_message = smtp_server.mailbox.messages
    parts = {part.get_content_type(): part for part in long_message.walk() if not part.is_multipart()}
    assert {kind: part["Content-Transfer-Encoding"] for kind, part in parts.items()} == {
        "text/plain": "quoted-printable",
        "text/html": "quoted-printable",
    }
    assert parts["text/plain"].get_payload(decode=True).decode("utf-8") == paragraph
    assert parts["text/html"].get_payload(decode=True).decode("utf-8") == html
    short_text = next(part for part in short_message.walk() if part.get_content_type() == "text/plain")
    assert short_text["Content-Transfer-Encoding"] == "8bit"
    assert "Gracias por firmar, José." in short_raw.decode("utf-8")


def test_an_accented_reply_to_and_subject_arrive_as_a_mail_program_reads_them(smtp_app, smtp_server):
    """A campaign's Reply-To with an accent: its address stays an address, not part of an
    encoded word (replies would go nowhere). The subject keeps no space before its words."""
    from email import message_from_bytes
    from email import policy as email_policy

    headers = {"Reply-To": "Equipo de Campaña <equipo@example.org>", "List-Unsubscribe": "<https://x.example/u/1>"}
    outbox.write("ana@example.org", " Confirme su firma, señora", "Hola.", "outbox.test", headers=headers)
    db.session.commit()

    assert outbox.deliver_pending()["sent"] == 1

    received = message_from_bytes(smtp_server.mailbox.raw[0], policy=email_policy.default)
    (reply_to,) = received["Reply-To"].addresses
    assert (reply_to.display_name, reply_to.addr_spec) == ("Equipo de Campaña", "equipo@example.org")
    assert str(received["Subject"]) == "Confirme su firma, señora"
    assert str(received["List-Unsubscribe"]) == "<https://x.example/u/1>"
