"""Organizer pages that read across areas: the home page, the campaign dashboard and its
county view, and the delivery status page."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from campaign.accounts.models import Role
from campaign.campaigns.services import all_campaigns, get_campaign
from campaign.core.errors import DomainError, NotFound
from campaign.core.permissions import role_required
from campaign.dashboard import figures, visuals
from campaign.extensions import db
from campaign.geo.services import county_zone
from campaign.jobs import services as jobs
from campaign.outbox import services as outbox

bp = Blueprint("dashboard", __name__, url_prefix="/organize")

# An address wherever it appears: a recipient, or inside an SMTP error ("550 <jane@…>: no such user").
EMAIL_IN_TEXT = re.compile(r"([^\s<>@,;:\"'()\[\]]+)@([^\s<>@,;:\"'()\[\]]+)")


@bp.app_template_filter("mask_emails")
def mask_emails(text: str | None) -> str:
    """`text` with each address's name hidden but its first character: j•••@example.org.
    Viewers see the status page to spot trouble, which needs the domain, not the person."""
    return EMAIL_IN_TEXT.sub(lambda match: f"{match.group(1)[0]}•••@{match.group(2)}", text or "")


@bp.get("/")
@role_required(Role.VIEWER)
def home():
    campaigns = all_campaigns()
    zone_of = {campaign.id: county_zone(campaign.county) for campaign in campaigns}
    return render_template(
        "dashboard/home.html",
        campaigns=[
            (campaign, [figures.petition_figures(petition, zone_of[campaign.id]) for petition in campaign.petitions])
            for campaign in campaigns
        ],
        attention=figures.needs_attention(campaigns, len(outbox.failed_messages()) + len(jobs.problem_jobs())),
    )


@bp.get("/campaigns/<slug>")
@role_required(Role.VIEWER)
def campaign(slug: str):
    found = get_campaign(slug, include_drafts=True)
    return render_template(
        "dashboard/campaign.html",
        figures=figures.campaign_figures(found),
        visuals=visuals,
        county_link=lambda fips: url_for(".county", slug=found.slug, fips=fips),
    )


@bp.get("/campaigns/<slug>/counties/<fips>")
@role_required(Role.VIEWER)
def county(slug: str, fips: str):
    return render_template(
        "dashboard/county.html",
        figures=figures.county_figures(get_campaign(slug, include_drafts=True), fips),
        visuals=visuals,
    )


@bp.get("/status")
@role_required(Role.VIEWER)
def status():
    return render_template(
        "dashboard/status.html",
        counts=outbox.status_counts(),
        messages=outbox.failed_messages(),
        jobs=jobs.problem_jobs(),
    )


def _retry(action, done_message: str):
    """Run one retry service, commit, and go back to the status page with what happened."""
    try:
        action()
    except NotFound:
        db.session.rollback()
        raise
    except DomainError:  # sent or taken by a runner since the page was shown
        db.session.rollback()
        flash(_("Nothing to retry: it changed since the page was shown."), "warning")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for(".status"))


@bp.post("/status/messages/<int:message_id>/retry")
@role_required(Role.ORGANIZER)
def retry_message(message_id: int):
    return _retry(lambda: outbox.retry_failed(message_id), _("The message will be sent again."))


@bp.post("/status/jobs/<int:job_id>/retry")
@role_required(Role.ORGANIZER)
def retry_job(job_id: int):
    return _retry(lambda: jobs.retry(job_id), _("The job will run again."))
