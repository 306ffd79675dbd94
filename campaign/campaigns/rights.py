"""Know Your Rights: the text a campaign's organizers write (English and Spanish Markdown)
and the legal-aid partners and hotlines listed with it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign.accounts.audit import Changes
from campaign.accounts.services import record_event
from campaign.campaigns.models import Campaign, Helpline
from campaign.core.errors import DomainError, NotFound
from campaign.core.ordering import move
from campaign.core.text import blank_to_none, clean_control
from campaign.core.urls import web_link
from campaign.extensions import db

MAX_RIGHTS = 20_000
MAX_HELPLINES = 30
# Digits, a leading +, and the spaces, dots, hyphens and brackets people write numbers with.
PHONE = re.compile(r"\+?[0-9().\- ]{3,39}")
LIMITS = {"name": 200, "phone": 40, "website": 255, "hours": 200, "languages": 200}
DESCRIPTION_LIMIT = 500


def save_rights(campaign: Campaign, rights: str | None, rights_es: str | None, user=None) -> Campaign:
    """The campaign's own Know Your Rights text; both empty: the page shows the general text."""
    changes = Changes(campaign)
    for field, value in (("rights", rights), ("rights_es", rights_es)):
        text = blank_to_none(clean_control(value, multiline=True))
        if text and len(text) > MAX_RIGHTS:
            raise DomainError(_("Use at most %(count)s characters.", count=MAX_RIGHTS), field)
        setattr(campaign, field, text)
    db.session.flush()
    record_event(user, "rights_saved", campaign=campaign.slug, **changes.details())
    return campaign


@dataclass
class HelplineInput:
    name: str
    phone: str | None = None
    website: str | None = None
    hours: str | None = None
    languages: str | None = None
    description: str | None = None
    description_es: str | None = None


def clean_phone(raw: str | None) -> str | None:
    """A phone number as people read it ("(920) 555-0100", "211", "+1 920 555 0100"), spaces
    collapsed; None when empty. Letters and other signs are refused."""
    value = " ".join((raw or "").split())
    if not value:
        return None
    digits = re.sub(r"[^0-9]", "", value)
    if not PHONE.fullmatch(value) or not 3 <= len(digits) <= 20:
        raise DomainError(_("Enter a phone number with digits only, like (920) 555-0100."), "phone")
    return value


def tel_uri(phone: str) -> str:
    """The tel: link of a phone number as kept: "(920) 555-0100" -> "tel:9205550100"."""
    return "tel:" + ("+" if phone.startswith("+") else "") + re.sub(r"[^0-9]", "", phone)


def _line(value: str | None, field: str, limit: int) -> str | None:
    text = blank_to_none(clean_control(value, multiline=False))
    if text and len(text) > limit:
        raise DomainError(_("Use at most %(count)s characters.", count=limit), field)
    return text


def _apply(helpline: Helpline, data: HelplineInput) -> Helpline:
    name = _line(data.name, "name", LIMITS["name"])
    if not name:
        raise DomainError(_("Give the name of the organization or hotline."), "name")
    phone = clean_phone(data.phone)
    website = web_link(data.website, "website", LIMITS["website"])
    if not phone and not website:
        raise DomainError(_("Give a phone number or a website, so people can reach them."), "phone")
    helpline.name, helpline.phone, helpline.website = name, phone, website
    helpline.hours = _line(data.hours, "hours", LIMITS["hours"])
    helpline.languages = _line(data.languages, "languages", LIMITS["languages"])
    helpline.description = _line(data.description, "description", DESCRIPTION_LIMIT)
    helpline.description_es = _line(data.description_es, "description_es", DESCRIPTION_LIMIT)
    return helpline


def add_helpline(campaign: Campaign, data: HelplineInput, user=None) -> Helpline:
    count, last = db.session.execute(
        select(func.count(Helpline.id), func.max(Helpline.position)).where(Helpline.campaign_id == campaign.id)
    ).one()
    if count >= MAX_HELPLINES:
        raise DomainError(_("A campaign lists at most %(count)s helplines.", count=MAX_HELPLINES))
    helpline = _apply(Helpline(campaign=campaign, position=(last or 0) + 1), data)
    db.session.add(helpline)
    db.session.flush()
    record_event(user, "helpline_saved", campaign=campaign.slug, helpline=helpline.id, created=True)
    return helpline


def update_helpline(helpline: Helpline, data: HelplineInput, user=None) -> Helpline:
    changes = Changes(helpline)
    _apply(helpline, data)
    db.session.flush()
    record_event(user, "helpline_saved", campaign=helpline.campaign.slug, helpline=helpline.id, **changes.details())
    return helpline


def delete_helpline(helpline: Helpline, user=None) -> None:
    campaign, helpline_id = helpline.campaign, helpline.id
    db.session.delete(helpline)
    db.session.flush()
    record_event(user, "helpline_deleted", campaign=campaign.slug, helpline=helpline_id)


def move_helpline(helpline: Helpline, up: bool) -> None:
    """Swap the helpline with its neighbour above (or below); at the end it stays. The positions
    are renumbered 1, 2, 3... in the new order."""
    helplines = db.session.scalars(
        select(Helpline)
        .where(Helpline.campaign_id == helpline.campaign_id)
        .order_by(Helpline.position, Helpline.id)
        .with_for_update()  # two organizers moving helplines of one campaign take turns
    )
    move(list(helplines), helpline, -1 if up else 1)
    db.session.flush()


def get_helpline(campaign: Campaign, helpline_id: int) -> Helpline:
    helpline = db.session.get(Helpline, helpline_id)
    if helpline is None or helpline.campaign_id != campaign.id:
        raise NotFound(_("There is no such helpline."))
    return helpline
