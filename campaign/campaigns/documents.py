"""A campaign's documents: the agreement, budgets, detention contracts, public-records
requests (with their status and due date) and reports, each a link or a file kept in the
database. A file is accepted only when its first bytes are what its name says it is."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from jinja2.filters import do_filesizeformat
from sqlalchemy import select
from werkzeug.utils import secure_filename

from campaign.accounts.audit import Changes
from campaign.accounts.services import record_event
from campaign.campaigns.models import Campaign, CampaignStatus, Document, DocumentKind, RequestStatus
from campaign.core.errors import DomainError, NotFound
from campaign.core.text import blank_to_none, clean_control
from campaign.core.urls import web_link
from campaign.extensions import db
from campaign.geo.services import county_zone

MAX_TITLE = 200
MAX_NOTES = 5_000
MAX_FILE_NAME = 200
# A request still waiting for the agency's answer: past its due date, it is overdue.
WAITING = frozenset({RequestStatus.SENT, RequestStatus.ACKNOWLEDGED})
ACCEPTED_NAMES = "PDF, PNG, JPEG, CSV, XLSX, DOCX, TXT"


def _pdf(data: bytes) -> bool:
    # A whole PDF starts with its header and ends with %%EOF (a few bytes of padding allowed).
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def _office(part: str):
    """An Office Open XML file: a zip holding [Content_Types].xml and its main part."""

    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())  # the directory only: nothing unpacked
        except Exception:  # noqa: BLE001 (a damaged archive fails in many ways: it is not the file it claims)
            return False
        return "[Content_Types].xml" in names and part in names

    return check


def _utf8_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class FileType:
    content_type: str
    matches: object  # bytes -> bool
    shown_inline: bool = False  # an image opens in the browser; everything else downloads


FILE_TYPES = {
    "pdf": FileType("application/pdf", _pdf),
    "png": FileType("image/png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"), shown_inline=True),
    "jpg": FileType("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff"), shown_inline=True),
    "jpeg": FileType("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff"), shown_inline=True),
    "csv": FileType("text/csv; charset=utf-8", _utf8_text),
    "txt": FileType("text/plain; charset=utf-8", _utf8_text),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _office("xl/workbook.xml")),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _office("word/document.xml")
    ),
}


@dataclass
class Upload:
    """A file as the form received it: its name and at most DOCUMENT_MAX_BYTES + 1 bytes."""

    file_name: str
    data: bytes


@dataclass
class DocumentInput:
    title: str
    kind: DocumentKind
    dated: date | None = None
    url: str | None = None
    upload: Upload | None = None
    public: bool = False
    request_status: RequestStatus | None = None
    due_on: date | None = None
    notes: str | None = None


def max_bytes() -> int:
    return current_app.config["DOCUMENT_MAX_BYTES"]


def human_size(size: int | None) -> str:
    """1_200_000 -> "1.2 MB", as the templates' filesizeformat says it."""
    return do_filesizeformat(size or 0)


def _file_type(name: str) -> tuple[str, FileType]:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = FILE_TYPES.get(extension)
    if kind is None:
        raise DomainError(
            _("Files of this type are not accepted. Use one of: %(names)s.", names=ACCEPTED_NAMES), "file"
        )
    return extension, kind


def safe_file_name(raw: str, extension: str) -> str:
    """The name the file is served under: no path, no control characters, ASCII letters,
    digits, dots, hyphens and underscores, and the extension its content was checked for."""
    base = (clean_control(raw.replace("\\", "/").rsplit("/", 1)[-1], multiline=False) or "").rsplit(".", 1)[0]
    stem = secure_filename(base)[: MAX_FILE_NAME - len(extension) - 1].strip("._") or "document"
    return f"{stem}.{extension}"


def _store_file(document: Document, upload: Upload) -> None:
    data = upload.data
    if len(data) > max_bytes():
        raise DomainError(
            _("This file is larger than %(limit)s, the most a document may be.", limit=human_size(max_bytes())), "file"
        )
    if not data:
        raise DomainError(_("This file is empty."), "file")
    extension, kind = _file_type(upload.file_name or "")
    if not kind.matches(data):
        raise DomainError(
            _("This file is not a real .%(extension)s file: its content does not match its name.", extension=extension),
            "file",
        )
    document.file_name = safe_file_name(upload.file_name, extension)
    document.content_type = kind.content_type
    document.content = data
    document.size = len(data)
    document.sha256 = hashlib.sha256(data).hexdigest()
    document.url = None


def _clear_file(document: Document) -> None:
    document.file_name = document.content_type = document.content = document.size = document.sha256 = None


def _apply(document: Document, data: DocumentInput) -> None:
    title = clean_control(data.title or "", multiline=False) or ""
    if not title:
        raise DomainError(_("Give the document a title."), "title")
    if len(title) > MAX_TITLE:
        raise DomainError(_("Use at most %(count)s characters.", count=MAX_TITLE), "title")
    notes = blank_to_none(clean_control(data.notes, multiline=True))
    if notes and len(notes) > MAX_NOTES:
        raise DomainError(_("Use at most %(count)s characters.", count=MAX_NOTES), "notes")
    url = web_link(data.url, "url")
    if url and data.upload:
        raise DomainError(_("Give a link or a file, not both: clear the link to upload a file."), "url")
    if data.upload:
        _store_file(document, data.upload)
    elif url:
        document.url = url
        _clear_file(document)
    elif not document.file_name:
        raise DomainError(_("Give a link to the document or choose its file."), "url")
    if data.kind is DocumentKind.RECORDS_REQUEST:
        document.request_status = data.request_status or RequestStatus.DRAFTING
        document.due_on = data.due_on
    elif data.request_status or data.due_on:
        raise DomainError(_("Only a public-records request has a status and a due date: leave them empty."), "kind")
    else:
        document.request_status = document.due_on = None
    document.title = title
    document.kind = data.kind
    document.dated = data.dated
    document.public = bool(data.public)
    document.notes = notes


def create_document(campaign: Campaign, data: DocumentInput, user=None) -> Document:
    document = Document(campaign=campaign, token=secrets.token_urlsafe(16), added_by_id=getattr(user, "id", None))
    _apply(document, data)
    db.session.add(document)
    db.session.flush()
    record_event(user, "document_saved", campaign=campaign.slug, document=document.id, created=True)
    return document


def update_document(document: Document, data: DocumentInput, user=None) -> Document:
    changes = Changes(document)
    _apply(document, data)
    db.session.flush()
    record_event(user, "document_saved", campaign=document.campaign.slug, document=document.id, **changes.details())
    return document


def delete_document(document: Document, user=None) -> None:
    campaign, document_id = document.campaign, document.id
    db.session.delete(document)
    db.session.flush()
    record_event(user, "document_deleted", campaign=campaign.slug, document=document_id)


def get_document(campaign: Campaign, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.campaign_id != campaign.id:
        raise NotFound(_("There is no such document."))
    return document


def public_file(slug: str, token: str) -> Document:
    """A public document's file, of a public campaign; NotFound for anything else (a private
    document, a draft campaign, a link, a token of another campaign), organizers included."""
    document = db.session.scalar(
        select(Document)
        .join(Campaign)
        .where(
            Campaign.slug == slug,
            Campaign.status != CampaignStatus.DRAFT,
            Document.token == token,
            Document.public.is_(True),
            Document.file_name.is_not(None),
        )
    )
    if document is None:
        raise NotFound(_("There is no such document."))
    return document


def today_in(campaign: Campaign) -> date:
    return datetime.now(county_zone(campaign.county)).date()


def is_overdue(document: Document, today: date) -> bool:
    """A request sent (or acknowledged) whose answer was due before `today`."""
    return bool(document.due_on and document.request_status in WAITING and document.due_on < today)


def shown_inline(document: Document) -> bool:
    extension = (document.file_name or "").rsplit(".", 1)[-1].lower()
    kind = FILE_TYPES.get(extension)
    return bool(kind and kind.shown_inline)
