"""A supporter's identity as every action takes it: name, email, ZIP code and county,
and recognising the same person by mailbox and name, whatever way they typed the address."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.core.errors import DomainError, NotFound
from campaign.core.text import clean_control, name_key
from campaign.extensions import db
from campaign.geo.models import County
from campaign.geo.services import ZipLookup, lookup_zip, resolve_county
from campaign.people.models import Person

MAX_NAME = 100
CONSENT_EMAIL_UPDATES = _l("Email me about this campaign.")

# Providers that ignore dots in the local part.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def clean_email(raw: str | None) -> str:
    """A syntactically valid address that mail servers can take (no accents before the @),
    trimmed, domain in lower case; DomainError otherwise."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(_("Enter a valid email address, like name@example.org."), field="email") from None
    if result.smtputf8:  # almost always an accent typed by habit; most mail servers could not deliver it
        raise DomainError(
            _("Check the part before the @: email addresses almost never have accents or ñ (jose@…, not josé@…)."),
            field="email",
        )
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


def person_for(
    email: str, first_name: str, last_name: str, zip_code: str | None, county_fips: str | None, locale: str
) -> Person:
    """The Person this mailbox and name stand for, created when new; safe when two requests
    race (the unique mailbox and name pair decides, the loser reads the winner's row).

    A household sharing one mailbox signs as several people: a new name at the ZIP code of
    someone already on the mailbox is a new Person, up to HOUSEHOLD_LIMIT. Any other new
    name (another ZIP, or the limit reached) is the mailbox's first person, so the action is
    a repeat that only the mailbox can apply: a stranger typing a known address learns
    nothing from the answer either way.
    """
    canonical = normalize_email(email)
    key = name_key(first_name, last_name)
    query = select(Person).where(Person.email_normalized == canonical).order_by(Person.id)
    household = list(db.session.scalars(query))
    same_name = next((person for person in household if person.name_key == key), None)
    if same_name is not None:
        return same_name
    if household:
        at_home = zip_code is not None and any(person.zip_code == zip_code for person in household)
        if not at_home or len(household) >= current_app.config["HOUSEHOLD_LIMIT"]:
            return household[0]
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
        person = db.session.scalar(query.where(Person.name_key == key))
    return person


def clean_line(value: str | None, field: str, max_length: int, required: bool) -> str | None:
    """One line of text: control characters and runs of spaces collapsed, length checked."""
    text = clean_control(value or "", multiline=False)
    text = re.sub(r"\s+", " ", text)
    if not text:
        if required:
            raise DomainError(_("This field is required."), field=field)
        return None
    if len(text) > max_length:
        raise DomainError(_("Use at most %(count)s characters.", count=max_length), field=field)
    return text


def resolve_home_county(zip_code: str, picked: str | None) -> tuple[ZipLookup, County]:
    """The ZIP's county, or the one the person picked from their state's list (a FIPS code,
    or a name such as "Brown County, WI")."""
    place = lookup_zip(zip_code)
    if not (picked or "").strip():
        if place.county is None:
            raise DomainError(_("Choose your county: your ZIP code does not tell us for sure."), field="county")
        return place, place.county
    try:
        county = resolve_county(picked)
    except NotFound as error:
        raise DomainError(error.message, field="county") from None
    if county.state != place.state:
        message = _(
            "%(county)s is not in %(state)s, the state of ZIP code %(zip)s.",
            county=county.label,
            state=place.state,
            zip=place.zip_code,
        )
        raise DomainError(message, field="county")
    return place, county


def consent_record(boxes: list[tuple[str, bool]], locale: str) -> str:
    """The wording the person saw for each box and whether they ticked it, in their language."""
    with force_locale(locale):
        return "\n".join(f"[{'x' if ticked else ' '}] {wording}" for wording, ticked in boxes)
