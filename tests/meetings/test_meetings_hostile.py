"""Dates no meeting has, typed into the meeting form: refused beside the field with a 4xx,
nothing written (9999-12-31 23:59 in Green Bay is year 10000 in UTC, which no datetime can
hold)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.meetings.models import Meeting

FAR_DATES = ["9999-12-31T23:59", "0001-01-01T00:00", "1999-12-31T23:59", "3000-01-01T00:00"]
MESSAGE = "Enter a date between the years 2000 and 2999."


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("when", FAR_DATES)
def test_a_meeting_in_a_year_no_meeting_has_is_refused_beside_its_date(client, login_as, make_campaign, when):
    login_as("organizer")
    campaign = make_campaign()
    data = {"body": "county_board", "title": "Board meeting", "starts_at": when, "status": "scheduled"}
    response = client.post(f"/organize/campaigns/{campaign.slug}/meetings/new", data=data)
    assert response.status_code == 422 and MESSAGE in response.get_data(as_text=True)
    assert count(Meeting) == 0


def test_moving_a_meeting_to_such_a_year_leaves_it_as_it_was(client, login_as, make_meeting):
    login_as("organizer")
    meeting = make_meeting()
    starts_at = meeting.starts_at
    data = {"body": "county_board", "title": meeting.title, "starts_at": FAR_DATES[0], "status": "scheduled"}
    response = client.post(f"/organize/meetings/{meeting.slug}/edit", data=data)
    assert response.status_code == 422 and MESSAGE in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.starts_at == starts_at
