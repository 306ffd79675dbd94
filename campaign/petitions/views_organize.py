"""Organizer pages: create and edit petitions, list signatures, invalidate and restore them
(ticked rows, or everything a filter matches), and the fraud panel."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from campaign.accounts.models import Role
from campaign.campaigns.services import get_campaign
from campaign.core.forms import submit
from campaign.core.pagination import page_number
from campaign.core.permissions import role_required
from campaign.officials.forms import official_choices
from campaign.petitions import bulk, fraud, listing, moderation, services
from campaign.petitions.forms import BulkForm, ModerateForm, PetitionForm
from campaign.petitions.listing import SignatureFilter
from campaign.petitions.models import FieldRule, Petition, PetitionStatus, SignatureStatus

bp = Blueprint("petitions_organize", __name__, url_prefix="/organize")


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
    user = current_user._get_current_object()
    saved, status = submit(form, lambda: services.save_petition(campaign, _input(form), petition, user=user))
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


def _signature_list(petition: Petition, wanted: SignatureFilter, form: ModerateForm, status: int = 200):
    """The list page; organizers get the checkboxes and the action bar, viewers only read."""
    can_moderate = current_user.has_role(Role.ORGANIZER)
    return render_template(
        "petitions/organize/signatures.html",
        petition=petition,
        wanted=wanted,
        page=listing.signature_page(petition, wanted, page_number()),
        form=form if can_moderate else None,
        ticked=set(form.signature_ids.data or []) if can_moderate else set(),
        statuses=listing.STATUS_LABELS,
        channels=listing.CHANNEL_LABELS,
        recent_bulk=bulk.recent_bulk(petition),
        bulk_labels=bulk.STATUS_LABELS,
    ), status


@bp.get("/petitions/<slug>/signatures")
@role_required(Role.VIEWER)
def signatures(slug: str):
    petition = services.get_petition(slug, include_drafts=True)
    wanted = SignatureFilter.from_args(request.args)
    form = ModerateForm(formdata=None)
    if wanted.status is SignatureStatus.INVALIDATED:
        form.action.data = "restore"  # what the invalidated tab is visited for
    return _signature_list(petition, wanted, form)


@bp.post("/petitions/<slug>/signatures/moderate")
@role_required(Role.ORGANIZER)
def moderate(slug: str):
    """The action bar: invalidate or restore the ticked signatures, then back to the same
    filter and page (both in this form's query string)."""
    petition = services.get_petition(slug, include_drafts=True)
    wanted = SignatureFilter.from_args(request.args)
    page = page_number()
    form = ModerateForm()
    restoring = form.action.data == "restore"

    def act() -> int:
        if restoring:
            return moderation.restore_many(petition, form.signature_ids.data, current_user)
        return moderation.invalidate_many(petition, form.signature_ids.data, form.reason.data, current_user)

    changed, status = submit(form, act)
    if changed is None:
        return _signature_list(petition, wanted, form, status)
    _say_what_changed(restoring, changed, skipped=len(set(form.signature_ids.data)) - changed)
    back = url_for(".signatures", slug=slug, **wanted.to_args(), page=page if page > 1 else None)
    return redirect(back, code=303)


def _say_what_changed(restoring: bool, changed: int, skipped: int) -> None:
    """How many rows the action changed, and how many ticked rows it left as they were."""
    if restoring:
        flash(ngettext("%(num)s signature restored.", "%(num)s signatures restored.", changed), "success")
        note = ngettext(
            "%(num)s ticked signature was not invalidated: it was left as it was.",
            "%(num)s ticked signatures were not invalidated: they were left as they were.",
            skipped,
        )
    else:
        done = ngettext(
            "%(num)s signature invalidated: it no longer counts.",
            "%(num)s signatures invalidated: they no longer count.",
            changed,
        )
        flash(done, "success")
        note = ngettext(
            "%(num)s ticked signature was already invalidated: it keeps its reason.",
            "%(num)s ticked signatures were already invalidated: they keep their reasons.",
            skipped,
        )
    if skipped:
        flash(note, "warning")


@bp.get("/petitions/<slug>/fraud")
@role_required(Role.VIEWER)
def fraud_panel(slug: str):
    petition = services.get_petition(slug, include_drafts=True)
    return render_template(
        "petitions/organize/fraud.html",
        petition=petition,
        windows=fraud.panel(petition),
        ip_threshold=fraud.IP_THRESHOLD,
        domain_threshold=fraud.DOMAIN_THRESHOLD,
        burst_threshold=fraud.BURST_THRESHOLD,
    )


@bp.route("/petitions/<slug>/signatures/bulk", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def bulk_action(slug: str):
    """The preview of an action on everything the filter (in the query string) matches, and
    the form that queues it."""
    petition = services.get_petition(slug, include_drafts=True)
    wanted = SignatureFilter.from_args(request.args)
    form = BulkForm()
    if not form.is_submitted() and wanted.status is SignatureStatus.INVALIDATED:
        form.action.data = "restore"
    record, status = submit(
        form, lambda: bulk.start(petition, wanted, form.action.data, form.reason.data, current_user)
    )
    if record is not None:
        flash(_("The action is under way: this page shows how far it has got."), "success")
        return redirect(url_for(".bulk_status", slug=slug, bulk_id=record.id), code=303)
    return render_template(
        "petitions/organize/bulk.html",
        petition=petition,
        wanted=wanted,
        form=form,
        counts={action: bulk.count_for(petition, wanted, action) for action in bulk.ACTIONS},
    ), status


@bp.get("/petitions/<slug>/signatures/bulk/<int:bulk_id>")
@role_required(Role.VIEWER)
def bulk_status(slug: str, bulk_id: int):
    petition = services.get_petition(slug, include_drafts=True)
    record = bulk.get_bulk(petition, bulk_id)
    return render_template(
        "petitions/organize/bulk_status.html",
        petition=petition,
        record=record,
        wanted=SignatureFilter.from_args(record.filter),
        bulk_labels=bulk.STATUS_LABELS,
    )
