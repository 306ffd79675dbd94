"""The public meeting page, the campaign page's meetings, the calendar feeds, and the
organizer pages that write meetings, agenda items and votes."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings import services
from campaign.meetings.models import Meeting, MeetingStatus, Vote, VoteChoice
from campaign.officials.models import Body


def points_item(make_agenda_item, **fields):
    return make_agenda_item(
        talking_points="- **Trust** keeps us safe.",
        talking_points_es="- **La confianza** nos protege.",
        title_es="Resolución para terminar el acuerdo 287(g)",
        **fields,
    )


def test_the_meeting_page_shows_the_agreement_items_with_talking_points_in_the_visitors_language(
    client, make_meeting, make_agenda_item
):
    meeting = make_meeting(
        title_es="Junta de Supervisores del condado de Brown", agenda_url="https://example.org/a.pdf"
    )
    make_agenda_item(meeting=meeting, title="Approval of the minutes", concerns_agreement=False, speaker_slots=None)
    points_item(make_agenda_item, meeting=meeting)

    english = client.get(f"/meetings/{meeting.slug}?lang=en")
    page = english.get_data(as_text=True)
    assert english.status_code == 200
    assert meeting.title in page and "Brown County, WI" in page and "6:00" in page
    assert "Resolution to end the 287(g) agreement" in page and "<strong>Trust</strong> keeps us safe." in page
    assert "10 speakers, 3 minutes each" in page and 'href="https://example.org/a.pdf"' in page
    assert "Approval of the minutes" not in page  # not about the agreement
    assert f"/meetings/{meeting.slug}.ics" in page

    spanish = client.get(f"/meetings/{meeting.slug}?lang=es").get_data(as_text=True)
    assert "Junta de Supervisores del condado de Brown" in spanish
    assert "Resolución para terminar el acuerdo 287(g)" in spanish and "<strong>La confianza</strong>" in spanish
    assert "keeps us safe" not in spanish


def test_a_cancelled_meeting_says_so_and_a_past_one_shows_its_outcome_and_votes(
    client, make_meeting, make_agenda_item, make_official
):
    cancelled = make_meeting(status=MeetingStatus.CANCELLED)
    page = client.get(f"/meetings/{cancelled.slug}").get_data(as_text=True)
    assert "This meeting is cancelled." in page

    held = make_meeting(starts_at=utcnow() - timedelta(days=3), outcome="The committee **tabled** it.")
    item = make_agenda_item(meeting=held, result="Tabled 3-2")
    chair = make_official(name="Robert Vang", title="Chair", body=Body.COUNTY_BOARD)
    services.record_vote(item, chair, VoteChoice.NO, None, None)
    services.record_vote(item, chair, VoteChoice.YES, "https://example.org/minutes.pdf", None)
    db.session.commit()
    page = client.get(f"/meetings/{held.slug}").get_data(as_text=True)
    assert "This meeting has taken place." in page and "<strong>tabled</strong>" in page
    assert "Tabled 3-2" in page and "Robert Vang, Chair: <strong>Yes</strong>" in page
    assert "<strong>No</strong>" not in page  # the corrected vote no longer counts


def test_unknown_meetings_and_draft_campaigns_answer_404(client, make_campaign, make_meeting):
    from campaign.campaigns.models import CampaignStatus

    draft = make_meeting(campaign=make_campaign(status=CampaignStatus.DRAFT))
    assert client.get("/meetings/no-such-meeting").status_code == 404
    assert client.get(f"/meetings/{draft.slug}").status_code == 404
    assert client.get(f"/meetings/{draft.slug}.ics").status_code == 404
    assert client.get(f"/c/{draft.campaign.slug}/calendar.ics").status_code == 404


def test_the_campaign_page_lists_upcoming_meetings_and_the_combined_feed(client, login_as, make_meeting):
    coming = make_meeting()
    held = make_meeting(campaign=coming.campaign, starts_at=utcnow() - timedelta(days=3))
    page = client.get(f"/c/{coming.campaign.slug}").get_data(as_text=True)
    assert f"/meetings/{coming.slug}" in page and f"/meetings/{held.slug}" not in page
    assert f"/c/{coming.campaign.slug}/calendar.ics" in page and "New meeting" not in page

    login_as("organizer")
    page = client.get(f"/c/{coming.campaign.slug}").get_data(as_text=True)
    assert f"/meetings/{held.slug}" in page and "New meeting" in page


def test_the_campaign_feed_holds_its_forums_and_meetings_and_the_old_feed_still_works(client, make_meeting, make_forum):
    meeting = make_meeting(agenda_url="https://example.org/agenda.pdf")
    forum = make_forum(campaign=meeting.campaign)
    cancelled = make_meeting(campaign=meeting.campaign, status=MeetingStatus.CANCELLED)
    make_meeting()  # another campaign's

    response = client.get(f"/c/{meeting.campaign.slug}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = {str(event["summary"]): event for event in Calendar.from_ical(response.data).walk("VEVENT")}
    assert set(events) == {meeting.title, forum.title, cancelled.title}
    event = events[meeting.title]
    assert event.decoded("dtstart") == meeting.starts_at and str(event["dtstart"].params["TZID"]) == "America/Chicago"
    assert str(event["location"]) == meeting.place and str(event["status"]) == "CONFIRMED"
    assert f"http://localhost/meetings/{meeting.slug}" in str(event["description"])
    assert str(events[cancelled.title]["status"]) == "CANCELLED"

    [alone] = Calendar.from_ical(client.get(f"/meetings/{meeting.slug}.ics").data).walk("VEVENT")
    assert str(alone["uid"]) == str(event["uid"])
    old = Calendar.from_ical(client.get(f"/c/{meeting.campaign.slug}/forums.ics").data).walk("VEVENT")
    assert [str(each["summary"]) for each in old] == [forum.title]


# --- organizer pages ------------------------------------------------------------------------


MEETING_FORM = {
    "body": "county_board",
    "title": "Brown County Board of Supervisors",
    "starts_at": "2027-01-20T18:00",
    "place": "Northern Building",
    "agenda_url": "https://example.org/agenda.pdf",
    "status": "scheduled",
}


def test_an_organizer_schedules_a_meeting_and_a_bad_link_is_refused_beside_its_field(client, login_as, make_campaign):
    campaign = make_campaign()
    login_as("organizer")
    refused = client.post(
        f"/organize/campaigns/{campaign.slug}/meetings/new", data=MEETING_FORM | {"video_url": "javascript:alert(1)"}
    )
    assert refused.status_code == 422 and "starting with https:// or http://" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0

    saved = client.post(f"/organize/campaigns/{campaign.slug}/meetings/new", data=MEETING_FORM)
    meeting = db.session.scalar(select(Meeting))
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/organize/meetings/{meeting.slug}")
    assert meeting.starts_at.hour == 0  # 6 pm in Green Bay is midnight UTC in January

    edit = client.get(f"/organize/meetings/{meeting.slug}/edit").get_data(as_text=True)
    assert 'value="2027-01-20T18:00"' in edit
    changed = MEETING_FORM | {"status": "cancelled", "outcome": "Postponed by the chair."}
    assert client.post(f"/organize/meetings/{meeting.slug}/edit", data=changed).status_code == 303
    db.session.refresh(meeting)
    assert meeting.status is MeetingStatus.CANCELLED and meeting.outcome == "Postponed by the chair."


def test_viewers_see_the_organizer_pages_but_cannot_write(client, login_as, make_agenda_item):
    item = make_agenda_item()
    login_as("viewer")
    slug = item.meeting.slug
    assert client.get(f"/organize/meetings/{slug}").status_code == 200
    assert client.get(f"/organize/meetings/{slug}/items/{item.id}/votes").status_code == 200
    assert client.get(f"/organize/meetings/{slug}/items/new").status_code == 403
    assert client.post(f"/organize/meetings/{slug}/edit", data=MEETING_FORM).status_code == 403


def test_an_organizer_adds_reorders_items_and_records_votes_with_their_history(
    client, login_as, make_meeting, make_official
):
    meeting = make_meeting()
    chair = make_official(name="Robert Vang", title="Chair", body=Body.COUNTY_BOARD)
    elsewhere = make_official(name="Pat Example", county_fips="04013", body=Body.COUNTY_BOARD)
    login_as("organizer")
    base = f"/organize/meetings/{meeting.slug}"
    item_form = {
        "title": "287(g) resolution",
        "concerns_agreement": "y",
        "speaker_slots": "10",
        "minutes_per_speaker": "3",
    }
    assert client.post(f"{base}/items/new", data=item_form | {"minutes_per_speaker": "11"}).status_code == 422
    assert client.post(f"{base}/items/new", data={"title": "Minutes", "minutes_per_speaker": "3"}).status_code == 303
    assert client.post(f"{base}/items/new", data=item_form).status_code == 303
    db.session.expire_all()
    minutes, resolution = meeting.items
    assert (resolution.speaker_slots, minutes.speaker_slots, minutes.concerns_agreement) == (10, None, False)

    assert client.post(f"{base}/items/{resolution.id}/move", data={"step": "up"}).status_code == 303
    db.session.expire_all()
    assert [item.title for item in meeting.items] == ["287(g) resolution", "Minutes"]

    votes = f"{base}/items/{resolution.id}/votes"
    page = client.get(votes).get_data(as_text=True)
    assert "Robert Vang" in page and "Pat Example" not in page  # only the county's officials
    foreign = client.post(votes, data={"official_id": elsewhere.id, "choice": "yes"})
    assert foreign.status_code == 422 and "county this meeting is in" in foreign.get_data(as_text=True)
    assert client.post(votes, data={"official_id": "999999", "choice": "yes"}).status_code == 404
    assert client.post(votes, data={"official_id": chair.id, "choice": "no"}).status_code == 303
    source = "https://example.org/minutes.pdf"
    assert client.post(votes, data={"official_id": chair.id, "choice": "yes", "source_url": source}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 2

    history = client.get(votes).get_data(as_text=True)
    assert history.count("Robert Vang") >= 3 and "corrected since" in history
    other = make_meeting(campaign=meeting.campaign)
    assert client.get(f"/organize/meetings/{other.slug}/items/{resolution.id}/votes").status_code == 404
