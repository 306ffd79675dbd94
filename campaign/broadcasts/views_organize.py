"""Organizer pages of broadcasts: a campaign's list, writing one, and its page, where it is
previewed, tested, sent or scheduled, followed while it goes out, paused or cancelled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from campaign.accounts.models import Role, User
from campaign.broadcasts import delivery, queries, services
from campaign.broadcasts.forms import BroadcastForm, CancelForm, SendForm
from campaign.broadcasts.models import MOVES, Broadcast, BroadcastOrigin, BroadcastStatus
from campaign.campaigns.models import Campaign
from campaign.campaigns.services import get_campaign
from campaign.core.forms import BaseForm, submit
from campaign.core.permissions import role_required
from campaign.geo.services import county_zone
from campaign.supporters import filters, kinds

bp = Blueprint("broadcasts_organize", __name__, url_prefix="/organize")

STATUS_LABELS = {
    BroadcastStatus.DRAFT: _l("Draft"),
    BroadcastStatus.SCHEDULED: _l("Scheduled"),
    BroadcastStatus.QUEUING: _l("Preparing the recipients"),
    BroadcastStatus.SENDING: _l("Sending"),
    BroadcastStatus.PAUSED: _l("Paused"),
    BroadcastStatus.CANCELLED: _l("Cancelled"),
    BroadcastStatus.SENT: _l("Sent"),
}
ORIGIN_LABELS = {
    BroadcastOrigin.MANUAL: _l("Written by an organizer"),
    BroadcastOrigin.PACKET_DELIVERED: _l("Draft from: packet delivered"),
    BroadcastOrigin.OFFICIAL_RESPONSE: _l("Draft from: an official's response"),
    BroadcastOrigin.VOTE_RECORDED: _l("Draft from: officials' votes recorded"),
    BroadcastOrigin.PLEDGE_MET: _l("Draft from: pledge condition met"),
}
EVERYONE = _l("Everyone who asked for news of the campaign")


@bp.app_template_filter("campaign_time")
def campaign_time(moment, campaign: Campaign) -> str:
    """A moment on the campaign county's clock, in the reader's language."""
    return queries.local_time(moment, campaign)


def _broadcast_form(campaign: Campaign, broadcast: Broadcast | None = None) -> BroadcastForm:
    """Filled from the POST, or from the broadcast when there is none."""
    form = BroadcastForm(obj=broadcast, data=broadcast.audience if broadcast else None)
    form.offer(kinds.campaign_actions(campaign), filters.county_choices(campaign, form.county.data), EVERYONE)
    return form


def _draft(form: BroadcastForm) -> services.Draft:
    return services.Draft(
        subject_en=form.subject_en.data,
        body_en=form.body_en.data,
        subject_es=form.subject_es.data,
        body_es=form.body_es.data,
        audience=form.audience(),
    )


@bp.get("/campaigns/<slug>/broadcasts")
@role_required(Role.VIEWER)
def broadcasts(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    return render_template(
        "broadcasts/list.html",
        campaign=campaign,
        listing=queries.listing(campaign),
        statuses=STATUS_LABELS,
        origins=ORIGIN_LABELS,
    )


@bp.route("/campaigns/<slug>/broadcasts/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    form = _broadcast_form(campaign)
    user = current_user._get_current_object()
    created, status = submit(form, lambda: services.create(campaign, _draft(form), user))
    if created is None:
        return render_template("broadcasts/new.html", campaign=campaign, form=form), status
    flash(_("Draft saved. Check who it reaches and how it reads, then send it."), "success")
    return redirect(url_for(".show", broadcast_id=created.id), code=303)


def _page(broadcast: Broadcast, status: int = 200, **forms):
    """The broadcast's page; `forms` holds a form sent back with its errors."""
    campaign = broadcast.campaign
    editable = broadcast.editable
    # A refused form the page no longer shows (a second click on Send, once it is sending):
    # its message goes to the top of the page, or the 409 would say nothing.
    shown = {
        "edit_form": editable,
        "send_form": editable,
        "cancel_form": BroadcastStatus.CANCELLED in MOVES[broadcast.status],
    }
    for name, form in forms.items():
        if not shown[name]:
            for message in form.form_errors:
                flash(message, "error")
    context = {
        "broadcast": broadcast,
        "campaign": campaign,
        "statuses": STATUS_LABELS,
        "origins": ORIGIN_LABELS,
        "audience": queries.audience_words(broadcast),
        "previews": queries.previews(broadcast),
        "reach": services.preview_reach(broadcast) if editable else None,
        "progress": None if editable else delivery.progress(broadcast),
        "zone": county_zone(campaign.county),
        "edit_form": forms.get("edit_form") or (_broadcast_form(campaign, broadcast) if editable else None),
        "send_form": forms.get("send_form") or SendForm(formdata=None),
        "cancel_form": forms.get("cancel_form") or CancelForm(formdata=None),
        "button_form": BaseForm(formdata=None),  # the CSRF token of the one-button forms
    }
    return render_template("broadcasts/broadcast.html", **context), status


@bp.get("/broadcasts/<int:broadcast_id>")
@role_required(Role.VIEWER)
def show(broadcast_id: int):
    return _page(services.get(broadcast_id))


def _back(broadcast_id: int, message: str):
    flash(message, "success")
    return redirect(url_for(".show", broadcast_id=broadcast_id), code=303)


@bp.post("/broadcasts/<int:broadcast_id>/edit")
@role_required(Role.ORGANIZER)
def edit(broadcast_id: int):
    broadcast = services.get(broadcast_id)
    form = _broadcast_form(broadcast.campaign)
    user = current_user._get_current_object()
    saved, status = submit(form, lambda: services.update(broadcast, _draft(form), user))
    if saved is None:
        return _page(broadcast, status, edit_form=form)
    return _back(broadcast_id, _("Changes saved."))


@bp.post("/broadcasts/<int:broadcast_id>/send")
@role_required(Role.ORGANIZER)
def send(broadcast_id: int):
    """Now, or at a time on the campaign county's clock."""
    broadcast = services.get(broadcast_id)
    form = SendForm()
    user = current_user._get_current_object()

    def act() -> Broadcast:
        at = None
        if form.when.data == "later":
            at = form.scheduled_for.data.replace(tzinfo=county_zone(broadcast.campaign.county)).astimezone(UTC)
        return services.send(broadcast, user, at=at)

    sent, status = submit(form, act)
    if sent is None:
        return _page(broadcast, status, send_form=form)
    if sent.status is BroadcastStatus.SCHEDULED:
        when = queries.local_time(sent.scheduled_for, sent.campaign)
        return _back(broadcast_id, _("Scheduled: it will be sent on %(when)s.", when=when))
    return _back(broadcast_id, _("Sending has started. The figures below follow it."))


def _button(
    broadcast_id: int,
    act: Callable[[Broadcast, User], object],
    done: str,
    back: Callable[[Broadcast], str] | None = None,
):
    """A form of one button (its CSRF token only): one service call by the organizer, then
    back to the page, or to `back(broadcast)`. A refusal is said at the top of the page, with
    its status."""
    broadcast = services.get(broadcast_id)
    form = BaseForm()
    target = back(broadcast) if back else url_for(".show", broadcast_id=broadcast_id)
    user = current_user._get_current_object()
    result, status = submit(form, lambda: (act(broadcast, user),))  # a tuple: None means refused
    if result is None:
        for message in form.form_errors:
            flash(message, "error")
        return _page(broadcast, status)
    flash(done, "success")
    return redirect(target, code=303)


@bp.post("/broadcasts/<int:broadcast_id>/test")
@role_required(Role.ORGANIZER)
def send_test(broadcast_id: int):
    return _button(
        broadcast_id,
        services.send_test,
        _("A test is on its way to %(email)s, in each language written.", email=current_user.email),
    )


@bp.post("/broadcasts/<int:broadcast_id>/unschedule")
@role_required(Role.ORGANIZER)
def unschedule(broadcast_id: int):
    return _button(broadcast_id, services.unschedule, _("Back to a draft: it will not be sent until you send it."))


@bp.post("/broadcasts/<int:broadcast_id>/pause")
@role_required(Role.ORGANIZER)
def pause(broadcast_id: int):
    return _button(broadcast_id, services.pause, _("Paused. Nothing more is sent until you resume it."))


@bp.post("/broadcasts/<int:broadcast_id>/resume")
@role_required(Role.ORGANIZER)
def resume(broadcast_id: int):
    return _button(broadcast_id, services.resume, _("Resumed."))


@bp.post("/broadcasts/<int:broadcast_id>/cancel")
@role_required(Role.ORGANIZER)
def cancel(broadcast_id: int):
    """With the box ticked: a cancelled broadcast cannot be taken up again."""
    broadcast = services.get(broadcast_id)
    form = CancelForm()
    user = current_user._get_current_object()
    stopped, status = submit(form, lambda: services.cancel(broadcast, user))
    if stopped is None:
        return _page(broadcast, status, cancel_form=form)
    if not stopped:  # nobody was waiting for their turn
        return _back(broadcast_id, _("Cancelled. Nobody else will get it."))
    said = ngettext(
        "Cancelled: %(num)s person not reached yet will not get it.",
        "Cancelled: %(num)s people not reached yet will not get it.",
        stopped,
    )
    return _back(broadcast_id, said)


@bp.post("/broadcasts/<int:broadcast_id>/discard")
@role_required(Role.ORGANIZER)
def discard(broadcast_id: int):
    return _button(
        broadcast_id,
        services.discard,
        _("Draft discarded."),
        back=lambda broadcast: url_for(".broadcasts", slug=broadcast.campaign.slug),
    )
