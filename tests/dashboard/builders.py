"""Signatures, commitments and RSVPs written straight to the tables, on chosen days and
counties, so a test can count by hand what the dashboard must show."""

from __future__ import annotations

from datetime import datetime

from campaign.extensions import db
from campaign.petitions.models import Signature, SignatureSource, SignatureStatus

_numbers = iter(range(1, 1_000_000))


def add_signatures(
    petition,
    number: int,
    county: str = "55009",
    status: SignatureStatus = SignatureStatus.CONFIRMED,
    at: datetime | None = None,
    referral: str | None = None,
    channel: SignatureSource = SignatureSource.ONLINE,
) -> None:
    for _ in range(number):
        serial = next(_numbers)
        db.session.add(
            Signature(
                petition=petition,
                first_name=f"Signer{serial}",
                last_name="Test",
                zip_code="54301",
                county_fips=county,
                status=status,
                source=channel,
                referral=referral,
                consent_text="test",
                created_at=at,
                confirmed_at=at if status is SignatureStatus.CONFIRMED else None,
            )
        )
    db.session.commit()
