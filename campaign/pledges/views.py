"""Public pledge pages: read, commit, confirm, report "I did it"."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from campaign.core.caching import public_page
from campaign.core.i18n import current_language, wall_clock
from campaign.core.tokens import confirmable_page
from campaign.core.urls import external_url
from campaign.people.forms import public_action, submit_identity
from campaign.pledges import fulfilment, services
from campaign.pledges.forms import CommitForm
from campaign.pledges.models import Pledge
from campaign.pledges.notices import report_token
from campaign.pledges.visuals import commitments_map

bp = Blueprint("pledges", __name__)


@bp.app_template_filter("pledge_time")
def pledge_time(pledge: Pledge) -> str:
    """When the pledge's action happens, on the wall clock where it happens."""
    return wall_clock(pledge.happens_at, services.pledge_zone(pledge))


@bp.app_template_global("pledges_for_meeting")
def pledges_for_meeting(meeting) -> list[Pledge]:
    """For the meeting page (an area above this one): the public pledges that target it."""
    return services.pledges_for_meeting(meeting)


def _page(pledge: Pledge, form: CommitForm, status: int = 200):
    progress = fulfilment.report(pledge)
    context = {
        "pledge": pledge,
        "form": form,
        "progress": progress,
        "county_map": commitments_map(pledge, progress),
        "share_url": external_url("pledges.show", slug=pledge.slug),
    }
    return render_template("pledges/show.html", **context), status


@bp.get("/pledges/<slug>")
@public_page
def show(slug: str):
    pledge = services.get_pledge(slug, include_drafts=current_user.is_authenticated)
    return _page(pledge, CommitForm())


@bp.post("/pledges/<slug>")
@public_action
def commit(slug: str):
    pledge = services.get_pledge(slug)
    form = CommitForm()
    commitment, status = submit_identity(form, lambda: services.commit(pledge, _commitment_input(form)))
    if commitment is None:
        return _page(pledge, form, status)
    return redirect(url_for("pledges.thanks", slug=pledge.slug), code=303)


def _commitment_input(form: CommitForm) -> services.CommitmentInput:
    return services.CommitmentInput(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        zip_code=form.zip_code.data,
        county=form.county.data,
        email_updates=form.email_updates.data,
        locale=current_language(),
        referral=form.referral,
    )


@bp.get("/pledges/<slug>/thanks")
def thanks(slug: str):
    return render_template("pledges/thanks.html", pledge=services.get_pledge(slug))


@bp.route("/pledges/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str):
    """GET shows every detail and consent the button will record; only the POST confirms."""
    pledge = services.get_pledge(slug)

    def confirmed(_confirmation) -> dict:
        commitment = services.confirm(pledge, token)
        return {
            "commitment": commitment,
            "committed": services.confirmed_count(pledge),
            "report_url": url_for(".report_done", slug=pledge.slug, token=report_token(commitment)),
        }

    return confirmable_page(
        "pledges/confirm.html",
        lambda: services.commitment_for_token(pledge, token),
        confirmed,
        pledge=pledge,
        consent_boxes=services.consent_boxes,
    )


@bp.route("/pledges/<slug>/done/<token>", methods=["GET", "POST"])
def report_done(slug: str, token: str):
    """The person's "I did it": GET asks, POST records."""
    pledge = services.get_pledge(slug)
    return confirmable_page(
        "pledges/done.html",
        lambda: services.commitment_for_report(pledge, token),
        lambda _commitment: services.report_done(pledge, token),
        pledge=pledge,
    )
