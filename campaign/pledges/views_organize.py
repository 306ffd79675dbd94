"""Organizer pages: write pledges, see who committed and who did it, mark fulfilment."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.campaigns.services import get_campaign
from campaign.core import charts
from campaign.core.forms import submit
from campaign.core.i18n import wall_clock
from campaign.core.pagination import page_number
from campaign.core.permissions import role_required
from campaign.meetings.services import meeting_zone, meetings_to_link
from campaign.officials.forms import official_choices
from campaign.pledges import fulfilment, services, timeline
from campaign.pledges.forms import FulfilmentForm, PledgeForm
from campaign.pledges.models import Pledge, PledgeKind, PledgeStatus

bp = Blueprint("pledges_organize", __name__, url_prefix="/organize")
PAGE_SIZE = 100


def _form(campaign, pledge: Pledge | None) -> PledgeForm:
    form = PledgeForm(obj=pledge)
    none = SelectChoice(0, "—")
    form.forum_id.choices = [none] + [
        SelectChoice(forum.id, f"{forum.title} ({forum.starts_at:%Y-%m-%d})")
        for forum in services.forums_to_link(campaign)
    ]
    form.meeting_id.choices = [none] + [
        SelectChoice(meeting.id, f"{meeting.title} ({wall_clock(meeting.starts_at, meeting_zone(meeting), 'medium')})")
        for meeting in meetings_to_link(campaign)
    ]
    form.official_id.choices = [none] + official_choices()
    if pledge is not None and not form.is_submitted():
        form.kind.data, form.status.data = pledge.kind.value, pledge.status.value
        form.forum_id.data, form.official_id.data = pledge.forum_id or 0, pledge.official_id or 0
        form.meeting_id.data = pledge.meeting_id or 0
        form.deadline.data = pledge.deadline.date() if pledge.deadline else None
        if pledge.meeting_at:
            form.meeting_at.data = pledge.meeting_at.astimezone(services.meeting_zone(campaign)).replace(tzinfo=None)
    return form


def _input(form: PledgeForm) -> services.PledgeInput:
    deadline = form.deadline.data
    return services.PledgeInput(
        title=form.title.data,
        title_es=form.title_es.data,
        slug=form.slug.data or "",
        kind=PledgeKind(form.kind.data),
        action=form.action.data,
        action_es=form.action_es.data,
        body=form.body.data or "",
        body_es=form.body_es.data,
        script=form.script.data,
        script_es=form.script_es.data,
        forum_id=form.forum_id.data or None,
        meeting_id=form.meeting_id.data or None,
        meeting_local=form.meeting_at.data,
        meeting_place=form.meeting_place.data,
        official_id=form.official_id.data or None,
        goal=form.goal.data,
        threshold=form.threshold.data,
        # Open until the end of the deadline day (UTC), the last day to commit.
        deadline=datetime.combine(deadline, time.max, tzinfo=UTC) if deadline else None,
        status=PledgeStatus(form.status.data),
    )


def _edit(campaign, pledge: Pledge | None):
    form = _form(campaign, pledge)
    user = current_user._get_current_object()
    saved, status = submit(form, lambda: services.save_pledge(campaign, _input(form), pledge, user=user))
    if saved is not None:
        flash(_("Pledge saved."), "success")
        return redirect(url_for(".commitments", slug=saved.slug))
    return render_template("pledges/organize/form.html", form=form, campaign=campaign, pledge=pledge), status


@bp.route("/campaigns/<campaign_slug>/pledges/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new(campaign_slug: str):
    return _edit(get_campaign(campaign_slug, include_drafts=True), None)


@bp.route("/pledges/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(slug: str):
    pledge = services.get_pledge(slug, include_drafts=True)
    return _edit(pledge.campaign, pledge)


def _commitments_chart(pledge: Pledge, days: list[tuple[date, int]]):
    """Confirmed commitments day by day, against the goal and the condition when set."""
    if not days:
        return None
    series = [charts.Series(_("Committed"), [total for _day, total in days])]
    if pledge.goal:
        series.append(charts.Series(_("Goal"), [pledge.goal] * len(days), dashed=True))
    if pledge.threshold:
        condition = ngettext(
            "Counts only if %(count)s person commits",
            "Counts only if %(count)s people commit",
            pledge.threshold,
            count=format_decimal(pledge.threshold),
        )
        series.append(charts.Series(condition, [pledge.threshold] * len(days), dashed=True))
    labels = [charts.short_date(day) for day, _total in days]
    return charts.line_chart(_("Commitments over time"), labels, series, y_title=_("People"))


def _commitments_page(pledge: Pledge, form: FulfilmentForm, status: int = 200):
    wanted = request.args.get("show", "")
    page = page_number()
    rows = fulfilment.commitments_page(pledge, wanted, page, PAGE_SIZE)
    days = timeline.commitments_over_time(pledge)
    return render_template(
        "pledges/organize/commitments.html",
        pledge=pledge,
        days=days,
        chart=_commitments_chart(pledge, days),
        report=fulfilment.report(pledge),
        commitments=rows,
        wanted=wanted,
        page=page,
        has_more=len(rows) == PAGE_SIZE,
        form=form,
        can_edit=current_user.has_role(Role.ORGANIZER),
    ), status


@bp.get("/pledges/<slug>")
@role_required(Role.VIEWER)
def commitments(slug: str):
    return _commitments_page(services.get_pledge(slug, include_drafts=True), FulfilmentForm(formdata=None))


@bp.post("/pledges/<slug>/fulfilment")
@role_required(Role.ORGANIZER)
def mark_fulfilled(slug: str):
    pledge = services.get_pledge(slug, include_drafts=True)
    form = FulfilmentForm()

    ids, done = form.choice()
    changed, status = submit(form, lambda: fulfilment.mark_fulfilled(pledge, ids, current_user, done=done))
    if changed is None:
        return _commitments_page(pledge, form, status)
    if not done:
        flash(
            ngettext("%(num)s commitment marked not done.", "%(num)s commitments marked not done.", changed), "success"
        )
    else:
        flash(ngettext("%(num)s commitment marked done.", "%(num)s commitments marked done.", changed), "success")
    return redirect(url_for(".commitments", slug=slug, show=request.args.get("show") or None), code=303)
