"""Builders of a meeting of the county board and an item on its agenda, for every test
(tests/conftest.py loads them as a plugin)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaign.extensions import db


@pytest.fixture
def make_meeting(app, make_campaign):
    """A Brown County Board meeting twelve days from now at 6 pm in Green Bay (America/Chicago)."""
    from campaign.core.types import utcnow
    from campaign.meetings.models import Meeting
    from campaign.officials.models import Body

    counter = iter(range(1, 10_000))

    def build(**fields) -> Meeting:
        number = next(counter)
        zone = ZoneInfo("America/Chicago")
        day = (utcnow() + timedelta(days=12)).astimezone(zone).date()
        values = {
            "slug": f"test-meeting-{number}",
            "body": Body.COUNTY_BOARD,
            "county_fips": "55009",
            "title": f"Brown County Board of Supervisors {number}",
            "starts_at": datetime.combine(day, time(18, 0), tzinfo=zone),
            "place": "Northern Building, 305 E. Walnut St., Green Bay",
        } | fields
        if "campaign" not in values:
            values["campaign"] = make_campaign()
        meeting = Meeting(**values)
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return build


@pytest.fixture
def make_agenda_item(app, make_meeting):
    """An item about the 287(g) agreement taking public comment: 10 speakers, 3 minutes each."""
    from campaign.meetings.models import AgendaItem

    def build(**fields) -> AgendaItem:
        values = {
            "number": "7.b",
            "title": "Resolution to end the 287(g) agreement",
            "concerns_agreement": True,
            "speaker_slots": 10,
            "minutes_per_speaker": 3,
        } | fields
        if "meeting" not in values:
            values["meeting"] = make_meeting()
        item = AgendaItem(**values)
        db.session.add(item)
        db.session.commit()
        return item

    return build
