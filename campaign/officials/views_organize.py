"""Organizer pages: the officials directory, an official's details and positions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.core.forms import submit
from campaign.core.permissions import role_required
from campaign.officials import services
from campaign.officials.forms import DirectoryFilterForm, OfficialForm, PositionForm
from campaign.officials.models import BODY_LABELS, Body, Official, Stance

bp = Blueprint("officials_organize", __name__, url_prefix="/organize/officials")


@bp.get("/")
@role_required(Role.VIEWER)
def index():
    states, counties = services.directory_places()
    form = DirectoryFilterForm(request.args, meta={"csrf": False})
    form.state.choices = [SelectChoice("", _("Every state"))] + [SelectChoice(state, state) for state in states]
    form.county.choices = [SelectChoice("", _("Every county"))] + [
        SelectChoice(county.fips, county.label) for county in counties
    ]
    form.body.choices = [SelectChoice("", _("Every body"))] + [
        SelectChoice(body.value, label) for body, label in BODY_LABELS.items()
    ]
    if form.validate():
        body = Body(form.body.data) if form.body.data else None
        groups, status = services.directory(form.county.data or None, form.state.data or None, body), 200
    else:
        groups, status = services.directory(), 400
    return render_template("officials/organize/index.html", form=form, groups=groups), status


def _official_form(official: Official | None) -> OfficialForm:
    form = OfficialForm(obj=official)
    form.state.choices = [SelectChoice("", "—")] + [SelectChoice(state, state) for state in services.state_codes()]
    if official is not None and not form.is_submitted():
        form.body.data = official.body.value
        form.county.data = official.county_fips
    return form


def _official_input(form: OfficialForm) -> services.OfficialInput:
    return services.OfficialInput(
        name=form.name.data,
        title=form.title.data,
        body=Body(form.body.data),
        county=form.county.data,
        state=form.state.data,
        district=form.district.data,
        email=form.email.data,
        phone=form.phone.data,
        office_address=form.office_address.data,
        website=form.website.data,
        term_starts_on=form.term_starts_on.data,
        term_ends_on=form.term_ends_on.data,
    )


def _save(official: Official | None):
    form = _official_form(official)
    user = current_user._get_current_object()

    def save() -> Official:
        data = _official_input(form)
        return services.update_official(official, data, user) if official else services.create_official(data, user)

    saved, status = submit(form, save)
    if saved is not None:
        flash(_("Official saved."), "success")
        return redirect(url_for(".show", official_id=saved.id), code=303)
    return render_template("officials/organize/form.html", form=form, official=official), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new():
    return _save(None)


@bp.route("/<int:official_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(official_id: int):
    return _save(services.get_official(official_id))


def _page(official: Official, form: PositionForm, status: int = 200):
    return render_template(
        "officials/organize/show.html",
        official=official,
        history=services.position_history(official),
        form=form,
        can_edit=current_user.has_role(Role.ORGANIZER),
    ), status


@bp.get("/<int:official_id>")
@role_required(Role.VIEWER)
def show(official_id: int):
    return _page(services.get_official(official_id), PositionForm(formdata=None))


@bp.post("/<int:official_id>/positions")
@role_required(Role.ORGANIZER)
def add_position(official_id: int):
    official = services.get_official(official_id)
    form = PositionForm()
    position, status = submit(
        form,
        lambda: services.record_position(
            official,
            services.PositionInput(
                stance=Stance(form.stance.data),
                stated_on=form.stated_on.data,
                source_url=form.source_url.data,
                summary=form.summary.data,
            ),
            current_user._get_current_object(),
        ),
    )
    if position is None:
        return _page(official, form, status)
    flash(_("Position recorded."), "success")
    return redirect(url_for(".show", official_id=official.id), code=303)
