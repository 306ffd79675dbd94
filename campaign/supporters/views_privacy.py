"""Privacy pages: erasing a person on request (organizers), the retention settings and
the purge runs (admins)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.accounts.models import Role
from campaign.core.forms import submit
from campaign.core.permissions import role_required
from campaign.supporters import erasure, retention
from campaign.supporters.forms_privacy import EraseForm, PurgeForm

bp = Blueprint("privacy", __name__, url_prefix="/organize")


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def erase(person_id: int):
    """GET says what the erasure will do; POST, with the box ticked, does it."""
    person = erasure.get_person(person_id)
    form = EraseForm()
    counts, status = submit(form, lambda: erasure.erase(person, current_user))
    if counts is not None:
        flash(_("The supporter was erased. Their signatures still count, without a name."), "success")
        return redirect(url_for("supporters.person", person_id=person_id), code=303)
    return render_template("supporters/erase.html", person=person, preview=erasure.preview(person), form=form), status


def _privacy_page(form: PurgeForm, status: int = 200):
    config = current_app.config
    return render_template(
        "supporters/privacy.html",
        settings={name: config[name] for name in (*retention.SETTINGS, "HOUSEHOLD_LIMIT")},
        runs=retention.recent_runs(),
        form=form,
    ), status


@bp.get("/privacy")
@role_required(Role.ADMIN)
def privacy():
    return _privacy_page(PurgeForm(formdata=None))


@bp.post("/privacy/purge")
@role_required(Role.ADMIN)
def run_purge():
    form = PurgeForm()
    job, status = submit(form, lambda: retention.enqueue_purge(current_user))
    if job is None:
        return _privacy_page(form, status)
    flash(_("The purge has started. Its run appears below once it has finished: reload the page."), "success")
    return redirect(url_for(".privacy"), code=303)
