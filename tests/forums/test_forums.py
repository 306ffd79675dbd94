"""Forums: scheduling, RSVPs with capacity and waitlist, calendar files."""

from __future__ import annotations

import base64
import re
import threading
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from campaign.core.errors import Conflict, DomainError
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import checkin, services
from campaign.forums.models import RSVP, Forum, ForumKind, ForumStatus, RSVPStatus
from campaign.outbox.models import OutboxMessage
from tests.forums.helpers import confirmation_link, confirmed_rsvp

PERSON = {"first_name": "Mai", "last_name": "Vang", "email": "mai@example.org", "zip_code": "54301"}


def forum_input(**fields) -> services.ForumInput:
    start = (utcnow() + timedelta(days=10)).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    values = {
        "title": "Know your county's 287(g) agreement",
        "kind": ForumKind.COMMUNITY_FORUM,
        "starts_local": start.replace(hour=18),
        "ends_local": start.replace(hour=20),
        "venue_name": "Library",
        "venue_address": "515 Pine St, Green Bay, WI 54301",
    } | fields
    return services.ForumInput(**values)


def mails_to(address: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def attached_calendar(message: OutboxMessage) -> Calendar:
    [attachment] = message.attachments
    assert attachment["content_type"].startswith("text/calendar")
    return Calendar.from_ical(base64.b64decode(attachment["data"]))


def register(forum, **fields) -> RSVP:
    return confirmed_rsvp(forum, services.RSVPInput(**(PERSON | fields)))


def test_schedule_in_the_county_time_zone(make_campaign):
    forum = services.schedule(make_campaign(), forum_input())
    db.session.commit()
    assert forum.timezone == "America/Chicago"
    local = forum.starts_at.astimezone(services.zone_for("America/Chicago"))
    assert (local.hour, local.minute) == (18, 0)
    assert forum.starts_at.utcoffset().total_seconds() == 0  # stored in UTC
    assert forum.slug == "know-your-county-s-287-g-agreement"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"ends_local": datetime(2030, 1, 1, 17, 0), "starts_local": datetime(2030, 1, 1, 18, 0)},
            "ends_at",
            "The end must come after the start.",
        ),
        (
            {"starts_local": datetime(2020, 1, 1, 18, 0), "ends_local": datetime(2020, 1, 1, 20, 0)},
            "starts_at",
            "cannot start in the past",
        ),
        ({"capacity": -1}, "capacity", "Capacity cannot be below zero"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "is not a time zone we know"),
        ({"venue_address": "", "virtual_url": None}, "venue_address", "Give an address, a video link, or both."),
    ],
)
def test_bad_schedules_are_refused_and_write_nothing(make_campaign, fields, field, message):
    campaign = make_campaign()
    with pytest.raises(DomainError) as caught:
        services.schedule(campaign, forum_input(**fields))
    assert caught.value.field == field and message in caught.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Forum)) == 0


def test_rsvp_sends_a_calendar_file_and_a_cancel_link(make_forum):
    forum = make_forum()
    record = register(forum, guests=2)
    assert (record.status, record.party_size) == (RSVPStatus.GOING, 3)
    [asked, mail] = mails_to("mai@example.org")
    assert asked.subject == f"Confirm your RSVP: {forum.title}" and not asked.attachments
    assert mail.subject == f"You are registered: {forum.title}"
    assert "with 2 guests" in mail.body_text and "/cancel/" in mail.body_text
    [event] = attached_calendar(mail).walk("VEVENT")
    assert str(event["uid"]) == forum.uid
    assert event["dtstart"].dt.tzinfo.key == "America/Chicago" and event["dtstart"].dt.hour == 18
    assert str(event["location"]) == "Brown County Central Library, 515 Pine St, Green Bay, WI 54301"
    assert int(event["sequence"]) == 0


def test_full_forum_puts_people_on_the_waitlist_and_a_cancellation_promotes_the_first(client, make_forum):
    forum = make_forum(capacity=3)
    first = register(forum, email="first@example.org", guests=2)
    waiting = register(forum, email="second@example.org")
    later = register(forum, email="third@example.org")
    assert first.status is RSVPStatus.GOING
    assert waiting.status is RSVPStatus.WAITLISTED and later.status is RSVPStatus.WAITLISTED
    assert mails_to("second@example.org")[-1].subject.startswith("You are on the waitlist")

    link = re.search(r"http://localhost(/forums/\S+/cancel/\S+)", mails_to("first@example.org")[-1].body_text).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Cancel my RSVP" in page.get_data(as_text=True)
    db.session.refresh(first)
    assert first.status is RSVPStatus.GOING, "opening the link changes nothing"
    assert client.post(link).status_code == 200
    db.session.refresh(first)
    db.session.refresh(waiting)
    db.session.refresh(later)
    assert first.status is RSVPStatus.CANCELLED
    assert waiting.status is RSVPStatus.GOING and later.status is RSVPStatus.GOING
    assert mails_to("second@example.org")[-1].subject.startswith("A seat is yours")
    assert services.seats_taken(forum) == 2


def test_a_party_that_only_partly_fits_gets_a_clear_message(make_forum):
    forum = make_forum(capacity=3)
    register(forum, email="first@example.org", guests=1)
    with pytest.raises(DomainError) as caught:
        services.rsvp(forum, services.RSVPInput(**(PERSON | {"guests": 3})))
    assert caught.value.field == "guests" and "Only 1 seats are left" in caught.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RSVP)) == 1


def test_rsvp_for_a_cancelled_or_past_forum_is_refused(make_forum):
    cancelled = make_forum(status=ForumStatus.CANCELLED)
    with pytest.raises(Conflict):
        services.rsvp(cancelled, services.RSVPInput(**PERSON))
    past = make_forum(starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(days=2, hours=-2))
    with pytest.raises(Conflict):
        services.rsvp(past, services.RSVPInput(**PERSON))


def test_rsvp_twice_updates_the_same_row(make_forum):
    forum = make_forum(capacity=10)
    register(forum, guests=1)
    register(forum, guests=4)
    [record] = db.session.scalars(select(RSVP)).all()
    assert record.guests == 4 and services.seats_taken(forum) == 5


def test_last_seat_goes_to_exactly_one_of_many_at_once(make_app, make_forum):
    forum = make_forum(capacity=1)
    slug = forum.slug
    emails = [f"p{number}@example.org" for number in range(5)]
    for email in emails:
        services.rsvp(forum, services.RSVPInput(**(PERSON | {"email": email})))
    db.session.commit()
    tokens = [confirmation_link(email).rsplit("/", 1)[1] for email in emails]
    app = make_app()
    barrier = threading.Barrier(5)
    failures: list[Exception] = []

    def attempt(token: str) -> None:
        with app.app_context():
            barrier.wait()
            try:
                services.confirm_rsvp(services.get_forum(slug), token)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (collected for the assertion)
                failures.append(error)

    threads = [threading.Thread(target=attempt, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    statuses = sorted(status.value for status in db.session.scalars(select(RSVP.status)))
    assert statuses == ["going", "waitlisted", "waitlisted", "waitlisted", "waitlisted"]


def test_two_cancellations_at_once_promote_two_in_order(make_app, make_forum):
    forum = make_forum(capacity=2)
    going = [register(forum, email=f"going{number}@example.org") for number in range(2)]
    waiting = [register(forum, email=f"waiting{number}@example.org") for number in range(3)]
    ids = [record.id for record in going]
    app = make_app()
    barrier = threading.Barrier(2)

    def cancel(rsvp_id: int) -> None:
        with app.app_context():
            barrier.wait()
            services.cancel_rsvp(db.session.get(RSVP, rsvp_id))
            db.session.commit()

    threads = [threading.Thread(target=cancel, args=(rsvp_id,)) for rsvp_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert [db.session.get(RSVP, record.id).status for record in waiting] == [
        RSVPStatus.GOING,
        RSVPStatus.GOING,
        RSVPStatus.WAITLISTED,
    ]
    assert services.seats_taken(forum) == 2


def test_rescheduling_raises_the_sequence_and_tells_everyone(make_campaign):
    forum = services.schedule(make_campaign(), forum_input())
    db.session.commit()
    register(forum)
    uid = forum.uid
    services.schedule(forum.campaign, forum_input(starts_local=forum_input().starts_local + timedelta(hours=1)), forum)
    db.session.commit()
    assert forum.sequence == 1 and forum.uid == uid
    mail = mails_to("mai@example.org")[-1]
    assert mail.subject.startswith("Changed:")
    [event] = attached_calendar(mail).walk("VEVENT")
    assert int(event["sequence"]) == 1 and str(event["uid"]) == uid and event["dtstart"].dt.hour == 19

    # A change that moves neither time nor place tells nobody.
    services.schedule(
        forum.campaign,
        forum_input(
            starts_local=forum_input().starts_local + timedelta(hours=1),
            ends_local=forum_input().ends_local,
            title="New title",
        ),
        forum,
    )
    db.session.commit()
    assert mails_to("mai@example.org")[-1].id == mail.id


def test_cancelling_a_forum_sends_a_cancellation(make_forum):
    forum = make_forum()
    register(forum)
    services.cancel_forum(forum)
    db.session.commit()
    mail = mails_to("mai@example.org")[-1]
    assert mail.subject.startswith("Cancelled:")
    calendar = attached_calendar(mail)
    assert str(calendar["method"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


def test_public_calendar_files_parse_and_hide_private_details(client, make_forum):
    house = make_forum(
        kind=ForumKind.HOUSE_MEETING,
        address_after_rsvp=True,
        venue_name="A neighbour's home",
        venue_address="12 Elm St, De Pere, WI",
        virtual_url="https://meet.example.org/abc",
    )
    other = make_forum(campaign=house.campaign)
    response = client.get(f"/forums/{house.slug}.ics")
    assert response.mimetype == "text/calendar"
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["location"]) == "A neighbour's home"
    assert "12 Elm St" not in response.get_data(as_text=True) and "meet.example.org" not in response.get_data(
        as_text=True
    )
    page = client.get(f"/forums/{house.slug}").get_data(as_text=True)
    assert "12 Elm St" not in page and "meet.example.org" not in page

    feed = Calendar.from_ical(client.get(f"/c/{house.campaign.slug}/forums.ics").data)
    assert sorted(str(event["uid"]) for event in feed.walk("VEVENT")) == sorted([house.uid, other.uid])
    assert feed.walk("VTIMEZONE"), "the time zone travels with the file"

    register(house)
    [event] = attached_calendar(mails_to("mai@example.org")[-1]).walk("VEVENT")
    assert "12 Elm St" in str(event["location"]) and "meet.example.org" in str(event["description"])


def test_rsvp_through_the_page_and_spanish(client, make_forum):
    forum = make_forum(title="Forum", title_es="Foro comunitario", capacity=1)
    page = client.get(f"/forums/{forum.slug}?lang=es").get_data(as_text=True)
    assert "Foro comunitario" in page and "Confirmar asistencia" in page
    response = client.post(f"/forums/{forum.slug}", data=PERSON | {"guests": "0"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/registered")
    link = confirmation_link("mai@example.org")
    confirm_page = client.get(link).get_data(as_text=True)
    assert "Mai Vang" in confirm_page and "Confirmar mi asistencia" in confirm_page
    assert client.post(link).status_code == 200
    assert mails_to("mai@example.org")[-1].subject == "Está inscrito: Foro comunitario"

    assert client.post(f"/forums/{forum.slug}", data=PERSON | {"email": "b@example.org"}).status_code == 303
    waiting = client.post(confirmation_link("b@example.org")).get_data(as_text=True)
    assert "lista de espera" in waiting
    bad = client.post(f"/forums/{forum.slug}", data=PERSON | {"zip_code": "1"})
    assert bad.status_code == 422


def test_list_filters_by_county_and_type(client, make_forum):
    make_forum(title="Brown forum")
    make_forum(title="Dane training", kind=ForumKind.TRAINING, county_fips="55025")
    assert "Dane training" not in client.get("/forums/?county=55009").get_data(as_text=True)
    text = client.get("/forums/?kind=training").get_data(as_text=True)
    assert "Dane training" in text and "Brown forum" not in text


def test_forged_cancel_link(client, make_forum):
    forum = make_forum()
    assert client.get(f"/forums/{forum.slug}/cancel/not-a-token").status_code == 400


def test_seed_demo_adds_an_upcoming_forum_with_rsvps_and_a_past_one_with_attendance(runner, client):
    from campaign.forums import demo
    from campaign.petitions.models import Signature, SignatureSource

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Forum)) == 2
    forum = services.get_forum(demo.DEMO_SLUG)
    assert forum.county.label == "Brown County, WI" and forum.timezone == "America/Chicago"
    assert forum.starts_at > utcnow() and services.seats_taken(forum) == 7

    past = services.get_forum(demo.PAST_SLUG)
    assert past.status is ForumStatus.COMPLETED and past.ends_at < utcnow()
    attendance = checkin.attendance(past)
    assert (attendance.registered, attendance.registered_attended, attendance.walk_ins) == (8, 6, 3)
    assert attendance.by_county[0].label == "Brown County, WI"
    sheets = select(func.count()).where(Signature.forum_id == past.id, Signature.source == SignatureSource.PAPER)
    assert db.session.scalar(sheets) == len(demo.PAST_SHEETS)
    page = client.get(f"/c/{forum.campaign.slug}").get_data(as_text=True)
    assert forum.title in page and f"/c/{forum.campaign.slug}/calendar.ics" in page
