"""Observer and public-comment sign-ups: the public forms and email links, and the
organizers' speaker list and observers' notes."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.accounts.models import Role
from campaign.core.forms import submit
from campaign.core.permissions import role_required
from campaign.core.tokens import confirmable_page
from campaign.core.types import utcnow
from campaign.meetings import services, signups
from campaign.meetings.forms_signup import NotesForm, SignupForm, SpeakerForm
from campaign.meetings.models import AgendaItem, Meeting, MeetingStatus
from campaign.people.forms import public_action, submit_identity
from campaign.people.services import CONSENT_EMAIL_UPDATES

bp = Blueprint("meeting_signups", __name__)


@dataclass(frozen=True)
class ItemPlaces:
    item: AgendaItem
    taken: int
    full: bool


@dataclass(frozen=True)
class Places:
    """What the public meeting page shows: counts only, never a name."""

    open: bool
    observers: int
    observers_full: bool
    items: list[ItemPlaces]


@bp.app_template_global()
def meeting_places(meeting: Meeting) -> Places:
    items = []
    for item in meeting.items:
        if item.speaker_slots is not None:
            taken = signups.speaker_count(item)
            items.append(ItemPlaces(item, taken, taken >= item.speaker_slots))
    return Places(
        open=meeting.status is MeetingStatus.SCHEDULED and meeting.starts_at > utcnow(),
        observers=signups.observer_count(meeting),
        observers_full=signups.observers_full(meeting),
        items=items,
    )


@bp.app_template_global()
def observer_form() -> SignupForm:
    return SignupForm(formdata=None)


def _input(form: SignupForm, interpretation_language: str | None = None) -> signups.SignupInput:
    return signups.SignupInput(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        zip_code=form.zip_code.data,
        county=form.county.data,
        email_updates=form.email_updates.data,
        locale=form.locale.data,
        interpretation_language=interpretation_language,
    )


# --- observers ----------------------------------------------------------------------------


def _observe_page(meeting: Meeting, form: SignupForm, status: int = 200):
    page = render_template("meetings/signup_observer.html", meeting=meeting, form=form)
    return page, status


@bp.get("/meetings/<slug>/observe")
def observe(slug: str):
    meeting = services.get_meeting(slug, include_drafts=current_user.is_authenticated)
    return _observe_page(meeting, SignupForm())


@bp.post("/meetings/<slug>/observe")
@public_action
def sign_up_observer(slug: str):
    meeting = services.get_meeting(slug)
    form = SignupForm()
    record, status = submit_identity(form, lambda: signups.sign_up_observer(meeting, _input(form)))
    if record is None:
        return _observe_page(meeting, form, status)
    return redirect(url_for(".signed_up", slug=slug), code=303)


@bp.get("/meetings/<slug>/signed-up")
def signed_up(slug: str):
    meeting = services.get_meeting(slug)
    return render_template("meetings/signup_sent.html", meeting=meeting, campaign=meeting.campaign)


@bp.route("/meetings/<slug>/observe/confirm/<token>", methods=["GET", "POST"])
def confirm_observer(slug: str, token: str):
    """GET shows every detail the button will record; only the POST takes the place."""
    meeting = services.get_meeting(slug)
    return confirmable_page(
        "meetings/signup_observer_confirm.html",
        lambda: signups.observer_for_confirmation(meeting, token),
        lambda _confirmation: signups.confirm_observer(meeting, token),
        meeting=meeting,
        campaign=meeting.campaign,
        consent_email_updates=CONSENT_EMAIL_UPDATES,
    )


@bp.route("/meetings/<slug>/observe/cancel/<token>", methods=["GET", "POST"])
def cancel_observer(slug: str, token: str):
    meeting = services.get_meeting(slug)
    return confirmable_page(
        "meetings/signup_cancel.html",
        lambda: signups.observer_for_cancel_token(meeting, token),
        signups.cancel,
        meeting=meeting,
    )


# --- public comment -----------------------------------------------------------------------


def _speak_page(meeting: Meeting, item: AgendaItem, form: SpeakerForm, status: int = 200):
    page = render_template(
        "meetings/signup_speaker.html",
        meeting=meeting,
        item=item,
        form=form,
        taken=signups.speaker_count(item),
    )
    return page, status


@bp.get("/meetings/<slug>/items/<int:item_id>/speak")
def speak(slug: str, item_id: int):
    meeting = services.get_meeting(slug, include_drafts=current_user.is_authenticated)
    return _speak_page(meeting, signups.get_comment_item(meeting, item_id), SpeakerForm())


@bp.post("/meetings/<slug>/items/<int:item_id>/speak")
@public_action
def sign_up_speaker(slug: str, item_id: int):
    meeting = services.get_meeting(slug)
    item = signups.get_comment_item(meeting, item_id)
    form = SpeakerForm()
    record, status = submit_identity(
        form, lambda: signups.sign_up_speaker(item, _input(form, form.interpreter_language))
    )
    if record is None:
        return _speak_page(meeting, item, form, status)
    return redirect(url_for(".signed_up", slug=slug), code=303)


@bp.route("/meetings/<slug>/speak/confirm/<token>", methods=["GET", "POST"])
def confirm_speaker(slug: str, token: str):
    """GET shows every detail the button will record; only the POST joins the list."""
    meeting = services.get_meeting(slug)
    return confirmable_page(
        "meetings/signup_speaker_confirm.html",
        lambda: signups.speaker_for_confirmation(meeting, token),
        lambda _confirmation: signups.confirm_speaker(meeting, token),
        meeting=meeting,
        campaign=meeting.campaign,
        consent_email_updates=CONSENT_EMAIL_UPDATES,
        turn_of=signups.turn_of,
        arrive_by=signups.arrive_by(meeting),
        zone=services.zone_name(meeting),
    )


@bp.route("/meetings/<slug>/speak/cancel/<token>", methods=["GET", "POST"])
def cancel_speaker(slug: str, token: str):
    meeting = services.get_meeting(slug)
    return confirmable_page(
        "meetings/signup_cancel.html",
        lambda: signups.speaker_for_cancel_token(meeting, token),
        signups.cancel,
        meeting=meeting,
    )


# --- organizers ---------------------------------------------------------------------------


@bp.get("/organize/meetings/<slug>/speakers")
@role_required(Role.VIEWER)
def speaker_lists(slug: str):
    """Printable: per item, the speakers in order with the time their turn comes."""
    meeting = services.get_meeting(slug, include_drafts=True)
    lists = [(item, signups.speaker_list(item)) for item in meeting.items if item.speaker_slots is not None]
    return render_template(
        "meetings/signups_organize_speakers.html",
        meeting=meeting,
        lists=lists,
        show_emails=current_user.has_role(Role.ORGANIZER),
    )


def _observers_page(meeting: Meeting, failed: tuple[int, NotesForm] | None = None, status: int = 200):
    rows = []
    for observer in signups.confirmed_observers(meeting):
        form = failed[1] if failed and failed[0] == observer.id else NotesForm(formdata=None, obj=observer)
        rows.append((observer, form))
    page = render_template(
        "meetings/signups_organize_observers.html",
        meeting=meeting,
        rows=rows,
        can_edit=current_user.has_role(Role.ORGANIZER),
    )
    return page, status


@bp.get("/organize/meetings/<slug>/observers")
@role_required(Role.VIEWER)
def observers(slug: str):
    return _observers_page(services.get_meeting(slug, include_drafts=True))


@bp.post("/organize/meetings/<slug>/observers/<int:observer_id>/notes")
@role_required(Role.ORGANIZER)
def observer_notes(slug: str, observer_id: int):
    meeting = services.get_meeting(slug, include_drafts=True)
    observer = signups.get_observer(meeting, observer_id)
    form = NotesForm()
    result, status = submit(form, lambda: signups.record_notes(observer, form.notes.data, current_user))
    if result is None:
        return _observers_page(meeting, (observer_id, form), status)
    flash(_("Notes saved."), "success")
    return redirect(url_for(".observers", slug=slug, _anchor=f"observer-{observer_id}"), code=303)
