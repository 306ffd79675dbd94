"""Signing, confirming and invalidating signatures; petitions and their counts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from campaign.accounts.audit import Changes
from campaign.accounts.services import record_event
from campaign.campaigns.services import checked_slug
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.forms import MAX_GOAL
from campaign.core.hashing import ip_hash
from campaign.core.text import ascii_int, blank_to_none, clean_control, clean_referral
from campaign.core.tokens import TokenPurpose
from campaign.core.types import utcnow
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.geo.services import resolve_county
from campaign.officials.models import Official
from campaign.outbox.services import enqueue as enqueue_mail
from campaign.people import pending
from campaign.people.models import Person
from campaign.people.services import (
    CONSENT_EMAIL_UPDATES,
    MAX_NAME,
    clean_email,
    clean_line,
    consent_record,
    person_for,
    resolve_home_county,
)
from campaign.petitions.models import FieldRule, Petition, PetitionCounty, PetitionStatus, Signature, SignatureStatus

MAX_COMMENT = 1000
MAX_ADDRESS = 200
CONFIRM_MAX_AGE = 14 * 24 * 3600
CONFIRMATION = TokenPurpose(
    "signature-confirm",
    invalid=_l("This confirmation link is not valid. Sign again to get a new one."),
    expired=_l("This confirmation link has expired. Sign again to get a new one."),
    max_age=CONFIRM_MAX_AGE,
)

CONSENT_SHOW_NAME = _l("Show my first name, last initial and county on the petition page.")


@dataclass
class SignatureInput:
    first_name: str
    last_name: str
    email: str
    zip_code: str
    county: str | None = None  # FIPS code picked when the ZIP does not tell
    street_address: str | None = None
    phone: str | None = None
    comment: str | None = None
    show_publicly: bool = False
    email_updates: bool = False
    locale: str = "en"
    ip: str | None = None
    referral: str | None = None  # the `?source=` code; kept by the first action only


def optional_detail(value: str | None, field: str, max_length: int, rule: FieldRule) -> str | None:
    """A detail the petition asks for; dropped when it does not (collect the minimum)."""
    if rule is FieldRule.OFF:
        return None
    return clean_line(value, field, max_length, required=rule is FieldRule.REQUIRED)


def clean_comment(value: str | None) -> str | None:
    # The one cleaner (a paper import's cells reach here without a form): C1 controls and
    # bidirectional overrides go too, not only C0.
    text = clean_control(value or "", multiline=True).strip()
    if len(text) > MAX_COMMENT:
        raise DomainError(_("Use at most %(count)s characters.", count=MAX_COMMENT), field="comment")
    return text or None


def checked_phone(phone: str | None) -> str | None:
    if phone and not re.fullmatch(r"[0-9+().\- ]{7,40}", phone):
        raise DomainError(_("Enter a phone number with digits only, like (920) 555-0100."), field="phone")
    return phone


def consent_boxes(show_publicly: bool, email_updates: bool) -> list[tuple[str, bool]]:
    """The sign form's boxes as the person saw them, and whether they ticked each: recorded
    with the signature, and shown on the confirmation page before the click."""
    return [(CONSENT_SHOW_NAME, show_publicly), (CONSENT_EMAIL_UPDATES, email_updates)]


def consent_text(show_publicly: bool, email_updates: bool, locale: str) -> str:
    """The wording the person saw for each box and whether they ticked it, in their language."""
    return consent_record(consent_boxes(show_publicly, email_updates), locale)


def sign(petition: Petition, data: SignatureInput) -> Signature:
    """Record a signature (pending until confirmed) and mail the confirmation link.

    A repeat signature answers exactly as a first one, and changes nothing until its mailbox
    proves itself: a pending one gets a link that confirms it with the details just given,
    a confirmed one a note that it is already counted. Nothing tells the page which happened.
    """
    if not petition.is_open:
        raise Conflict(_("This petition is not open for signatures."))
    first_name = clean_line(data.first_name, "first_name", MAX_NAME, required=True)
    last_name = clean_line(data.last_name, "last_name", MAX_NAME, required=True)
    email = clean_email(data.email)
    place, county = resolve_home_county(data.zip_code, data.county)
    street_address = optional_detail(data.street_address, "street_address", MAX_ADDRESS, petition.address_rule)
    phone = checked_phone(optional_detail(data.phone, "phone", 40, petition.phone_rule))
    comment = clean_comment(data.comment)

    person = person_for(email, first_name, last_name, place.zip_code, county.fips, data.locale)
    details = {
        "first_name": first_name,
        "last_name": last_name,
        "zip_code": place.zip_code,
        "city": place.city,
        "county_fips": county.fips,
        "street_address": street_address,
        "phone": phone,
        "comment": comment,
        "show_publicly": data.show_publicly,
        "email_updates": data.email_updates,
        "consent_text": consent_text(data.show_publicly, data.email_updates, data.locale),
        "locale": data.locale,
        "ip_hash": ip_hash(data.ip),
    }
    # The person's own address, not this spelling of it: "ana+1@", "ana+2@" and "a.na@gmail"
    # are one mailbox, which the per-recipient cap on mail must count as one (and a "+tag"
    # address that is in fact someone else's mailbox never receives the link).
    mailbox = person.email
    signature = existing_signature(petition, person)
    if signature is None:
        signature = Signature(
            petition=petition,
            person=person,
            referral=clean_referral(data.referral),
            created_at=utcnow(),
            consented_at=utcnow(),
            **details,
        )
        try:
            with db.session.begin_nested():
                db.session.add(signature)
        except IntegrityError:  # the same person's other tab or double click won the race
            signature = existing_signature(petition, person)
        else:
            _mail_confirmation(signature, mailbox, pending.first_link(CONFIRMATION, signature), details)
            return signature
    if signature.status is SignatureStatus.PENDING:
        _mail_confirmation(signature, mailbox, pending.propose(CONFIRMATION, person, signature.id, details), details)
    elif signature.status is SignatureStatus.CONFIRMED:
        enqueue_mail(mailbox, "petitions/already_signed", _mail_context(signature), signature.locale, throttle=True)
    return signature


def existing_signature(petition: Petition, person: Person) -> Signature | None:
    return db.session.scalar(
        select(Signature).where(Signature.petition_id == petition.id, Signature.person_id == person.id)
    )


def _mail_context(signature: Signature) -> dict:
    petition = signature.petition
    return {
        "signature": signature,
        "petition": petition,
        "petition_url": external_url("petitions.show", slug=petition.slug),
    }


def _mail_confirmation(signature: Signature, email: str, token: str, details: dict) -> None:
    """The link, in the language of the form just sent (a repeat may change it)."""
    link = external_url("petitions.confirm", slug=signature.petition.slug, token=token)
    context = _mail_context(signature) | {"link": link, "days": CONFIRM_MAX_AGE // 86400}
    enqueue_mail(email, "petitions/confirm_signature", context, details["locale"], throttle=True)


def signature_details(signature: Signature) -> dict:
    """What a first confirmation records: the signature as it was given."""
    return {
        "first_name": signature.first_name,
        "last_name": signature.last_name,
        "zip_code": signature.zip_code,
        "city": signature.city,
        "county_fips": signature.county_fips,
        "street_address": signature.street_address,
        "phone": signature.phone,
        "comment": signature.comment,
        "show_publicly": signature.show_publicly,
        "email_updates": signature.email_updates,
    }


def signature_for_token(petition: Petition, token: str) -> pending.Confirmation[Signature]:
    confirmation = pending.load(CONFIRMATION, token, Signature, signature_details)
    if confirmation.record.petition_id != petition.id:
        raise CONFIRMATION.refuse()
    return confirmation


def confirm(petition: Petition, token: str) -> Signature:
    """Count the signature, with the details its link names. Confirming twice is harmless;
    an invalidated signature stays out and keeps what it had."""
    confirmation = signature_for_token(petition, token)
    signature = confirmation.record
    if signature.status is SignatureStatus.INVALIDATED:
        return signature
    pending.apply(confirmation)
    if signature.status is SignatureStatus.PENDING:
        signature.status = SignatureStatus.CONFIRMED
        signature.confirmed_at = utcnow()
    return signature


def get_petition(slug: str, include_drafts: bool = False) -> Petition:
    petition = db.session.scalar(select(Petition).where(Petition.slug == slug))
    if petition is None or (petition.status is PetitionStatus.DRAFT and not include_drafts):
        raise NotFound(_("There is no petition at this address."))
    return petition


@dataclass
class PetitionInput:
    title: str
    ask: str
    slug: str = ""
    title_es: str | None = None
    ask_es: str | None = None
    body: str = ""
    body_es: str | None = None
    cover_letter: str | None = None
    goal: int | None = None
    deadline: datetime | None = None
    status: PetitionStatus = PetitionStatus.DRAFT
    counties: str = ""  # "55009 500" per line
    target_ids: list[int] = field(default_factory=list)
    address_rule: FieldRule = FieldRule.OPTIONAL
    phone_rule: FieldRule = FieldRule.OPTIONAL


def parse_county_lines(text: str) -> list[tuple[str, int | None]]:
    """ "55009 500" / "Brown County, WI 500" / "55009" lines into (FIPS, goal) pairs."""
    entries: dict[str, int | None] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, number = _split_goal(line)
        county = resolve_county(name)
        goal = ascii_int(number, 1, MAX_GOAL) if number else None
        if number and goal is None:
            message = _("A county goal must be from 1 to %(max)s.", max=format_number(MAX_GOAL))
            raise DomainError(message, field="counties")
        entries[county.fips] = goal
    return list(entries.items())


def _split_goal(line: str) -> tuple[str, str | None]:
    """("Brown County, WI", "500") from "Brown County, WI: 500": the digits that end the line
    after a space (and an optional = or :) are the goal. String operations, not a regex: the
    pattern this replaces backtracked in cubic time on a line of spaces (5,000 characters of
    the form kept a worker busy for minutes)."""
    head = line.rstrip("0123456789")
    number = line[len(head) :]
    name = head.rstrip()
    if not number or name == head:  # no goal, or digits glued to the name ("55009")
        return line, None
    if name[-1] in "=:":
        name = name[:-1].rstrip()
    return (name, number) if name else (line, None)


def save_petition(campaign, data: PetitionInput, petition: Petition | None = None, user=None) -> Petition:
    """Create or change a petition's settings; the audit log names, by `user`, the fields
    changed (never their values)."""
    # Every lookup first: a new petition joins the session only once it is complete.
    slug = checked_slug(data.slug, data.title, Petition, current_id=petition.id if petition else None)
    try:
        counties = parse_county_lines(data.counties)
    except NotFound as error:
        raise DomainError(error.message, field="counties") from None
    targets = list(db.session.scalars(select(Official).where(Official.id.in_(data.target_ids or [0]))))

    petition = petition or Petition(campaign=campaign)
    changes = Changes(petition, "targets", "counties")
    petition.slug = slug
    petition.title = data.title.strip()
    petition.title_es = blank_to_none(data.title_es)
    petition.ask = data.ask.strip()
    petition.ask_es = blank_to_none(data.ask_es)
    petition.body = data.body or ""
    petition.body_es = blank_to_none(data.body_es)
    petition.cover_letter = blank_to_none(data.cover_letter)
    petition.goal = data.goal
    petition.deadline = data.deadline
    petition.status = data.status
    petition.address_rule = data.address_rule
    petition.phone_rule = data.phone_rule
    petition.targets = targets
    # Entries kept are updated in place: replacing them would insert before deleting.
    existing = {entry.county_fips: entry for entry in petition.counties}
    petition.counties = [
        _county_entry(existing.get(fips) or PetitionCounty(county_fips=fips, is_target=True), goal)
        for fips, goal in counties
    ]
    db.session.add(petition)
    db.session.flush()
    record_event(user, "petition_saved", petition=petition.slug, **changes.details())
    return petition


def _county_entry(entry: PetitionCounty, goal: int | None) -> PetitionCounty:
    entry.goal = goal
    return entry


def petitions_of(campaign) -> list[Petition]:
    return list(db.session.scalars(select(Petition).where(Petition.campaign_id == campaign.id).order_by(Petition.id)))


def recent_public_signatures(petition: Petition, limit: int = 10) -> list[Signature]:
    """The latest confirmed signers who chose to be shown (served by ix_signatures_recent)."""
    query = (
        select(Signature)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.show_publicly.is_(True),
        )
        .order_by(Signature.confirmed_at.desc())
        .limit(limit)
        .options(joinedload(Signature.county))
    )
    return list(db.session.scalars(query))
