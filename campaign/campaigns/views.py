"""Public campaign pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from campaign.campaigns import services, sharing
from campaign.campaigns.rights import tel_uri
from campaign.core.caching import public_page

bp = Blueprint("campaigns", __name__)


@bp.get("/")
@public_page
def index():
    return render_template("campaigns/index.html", campaigns=services.public_campaigns())


@bp.get("/c/<slug>")
@public_page
def show(slug: str):
    # Organizers may preview a draft at its future address.
    campaign = services.get_campaign(slug, include_drafts=current_user.is_authenticated)
    return render_template("campaigns/show.html", campaign=campaign)


@bp.get("/c/<slug>/rights")
@public_page
def rights(slug: str):
    """Know Your Rights for the campaign's county: its organizers' text (or the general
    one) and its legal-aid partners and hotlines. Nothing on it is collected or tracked."""
    campaign = services.get_campaign(slug, include_drafts=current_user.is_authenticated)
    return render_template("campaigns/rights.html", campaign=campaign, tel_uri=tel_uri)


@bp.get("/know-your-rights")
@public_page
def general_rights():
    return render_template("campaigns/rights.html", campaign=None)


@bp.get("/s/<code>")
def share(code: str):
    """A partner's short link: the action page, with the link's code as its source."""
    link = sharing.find_share_link(code)
    return redirect(url_for(link.target.endpoint, slug=link.target_slug, source=link.code))
