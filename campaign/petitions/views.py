"""Public petition pages: read, sign, confirm."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from campaign.core.caching import public_page
from campaign.core.i18n import current_language
from campaign.core.tokens import confirmable_page
from campaign.core.urls import external_url
from campaign.people.forms import public_action, submit_identity
from campaign.petitions import counts, services
from campaign.petitions.forms import SignForm
from campaign.petitions.models import Petition
from campaign.petitions.visuals import signatures_map

bp = Blueprint("petitions", __name__)


def _page(petition: Petition, form: SignForm, status: int = 200):
    counts.request_refresh(petition)
    county_rows = counts.county_rows(petition)
    context = {
        "petition": petition,
        "form": form,
        "county_rows": county_rows,
        "county_map": signatures_map(petition.campaign.state, county_rows),
        "recent": services.recent_public_signatures(petition),
        "share_url": external_url("petitions.show", slug=petition.slug),
    }
    return render_template("petitions/show.html", **context), status


@bp.get("/p/<slug>")
@public_page
def show(slug: str):
    petition = services.get_petition(slug, include_drafts=current_user.is_authenticated)
    return _page(petition, SignForm())


@bp.post("/p/<slug>")
@public_action
def sign(slug: str):
    petition = services.get_petition(slug)
    form = SignForm()
    signature, status = submit_identity(form, lambda: services.sign(petition, _signature_input(form)))
    if signature is None:
        return _page(petition, form, status)
    return redirect(url_for("petitions.thanks", slug=petition.slug), code=303)


def _signature_input(form: SignForm) -> services.SignatureInput:
    return services.SignatureInput(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        zip_code=form.zip_code.data,
        county=form.county.data,
        street_address=form.street_address.data,
        phone=form.phone.data,
        comment=form.comment.data,
        show_publicly=form.show_publicly.data,
        email_updates=form.email_updates.data,
        locale=current_language(),
        ip=request.remote_addr,
        referral=form.referral,
    )


@bp.get("/p/<slug>/thanks")
def thanks(slug: str):
    return render_template("petitions/thanks.html", petition=services.get_petition(slug))


@bp.route("/p/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str):
    """GET shows every detail and consent the button will record; only the POST confirms."""
    petition = services.get_petition(slug)
    return confirmable_page(
        "petitions/confirm.html",
        lambda: services.signature_for_token(petition, token),
        lambda _confirmation: services.confirm(petition, token),
        petition=petition,
        total_including=counts.total_including,
        consent_boxes=services.consent_boxes,
    )
