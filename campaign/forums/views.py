"""Public forum pages, RSVPs, calendar files; organizers' forum pages."""

from __future__ import annotations

from babel.dates import format_datetime, format_time
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.campaigns.services import all_organizations, get_campaign
from campaign.core.errors import DomainError
from campaign.core.forms import submit
from campaign.core.i18n import current_language
from campaign.core.permissions import role_required
from campaign.extensions import db, limiter
from campaign.forums import services
from campaign.forums.calendar import calendar_for
from campaign.forums.forms import ForumForm, RSVPForm
from campaign.forums.models import FORUM_KIND_LABELS, Accessibility, Forum, ForumKind, RSVPStatus
from campaign.officials.forms import official_choices

bp = Blueprint("forums", __name__)


@bp.app_template_filter("forum_time")
def forum_time(forum: Forum, moment_format: str = "full") -> str:
    """The forum's start and end in its own time zone and the reader's language."""
    zone = services.zone_for(forum.timezone)
    locale = current_language()
    start = format_datetime(forum.starts_at, moment_format, tzinfo=zone, locale=locale)
    end = format_time(forum.ends_at, "short", tzinfo=zone, locale=locale)
    return f"{start} – {end}"


def _ics(body: bytes, name: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.get("/forums/")
def index():
    kind = request.args.get("kind")
    county = request.args.get("county") or None
    forums = services.upcoming(county, ForumKind(kind) if kind in set(ForumKind) else None)
    return render_template("forums/index.html", forums=forums, kinds=FORUM_KIND_LABELS, kind=kind, county=county)


@bp.route("/forums/<slug>", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def show(slug: str):
    forum = services.get_forum(slug)
    form = RSVPForm()

    def register():
        return services.rsvp(
            forum,
            services.RSVPInput(
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                email=form.email.data,
                zip_code=form.zip_code.data,
                guests=form.guests.data or 0,
                interpretation_language=form.interpretation_language.data,
                accessibility_needs=form.accessibility_needs.data,
                childcare_needed=form.childcare_needed.data,
                email_updates=form.email_updates.data,
                locale=current_language(),
            ),
        )

    record, status = submit(form, register)
    if record is not None:
        waiting = record.status is RSVPStatus.WAITLISTED
        return redirect(url_for(".registered", slug=slug, waitlist=1 if waiting else None), code=303)
    return render_template("forums/show.html", forum=forum, form=form, seats_taken=services.seats_taken(forum)), status


@bp.get("/forums/<slug>/registered")
def registered(slug: str):
    return render_template(
        "forums/registered.html", forum=services.get_forum(slug), waitlist=bool(request.args.get("waitlist"))
    )


@bp.get("/forums/<slug>.ics")
def forum_ics(slug: str):
    return _ics(calendar_for([services.get_forum(slug)]), f"{slug}.ics")


@bp.get("/c/<slug>/forums.ics")
def campaign_ics(slug: str):
    campaign = get_campaign(slug)
    return _ics(calendar_for(campaign.forums), f"{slug}-forums.ics")


@bp.route("/forums/<slug>/cancel/<token>", methods=["GET", "POST"])
def cancel_rsvp(slug: str, token: str):
    """GET shows a button; only the POST cancels (mail scanners open links)."""
    forum = services.get_forum(slug)
    try:
        record = services.rsvp_for_token(forum, token)
    except DomainError as error:
        return render_template("forums/cancel.html", forum=forum, invalid=error.message), 400
    if request.method == "POST":
        services.cancel_rsvp(record)
        db.session.commit()
        return render_template("forums/cancel.html", forum=forum, record=record, done=True, invalid=None)
    return render_template("forums/cancel.html", forum=forum, record=record, done=False, invalid=None)


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
        languages=form.languages.data,
        interpretation=form.interpretation.data,
        childcare=form.childcare.data,
        speakers=form.speakers.data,
        partner_ids=form.partner_ids.data or [],
        official_ids=form.official_ids.data or [],
    )


def _edit(campaign, forum: Forum | None):
    form = _forum_form(forum)
    saved, status = submit(form, lambda: services.schedule(campaign, _forum_input(form), forum))
    if saved is not None:
        flash(_("Forum saved."), "success")
        return redirect(url_for(".rsvps", slug=saved.slug))
    return render_template("forums/organize/form.html", form=form, forum=forum, campaign=campaign), status


@bp.route("/organize/campaigns/<campaign_slug>/forums/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new(campaign_slug: str):
    return _edit(get_campaign(campaign_slug, include_drafts=True), None)


@bp.route("/organize/forums/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(slug: str):
    forum = services.get_forum(slug)
    return _edit(forum.campaign, forum)


@bp.post("/organize/forums/<slug>/cancel")
@role_required(Role.ORGANIZER)
def cancel_forum(slug: str):
    try:
        services.cancel_forum(services.get_forum(slug))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Forum cancelled. Everyone registered is told."), "success")
    return redirect(url_for(".rsvps", slug=slug))


@bp.get("/organize/forums/<slug>")
@role_required(Role.VIEWER)
def rsvps(slug: str):
    forum = services.get_forum(slug)
    return render_template(
        "forums/organize/rsvps.html",
        forum=forum,
        seats_taken=services.seats_taken(forum),
        can_edit=current_user.has_role(Role.ORGANIZER),
    )
