"""When organizers cancel a meeting still to come, or move it to another time or place,
everyone holding a place as observer or speaker is told by mail, in their own language.
The mail is read as it arrives at a real SMTP server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from babel.dates import format_date, format_time

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings import signups
from campaign.meetings.models import MeetingStatus, Observer
from tests.meetings.signup_helpers import (
    confirmed_observer,
    confirmed_speaker,
    count,
    local_start,
    mailed_link,
    meeting_input,
    observe,
)

NEW_PLACE = "Brown County Courthouse, 100 S. Jefferson St., Green Bay"


@pytest.fixture
def app(smtp_app):
    return smtp_app


@dataclass
class Received:
    subject: str
    text: str


def received(smtp_server, since: int) -> dict[str, list[Received]]:
    """The mail that arrived after the first `since` messages, by recipient."""
    found: dict[str, list[Received]] = {}
    for message in smtp_server.messages[since:]:
        text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        subject = str(make_header(decode_header(message["Subject"])))
        found.setdefault(message["X-Envelope-To"], []).append(Received(subject, text.get_payload(decode=True).decode()))
    return found


@pytest.fixture
def signed_up(client, make_meeting, make_agenda_item):
    """A meeting twelve days ahead. Ana observes and reads English, Rosa speaks on an item
    and reads Spanish; Ben never pressed his link and Cal freed his place."""
    meeting = make_meeting(title="County Board", title_es="Junta del Condado")
    item = make_agenda_item(meeting=meeting, title="End the 287(g) agreement", title_es="Fin del acuerdo 287(g)")
    confirmed_observer(client, meeting, first_name="Ana", email="ana@example.org")
    confirmed_speaker(client, item, first_name="Rosa", email="rosa@example.org", locale="es")
    assert observe(client, meeting, first_name="Ben", email="ben@example.org").status_code == 303
    confirmed_observer(client, meeting, first_name="Cal", email="cal@example.org")
    assert client.post(mailed_link("cal@example.org", "cancel")).status_code == 200
    return meeting


def save(meeting, **changes) -> None:
    signups.save_and_tell(meeting.campaign, meeting_input(meeting, **changes), meeting)
    db.session.commit()


def test_cancelling_tells_each_confirmed_observer_and_speaker_and_closes_the_sign_up(client, smtp_server, signed_up):
    meeting, before = signed_up, len(smtp_server.messages)
    save(meeting, status=MeetingStatus.CANCELLED)

    mail = received(smtp_server, before)
    assert sorted(mail) == ["ana@example.org", "rosa@example.org"]  # not Ben (pending) nor Cal (cancelled)
    [ana], [rosa] = mail["ana@example.org"], mail["rosa@example.org"]
    assert ana.subject == "Cancelled: County Board"
    assert "this meeting is cancelled, so there will be nothing to observe" in ana.text
    assert "Northern Building" in ana.text
    assert rosa.subject == "Cancelado: Junta del Condado"
    assert "Fin del acuerdo 287(g)" in rosa.text  # her agenda item, in Spanish

    refused = observe(client, meeting, first_name="Dee", email="dee@example.org")
    assert refused.status_code == 409 and "This meeting was cancelled" in refused.get_data(as_text=True)
    assert count(Observer) == 3

    before = len(smtp_server.messages)
    save(meeting, outcome="The chair cancelled it for lack of a quorum.")
    assert received(smtp_server, before) == {}  # saving it again tells nobody twice


def test_a_new_time_reaches_each_reader_in_their_language_with_a_cancel_link_that_works(client, smtp_server, signed_up):
    meeting, before = signed_up, len(smtp_server.messages)
    new_start = local_start(meeting) + timedelta(days=1, hours=1)
    save(meeting, starts_local=new_start)

    mail = received(smtp_server, before)
    assert sorted(mail) == ["ana@example.org", "rosa@example.org"]
    [ana], [rosa] = mail["ana@example.org"], mail["rosa@example.org"]
    assert ana.subject == "Changed: County Board"
    assert format_date(new_start, "full", locale="en") in ana.text
    assert format_time(new_start, "short", locale="en") in ana.text
    assert rosa.subject == "Cambio: Junta del Condado"
    assert format_date(new_start, "full", locale="es") in rosa.text
    arrive = format_time(new_start - signups.ARRIVE_BEFORE, "short", locale="es")
    assert "Llegue a más tardar el" in rosa.text and arrive in rosa.text
    assert "Fin del acuerdo 287(g)" in rosa.text

    cancel = mailed_link("ana@example.org", "cancel")
    assert client.post(cancel).status_code == 200
    assert signups.observer_count(meeting) == 0


def test_a_new_place_is_told_too(smtp_server, signed_up):
    before = len(smtp_server.messages)
    save(signed_up, place=NEW_PLACE)
    mail = received(smtp_server, before)
    assert sorted(mail) == ["ana@example.org", "rosa@example.org"]
    assert all(NEW_PLACE in reader.text for [reader] in mail.values())
    assert all(reader.subject.startswith(("Changed:", "Cambio:")) for [reader] in mail.values())


def test_an_edit_that_moves_nothing_mails_nobody(smtp_server, signed_up):
    before = len(smtp_server.messages)
    save(signed_up, title="County Board of Supervisors", agenda_url="https://example.org/agenda.pdf")
    assert received(smtp_server, before) == {}


@pytest.mark.parametrize(
    "changes",
    [
        {"outcome": "Tabled 5-2."},
        {"outcome": "Tabled 5-2.", "place": NEW_PLACE},
        {"status": MeetingStatus.CANCELLED},
    ],
)
def test_correcting_a_meeting_already_held_mails_nobody(smtp_server, signed_up, changes):
    meeting = signed_up
    meeting.starts_at = utcnow() - timedelta(days=2)  # time has passed since the sign-ups
    db.session.commit()
    before = len(smtp_server.messages)
    save(meeting, **changes)
    assert received(smtp_server, before) == {}


def test_the_organizer_form_cancels_and_the_mail_goes_out(client, login_as, smtp_server, signed_up):
    meeting, before = signed_up, len(smtp_server.messages)
    login_as("organizer")
    form = {
        "body": meeting.body.value,
        "title": meeting.title,
        "title_es": meeting.title_es,
        "starts_at": local_start(meeting).strftime("%Y-%m-%dT%H:%M"),
        "place": meeting.place,
        "status": "cancelled",
    }
    response = client.post(f"/organize/meetings/{meeting.slug}/edit", data=form)
    assert response.status_code == 303
    db.session.refresh(meeting)
    assert meeting.status is MeetingStatus.CANCELLED
    mail = received(smtp_server, before)
    assert [reader.subject for reader in mail["ana@example.org"]] == ["Cancelled: County Board"]
    assert [reader.subject for reader in mail["rosa@example.org"]] == ["Cancelado: Junta del Condado"]
