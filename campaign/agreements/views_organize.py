"""Organizers' agreement pages: the list, one agreement and its history, local facts, a
local agreement, and ICE's list imported with a dry run first.

Between the dry run and the apply, the uploaded file waits in the instance folder under its
SHA-256 for UPLOAD_LIFE; the session remembers which file this organizer previewed, and
"Apply" applies that exact file (the form sends only its hash, checked against the session)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.agreements import listing, services
from campaign.agreements.forms import (
    MODEL_CHOICES,
    STATUS_CHOICES,
    AgreementFilterForm,
    ApplyImportForm,
    ImportForm,
    LocalAgreementForm,
    LocalFactForm,
    state_choices,
)
from campaign.agreements.importer_files import too_large
from campaign.agreements.models import AgreementModel, AgreementStatus
from campaign.core.errors import DomainError, attach_to_form
from campaign.core.forms import submit
from campaign.core.pagination import page_number
from campaign.core.permissions import role_required
from campaign.core.text import clean_control

bp = Blueprint("agreements_organize", __name__, url_prefix="/organize/agreements")

UPLOAD_LIFE = timedelta(hours=1)
SESSION_KEY = "agreements_upload"


@bp.context_processor
def history_labels() -> dict:
    return {
        "change_labels": listing.CHANGE_LABELS,
        "field_labels": listing.FIELD_LABELS,
        "shown_value": listing.shown_value,
    }


@bp.get("/")
@role_required(Role.VIEWER)
def index():
    form = AgreementFilterForm(request.args)
    form.state.choices = [SelectChoice("", _("Every state"))] + [
        SelectChoice(state, state) for state in listing.agreement_states()
    ]
    form.status.choices = [SelectChoice("", _("Every status")), *STATUS_CHOICES]
    form.model.choices = [SelectChoice("", _("Every model")), *MODEL_CHOICES]
    page, status = page_number(), 200
    if form.validate():
        state = form.state.data or None
        wanted = AgreementStatus(form.status.data) if form.status.data else None
        model = AgreementModel(form.model.data) if form.model.data else None
        agreements, more = listing.list_agreements(state, wanted, model, page)
    else:
        agreements, more = listing.list_agreements(page=page)
        status = 400
    return render_template(
        "agreements/organize/index.html", form=form, agreements=agreements, page=page, more=more
    ), status


def _show(agreement, form: LocalFactForm, status: int = 200):
    changes = agreement.changes
    return render_template(
        "agreements/organize/show.html",
        agreement=agreement,
        changes=changes,
        names=listing.user_names(change.user_id for change in changes),
        form=form,
    ), status


@bp.get("/<int:agreement_id>")
@role_required(Role.VIEWER)
def show(agreement_id: int):
    agreement = services.get_agreement(agreement_id)
    form = LocalFactForm(formdata=None)
    form.status.data = agreement.status.value
    return _show(agreement, form)


def _fact(form: LocalFactForm) -> services.LocalFactInput:
    return services.LocalFactInput(
        status=AgreementStatus(form.status.data),
        status_on=form.status_on.data,
        note=form.note.data,
        source_url=form.source_url.data,
    )


@bp.post("/<int:agreement_id>/fact")
@role_required(Role.ORGANIZER)
def record_fact(agreement_id: int):
    agreement = services.get_agreement(agreement_id)
    form = LocalFactForm()
    result, status = submit(form, lambda: services.record_local_fact(agreement, _fact(form), current_user))
    if result is not None:
        flash(_("The fact is recorded. Later imports of ICE's list keep it."), "success")
        return redirect(url_for(".show", agreement_id=agreement.id), 303)
    return _show(services.get_agreement(agreement_id), form, status or 422)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new():
    form = LocalAgreementForm()
    form.state.choices = state_choices()

    def add():
        data = services.LocalAgreementInput(
            state=form.state.data,
            county=form.county.data,
            agency=form.agency.data,
            agency_type=form.agency_type.data,
            model=AgreementModel(form.model.data),
            fact=_fact(form),
            document_url=form.document_url.data,
        )
        return services.add_local_agreement(data, current_user)

    agreement, status = submit(form, add)
    if agreement is not None:
        flash(_("The agreement is recorded."), "success")
        return redirect(url_for(".show", agreement_id=agreement.id), 303)
    return render_template("agreements/organize/new.html", form=form), status


# --- importing ICE's list --------------------------------------------------------------------


def _upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "agreement_uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - UPLOAD_LIFE.total_seconds()
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:  # another organizer's request removed it first
            continue


def _kept_upload(sha256: str) -> tuple[str, bytes]:
    """The file this organizer previewed, by the hash the apply form sent: (name, bytes)."""
    kept = session.get(SESSION_KEY) or {}
    expired = DomainError(_("This preview has expired. Upload the file again."), field="sha256")
    if kept.get("sha256") != sha256:
        raise expired
    path = _upload_folder() / f"{sha256}{kept.get('suffix', '')}"
    try:  # another request may remove an expired file at any moment
        if path.stat().st_mtime < time.time() - UPLOAD_LIFE.total_seconds():
            raise expired
        return kept["file_name"], path.read_bytes()
    except FileNotFoundError:
        raise expired from None


def _preview(form: ImportForm) -> services.ImportReport:
    upload = form.file.data
    limit = services.max_import_bytes()
    data = upload.stream.read(limit + 1)  # a larger file is refused before it is read whole
    if len(data) > limit:
        raise too_large(limit)
    file_name = clean_control(upload.filename or "", multiline=False)[:255] or "upload.csv"
    report = services.preview_import(file_name, data)
    folder = _upload_folder()
    _forget_old_uploads(folder)
    suffix = ".xlsx" if file_name.lower().endswith(".xlsx") else ".csv"
    (folder / f"{report.sha256}{suffix}").write_bytes(data)
    session[SESSION_KEY] = {"sha256": report.sha256, "file_name": file_name, "suffix": suffix}
    return report


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def import_list():
    """The dry run: read and compare, write nothing (no commit, so the report's agreements
    are not reloaded one by one)."""
    form, report, status = ImportForm(), None, 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                report, status = _preview(form), 200
            except DomainError as error:
                attach_to_form(form, error)
                status = error.status_code
    apply_form = ApplyImportForm(formdata=None, sha256=report.sha256) if report else None
    return render_template("agreements/organize/import.html", form=form, report=report, apply_form=apply_form), status


@bp.post("/import/apply")
@role_required(Role.ORGANIZER)
def apply_import():
    form = ApplyImportForm()

    def apply():
        file_name, data = _kept_upload(form.sha256.data)
        return services.apply_import(file_name, data, current_user)

    report, status = submit(form, apply)
    if report is None:
        message = (
            form.sha256.errors[-1] if form.sha256.errors else _("This preview has expired. Upload the file again.")
        )
        flash(message, "error")
        return redirect(url_for(".import_list"), 303)
    session.pop(SESSION_KEY, None)
    (_upload_folder() / f"{report.sha256}.xlsx").unlink(missing_ok=True)
    (_upload_folder() / f"{report.sha256}.csv").unlink(missing_ok=True)
    flash(_("ICE's list is imported."), "success")
    return redirect(url_for(".import_record", import_id=report.record.id), 303)


@bp.get("/imports")
@role_required(Role.VIEWER)
def imports():
    return render_template("agreements/organize/imports.html", imports=listing.import_history())


@bp.get("/imports/<int:import_id>")
@role_required(Role.VIEWER)
def import_record(import_id: int):
    record = listing.get_import(import_id)
    return render_template(
        "agreements/organize/import_record.html",
        record=record,
        changes=listing.import_changes(record),
        names=listing.user_names([record.imported_by_id]),
    )
