"""Signatures from paper sheets, one at a time (the typed-in form, and each CSV row).

A paper signature counts at once (the ink is the confirmation) and is matched against the
petition's other signatures first: by email when the sheet has one, else by the same name
at the same ZIP code. A match is merged, so nobody is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.core.errors import Conflict, DomainError
from campaign.core.text import blank_to_none, name_key
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.people.services import (
    CONSENT_EMAIL_UPDATES,
    MAX_NAME,
    clean_email,
    clean_line,
    consent_record,
    person_for,
    resolve_home_county,
)
from campaign.petitions import services as petitions
from campaign.petitions.models import (
    Petition,
    PetitionStatus,
    RowOutcome,
    Signature,
    SignatureSource,
    SignatureStatus,
)

MAX_SHEET = 1_000_000
# Sheets are often typed in after the deadline; a delivered petition's packets are printed.
PAPER_STATUSES = (PetitionStatus.OPEN, PetitionStatus.CLOSED)


@dataclass
class PaperSignatureInput:
    first_name: str
    last_name: str
    zip_code: str
    county: str | None = None  # FIPS or "Brown County, WI", when the ZIP spans counties
    email: str | None = None
    street_address: str | None = None
    phone: str | None = None
    comment: str | None = None
    email_updates: bool = False
    signed_on: date | None = None
    sheet_number: int | None = None


@dataclass(frozen=True)
class PaperResult:
    outcome: RowOutcome
    signature: Signature | None
    message: str


def check_open_to_paper(petition: Petition) -> None:
    if petition.status not in PAPER_STATUSES:
        raise Conflict(_("Paper signatures can be added to an open or closed petition, not a draft or delivered one."))


def _signed_at(data: PaperSignatureInput, default: datetime | None, now: datetime) -> datetime:
    if data.signed_on is None:
        return min(default or now, now)
    if data.signed_on > now.date():
        raise DomainError(_("The date signed cannot be in the future."), field="signed_on")
    return datetime.combine(data.signed_on, time(12), tzinfo=UTC)


def add_paper_signature(
    petition: Petition,
    data: PaperSignatureInput,
    *,
    forum_id: int | None = None,
    default_signed_at: datetime | None = None,
    entered_by_id: int | None = None,
    now: datetime | None = None,
) -> PaperResult:
    """Add one signature from a sheet, or merge it with the same person's signature.
    Refused input raises DomainError (field-level) and writes nothing."""
    now = now or utcnow()
    check_open_to_paper(petition)
    first_name = clean_line(data.first_name, "first_name", MAX_NAME, required=True)
    last_name = clean_line(data.last_name, "last_name", MAX_NAME, required=True)
    email = clean_email(data.email) if blank_to_none(data.email) else None
    place, county = resolve_home_county(data.zip_code, data.county)
    street_address = petitions.optional_detail(
        data.street_address, "street_address", petitions.MAX_ADDRESS, petition.address_rule
    )
    phone = petitions.checked_phone(petitions.optional_detail(data.phone, "phone", 40, petition.phone_rule))
    comment = petitions.clean_comment(data.comment)
    if data.sheet_number is not None and not 0 < data.sheet_number <= MAX_SHEET:
        raise DomainError(_("A sheet number is a whole number from 1."), field="sheet_number")
    signed_at = _signed_at(data, default_signed_at, now)
    key = name_key(first_name, last_name)

    person = person_for(email, first_name, last_name, place.zip_code, county.fips, "en") if email else None
    same_name = select(Signature).where(
        Signature.petition_id == petition.id,
        Signature.zip_code == place.zip_code,
        Signature.name_key == key,
        Signature.status != SignatureStatus.INVALIDATED,
    )
    existing = petitions.existing_signature(petition, person) if person else None
    existing = existing or db.session.scalars(same_name.order_by(Signature.id).limit(1)).first()
    if existing is not None:
        if existing.status is SignatureStatus.PENDING:
            # Never proven, so anyone could have typed it with this email or name: the ink
            # confirms what is on the sheet, not the name, comment or boxes typed online.
            existing.person = person
            existing.first_name, existing.last_name, existing.comment = first_name, last_name, comment
            existing.zip_code, existing.city, existing.county_fips = place.zip_code, place.city, county.fips
            existing.street_address, existing.phone, existing.show_publicly = street_address, phone, False
            existing.email_updates = data.email_updates and person is not None
            existing.consent_text, existing.consented_at = _paper_consent(existing.email_updates), signed_at
        return _merge(existing, person, forum_id, data.sheet_number, signed_at, entered_by_id, now)

    signature = Signature(
        petition=petition,
        person=person,
        status=SignatureStatus.CONFIRMED,
        source=SignatureSource.PAPER,
        first_name=first_name,
        last_name=last_name,
        zip_code=place.zip_code,
        city=place.city,
        county_fips=county.fips,
        street_address=street_address,
        phone=phone,
        comment=comment,
        show_publicly=False,
        email_updates=data.email_updates and person is not None,
        consent_text=_paper_consent(data.email_updates and person is not None),
        consented_at=signed_at,
        locale="en",
        created_at=signed_at,
        confirmed_at=now,
        forum_id=forum_id,
        sheet_number=data.sheet_number,
        entered_by_id=entered_by_id,
    )
    try:
        if person is None:  # nothing unique to collide on: no savepoint needed
            db.session.add(signature)
        else:
            with db.session.begin_nested():
                db.session.add(signature)
    except IntegrityError:  # the same person signed online in the meantime
        existing = petitions.existing_signature(petition, person)
        return _merge(existing, person, forum_id, data.sheet_number, signed_at, entered_by_id, now)
    added = _("Added: %(name)s, %(county)s.", name=signature.public_name, county=county.label)
    return PaperResult(RowOutcome.ACCEPTED, signature, added)


def _paper_consent(email_updates: bool) -> str:
    with force_locale("en"):
        note = _("Signed on paper: the wording printed on the sheet applies.")
    return f"{note}\n{consent_record([(CONSENT_EMAIL_UPDATES, email_updates)], 'en')}"


def _merge(existing: Signature, person, forum_id, sheet_number, signed_at, entered_by_id, now) -> PaperResult:
    """The person has signed already. A confirmed or paper signature stays as it is; an
    online one still waiting for its email confirmation is confirmed by the ink."""
    if existing.status is SignatureStatus.INVALIDATED:
        return PaperResult(
            RowOutcome.REJECTED,
            existing,
            _(
                "This person's signature #%(id)s was invalidated by an organizer: restore it if this sheet is good.",
                id=existing.id,
            ),
        )
    if existing.status is SignatureStatus.PENDING:
        existing.status, existing.confirmed_at = SignatureStatus.CONFIRMED, now
        existing.source, existing.forum_id, existing.sheet_number = SignatureSource.PAPER, forum_id, sheet_number
        existing.created_at = min(existing.created_at, signed_at)
        existing.entered_by_id = entered_by_id
        db.session.flush()
        return PaperResult(
            RowOutcome.MERGED,
            existing,
            _(
                "Merged: confirms online signature #%(id)s, which was waiting for its email confirmation.",
                id=existing.id,
            ),
        )
    how = _("on paper") if existing.source is SignatureSource.PAPER else _("online")
    match = _("same email") if person is not None and existing.person_id == person.id else _("same name and ZIP code")
    return PaperResult(
        RowOutcome.MERGED,
        existing,
        _("Merged: already signed %(how)s as #%(id)s (%(match)s); counted once.", how=how, id=existing.id, match=match),
    )


def petitions_taking_paper(campaign) -> list[Petition]:
    query = select(Petition).where(Petition.campaign_id == campaign.id, Petition.status.in_(PAPER_STATUSES))
    return list(db.session.scalars(query.order_by(Petition.id)))


def recent_paper_signatures(forum_id: int, limit: int = 10) -> list[Signature]:
    """What was typed in last from this forum's sheets, for the person typing to check."""
    query = select(Signature).where(Signature.forum_id == forum_id, Signature.source == SignatureSource.PAPER)
    return list(db.session.scalars(query.order_by(Signature.id.desc()).limit(limit)))
