"""Organizers' forum pages: schedule and edit, RSVPs and attendance, check-in on the day,
paper petition sheets afterwards."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.campaigns.services import all_organizations, get_campaign
from campaign.core import charts
from campaign.core.errors import DomainError
from campaign.core.forms import submit
from campaign.core.i18n import current_language
from campaign.core.pagination import page_number
from campaign.core.permissions import role_required
from campaign.core.text import ascii_int
from campaign.extensions import db
from campaign.forums import checkin, services, timeline
from campaign.forums.forms import ForumForm, PaperImportForm, PaperSignatureForm, WalkInForm
from campaign.forums.models import Accessibility, Forum, ForumKind
from campaign.jobs.models import Job
from campaign.officials.forms import official_choices
from campaign.petitions import paper
from campaign.petitions import paper_import as csv_import
from campaign.petitions.models import RowOutcome

bp = Blueprint("forums_organize", __name__, url_prefix="/organize")


def _forum_form(forum: Forum | None) -> ForumForm:
    form = ForumForm(obj=forum)
    organizations = [SelectChoice(org.id, org.name) for org in all_organizations()]
    form.partner_ids.choices = organizations
    form.official_ids.choices = official_choices()
    if forum is not None and not form.is_submitted():
        zone = services.zone_for(forum.timezone)
        form.starts_at.data = forum.starts_at.astimezone(zone).replace(tzinfo=None)
        form.ends_at.data = forum.ends_at.astimezone(zone).replace(tzinfo=None)
        form.kind.data, form.accessibility.data = forum.kind.value, forum.accessibility.value
        form.county.data = forum.county_fips
        form.partner_ids.data = [org.id for org in forum.partners]
        form.official_ids.data = [official.id for official in forum.invited_officials]
    return form


def _forum_input(form: ForumForm) -> services.ForumInput:
    return services.ForumInput(
        title=form.title.data,
        title_es=form.title_es.data,
        slug=form.slug.data or "",
        kind=ForumKind(form.kind.data),
        description=form.description.data or "",
        description_es=form.description_es.data,
        starts_local=form.starts_at.data,
        ends_local=form.ends_at.data,
        timezone=form.timezone.data,
        county=form.county.data or None,
        venue_name=form.venue_name.data,
        venue_address=form.venue_address.data,
        address_after_rsvp=form.address_after_rsvp.data,
        accessibility=Accessibility(form.accessibility.data),
        accessibility_notes=form.accessibility_notes.data,
        virtual_url=form.virtual_url.data,
        capacity=form.capacity.data,
        max_guests=form.max_guests.data if form.max_guests.data is not None else services.DEFAULT_MAX_GUESTS,
        languages=form.languages.data,
        interpretation=form.interpretation.data,
        childcare=form.childcare.data,
        speakers=form.speakers.data,
        partner_ids=form.partner_ids.data or [],
        official_ids=form.official_ids.data or [],
    )


def _edit(campaign, forum: Forum | None):
    form = _forum_form(forum)
    user = current_user._get_current_object()
    saved, status = submit(form, lambda: services.schedule(campaign, _forum_input(form), forum, user=user))
    if saved is not None:
        flash(_("Forum saved."), "success")
        return redirect(url_for(".rsvps", slug=saved.slug))
    return render_template("forums/organize/form.html", form=form, forum=forum, campaign=campaign), status


@bp.route("/campaigns/<campaign_slug>/forums/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new(campaign_slug: str):
    return _edit(get_campaign(campaign_slug, include_drafts=True), None)


@bp.route("/forums/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(slug: str):
    forum = services.get_forum(slug, include_drafts=True)
    return _edit(forum.campaign, forum)


@bp.post("/forums/<slug>/cancel")
@role_required(Role.ORGANIZER)
def cancel_forum(slug: str):
    try:
        services.cancel_forum(services.get_forum(slug, include_drafts=True))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Forum cancelled. Everyone registered is told."), "success")
    return redirect(url_for(".rsvps", slug=slug))


def _rsvps_chart(forum: Forum, days: list[timeline.RSVPDay]):
    """Seats taken day by day, the waitlist when there is one, against the capacity."""
    if not days:
        return None
    series = [charts.Series(_("Seats taken"), [row.going for row in days])]
    if any(row.waiting for row in days):
        series.append(charts.Series(_("Waitlist"), [row.waiting for row in days]))
    if forum.capacity is not None:
        series.append(charts.Series(_("Capacity"), [forum.capacity] * len(days), dashed=True))
    labels = [charts.short_date(row.day) for row in days]
    return charts.line_chart(_("RSVPs over time"), labels, series, y_title=_("People"))


@bp.get("/forums/<slug>")
@role_required(Role.VIEWER)
def rsvps(slug: str):
    forum = services.get_forum(slug, include_drafts=True)
    days = timeline.rsvps_over_time(forum)
    return render_template(
        "forums/organize/rsvps.html",
        forum=forum,
        days=days,
        chart=_rsvps_chart(forum, days),
        has_waitlist=any(row.waiting for row in days),
        seats_taken=services.seats_taken(forum),
        attendance=checkin.attendance(forum),
        reminders=forum.reminders,
        imports=csv_import.imports_for_forum(forum.id),
        can_edit=current_user.has_role(Role.ORGANIZER),
    )


# The day of the forum: check-in on a phone, walk-ins --------------------------------


@bp.get("/forums/<slug>/check-in")
@role_required(Role.ORGANIZER)
def check_in(slug: str, walk_in_form: WalkInForm | None = None, status: int = 200):
    forum = services.get_forum(slug, include_drafts=True)
    search = request.args.get("q", "").strip()[:100]
    return render_template(
        "forums/organize/check_in.html",
        forum=forum,
        search=search,
        people=checkin.checkin_list(forum, search),
        attendance=checkin.attendance(forum),
        walk_in_form=walk_in_form or WalkInForm(formdata=None),
    ), status


@bp.post("/forums/<slug>/check-in/<int:rsvp_id>")
@role_required(Role.ORGANIZER)
def mark_attended(slug: str, rsvp_id: int):
    forum = services.get_forum(slug, include_drafts=True)
    record = checkin.get_rsvp(forum, rsvp_id)
    undo = request.form.get("undo") == "1"
    try:
        checkin.undo_check_in(record) if undo else checkin.check_in(record)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        name = f"{record.first_name} {record.last_name}"
        flash(
            _("%(name)s: check-in undone.", name=name) if undo else _("%(name)s is checked in.", name=name), "success"
        )
    return redirect(url_for(".check_in", slug=slug, q=request.form.get("q") or None, _anchor=f"rsvp-{rsvp_id}"), 303)


@bp.post("/forums/<slug>/walk-in")
@role_required(Role.ORGANIZER)
def walk_in(slug: str):
    forum = services.get_forum(slug, include_drafts=True)
    form = WalkInForm()

    def register():
        return checkin.walk_in(
            forum,
            checkin.WalkInInput(
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                email=form.email.data,
                zip_code=form.zip_code.data,
                email_updates=form.email_updates.data,
                locale=current_language(),
            ),
        )

    record, status = submit(form, register)
    if record is None:
        return check_in(slug, walk_in_form=form, status=status)
    flash(_("%(name)s is checked in.", name=f"{record.first_name} {record.last_name}"), "success")
    return redirect(url_for(".check_in", slug=slug, _anchor=f"rsvp-{record.id}"), 303)


# After the forum: paper petition sheets ------------------------------------------------


def _petition_choices(forum: Forum) -> list[SelectChoice]:
    return [SelectChoice(petition.slug, petition.title) for petition in paper.petitions_taking_paper(forum.campaign)]


def _chosen_petition(forum: Forum, slug: str | None):
    """A petition of the forum's own campaign: the choice list is not trusted."""
    petitions = {petition.slug: petition for petition in paper.petitions_taking_paper(forum.campaign)}
    if slug not in petitions:
        raise DomainError(_("Choose a petition of this campaign that is open or closed."), field="petition")
    return petitions[slug]


@bp.route("/forums/<slug>/paper", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def paper_entry(slug: str):
    forum = services.get_forum(slug, include_drafts=True)
    form = PaperSignatureForm()
    form.petition.choices = _petition_choices(forum)
    if not form.is_submitted():
        form.petition.data = request.args.get("petition") or form.petition.data
        form.sheet_number.data = ascii_int(request.args.get("sheet"), 1)

    def add():
        return paper.add_paper_signature(
            _chosen_petition(forum, form.petition.data),
            paper.PaperSignatureInput(
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                zip_code=form.zip_code.data,
                county=form.county.data,
                email=form.email.data,
                street_address=form.street_address.data,
                phone=form.phone.data,
                comment=form.comment.data,
                email_updates=form.email_updates.data,
                signed_on=form.signed_on.data,
                sheet_number=form.sheet_number.data,
            ),
            forum_id=forum.id,
            default_signed_at=forum.starts_at,
            entered_by_id=current_user.id,
        )

    result, status = submit(form, add)
    if result is not None:
        flash(result.message, "success" if result.outcome is RowOutcome.ACCEPTED else "info")
        next_page = url_for(".paper_entry", slug=slug, petition=form.petition.data, sheet=form.sheet_number.data)
        return redirect(next_page, 303)
    return render_template(
        "forums/organize/paper.html", forum=forum, form=form, recent=paper.recent_paper_signatures(forum.id)
    ), status


@bp.route("/forums/<slug>/paper/import", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def paper_import(slug: str):
    forum = services.get_forum(slug, include_drafts=True)
    form = PaperImportForm()
    form.petition.choices = _petition_choices(forum)

    def start():
        upload = form.file.data
        return csv_import.start_import(
            _chosen_petition(forum, form.petition.data),
            upload.filename,
            upload.read(),
            forum_id=forum.id,
            default_signed_at=forum.starts_at,
            user=current_user,
        )

    record, status = submit(form, start)
    if record is not None:
        return redirect(url_for(".import_report", import_id=record.id), 303)
    return render_template(
        "forums/organize/paper_import.html",
        forum=forum,
        form=form,
        columns=csv_import.COLUMNS,
        required=csv_import.REQUIRED_COLUMNS,
    ), status


@bp.get("/paper-imports/<int:import_id>")
@role_required(Role.VIEWER)
def import_report(import_id: int):
    record = csv_import.get_import(import_id)
    page = page_number()
    rows, more = csv_import.report_rows(record, page)
    return render_template(
        "forums/organize/import_report.html",
        record=record,
        forum=record.forum_id and db.session.get(Forum, record.forum_id),
        job=record.job_id and db.session.get(Job, record.job_id),
        rows=rows,
        page=page,
        more=more,
    )


@bp.get("/paper-imports/<int:import_id>/report.csv")
@role_required(Role.VIEWER)
def import_report_csv(import_id: int):
    record = csv_import.get_import(import_id)
    name = f"paper-import-{record.id}-report.csv"
    return Response(
        stream_with_context(csv_import.report_csv(record)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
