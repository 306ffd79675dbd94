"""A pledge's written meeting date in a year no meeting has: refused beside the field with a
4xx, nothing written (9999-12-31 23:59 in Green Bay is year 10000 in UTC)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.pledges.models import Pledge
from tests.meetings.test_meetings_hostile import FAR_DATES, MESSAGE


@pytest.mark.parametrize("when", FAR_DATES[:2])
def test_a_pledge_meeting_date_in_such_a_year_is_refused_beside_it(client, login_as, make_campaign, when):
    login_as("organizer")
    campaign = make_campaign()
    data = {
        "title": "Fill the room",
        "kind": "attend_meeting",
        "action": "I will attend.",
        "status": "open",
        "meeting_at": when,
        "forum_id": 0,
        "meeting_id": 0,
        "official_id": 0,
    }
    response = client.post(f"/organize/campaigns/{campaign.slug}/pledges/new", data=data)
    assert response.status_code == 422 and MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0
