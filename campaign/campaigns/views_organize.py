"""Organizer pages for campaigns and organizations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.agreements.models import Agreement
from campaign.campaigns import services, sharing
from campaign.campaigns.forms import CampaignForm, OrganizationForm, ShareLinkForm
from campaign.campaigns.models import Campaign, CampaignStatus
from campaign.core.forms import BaseForm, submit
from campaign.core.permissions import role_required
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.officials.forms import official_choices

bp = Blueprint("campaigns_organize", __name__, url_prefix="/organize")


def _with_choices(form: CampaignForm) -> CampaignForm:
    organizations = [SelectChoice(org.id, org.name) for org in services.all_organizations()]
    form.organization_id.choices = organizations
    form.partner_ids.choices = organizations
    agreements = db.session.scalars(select(Agreement).order_by(Agreement.state, Agreement.agency))
    form.agreement_id.choices = [SelectChoice(0, _("None yet"))] + [
        SelectChoice(agreement.id, f"{agreement.agency} ({agreement.model.label})") for agreement in agreements
    ]
    form.target_ids.choices = official_choices()
    return form


def _campaign_input(form: CampaignForm) -> services.CampaignInput:
    return services.CampaignInput(
        title=form.title.data,
        title_es=form.title_es.data,
        slug=form.slug.data or "",
        summary=form.summary.data or "",
        summary_es=form.summary_es.data,
        county=form.county.data,
        status=CampaignStatus(form.status.data),
        organization_id=form.organization_id.data,
        agreement_id=form.agreement_id.data or None,
        partner_ids=form.partner_ids.data or [],
        target_ids=form.target_ids.data or [],
    )


def _save_campaign(form: CampaignForm, campaign: Campaign | None):
    def save() -> Campaign:
        data = _campaign_input(form)
        user = current_user._get_current_object()
        return services.update_campaign(campaign, data, user) if campaign else services.create_campaign(data, user)

    saved, status = submit(form, save)
    if saved is not None:
        flash(_("Campaign saved."), "success")
        return redirect(url_for("campaigns.show", slug=saved.slug))
    return render_template("campaigns/organize/form.html", form=form, campaign=campaign), status


@bp.get("/campaigns/")
@role_required(Role.VIEWER)
def campaign_list():
    return render_template("campaigns/organize/list.html", campaigns=services.all_campaigns())


@bp.route("/campaigns/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def campaign_new():
    form = _with_choices(CampaignForm())
    if not form.organization_id.choices:
        flash(_("Add the organization running the campaign first."), "info")
        return redirect(url_for(".organization_new"))
    return _save_campaign(form, None)


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def campaign_edit(slug: str):
    campaign = services.get_campaign(slug, include_drafts=True)
    form = _with_choices(CampaignForm(obj=campaign))
    if not form.is_submitted():
        form.county.data = campaign.county_fips
        form.status.data = campaign.status.value
        form.agreement_id.data = campaign.agreement_id or 0
        form.partner_ids.data = [org.id for org in campaign.partners]
        form.target_ids.data = [official.id for official in campaign.targets]
    return _save_campaign(form, campaign)


@bp.route("/organizations/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def organization_new():
    form = OrganizationForm()
    saved, status = submit(
        form,
        lambda: services.create_organization(
            form.name.data,
            form.slug.data or "",
            description=form.description.data or None,
            website=form.website.data or None,
            email=form.email.data or None,
        ),
    )
    if saved is not None:
        flash(_("Organization saved."), "success")
        return redirect(url_for(".campaign_list"))
    return render_template("campaigns/organize/organization_form.html", form=form), status


def _share_link_form(campaign: Campaign) -> ShareLinkForm:
    form = ShareLinkForm()
    form.target.choices = [
        SelectChoice(item.key, f"{item.target.label}: {item.title}") for item in sharing.shareables(campaign)
    ]
    form.partner.choices = [SelectChoice(0, _("Nobody in particular"))] + [
        SelectChoice(org.id, org.name) for org in [campaign.organization, *campaign.partners]
    ]
    return form


def _share_links_page(campaign: Campaign, form: ShareLinkForm, status: int = 200):
    page = render_template(
        "campaigns/organize/share_links.html",
        campaign=campaign,
        form=form,
        share_url=lambda code: external_url("campaigns.share", code=code),
    )
    return page, status


@bp.get("/campaigns/<slug>/share-links")
@role_required(Role.VIEWER)
def share_links(slug: str):
    """Short links per partner organization; the dashboard counts what each one brought."""
    campaign = services.get_campaign(slug, include_drafts=True)
    return _share_links_page(campaign, _share_link_form(campaign))


@bp.post("/campaigns/<slug>/share-links")
@role_required(Role.ORGANIZER)
def share_link_create(slug: str):
    campaign = services.get_campaign(slug, include_drafts=True)
    form = _share_link_form(campaign)
    created, status = submit(
        form,
        lambda: sharing.create_share_link(
            campaign, form.target.data, form.code.data, form.partner.data or None, form.note.data, current_user
        ),
    )
    if created is None:
        return _share_links_page(campaign, form, status)
    flash(_("Share link /s/%(code)s created.", code=created.code), "success")
    return redirect(url_for(".share_links", slug=campaign.slug))


@bp.post("/campaigns/<slug>/share-links/<int:link_id>/delete")
@role_required(Role.ORGANIZER)
def share_link_delete(slug: str, link_id: int):
    campaign = services.get_campaign(slug, include_drafts=True)
    form = BaseForm()  # the CSRF token
    deleted, status = submit(form, lambda: sharing.delete_share_link(campaign, link_id) or True)
    if deleted is None:
        abort(status if status >= 400 else 400)
    flash(_("Share link deleted. Actions it brought keep their source."), "success")
    return redirect(url_for(".share_links", slug=campaign.slug))
