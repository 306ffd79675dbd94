"""Observer and public-comment sign-ups: the form, the mailed link, the limits, the order."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.core.errors import Conflict
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings import services, signups
from campaign.meetings.models import MeetingStatus, Observer, SignupStatus, Speaker
from campaign.outbox.models import OutboxMessage
from tests.meetings.signup_helpers import (
    MAI,
    confirmed_observer,
    confirmed_speaker,
    count,
    mailed_link,
    mails_to,
    observe,
    speak,
)


def test_an_observer_signs_up_confirms_from_the_mail_and_is_counted(client, make_meeting):
    meeting = make_meeting(observer_limit=5)
    page = client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)
    assert "0 of 5 observer places taken" in page and "Sign up to observe" in page

    response = observe(client, meeting, zip_code="54301", email_updates="y")
    assert response.status_code == 303 and response.headers["Location"].endswith("/signed-up")
    [mail] = mails_to("mai@example.org")
    assert mail.subject == f"Confirm that you will observe: {meeting.title}"
    assert "/observe/cancel/" in mail.body_text  # a cancel link from the first mail on
    [record] = db.session.scalars(select(Observer)).all()
    assert record.status is SignupStatus.PENDING
    assert "0 of 5 observer places taken" in client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)

    link = mailed_link("mai@example.org")
    shown = client.get(link).get_data(as_text=True)
    assert "Mai Vang" in shown and "Yes: Email me about this campaign." in shown
    db.session.refresh(record)
    assert record.status is SignupStatus.PENDING  # the GET writes nothing
    done = client.post(link)
    assert done.status_code == 200 and "You are signed up to observe" in done.get_data(as_text=True)
    db.session.refresh(record)
    assert record.status is SignupStatus.CONFIRMED and record.email_updates and record.person.zip_code == "54301"
    assert mails_to("mai@example.org")[-1].subject == f"You will observe: {meeting.title}"
    assert "1 of 5 observer places taken" in client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)


def test_the_zip_code_is_optional_for_observers_but_checked_when_given(client, make_meeting):
    meeting = make_meeting()
    assert observe(client, meeting).status_code == 303
    bad = observe(client, meeting, email="b@example.org", zip_code="00000")
    assert 400 <= bad.status_code < 500 and "We don&#39;t know the ZIP code 00000" in bad.get_data(as_text=True)
    assert count(Observer) == 1


def test_a_full_observer_list_is_refused_and_nothing_is_written(client, make_meeting):
    meeting = make_meeting(observer_limit=1)
    observe(client, meeting, email="late@example.org")  # pending: holds no place
    assert confirmed_observer(client, meeting).status_code == 200
    page = client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)
    assert "1 of 1 observer places taken" in page and "The observer list for this meeting is full." in page

    refused = observe(client, meeting, email="other@example.org")
    assert refused.status_code == 409 and "The observer list for this meeting is full." in refused.get_data(
        as_text=True
    )
    assert count(Observer) == 2 and mails_to("other@example.org") == []
    # The earlier pending sign-up's link finds no room either, and stays pending.
    too_late = client.post(mailed_link("late@example.org"))
    assert too_late.status_code == 409 and "full" in too_late.get_data(as_text=True)
    late = db.session.scalar(select(Observer).where(Observer.first_name == "Mai").order_by(Observer.id))
    db.session.refresh(late)
    assert late.status is SignupStatus.PENDING


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": MeetingStatus.CANCELLED}, "This meeting was cancelled, so it takes no sign-ups."),
        (
            {"starts_at": utcnow() - timedelta(hours=1)},
            "Public comment sign-up is closed: this meeting has already taken place",
        ),
    ],
)
def test_a_cancelled_or_past_meeting_takes_no_sign_up(client, make_meeting, make_agenda_item, fields, message):
    meeting = make_meeting(**fields)
    item = make_agenda_item(meeting=meeting)
    spoken = speak(client, item)
    assert spoken.status_code == 409 and message in spoken.get_data(as_text=True)
    observed = observe(client, meeting)
    assert observed.status_code == 409
    assert count(Speaker) == 0 and count(Observer) == 0
    assert db.session.scalar(select(OutboxMessage.id)) is None
    assert "Sign-up is closed." in client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)


def test_a_link_pressed_after_the_meeting_started_is_refused(client, make_meeting, make_agenda_item):
    item = make_agenda_item()
    speak(client, item)
    item.meeting.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    response = client.post(mailed_link("mai@example.org"))
    assert response.status_code == 409 and "already taken place" in response.get_data(as_text=True)
    assert db.session.scalar(select(Speaker.status)) is SignupStatus.PENDING


def test_a_full_speaker_list_is_refused_and_nothing_is_written(client, make_agenda_item):
    item = make_agenda_item(speaker_slots=1)
    assert confirmed_speaker(client, item).status_code == 200
    refused = speak(client, item, email="second@example.org", first_name="Lee")
    assert refused.status_code == 409
    assert "The speaker list for this item is full" in refused.get_data(as_text=True)
    assert count(Speaker) == 1 and mails_to("second@example.org") == []
    page = client.get(f"/meetings/{item.meeting.slug}").get_data(as_text=True)
    assert "1 of 1 speaker places taken" in page


def test_speakers_speak_in_the_order_they_confirmed(client, make_agenda_item):
    item = make_agenda_item(minutes_per_speaker=2)
    for name in ("Ana", "Ben", "Cy"):
        assert speak(client, item, first_name=name, email=f"{name.lower()}@example.org").status_code == 303
    for name in ("Cy", "Ana", "Ben"):
        assert client.post(mailed_link(f"{name.lower()}@example.org")).status_code == 200
    turns = signups.speaker_list(item)
    assert [(turn.place, turn.speaker.first_name, turn.offset) for turn in turns] == [
        (1, "Cy", timedelta(0)),
        (2, "Ana", timedelta(minutes=2)),
        (3, "Ben", timedelta(minutes=4)),
    ]
    ben = mails_to("ben@example.org")[-1]
    assert ben.subject == f"You are speaker number 3: {item.meeting.title}"
    assert "Your turn comes about 4 minutes after public comment on this item opens." in ben.body_text
    assert "Each speaker has 2 minutes." in ben.body_text and "Arrive by" in ben.body_text

    # Cy cancels from the mail: the others move up.
    assert client.post(mailed_link("cy@example.org", "cancel")).status_code == 200
    assert [turn.speaker.first_name for turn in signups.speaker_list(item)] == ["Ana", "Ben"]
    assert signups.turn_of(db.session.get(Speaker, turns[2].speaker.id)).place == 2


def test_the_confirmation_page_gives_the_place_the_time_and_the_talking_points(client, make_agenda_item):
    item = make_agenda_item(
        minutes_per_speaker=3,
        talking_points="**Ask them to vote yes** on 7.b",
        talking_points_es="**Pídales que voten sí** en 7.b",
    )
    confirmed_speaker(client, item, first_name="Ana", email="ana@example.org")
    page = confirmed_speaker(client, item).get_data(as_text=True)
    assert "You are speaker number 2 on this item." in page
    assert "Your turn comes about 3 minutes after public comment on this item opens." in page
    assert "Arrive by" in page and "<strong>Ask them to vote yes</strong>" in page
    # A Spanish speaker's link opens the page in Spanish (?lang=es), with the Spanish points.
    spanish = confirmed_speaker(client, item, first_name="Luz", email="luz@example.org", locale="es")
    assert "<strong>Pídales que voten sí</strong>" in spanish.get_data(as_text=True)


def test_the_same_person_twice_on_one_item_is_one_speaker(client, make_agenda_item):
    item = make_agenda_item()
    confirmed_speaker(client, item)
    assert speak(client, item).status_code == 303
    assert client.post(mailed_link("mai@example.org")).status_code == 200
    assert count(Speaker) == 1
    assert [turn.place for turn in signups.speaker_list(item)] == [1]


def test_a_repeat_by_a_known_email_changes_nothing_until_the_mailbox_proves_itself(client, make_agenda_item):
    item = make_agenda_item()
    confirmed_speaker(client, item)
    assert speak(client, item, needs_interpreter="y", interpretation_language="Hmong").status_code == 303
    record = db.session.scalar(select(Speaker))
    assert record.interpretation_language is None
    link = mailed_link("mai@example.org")
    assert "Hmong" in client.get(link).get_data(as_text=True)
    client.post(link)
    db.session.refresh(record)
    assert record.interpretation_language == "Hmong" and record.status is SignupStatus.CONFIRMED


def test_an_interpreter_request_needs_the_language(client, make_agenda_item):
    item = make_agenda_item()
    response = speak(client, item, needs_interpreter="y")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tell us which language you will speak" in text[text.index('id="interpretation_language-error"') :][:300]
    assert count(Speaker) == 0


def test_an_item_without_public_comment_has_no_sign_up(client, make_agenda_item):
    item = make_agenda_item(speaker_slots=None)
    assert speak(client, item).status_code == 404
    assert client.get(f"/meetings/{item.meeting.slug}/items/{item.id}/speak").status_code == 404


def test_a_link_for_another_meeting_is_refused(client, make_agenda_item, make_meeting):
    item = make_agenda_item()
    other = make_meeting()
    speak(client, item)
    token = mailed_link("mai@example.org").split("/confirm/")[1]
    response = client.post(f"/meetings/{other.slug}/speak/confirm/{token}")
    assert response.status_code == 400 and count(Speaker) == 1
    assert db.session.scalar(select(Speaker.status)) is SignupStatus.PENDING


def test_the_public_page_shows_counts_never_names(client, make_meeting, make_agenda_item):
    meeting = make_meeting(observer_limit=10)
    item = make_agenda_item(meeting=meeting, speaker_slots=10)
    confirmed_speaker(client, item, first_name="Xochitl", last_name="Quispe", email="xq@example.org")
    confirmed_observer(client, meeting, first_name="Zebulon", last_name="Okafor", email="zo@example.org")
    page = client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)
    assert "1 of 10 speaker places taken" in page and "1 of 10 observer places taken" in page
    for private in ("Xochitl", "Quispe", "Zebulon", "Okafor", "xq@example.org", "zo@example.org"):
        assert private not in page


def test_the_last_speaker_place_goes_to_exactly_one_of_many_at_once(make_app, make_agenda_item):
    item = make_agenda_item(speaker_slots=1)
    meeting = item.meeting
    slug = meeting.slug
    emails = [f"p{number}@example.org" for number in range(5)]
    for email in emails:
        signups.sign_up_speaker(item, signups.SignupInput(first_name="P", last_name=email[:2], email=email))
    db.session.commit()
    tokens = [mailed_link(email).rsplit("/", 1)[1].split("?")[0] for email in emails]
    app = make_app()
    barrier = threading.Barrier(len(tokens))
    refused: list[Exception] = []
    failures: list[Exception] = []

    def attempt(token: str) -> None:
        with app.app_context():
            barrier.wait()
            try:
                signups.confirm_speaker(services.get_meeting(slug), token)
                db.session.commit()
            except Conflict as error:
                db.session.rollback()
                refused.append(error)
            except Exception as error:  # noqa: BLE001 (collected for the assertion)
                failures.append(error)

    threads = [threading.Thread(target=attempt, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(refused) == 4 and all("full" in error.message for error in refused)
    statuses = sorted(status.value for status in db.session.scalars(select(Speaker.status)))
    assert statuses == ["confirmed", "pending", "pending", "pending", "pending"]


def test_a_sign_up_keeps_the_language_chosen_for_its_mail(client, make_meeting):
    meeting = make_meeting(title="County Board", title_es="Junta del Condado")
    observe(client, meeting, locale="es")
    [mail] = mails_to(MAI["email"])
    assert "Junta del Condado" in mail.subject and "lang=es" in mail.body_text
    assert db.session.scalar(select(Observer.locale)) == "es"
