"""Public petition pages: read, sign, confirm."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.core.errors import DomainError, attach_to_form
from campaign.core.i18n import current_language
from campaign.core.urls import external_url
from campaign.extensions import db, limiter
from campaign.people.forms import offer_counties
from campaign.petitions import counts, services
from campaign.petitions.forms import SignForm
from campaign.petitions.models import Petition

bp = Blueprint("petitions", __name__)


def _page(petition: Petition, form: SignForm, status: int = 200):
    counts.request_refresh(petition)
    context = {
        "petition": petition,
        "form": form,
        "county_rows": counts.county_rows(petition),
        "recent": services.recent_public_signatures(petition),
        "share_url": external_url("petitions.show", slug=petition.slug),
    }
    return render_template("petitions/show.html", **context), status


@bp.get("/p/<slug>")
def show(slug: str):
    petition = services.get_petition(slug, include_drafts=current_user.is_authenticated)
    return _page(petition, SignForm())


def _sign_limit() -> str:
    return current_app.config["SIGN_RATE_LIMIT"]


def _only_accepted(response) -> bool:
    """Only signatures taken count towards the limit: a typo costs nobody their turn."""
    return response.status_code == 303


@bp.post("/p/<slug>")
@limiter.limit(_sign_limit, deduct_when=_only_accepted)
def sign(slug: str):
    petition = services.get_petition(slug)
    form = SignForm()
    if form.looks_automated:
        form.form_errors.append(_("This form was filled in a way that looks automated. Please try again."))
        return _page(petition, form, 400)
    if not form.validate():
        offer_counties(form)
        return _page(petition, form, 422)
    data = services.SignatureInput(
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
    )
    try:
        services.sign(petition, data)
    except DomainError as error:
        db.session.rollback()
        attach_to_form(form, error)
        offer_counties(form)
        return _page(petition, form, error.status_code)
    db.session.commit()
    return redirect(url_for("petitions.thanks", slug=petition.slug), code=303)


@bp.get("/p/<slug>/thanks")
def thanks(slug: str):
    return render_template("petitions/thanks.html", petition=services.get_petition(slug))


@bp.route("/p/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str):
    """GET shows a button and changes nothing: mail scanners open every link first."""
    petition = services.get_petition(slug)
    try:
        signature = services.signature_for_token(petition, token)
    except DomainError as error:
        return render_template("petitions/confirm.html", petition=petition, invalid=error.message), 400
    if request.method == "POST":
        services.confirm(petition, token)
        db.session.commit()
        return render_template("petitions/confirmed.html", petition=petition, signature=signature)
    return render_template("petitions/confirm.html", petition=petition, signature=signature, invalid=None)
