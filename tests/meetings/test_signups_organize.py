"""Organizers' side of the sign-ups: the speaker list, observers' notes, and privacy
(the person record, erasure, retention)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from campaign.accounts.models import AuditEvent
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings.models import Observer, Speaker
from campaign.supporters import erasure, retention
from tests.meetings.signup_helpers import confirmed_observer, confirmed_speaker


def test_the_speaker_list_shows_the_order_times_and_interpretation_requests(client, login_as, make_agenda_item):
    item = make_agenda_item(minutes_per_speaker=3)
    confirmed_speaker(client, item, first_name="Ana", last_name="Ruiz", email="ana@example.org")
    confirmed_speaker(
        client,
        item,
        first_name="Tou",
        last_name="Xiong",
        email="tou@example.org",
        needs_interpreter="y",
        interpretation_language="Hmong",
    )
    url = f"/organize/meetings/{item.meeting.slug}/speakers"
    assert client.get(url).status_code == 302  # the login page first

    login_as("viewer")
    page = client.get(url).get_data(as_text=True)
    assert page.index("Ana Ruiz") < page.index("Tou Xiong")
    assert "Interpreter needed from Hmong" in page and "3 min" in page
    assert "tou@example.org" not in page  # emails are for organizers only

    login_as("organizer")
    page = client.get(url).get_data(as_text=True)
    assert "tou@example.org" in page and "Interpreter needed from Hmong" in page


def test_organizers_record_each_observers_notes(client, login_as, make_meeting):
    meeting = make_meeting()
    confirmed_observer(client, meeting, first_name="Rosa", email="rosa@example.org")
    observer = db.session.scalar(select(Observer))
    url = f"/organize/meetings/{meeting.slug}/observers/{observer.id}/notes"

    login_as("viewer")
    assert client.post(url, data={"notes": "x"}).status_code == 403
    login_as("organizer")
    response = client.post(url, data={"notes": "Supervisor Doe moved to table the item.\nTabled 5-2."})
    assert response.status_code == 303
    db.session.refresh(observer)
    assert observer.notes == "Supervisor Doe moved to table the item.\nTabled 5-2."
    page = client.get(f"/organize/meetings/{meeting.slug}/observers").get_data(as_text=True)
    assert "Rosa Vang" in page and "Tabled 5-2." in page
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "observer_notes"))
    assert "Tabled" not in str(event.details)

    too_long = client.post(url, data={"notes": "x" * 20_001})
    assert too_long.status_code == 422
    db.session.refresh(observer)
    assert observer.notes.endswith("Tabled 5-2.")


def test_the_person_record_lists_meeting_sign_ups(client, login_as, make_agenda_item):
    item = make_agenda_item(title="Resolution to end the agreement")
    confirmed_speaker(client, item, needs_interpreter="y", interpretation_language="Somali")
    confirmed_observer(client, item.meeting)
    speaker = db.session.scalar(select(Speaker))
    login_as("organizer")
    page = client.get(f"/organize/people/{speaker.person_id}").get_data(as_text=True)
    assert "Speaker on “Resolution to end the agreement”" in page and "Somali" in page
    assert "Observer" in page and item.meeting.title in page


def test_erasing_a_speaker_and_observer_drops_the_names_and_keeps_the_notes(client, make_agenda_item, make_user):
    item = make_agenda_item()
    confirmed_speaker(
        client, item, first_name="Tou", last_name="Xiong", needs_interpreter="y", interpretation_language="Hmong"
    )
    confirmed_observer(client, item.meeting, first_name="Tou", last_name="Xiong")
    observer = db.session.scalar(select(Observer))
    observer.notes = "The sheriff spoke for ten minutes."
    db.session.commit()
    person = observer.person

    preview = erasure.preview(person)
    assert preview.observed == [item.meeting] and preview.spoken == [item]
    counts = erasure.erase(person, make_user("admin"))
    db.session.commit()
    assert counts["speakers"] == 1 and counts["observers"] == 1

    speaker = db.session.scalar(select(Speaker))
    db.session.refresh(observer)
    assert (speaker.first_name, speaker.last_name, speaker.interpretation_language) == ("Erased", "", None)
    assert (observer.first_name, observer.last_name) == ("Erased", "")
    assert observer.notes == "The sheriff spoke for ten minutes."
    assert speaker.anonymised_at is not None and speaker.status.value == "confirmed"  # the count stays


def test_retention_anonymises_the_sign_ups_of_meetings_long_past(client, make_agenda_item):
    item = make_agenda_item()
    confirmed_speaker(client, item, needs_interpreter="y", interpretation_language="Hmong")
    confirmed_observer(client, item.meeting)
    item.meeting.starts_at = utcnow() - timedelta(days=365 * 10)
    db.session.commit()

    run = retention.purge()
    assert run.removed["speakers"] == 1 and run.removed["observers"] == 1 and run.removed["people"] == 1
    speaker = db.session.scalar(select(Speaker))
    assert speaker.first_name == "Erased" and speaker.interpretation_language is None
    assert speaker.person.erased_at is not None
