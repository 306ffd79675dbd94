"""Builders of the records the accountability pages read: agreements and meetings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaign.agreements.models import Agreement, AgreementModel, AgreementSource, AgreementStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings.models import Meeting
from campaign.officials.models import Body


@pytest.fixture
def make_agreement(app):
    def build(**fields) -> Agreement:
        values = {
            "agency": "Brown County Sheriff's Office",
            "agency_type": "County",
            "state": "WI",
            "county_fips": "55009",
            "model": AgreementModel.WARRANT_SERVICE_OFFICER,
            "status": AgreementStatus.ACTIVE,
            "source": AgreementSource.ICE_LIST,
            "listed": True,
        } | fields
        agreement = Agreement(**values)
        db.session.add(agreement)
        db.session.commit()
        return agreement

    return build


@pytest.fixture
def make_meeting(app, make_campaign):
    counter = iter(range(1, 10_000))

    def build(**fields) -> Meeting:
        number = next(counter)
        values = {
            "slug": f"board-meeting-{number}",
            "body": Body.COUNTY_BOARD,
            "county_fips": "55009",
            "title": f"Brown County Board of Supervisors {number}",
            "starts_at": utcnow() + timedelta(days=10),
        } | fields
        if "campaign" not in values:
            values["campaign"] = make_campaign()
        meeting = Meeting(**values)
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return build
