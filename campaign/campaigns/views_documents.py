"""A campaign's documents: the organizer pages that keep them, and the public download of
the files organizers made public."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from campaign.accounts.models import Role
from campaign.campaigns import documents
from campaign.campaigns.forms_documents import DocumentForm
from campaign.campaigns.models import Campaign, Document, DocumentKind, RequestStatus
from campaign.campaigns.services import get_campaign
from campaign.core.forms import BaseForm, submit
from campaign.core.permissions import role_required

bp = Blueprint("campaign_documents", __name__)

# A served file can never run anything, whatever it holds: no scripts, no plugins, no
# requests, a sandbox of its own. Chromium refuses to show a PDF in a sandbox, so a PDF is
# downloaded (opened by the reader's PDF program); only images open in the browser.
FILE_POLICY = "default-src 'none'; img-src 'self'; sandbox"


def _file_response(document: Document):
    response = send_file(
        io.BytesIO(document.content or b""),
        mimetype=document.content_type,
        as_attachment=not documents.shown_inline(document),
        download_name=document.file_name,
        etag=document.sha256,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/c/<slug>/documents/<token>/<file_name>")
def public_file(slug: str, token: str, file_name: str):
    document = documents.public_file(slug, token)
    if file_name != document.file_name:
        abort(404)
    return _file_response(document)


# --- organizer pages ---------------------------------------------------------------------


def _upload(form: DocumentForm) -> documents.Upload | None:
    upload = form.file.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    # One byte past the limit is enough to know the file is too big: nothing more is read.
    return documents.Upload(upload.filename, upload.stream.read(documents.max_bytes() + 1))


def _document_input(form: DocumentForm) -> documents.DocumentInput:
    return documents.DocumentInput(
        title=form.title.data,
        kind=DocumentKind(form.kind.data),
        dated=form.dated.data,
        url=form.url.data,
        upload=_upload(form),
        public=form.public.data,
        request_status=RequestStatus(form.request_status.data) if form.request_status.data else None,
        due_on=form.due_on.data,
        notes=form.notes.data,
    )


def _save(form: DocumentForm, campaign: Campaign, document: Document | None):
    def save() -> Document:
        data = _document_input(form)
        user = current_user._get_current_object()
        if document is None:
            return documents.create_document(campaign, data, user)
        return documents.update_document(document, data, user)

    saved, status = submit(form, save)
    if saved is not None:
        flash(_("Document saved."), "success")
        return redirect(url_for(".document_list", slug=campaign.slug), 303)
    page = render_template(
        "campaigns/organize/documents_form.html",
        form=form,
        campaign=campaign,
        document=document,
        max_size=documents.human_size(documents.max_bytes()),
        accepted=documents.ACCEPTED_NAMES,
    )
    return page, status


@bp.get("/organize/campaigns/<slug>/documents")
@role_required(Role.VIEWER)
def document_list(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    today = documents.today_in(campaign)
    return render_template(
        "campaigns/organize/documents.html",
        campaign=campaign,
        overdue=lambda document: documents.is_overdue(document, today),
    )


@bp.route("/organize/campaigns/<slug>/documents/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def document_new(slug: str):
    campaign = get_campaign(slug, include_drafts=True)
    return _save(DocumentForm(), campaign, None)


@bp.route("/organize/campaigns/<slug>/documents/<int:document_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def document_edit(slug: str, document_id: int):
    campaign = get_campaign(slug, include_drafts=True)
    document = documents.get_document(campaign, document_id)
    form = DocumentForm(obj=document)
    if not form.is_submitted():
        form.kind.data = document.kind.value
        form.request_status.data = document.request_status.value if document.request_status else ""
    return _save(form, campaign, document)


@bp.post("/organize/campaigns/<slug>/documents/<int:document_id>/delete")
@role_required(Role.ORGANIZER)
def document_delete(slug: str, document_id: int):
    campaign = get_campaign(slug, include_drafts=True)
    document = documents.get_document(campaign, document_id)
    deleted, status = submit(
        BaseForm(), lambda: documents.delete_document(document, current_user._get_current_object()) or True
    )
    if deleted is None:
        abort(status if status >= 400 else 400)
    flash(_("Document deleted."), "success")
    return redirect(url_for(".document_list", slug=campaign.slug), 303)


@bp.get("/organize/campaigns/<slug>/documents/<int:document_id>/file")
@role_required(Role.VIEWER)
def organizer_file(slug: str, document_id: int):
    """Any document's file, private ones included, for the campaign's organizers."""
    document = documents.get_document(get_campaign(slug, include_drafts=True), document_id)
    if not document.file_name:
        abort(404)
    return _file_response(document)
