"""Organizer text never becomes a mail header, whatever way it reached the database: the
forms clean what organizers type, and the outbox keeps the Subject on one line too (a title
stored before the forms cleaned input, or written by anything but a form)."""

from __future__ import annotations

import email
from pathlib import Path

from sqlalchemy import select

from campaign.extensions import db
from campaign.outbox import services as outbox
from campaign.outbox.models import OutboxMessage


def test_a_stored_title_with_a_bare_cr_adds_no_header_to_the_mail(app, make_forum):
    from campaign.forums.services import RSVPInput, rsvp

    forum = make_forum(title="Forum\rBcc: evil@example.org\x85\u2028x")
    rsvp(forum, RSVPInput("Ana", "Ruiz", "ana@example.org", "54301"))
    db.session.commit()

    message = db.session.scalar(select(OutboxMessage))
    assert message.subject == "Confirm your RSVP: Forum Bcc: evil@example.org x"
    outbox.deliver_pending()  # the eager runner has sent it already in the tests
    [written] = Path(app.config["MAIL_FILE_DIR"]).glob("*.eml")
    parsed = email.message_from_bytes(written.read_bytes())
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Confirm your RSVP: Forum Bcc: evil@example.org x"
