"""Public pledge pages: read, commit, confirm, report "I did it"."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from campaign.core.errors import DomainError
from campaign.core.i18n import current_language, wall_clock
from campaign.core.limits import limit_actions
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.people.forms import public_action_limit, submit_identity
from campaign.pledges import fulfilment, services
from campaign.pledges.forms import CommitForm
from campaign.pledges.models import Pledge
from campaign.pledges.notices import report_token

bp = Blueprint("pledges", __name__)


@bp.app_template_filter("pledge_time")
def pledge_time(pledge: Pledge) -> str:
    """When the pledge's action happens, on the wall clock where it happens."""
    return wall_clock(pledge.happens_at, services.pledge_zone(pledge))


def _page(pledge: Pledge, form: CommitForm, status: int = 200):
    context = {
        "pledge": pledge,
        "form": form,
        "progress": fulfilment.report(pledge),
        "share_url": external_url("pledges.show", slug=pledge.slug),
    }
    return render_template("pledges/show.html", **context), status


@bp.get("/pledges/<slug>")
def show(slug: str):
    pledge = services.get_pledge(slug, include_drafts=current_user.is_authenticated)
    return _page(pledge, CommitForm())


@bp.post("/pledges/<slug>")
@limit_actions(public_action_limit)
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
    )


@bp.get("/pledges/<slug>/thanks")
def thanks(slug: str):
    return render_template("pledges/thanks.html", pledge=services.get_pledge(slug))


@bp.route("/pledges/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str):
    """GET shows a button and changes nothing: mail scanners open every link first."""
    pledge = services.get_pledge(slug)
    try:
        commitment = services.commitment_for_token(pledge, token)
    except DomainError as error:
        return render_template("pledges/confirm.html", pledge=pledge, invalid=error.message), 400
    if request.method == "POST":
        services.confirm(pledge, token)
        db.session.commit()
        return render_template(
            "pledges/confirmed.html",
            pledge=pledge,
            commitment=commitment,
            report_url=url_for(".report_done", slug=pledge.slug, token=report_token(commitment)),
            committed=services.confirmed_count(pledge),
        )
    return render_template("pledges/confirm.html", pledge=pledge, commitment=commitment, invalid=None)


@bp.route("/pledges/<slug>/done/<token>", methods=["GET", "POST"])
def report_done(slug: str, token: str):
    """The person's "I did it": GET asks, POST records."""
    pledge = services.get_pledge(slug)
    try:
        commitment = services.commitment_for_report(pledge, token)
    except DomainError as error:
        return render_template("pledges/done.html", pledge=pledge, invalid=error.message), 400
    if request.method == "POST":
        services.report_done(pledge, token)
        db.session.commit()
    return render_template("pledges/done.html", pledge=pledge, commitment=commitment, invalid=None)
