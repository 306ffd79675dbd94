"""Organizer pages of supporter records: the search of a campaign, the page of one person,
and the audited CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from campaign.accounts.models import Role
from campaign.campaigns.models import Campaign
from campaign.campaigns.services import get_campaign
from campaign.core.errors import PermissionDenied, attach_to_form
from campaign.core.pagination import page_number
from campaign.core.permissions import role_required
from campaign.extensions import db
from campaign.petitions.listing import CHANNEL_LABELS
from campaign.supporters import export as exporting
from campaign.supporters import filters, kinds
from campaign.supporters import person as people
from campaign.supporters import search as searching
from campaign.supporters.filters import BadFilter, SupporterFilter
from campaign.supporters.forms import ExportForm, SearchForm

bp = Blueprint("supporters", __name__, url_prefix="/organize")


def _search_form(campaign: Campaign) -> SearchForm:
    form = SearchForm(request.args)
    form.offer(kinds.campaign_actions(campaign), filters.county_choices(campaign, request.args.get("county")))
    return form


@bp.get("/campaigns/<slug>/supporters")
@role_required(Role.VIEWER)
def search(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    form = _search_form(campaign)
    try:
        wanted = SupporterFilter.from_args(campaign, request.args)
    except BadFilter as error:
        attach_to_form(form, error)
        return render_template("supporters/search.html", campaign=campaign, form=form, results=None), 400
    return render_template(
        "supporters/search.html",
        campaign=campaign,
        form=form,
        wanted=wanted,
        results=searching.search(campaign, wanted, page_number()),
        statuses=kinds.STATUS_LABELS,
        shown_count=searching.shown_count,
        kinds=kinds.KINDS,
    )


@bp.get("/people/<int:person_id>")
@role_required(Role.VIEWER)
def person(person_id: int):
    return render_template(
        "supporters/person.html",
        record=people.person_record(person_id),
        show_contact=current_user.has_role(Role.ORGANIZER),
        statuses=people.STATUS_LABELS,
        channels=CHANNEL_LABELS,
        mail_statuses=people.MAIL_STATUS_LABELS,
    )


@bp.route("/campaigns/<slug>/supporters/export", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def export(slug: str):
    """GET shows what will be exported; POST writes one audit event, commits, then streams
    the file. The filter travels in the query string, the contact fields in the form."""
    campaign = get_campaign(slug, include_drafts=True)
    if not current_user.has_role(Role.ORGANIZER):
        raise PermissionDenied(_("Viewers cannot export supporters. Ask an administrator for the organizer role."))
    wanted = SupporterFilter.from_args(campaign, request.args, strict=True)
    form = ExportForm()
    if form.validate_on_submit():
        fields = form.fields.data or []
        exporting.record_export(current_user._get_current_object(), campaign, wanted, fields)
        db.session.commit()
        return Response(
            stream_with_context(exporting.csv_text(campaign, wanted, fields)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{exporting.file_name(campaign, wanted)}"'},
        )
    return render_template(
        "supporters/export.html",
        campaign=campaign,
        wanted=wanted,
        rows=exporting.count_rows(campaign, wanted),
        form=form,
    ), 400 if form.is_submitted() else 200
