"""Organizer pages for a campaign's Know Your Rights text and its helplines."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.accounts.models import Role
from campaign.campaigns import rights
from campaign.campaigns.forms_rights import MARKDOWN_HINT, HelplineForm, MoveForm, RightsForm
from campaign.campaigns.models import Campaign, Helpline
from campaign.campaigns.services import get_campaign
from campaign.core.forms import BaseForm, submit
from campaign.core.permissions import role_required

bp = Blueprint("campaign_rights", __name__, url_prefix="/organize/campaigns/<slug>/rights")


def _page(campaign: Campaign, rights_form: RightsForm, helpline_form: HelplineForm, status: int = 200):
    page = render_template(
        "campaigns/organize/rights.html",
        campaign=campaign,
        form=rights_form,
        helpline_form=helpline_form,
        markdown_hint=MARKDOWN_HINT,
    )
    return page, status


def _helpline_input(form: HelplineForm) -> rights.HelplineInput:
    return rights.HelplineInput(**{name: form[name].data for name in rights.HelplineInput.__dataclass_fields__})


def _back(campaign: Campaign):
    return redirect(url_for(".edit", slug=campaign.slug), 303)


@bp.get("")
@role_required(Role.VIEWER)
def edit(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    return _page(campaign, RightsForm(obj=campaign), HelplineForm(formdata=None))


@bp.post("")
@role_required(Role.ORGANIZER)
def save(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    form = RightsForm()
    user = current_user._get_current_object()
    saved, status = submit(form, lambda: rights.save_rights(campaign, form.rights.data, form.rights_es.data, user))
    if saved is None:
        return _page(campaign, form, HelplineForm(formdata=None), status)
    flash(_("Know Your Rights text saved."), "success")
    return _back(campaign)


@bp.post("/helplines")
@role_required(Role.ORGANIZER)
def helpline_add(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    form = HelplineForm()
    user = current_user._get_current_object()
    added, status = submit(form, lambda: rights.add_helpline(campaign, _helpline_input(form), user))
    if added is None:
        return _page(campaign, RightsForm(obj=campaign, formdata=None), form, status)
    flash(_("Helpline added."), "success")
    return _back(campaign)


@bp.route("/helplines/<int:helpline_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def helpline_edit(slug: str, helpline_id: int):
    campaign = get_campaign(slug, include_drafts=True)
    helpline = rights.get_helpline(campaign, helpline_id)
    form = HelplineForm(obj=helpline)
    user = current_user._get_current_object()
    saved, status = submit(form, lambda: rights.update_helpline(helpline, _helpline_input(form), user))
    if saved is not None:
        flash(_("Helpline saved."), "success")
        return _back(campaign)
    page = render_template("campaigns/organize/rights_helpline.html", campaign=campaign, helpline=helpline, form=form)
    return page, status


def _act(form: BaseForm, action) -> None:
    done, status = submit(form, lambda: action() or True)
    if done is None:
        abort(status if status >= 400 else 400)


@bp.post("/helplines/<int:helpline_id>/delete")
@role_required(Role.ORGANIZER)
def helpline_delete(slug: str, helpline_id: int):
    campaign = get_campaign(slug, include_drafts=True)
    helpline: Helpline = rights.get_helpline(campaign, helpline_id)
    _act(BaseForm(), lambda: rights.delete_helpline(helpline, current_user._get_current_object()))
    flash(_("Helpline deleted."), "success")
    return _back(campaign)


@bp.post("/helplines/<int:helpline_id>/move")
@role_required(Role.ORGANIZER)
def helpline_move(slug: str, helpline_id: int):
    campaign = get_campaign(slug, include_drafts=True)
    helpline = rights.get_helpline(campaign, helpline_id)
    form = MoveForm()
    _act(form, lambda: rights.move_helpline(helpline, up=form.direction.data == "up"))
    return _back(campaign)
