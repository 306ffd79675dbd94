"""The day of the forum: check-in, walk-ins, attendance by county."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign.core.errors import Conflict, DomainError
from campaign.extensions import db
from campaign.forums import checkin, services
from campaign.forums.models import RSVP, RSVPStatus
from campaign.outbox.models import OutboxMessage
from tests.forums.test_forums import register


def test_check_in_and_undo(make_forum):
    forum = make_forum()
    record = register(forum)
    checkin.check_in(record)
    db.session.commit()
    assert record.checked_in_at is not None
    first_time = record.checked_in_at
    checkin.check_in(record)  # a second tap changes nothing
    assert record.checked_in_at == first_time
    checkin.undo_check_in(record)
    db.session.commit()
    assert record.checked_in_at is None


def test_someone_on_the_waitlist_who_came_is_here(make_forum):
    forum = make_forum(capacity=1)
    register(forum, email="first@example.org")
    waiting = register(forum, email="second@example.org")
    assert waiting.status is RSVPStatus.WAITLISTED
    checkin.check_in(waiting)
    assert waiting.status is RSVPStatus.GOING


def test_no_check_in_at_a_cancelled_forum(make_forum):
    forum = make_forum()
    record = register(forum)
    services.cancel_forum(forum)
    with pytest.raises(Conflict):
        checkin.check_in(record)


def test_a_walk_in_needs_only_a_name(make_forum):
    forum = make_forum()
    record = checkin.walk_in(forum, checkin.WalkInInput(first_name="Ana", last_name="Soto"))
    db.session.commit()
    assert record.walk_in and record.person_id is None and record.checked_in_at is not None
    with pytest.raises(DomainError) as refused:
        checkin.walk_in(forum, checkin.WalkInInput(first_name="", last_name="Soto"))
    assert refused.value.field == "first_name"
    with pytest.raises(DomainError) as refused:
        checkin.walk_in(forum, checkin.WalkInInput(first_name="Ana", last_name="Soto", zip_code="00000"))
    assert refused.value.field == "zip_code"


def test_a_walk_in_who_had_rsvpd_is_checked_in_not_added_twice(make_forum):
    forum = make_forum()
    record = register(forum)  # mai@example.org
    again = checkin.walk_in(
        forum, checkin.WalkInInput(first_name="Mai", last_name="Vang", email="MAI@example.org", zip_code="54301")
    )
    db.session.commit()
    assert again.id == record.id and again.checked_in_at is not None and not again.walk_in
    assert len(db.session.scalars(select(RSVP)).all()) == 1


def test_a_change_of_plan_does_not_write_to_walk_ins_without_email(make_forum):
    forum = make_forum()
    register(forum)
    checkin.walk_in(forum, checkin.WalkInInput(first_name="Ana", last_name="Soto"))
    services.cancel_forum(forum)
    db.session.commit()
    notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "forums.cancelled")).all()
    assert [mail.recipient for mail in notices] == ["mai@example.org"]


def test_search_by_any_part_of_the_name(make_forum):
    forum = make_forum()
    register(forum, first_name="Guadalupe", last_name="Ramírez", email="g@example.org")
    register(forum, first_name="Linda", last_name="Olson", email="l@example.org")
    assert [r.first_name for r in checkin.checkin_list(forum, "ram")] == ["Guadalupe"]
    assert [r.first_name for r in checkin.checkin_list(forum, "linda ols")] == ["Linda"]
    assert [r.last_name for r in checkin.checkin_list(forum)] == ["Olson", "Ramírez"]
    checkin.walk_in(forum, checkin.WalkInInput(first_name="Óscar", last_name="Álvarez"))
    for typed in ("alv", "ÁLV", "óscar", "oscar alvarez"):  # accents and case ignored, on SQLite too
        assert [r.first_name for r in checkin.checkin_list(forum, typed)] == ["Óscar"], typed
    assert [r.last_name for r in checkin.checkin_list(forum)] == ["Álvarez", "Olson", "Ramírez"]


def test_attendance_by_county_and_rate(make_forum):
    forum = make_forum()
    brown = [register(forum, email=f"brown{n}@example.org", zip_code="54301") for n in range(3)]
    outagamie = register(forum, email="appleton@example.org", zip_code="54911")
    register(forum, email="nocome@example.org", zip_code="54911")
    for record in (*brown[:2], outagamie):
        checkin.check_in(record)
    checkin.walk_in(forum, checkin.WalkInInput(first_name="Ana", last_name="Soto", zip_code="54302"))
    checkin.walk_in(forum, checkin.WalkInInput(first_name="Joe", last_name="Doe"))
    db.session.commit()

    report = checkin.attendance(forum)
    assert (report.registered, report.registered_attended, report.walk_ins) == (5, 3, 2)
    assert report.attended == 5 and report.rate == 60
    rows = {row.label: (row.registered, row.attended) for row in report.by_county}
    assert rows == {
        "Brown County, WI": (3, 3),  # two who RSVP'd and a walk-in
        "Outagamie County, WI": (2, 1),
        "County not known": (0, 1),
    }
    assert report.by_county[-1].county_fips is None  # unknown county last


def test_check_in_page_on_the_day(client, login_as, make_forum):
    forum = make_forum()
    register(forum, first_name="Guadalupe", last_name="Ramírez", email="g@example.org")
    record = register(forum, first_name="Linda", last_name="Olson", email="l@example.org")
    login_as("organizer")
    page = client.get(f"/organize/forums/{forum.slug}/check-in?q=olson")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Olson, Linda" in text and "Ramírez" not in text
    assert "l@example.org" not in text  # no email on a screen others can see

    done = client.post(f"/organize/forums/{forum.slug}/check-in/{record.id}", data={"q": "olson"})
    assert done.status_code == 303 and "q=olson" in done.location and f"#rsvp-{record.id}" in done.location
    assert db.session.get(RSVP, record.id).checked_in_at is not None
    assert "1 person checked in" in client.get(done.location).get_data(as_text=True)

    walked = client.post(f"/organize/forums/{forum.slug}/walk-in", data={"first_name": "Ana", "last_name": "Soto"})
    assert walked.status_code == 303
    refused = client.post(f"/organize/forums/{forum.slug}/walk-in", data={"first_name": "Ana", "last_name": ""})
    assert refused.status_code == 422
    refused = client.post(
        f"/organize/forums/{forum.slug}/walk-in", data={"first_name": "Ana", "last_name": "Soto", "email": "nope"}
    )
    assert refused.status_code == 422 and "valid email" in refused.get_data(as_text=True)
    assert len(db.session.scalars(select(RSVP).where(RSVP.walk_in.is_(True))).all()) == 1


def test_check_in_is_for_organizers(client, login_as, make_forum):
    forum = make_forum()
    record = register(forum)
    assert client.get(f"/organize/forums/{forum.slug}/check-in").status_code == 302  # to the login page
    login_as("viewer")
    assert client.post(f"/organize/forums/{forum.slug}/check-in/{record.id}").status_code == 403
    assert client.get(f"/organize/forums/{forum.slug}").status_code == 200  # viewers read attendance
    login_as("organizer")
    assert client.post(f"/organize/forums/{forum.slug}/check-in/999999").status_code == 404
    other = make_forum()
    assert client.post(f"/organize/forums/{other.slug}/check-in/{record.id}").status_code == 404


def test_forum_page_shows_attendance_and_reminders(client, login_as, make_campaign):
    from tests.forums.test_forums import forum_input

    forum = services.schedule(make_campaign(), forum_input())
    db.session.commit()
    checkin.check_in(register(forum))
    db.session.commit()
    login_as("viewer")
    text = client.get(f"/organize/forums/{forum.slug}").get_data(as_text=True)
    assert "1 of 1 who RSVP'd came (100%)" in text
    assert "24 hours before" in text and "2 hours before" in text
