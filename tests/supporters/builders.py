"""People and their signatures, commitments and RSVPs written straight to the tables, so a
search or an export test can say by hand what must come back."""

from __future__ import annotations

from datetime import datetime

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP, RSVPStatus
from campaign.people.models import Person
from campaign.people.services import normalize_email
from campaign.petitions.models import Signature, SignatureStatus
from campaign.pledges.models import Commitment, CommitmentStatus

ZIP_OF = {"55009": "54301", "55087": "54911", "27053": "55401"}


def person(email: str | None, first_name: str = "Ana", last_name: str = "Lopez", county: str = "55009") -> Person:
    row = Person(
        email=email,
        email_normalized=normalize_email(email) if email else None,
        first_name=first_name,
        last_name=last_name,
        zip_code=ZIP_OF[county],
        county_fips=county,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _identity(who: Person | None, first_name: str | None, last_name: str | None, county: str) -> dict:
    return {
        "person": who,
        "first_name": first_name or (who.first_name if who else "Paper"),
        "last_name": last_name or (who.last_name if who else "Signer"),
        "zip_code": ZIP_OF[county],
        "county_fips": county,
    }


def sign(
    petition,
    who: Person | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    county: str = "55009",
    status: SignatureStatus = SignatureStatus.CONFIRMED,
    at: datetime | None = None,
    **fields,
) -> Signature:
    at = at or utcnow()
    row = Signature(
        petition=petition,
        **_identity(who, first_name, last_name, county),
        status=status,
        consent_text=fields.pop("consent_text", "[x] Email me about this campaign."),
        created_at=at,
        confirmed_at=at if status is SignatureStatus.CONFIRMED else None,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def commit(
    pledge,
    who: Person,
    county: str = "55009",
    status: CommitmentStatus = CommitmentStatus.CONFIRMED,
    at: datetime | None = None,
    **fields,
) -> Commitment:
    at = at or utcnow()
    row = Commitment(
        pledge=pledge,
        **_identity(who, fields.pop("first_name", None), fields.pop("last_name", None), county),
        status=status,
        consent_text=fields.pop("consent_text", "I will attend."),
        created_at=at,
        confirmed_at=at if status is CommitmentStatus.CONFIRMED else None,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def register(
    forum,
    who: Person | None,
    county: str = "55009",
    status: RSVPStatus = RSVPStatus.GOING,
    at: datetime | None = None,
    **fields,
) -> RSVP:
    row = RSVP(
        forum=forum,
        **_identity(who, fields.pop("first_name", None), fields.pop("last_name", None), county),
        status=status,
        created_at=at or utcnow(),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row
