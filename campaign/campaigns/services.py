"""Creating and reading campaigns and organizations."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from campaign.accounts.audit import Changes
from campaign.accounts.services import record_event
from campaign.agreements.models import Agreement
from campaign.campaigns.models import Campaign, CampaignStatus, Organization
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import SLUG_PATTERN, blank_to_none, slugify
from campaign.extensions import db
from campaign.geo.services import resolve_county
from campaign.officials.models import Official


@dataclass
class CampaignInput:
    title: str
    county: str  # FIPS code or "Brown County, WI"
    organization_id: int
    summary: str = ""
    slug: str = ""
    title_es: str | None = None
    summary_es: str | None = None
    status: CampaignStatus = CampaignStatus.DRAFT
    agreement_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    target_ids: list[int] = field(default_factory=list)


def checked_slug(slug: str, fallback: str, model, current_id: int | None = None) -> str:
    value = (slug or "").strip().lower() or slugify(fallback)
    if not SLUG_PATTERN.match(value):
        raise DomainError(_("Use only lower-case letters, digits and hyphens."), field="slug")
    taken = db.session.scalar(select(model.id).where(model.slug == value, model.id != current_id))
    if taken is not None:
        raise Conflict(_("The address %(slug)s is already taken. Choose another.", slug=value), field="slug")
    return value


def _apply(campaign: Campaign, data: CampaignInput) -> Campaign:
    county = resolve_county(data.county)
    organization = db.session.get(Organization, data.organization_id)
    if organization is None:
        raise NotFound(_("Choose the organization running the campaign."), field="organization_id")
    agreement = db.session.get(Agreement, data.agreement_id) if data.agreement_id else None
    if agreement is not None and agreement.state != county.state:
        raise DomainError(_("The agreement is in another state than the campaign's county."), field="agreement_id")
    partners = _all_by_id(Organization, data.partner_ids, "partner_ids")
    if organization in partners:
        partners.remove(organization)

    campaign.title = data.title.strip()
    campaign.title_es = blank_to_none(data.title_es)
    campaign.summary = data.summary or ""
    campaign.summary_es = blank_to_none(data.summary_es)
    campaign.state = county.state
    campaign.county_fips = county.fips
    campaign.status = data.status
    campaign.organization = organization
    campaign.agreement = agreement
    campaign.partners = partners
    campaign.targets = _all_by_id(Official, data.target_ids, "target_ids")
    return campaign


def _all_by_id(model, ids: list[int], field_name: str) -> list:
    wanted = set(ids)
    if not wanted:
        return []
    found = list(db.session.scalars(select(model).where(model.id.in_(wanted))))
    if len(found) != len(wanted):
        raise NotFound(_("One of the chosen entries no longer exists."), field=field_name)
    return found


def create_campaign(data: CampaignInput, user=None) -> Campaign:
    """A new campaign, in the audit log by `user` (the organizer saving it)."""
    campaign = Campaign(slug=checked_slug(data.slug, data.title, Campaign))
    _apply(campaign, data)
    db.session.add(campaign)
    db.session.flush()
    record_event(user, "campaign_saved", campaign=campaign.slug, created=True)
    return campaign


def update_campaign(campaign: Campaign, data: CampaignInput, user=None) -> Campaign:
    """Change a campaign; the audit log names the fields changed (never their values)."""
    changes = Changes(campaign, "partners", "targets")
    campaign.slug = checked_slug(data.slug, data.title, Campaign, current_id=campaign.id)
    _apply(campaign, data)
    db.session.flush()
    record_event(user, "campaign_saved", campaign=campaign.slug, **changes.details())
    return campaign


def create_organization(name: str, slug: str = "", **details) -> Organization:
    organization = Organization(name=name.strip(), slug=checked_slug(slug, name, Organization), **details)
    db.session.add(organization)
    db.session.flush()
    return organization


def public_campaigns(county_fips: str | None = None) -> list[Campaign]:
    query = select(Campaign).where(Campaign.status != CampaignStatus.DRAFT)
    if county_fips:
        query = query.where(Campaign.county_fips == county_fips)
    # Active campaigns first, then the newest.
    return list(
        db.session.scalars(query.order_by(Campaign.status != CampaignStatus.ACTIVE, Campaign.created_at.desc()))
    )


def get_campaign(slug: str, include_drafts: bool = False) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None or (campaign.status is CampaignStatus.DRAFT and not include_drafts):
        raise NotFound(_("There is no campaign at this address."))
    return campaign


def all_campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc())))


def all_organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.name)))
