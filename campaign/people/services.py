"""Recognising a supporter by email, whatever way they typed it."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.core.errors import DomainError
from campaign.extensions import db
from campaign.people.models import Person

# Providers that ignore dots in the local part.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def clean_email(raw: str | None) -> str:
    """A syntactically valid address, trimmed, domain in lower case; DomainError otherwise."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(_("Enter a valid email address, like name@example.org."), field="email") from None
    return result.normalized


def normalize_email(raw: str | None) -> str:
    """The canonical form used to tell if two addresses reach the same mailbox:
    lower case, no +tag, and for Gmail no dots (as the UK petitions site does)."""
    local, _at, domain = clean_email(raw).lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in DOTLESS_DOMAINS:
        domain = "gmail.com"
        local = local.replace(".", "")
    return f"{local}@{domain}"


def find_person(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email_normalized == normalize_email(email)))


def person_for(
    email: str, first_name: str, last_name: str, zip_code: str | None, county_fips: str | None, locale: str
) -> Person:
    """The one Person with this mailbox, created when new; safe when two requests race
    (the unique canonical email decides, the loser reads the winner's row)."""
    canonical = normalize_email(email)
    person = db.session.scalar(select(Person).where(Person.email_normalized == canonical))
    if person is not None:
        return person
    person = Person(
        email=clean_email(email),
        email_normalized=canonical,
        first_name=first_name,
        last_name=last_name,
        zip_code=zip_code,
        county_fips=county_fips,
        locale=locale,
    )
    try:
        with db.session.begin_nested():
            db.session.add(person)
    except IntegrityError:
        person = db.session.scalar(select(Person).where(Person.email_normalized == canonical))
    return person
