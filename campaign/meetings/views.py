"""Public meeting pages and calendar files."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user

from campaign.campaigns.services import get_campaign
from campaign.core.caching import public_page
from campaign.core.i18n import wall_clock
from campaign.meetings import calendar, services
from campaign.meetings.models import Meeting

bp = Blueprint("meetings", __name__)


@bp.app_template_filter("meeting_time")
def meeting_time(meeting: Meeting, date_format: str = "full") -> str:
    """The meeting's start on the wall clock of its county, in the reader's language."""
    return wall_clock(meeting.starts_at, services.meeting_zone(meeting), date_format)


@bp.app_template_global("upcoming_meetings")
def upcoming_meetings(campaign) -> list[Meeting]:
    """For the campaign page: the meetings still to come."""
    return services.upcoming_meetings(campaign)


def _ics(body: bytes, name: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.get("/meetings/<slug>")
@public_page
def show(slug: str):
    meeting = services.get_meeting(slug, include_drafts=current_user.is_authenticated)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        past=services.is_past(meeting),
        votes=services.meeting_votes(meeting),
    )


@bp.get("/meetings/<slug>.ics")
def meeting_ics(slug: str):
    return _ics(calendar.meeting_calendar(services.get_meeting(slug)), f"{slug}.ics")


@bp.get("/c/<slug>/calendar.ics")
def campaign_calendar(slug: str):
    return _ics(calendar.campaign_calendar(get_campaign(slug)), f"{slug}.ics")
