"""Organizer pages: create and edit petitions, review and invalidate signatures."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from campaign.accounts.models import Role
from campaign.campaigns.services import get_campaign
from campaign.core.errors import DomainError
from campaign.core.forms import submit
from campaign.core.pagination import page_number
from campaign.core.permissions import role_required
from campaign.extensions import db
from campaign.officials.forms import official_choices
from campaign.petitions import counts, services
from campaign.petitions.forms import InvalidateForm, PetitionForm
from campaign.petitions.models import FieldRule, Petition, PetitionStatus, Signature, SignatureStatus

bp = Blueprint("petitions_organize", __name__, url_prefix="/organize")
PAGE_SIZE = 100


def _form(petition: Petition | None) -> PetitionForm:
    form = PetitionForm(obj=petition)
    form.target_ids.choices = official_choices()
    if petition is not None and not form.is_submitted():
        form.status.data = petition.status.value
        form.address_rule.data = petition.address_rule.value
        form.phone_rule.data = petition.phone_rule.value
        form.deadline.data = petition.deadline.date() if petition.deadline else None
        form.target_ids.data = [official.id for official in petition.targets]
        form.counties.data = "\n".join(
            f"{entry.county_fips} {entry.goal}" if entry.goal else entry.county_fips for entry in petition.counties
        )
    return form


def _input(form: PetitionForm) -> services.PetitionInput:
    deadline = form.deadline.data
    return services.PetitionInput(
        title=form.title.data,
        title_es=form.title_es.data,
        slug=form.slug.data or "",
        ask=form.ask.data,
        ask_es=form.ask_es.data,
        body=form.body.data or "",
        body_es=form.body_es.data,
        cover_letter=form.cover_letter.data,
        goal=form.goal.data,
        # Open until the end of the deadline day (UTC), the last day it can be signed.
        deadline=datetime.combine(deadline, time.max, tzinfo=UTC) if deadline else None,
        status=PetitionStatus(form.status.data),
        counties=form.counties.data or "",
        target_ids=form.target_ids.data or [],
        address_rule=FieldRule(form.address_rule.data),
        phone_rule=FieldRule(form.phone_rule.data),
    )


def _edit(campaign, petition: Petition | None):
    form = _form(petition)
    saved, status = submit(form, lambda: services.save_petition(campaign, _input(form), petition))
    if saved is not None:
        flash(_("Petition saved."), "success")
        return redirect(url_for("petitions_organize.signatures", slug=saved.slug))
    return render_template("petitions/organize/form.html", form=form, campaign=campaign, petition=petition), status


@bp.route("/campaigns/<campaign_slug>/petitions/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new(campaign_slug: str):
    return _edit(get_campaign(campaign_slug, include_drafts=True), None)


@bp.route("/petitions/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(slug: str):
    petition = services.get_petition(slug, include_drafts=True)
    return _edit(petition.campaign, petition)


@bp.get("/petitions/<slug>/signatures")
@role_required(Role.VIEWER)
def signatures(slug: str):
    petition = services.get_petition(slug, include_drafts=True)
    wanted = request.args.get("status", "")
    page = page_number()
    query = select(Signature).where(Signature.petition_id == petition.id)
    if wanted in {status.value for status in SignatureStatus}:
        query = query.where(Signature.status == SignatureStatus(wanted))
    rows = list(db.session.scalars(query.order_by(Signature.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    per_status = select(Signature.status, func.count()).where(Signature.petition_id == petition.id)
    by_status = dict(db.session.execute(per_status.group_by(Signature.status)).all())
    return render_template(
        "petitions/organize/signatures.html",
        petition=petition,
        signatures=rows,
        by_status=by_status,
        wanted=wanted,
        page=page,
        has_more=len(rows) == PAGE_SIZE,
        invalidate_form=InvalidateForm(),
    )


def _signature(petition_slug: str, signature_id: int) -> Signature:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.petition.slug != petition_slug:
        abort(404)
    return signature


@bp.post("/petitions/<slug>/signatures/<int:signature_id>/invalidate")
@role_required(Role.ORGANIZER)
def invalidate(slug: str, signature_id: int):
    signature = _signature(slug, signature_id)
    form = InvalidateForm()
    done, _status = submit(form, lambda: _and_recount(services.invalidate(signature, form.reason.data, current_user)))
    if done is None:
        flash(_("Give the reason: it is kept with the signature."), "error")
    else:
        flash(_("Signature invalidated. It no longer counts."), "success")
    return redirect(url_for(".signatures", slug=slug))


@bp.post("/petitions/<slug>/signatures/<int:signature_id>/restore")
@role_required(Role.ORGANIZER)
def restore(slug: str, signature_id: int):
    signature = _signature(slug, signature_id)
    try:
        _and_recount(services.restore(signature))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Signature restored."), "success")
    return redirect(url_for(".signatures", slug=slug))


def _and_recount(signature: Signature) -> Signature:
    """An organizer's change shows in the counts at once, not at the next batch."""
    db.session.flush()
    counts.refresh_counts(signature.petition_id, force=True)
    return signature
