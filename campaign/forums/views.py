"""Public forum pages, RSVPs, calendar files."""

from __future__ import annotations

from babel.dates import format_time
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user

from campaign.campaigns.services import get_campaign
from campaign.core.caching import public_page
from campaign.core.i18n import current_language, wall_clock
from campaign.core.tokens import confirmable_page
from campaign.forums import services
from campaign.forums.calendar import calendar_for
from campaign.forums.forms import RSVPForm
from campaign.forums.models import FORUM_KIND_LABELS, Forum, ForumKind
from campaign.people.forms import public_action, submit_identity
from campaign.people.services import CONSENT_EMAIL_UPDATES

bp = Blueprint("forums", __name__)


@bp.app_template_filter("forum_time")
def forum_time(forum: Forum, moment_format: str = "full") -> str:
    """The forum's start and end in its own time zone and the reader's language."""
    zone = services.zone_for(forum.timezone)
    locale = current_language()
    start = wall_clock(forum.starts_at, zone, moment_format)
    end = format_time(forum.ends_at, "short", tzinfo=zone, locale=locale)
    return f"{start} – {end}"


@bp.app_template_filter("datetime_in")
def datetime_in(moment, zone_name: str) -> str:
    """A moment as the clock on the wall shows it in `zone_name`, in the reader's language."""
    return wall_clock(moment, services.zone_for(zone_name), "medium")


def _ics(body: bytes, name: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.get("/forums/")
@public_page
def index():
    kind = request.args.get("kind")
    county = request.args.get("county") or None
    forums = services.upcoming(county, ForumKind(kind) if kind in set(ForumKind) else None)
    return render_template("forums/index.html", forums=forums, kinds=FORUM_KIND_LABELS, kind=kind, county=county)


@bp.get("/forums/<slug>")
@public_page
def show(slug: str):
    forum = services.get_forum(slug, include_drafts=current_user.is_authenticated)
    return _page(forum, RSVPForm())


@bp.post("/forums/<slug>")
@public_action
def register(slug: str):
    forum = services.get_forum(slug)
    form = RSVPForm()
    record, status = submit_identity(form, lambda: services.rsvp(forum, _rsvp_input(form)))
    if record is None:
        return _page(forum, form, status)
    return redirect(url_for(".registered", slug=slug), code=303)


def _page(forum: Forum, form: RSVPForm, status: int = 200):
    return render_template("forums/show.html", forum=forum, form=form, seats_left=services.seats_left(forum)), status


def _rsvp_input(form: RSVPForm) -> services.RSVPInput:
    return services.RSVPInput(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        zip_code=form.zip_code.data,
        county=form.county.data,
        guests=form.guests.data or 0,
        interpretation_language=form.interpretation_language.data,
        accessibility_needs=form.accessibility_needs.data,
        childcare_needed=form.childcare_needed.data,
        email_updates=form.email_updates.data,
        locale=current_language(),
        referral=form.referral,
    )


@bp.get("/forums/<slug>/registered")
def registered(slug: str):
    return render_template("forums/registered.html", forum=services.get_forum(slug))


@bp.route("/forums/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm_rsvp(slug: str, token: str):
    """GET shows every detail the button will record; only the POST takes the seat."""
    forum = services.get_forum(slug)
    return confirmable_page(
        "forums/confirm.html",
        lambda: services.rsvp_for_confirmation(forum, token),
        lambda _confirmation: services.confirm_rsvp(forum, token),
        forum=forum,
        consent_email_updates=CONSENT_EMAIL_UPDATES,
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
    return confirmable_page(
        "forums/cancel.html",
        lambda: services.rsvp_for_cancel_token(forum, token),
        services.cancel_rsvp,
        forum=forum,
    )
