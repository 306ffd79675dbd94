"""Organizers' meeting pages: the meeting, its agenda items in order, the officials' votes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.campaigns.services import get_campaign
from campaign.core.forms import submit
from campaign.core.permissions import role_required
from campaign.meetings import services, signups
from campaign.meetings.forms import AgendaItemForm, MeetingForm, MoveForm, VoteForm
from campaign.meetings.models import AgendaItem, Meeting, MeetingStatus, VoteChoice
from campaign.officials.models import Body

bp = Blueprint("meetings_organize", __name__, url_prefix="/organize")


def _user():
    return current_user._get_current_object()


# --- the meeting ----------------------------------------------------------------------------


def _meeting_form(meeting: Meeting | None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    if meeting is not None and not form.is_submitted():
        form.body.data, form.status.data = meeting.body.value, meeting.status.value
        form.starts_at.data = meeting.starts_at.astimezone(services.meeting_zone(meeting)).replace(tzinfo=None)
    return form


def _meeting_input(form: MeetingForm) -> services.MeetingInput:
    return services.MeetingInput(
        title=form.title.data,
        title_es=form.title_es.data,
        slug=form.slug.data or "",
        body=Body(form.body.data),
        starts_local=form.starts_at.data,
        place=form.place.data,
        agenda_url=form.agenda_url.data,
        minutes_url=form.minutes_url.data,
        video_url=form.video_url.data,
        observer_limit=form.observer_limit.data,
        status=MeetingStatus(form.status.data),
        outcome=form.outcome.data,
    )


def _edit(campaign, meeting: Meeting | None):
    form = _meeting_form(meeting)
    user = _user()
    saved, status = submit(form, lambda: signups.save_and_tell(campaign, _meeting_input(form), meeting, user=user))
    if saved is not None:
        flash(_("Meeting saved."), "success")
        return redirect(url_for(".manage", slug=saved.slug), 303)
    context = {"form": form, "meeting": meeting, "campaign": campaign}
    return render_template("meetings/organize/form.html", **context), status


@bp.route("/campaigns/<campaign_slug>/meetings/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new(campaign_slug: str):
    return _edit(get_campaign(campaign_slug, include_drafts=True), None)


@bp.route("/meetings/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(slug: str):
    meeting = services.get_meeting(slug, include_drafts=True)
    return _edit(meeting.campaign, meeting)


@bp.get("/meetings/<slug>")
@role_required(Role.VIEWER)
def manage(slug: str):
    meeting = services.get_meeting(slug, include_drafts=True)
    return render_template(
        "meetings/organize/meeting.html",
        meeting=meeting,
        votes=services.meeting_votes(meeting),
        move_form=MoveForm(formdata=None),
        can_edit=current_user.has_role(Role.ORGANIZER),
    )


# --- agenda items ---------------------------------------------------------------------------


def _item_input(form: AgendaItemForm) -> services.AgendaItemInput:
    return services.AgendaItemInput(
        number=form.number.data,
        title=form.title.data,
        title_es=form.title_es.data,
        concerns_agreement=form.concerns_agreement.data,
        speaker_slots=form.speaker_slots.data,
        minutes_per_speaker=form.minutes_per_speaker.data,
        talking_points=form.talking_points.data,
        talking_points_es=form.talking_points_es.data,
        result=form.result.data,
    )


def _edit_item(meeting: Meeting, item: AgendaItem | None):
    form = AgendaItemForm(obj=item)
    user = _user()
    saved, status = submit(form, lambda: services.save_item(meeting, _item_input(form), item, user=user))
    if saved is not None:
        flash(_("Agenda item saved."), "success")
        return redirect(url_for(".manage", slug=meeting.slug, _anchor=f"item-{saved.id}"), 303)
    return render_template("meetings/organize/item_form.html", form=form, meeting=meeting, item=item), status


@bp.route("/meetings/<slug>/items/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_item(slug: str):
    return _edit_item(services.get_meeting(slug, include_drafts=True), None)


@bp.route("/meetings/<slug>/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_item(slug: str, item_id: int):
    meeting = services.get_meeting(slug, include_drafts=True)
    return _edit_item(meeting, services.get_item(meeting, item_id))


@bp.post("/meetings/<slug>/items/<int:item_id>/move")
@role_required(Role.ORGANIZER)
def move_item(slug: str, item_id: int):
    meeting = services.get_meeting(slug, include_drafts=True)
    item = services.get_item(meeting, item_id)
    form = MoveForm()
    _moved, status = submit(form, lambda: services.move_item(item, -1 if form.step.data == "up" else 1))
    if status != 200:
        flash(_("The agenda was not changed. Reload the page and try again."), "error")
    return redirect(url_for(".manage", slug=slug, _anchor=f"item-{item_id}"), 303)


# --- votes ----------------------------------------------------------------------------------


def _votes_page(meeting: Meeting, item: AgendaItem, form: VoteForm, status: int = 200):
    form.official_id.choices = [
        SelectChoice(official.id, f"{official.name}, {official.title}")
        for official in services.county_officials(meeting)
    ]
    context = {
        "meeting": meeting,
        "item": item,
        "form": form,
        "history": services.vote_history(item),
        "zone_name": services.zone_name(meeting),
        "can_edit": current_user.has_role(Role.ORGANIZER),
    }
    return render_template("meetings/organize/votes.html", **context), status


@bp.get("/meetings/<slug>/items/<int:item_id>/votes")
@role_required(Role.VIEWER)
def votes(slug: str, item_id: int):
    meeting = services.get_meeting(slug, include_drafts=True)
    return _votes_page(meeting, services.get_item(meeting, item_id), VoteForm(formdata=None))


@bp.post("/meetings/<slug>/items/<int:item_id>/votes")
@role_required(Role.ORGANIZER)
def record_vote(slug: str, item_id: int):
    meeting = services.get_meeting(slug, include_drafts=True)
    item = services.get_item(meeting, item_id)
    form = VoteForm()
    user = _user()

    def record():
        official = services.get_official(form.official_id.data)
        return services.record_vote(item, official, VoteChoice(form.choice.data), form.source_url.data, user)

    vote, status = submit(form, record)
    if vote is None:
        return _votes_page(meeting, item, form, status)
    flash(_("Vote recorded: %(name)s, %(choice)s.", name=vote.official.name, choice=vote.choice.label), "success")
    return redirect(url_for(".votes", slug=slug, item_id=item_id), 303)
