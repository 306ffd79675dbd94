"""Share links: /s/<code> opens a petition, pledge or forum with `?source=<code>`, so the
dashboard can say which partner, flyer or post brought each action."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from campaign.campaigns.models import Campaign, Organization, ShareLink, ShareTarget
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import MAX_REFERRAL, clean_referral, slugify
from campaign.extensions import db


@dataclass(frozen=True)
class Shareable:
    """A public action of the campaign a link can open: its kind, slug and title."""

    target: ShareTarget
    slug: str
    title: str

    @property
    def key(self) -> str:
        return f"{self.target.value}:{self.slug}"


def shareables(campaign: Campaign) -> list[Shareable]:
    """The campaign's petitions, pledges and forums (through their backrefs: this area
    sits above them and does not import them)."""
    found = []
    for target, records in (
        (ShareTarget.PETITION, campaign.petitions),
        (ShareTarget.PLEDGE, campaign.pledges),
        (ShareTarget.FORUM, campaign.forums),
    ):
        found += [Shareable(target, record.slug, record.title) for record in records]
    return found


def _free_code(base: str) -> str:
    base = slugify(base, MAX_REFERRAL - 3) or "share"
    for suffix in ["", *(f"-{number}" for number in range(2, 100))]:
        code = base + suffix
        if db.session.scalar(select(ShareLink.id).where(ShareLink.code == code)) is None:
            return code
    raise Conflict(_("Choose a code: every code made from this name is taken."), field="code")


def create_share_link(
    campaign: Campaign, target_key: str, code: str, organization_id: int | None, note: str | None, user
) -> ShareLink:
    chosen = next((item for item in shareables(campaign) if item.key == target_key), None)
    if chosen is None:
        raise DomainError(_("Choose a petition, pledge or forum of this campaign."), field="target")
    partners = {org.id: org for org in [campaign.organization, *campaign.partners]}
    if organization_id and organization_id not in partners:
        raise DomainError(_("Choose the organization running the campaign or one of its partners."), field="partner")
    organization = partners.get(organization_id) if organization_id else None
    typed = (code or "").strip()
    if typed:
        if clean_referral(typed) != typed.lower():
            raise DomainError(
                _("Use 1 to 40 letters, digits, hyphens or underscores, starting and ending with a letter or digit."),
                field="code",
            )
        code = typed.lower()
        if db.session.scalar(select(ShareLink.id).where(ShareLink.code == code)) is not None:
            raise Conflict(_("The code %(code)s is already taken. Choose another.", code=code), field="code")
    else:
        code = _free_code(organization.slug if organization else chosen.slug)
    link = ShareLink(
        campaign=campaign,
        code=code,
        organization=organization,
        target=chosen.target,
        target_slug=chosen.slug,
        note=note or None,
        created_by_id=user.id if user else None,
    )
    db.session.add(link)
    db.session.flush()
    return link


def delete_share_link(campaign: Campaign, link_id: int) -> None:
    """Actions already counted keep their code; the link stops working."""
    link = db.session.get(ShareLink, link_id)
    if link is None or link.campaign_id != campaign.id:
        raise NotFound(_("There is no such share link."))
    db.session.delete(link)


def find_share_link(code: str) -> ShareLink:
    """The link behind /s/<code>, for a public campaign only."""
    cleaned = clean_referral(code)
    link = db.session.scalar(select(ShareLink).where(ShareLink.code == cleaned)) if cleaned else None
    if link is None or not link.campaign.status.is_public:
        raise NotFound(_("There is no share link at this address."))
    return link


def partner_names(campaign: Campaign) -> dict[str, str]:
    """Share link code -> the partner organization it was made for."""
    query = select(ShareLink.code, Organization.name).join(ShareLink.organization)
    return {code: name for code, name in db.session.execute(query.where(ShareLink.campaign_id == campaign.id))}
