"""The sign-up mail as it arrives at a real SMTP server, in English and in Spanish."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.meetings.models import SignupStatus, Speaker
from tests.meetings.signup_helpers import MAI, speak


@pytest.fixture
def app(smtp_app):
    return smtp_app


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def part(message, content_type: str) -> str:
    found = next(piece for piece in message.walk() if piece.get_content_type() == content_type)
    return found.get_payload(decode=True).decode()


def link_in(message, kind: str) -> str:
    found = re.search(rf"http://localhost/meetings/\S+/{kind}/\S+", part(message, "text/plain"))
    assert found, f"no {kind} link in the mail"
    parts = urlsplit(found.group())
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.mark.parametrize(
    ("locale", "points", "title"),
    [
        ("en", "Ask them to vote yes", "County Board of Supervisors"),
        ("es", "Pídales que voten sí", "Junta de Supervisores del Condado"),
    ],
)
def test_a_speaker_gets_the_confirmation_and_then_their_place_by_mail(
    client, smtp_server, make_meeting, make_agenda_item, locale, points, title
):
    meeting = make_meeting(title="County Board of Supervisors", title_es="Junta de Supervisores del Condado")
    item = make_agenda_item(
        meeting=meeting,
        minutes_per_speaker=3,
        talking_points="- Ask them to vote yes",
        talking_points_es="- Pídales que voten sí",
    )
    assert speak(client, item, locale=locale, needs_interpreter="y", interpretation_language="Hmong").status_code == 303

    [request] = smtp_server.messages
    assert request["X-Envelope-To"] == MAI["email"]
    assert title in subject(request)
    assert points in part(request, "text/plain")
    assert re.search(rf"<li[^>]*>{points}</li>", part(request, "text/html"))  # the HTML part: the one mail layout
    assert f'lang="{locale}"' in part(request, "text/html")
    confirm = link_in(request, "speak/confirm")
    assert f"lang={locale}" in confirm

    assert client.post(confirm).status_code == 200
    assert db.session.scalar(select(Speaker.status)) is SignupStatus.CONFIRMED
    [_request, placed] = smtp_server.messages
    assert title in subject(placed) and "1" in subject(placed)
    text = part(placed, "text/plain")
    assert points in text and "Hmong" in text and "/speak/cancel/" in text
    # The cancel link in the mail frees the place.
    cancel = link_in(placed, "speak/cancel")
    assert client.post(cancel).status_code == 200
    assert db.session.scalar(select(Speaker.status)) is SignupStatus.CANCELLED


def test_an_observer_gets_the_confirmation_by_mail_with_a_cancel_link(client, smtp_server, make_meeting):
    meeting = make_meeting(observer_limit=3)
    assert client.post(f"/meetings/{meeting.slug}/observe", data=MAI).status_code == 303
    [request] = smtp_server.messages
    assert subject(request) == f"Confirm that you will observe: {meeting.title}"
    assert "/observe/cancel/" in part(request, "text/plain")
    assert client.post(link_in(request, "observe/confirm")).status_code == 200
    [_request, confirmed] = smtp_server.messages
    assert subject(confirmed) == f"You will observe: {meeting.title}"
    assert "1 of 3 observer places taken" in client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)
