"""Builders of the records the accountability pages read: agreements and meetings."""

from __future__ import annotations

import pytest

from campaign.agreements.models import Agreement, AgreementModel, AgreementSource, AgreementStatus
from campaign.extensions import db


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
