"""Paper signatures from a CSV file: checked as a whole when uploaded (encoding, columns),
then applied in the background a batch per transaction, with a report line per row."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import case, insert, select

from campaign.accounts.models import User
from campaign.accounts.services import record_event
from campaign.core.csvimport import decode, sniff_dialect
from campaign.core.errors import DomainError, NotFound
from campaign.core.text import ascii_int
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.registry import handler
from campaign.petitions.counts import refresh_counts
from campaign.petitions.models import ImportStatus, PaperImport, PaperImportRow, Petition, RowOutcome
from campaign.petitions.paper import PaperResult, PaperSignatureInput, add_paper_signature, check_open_to_paper

IMPORT_JOB = "petitions.import_paper"
BATCH = 500
COLUMNS = {  # column name in the file -> field; names are compared without case, spaces or dashes
    "first_name": "first_name",
    "last_name": "last_name",
    "zip": "zip_code",
    "zip_code": "zip_code",
    "county": "county",
    "email": "email",
    "street_address": "street_address",
    "address": "street_address",
    "phone": "phone",
    "comment": "comment",
    "email_updates": "email_updates",
    "signed_on": "signed_on",
    "date": "signed_on",
    "sheet": "sheet_number",
    "sheet_number": "sheet_number",
}
REQUIRED_COLUMNS = ("first_name", "last_name", "zip_code")
YES = {"1", "x", "y", "yes", "true", "si", "sí"}
REPORT_PAGE = 200
# The upload is checked in the web request, so that check reads bounded prefixes only.
HEADER_CHARS = 8_192
MAX_COLUMNS = 100  # the file's columns, blank ones included; 15 names are known
MAX_CELL = 2_000  # above every field's own limit (a comment's 1,000), which keeps its own message


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _header(text: str) -> list[str]:
    """The column names, read from the first HEADER_CHARS characters only."""
    head = text[:HEADER_CHARS]
    lines = io.StringIO(head, newline="")
    reader = csv.reader(lines, sniff_dialect(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise DomainError(_("The file is empty."), field="file") from None
    if len(header) > MAX_COLUMNS:  # counted in the head even when the line goes on
        raise DomainError(_("A file can have at most %(count)s columns.", count=MAX_COLUMNS), field="file")
    if lines.tell() == len(head) < len(text):  # the head ran out before the first line did
        message = _("The first line, with the column names, is longer than %(count)s characters.", count=HEADER_CHARS)
        raise DomainError(message, field="file")
    return header


def duplicated_fields(fields: list[str | None]) -> list[str]:
    return sorted(field for field, count in Counter(fields).items() if field and count > 1)


def read_header(text: str) -> list[str | None]:
    """The field each column holds. Refuses the whole file when a column is unknown (its data
    would be lost) or a required one is missing."""
    header = _header(text)
    fields = [COLUMNS.get(_column_key(name)) for name in header]
    unknown = [name for name, field in zip(header, fields, strict=True) if field is None and name.strip()]
    expected = _("The columns we read are: %(names)s.", names=", ".join(sorted(COLUMNS)))
    if unknown:
        problem = _("Unknown column(s): %(names)s.", names=", ".join(unknown))
        raise DomainError(f"{problem} {expected}", field="file")
    missing = [name for name in REQUIRED_COLUMNS if name not in fields]
    if missing:
        problem = _("Missing column(s): %(names)s.", names=", ".join(missing))
        raise DomainError(f"{problem} {expected}", field="file")
    duplicated = duplicated_fields(fields)
    if duplicated:
        message = _("Two columns hold the same field: %(names)s.", names=", ".join(duplicated))
        raise DomainError(message, field="file")
    return fields


def start_import(
    petition: Petition,
    filename: str,
    data: bytes,
    *,
    forum_id: int | None = None,
    default_signed_at: datetime | None = None,
    user=None,
) -> PaperImport:
    """Check the file as a whole now (encoding, columns), apply its rows in the background."""
    check_open_to_paper(petition)
    text, encoding = decode(data)
    read_header(text)
    record = PaperImport(
        petition=petition,
        forum_id=forum_id,
        default_signed_at=default_signed_at,
        filename=(filename or "upload.csv")[:255],
        content=text.encode("utf-8"),
        encoding=encoding,
        created_by_id=user.id if user else None,
    )
    db.session.add(record)
    db.session.flush()
    record.job_id = jobs.enqueue(IMPORT_JOB, import_id=record.id).id
    return record


def _cell_too_long() -> str:
    return _("A cell is longer than %(count)s characters.", count=MAX_CELL)


def _row_input(fields: list[str | None], values: list[str]) -> PaperSignatureInput:
    row = {}
    for field, value in zip(fields, values, strict=True):
        if not field:
            continue
        if len(value) > MAX_CELL:  # checked here so no message downstream echoes a huge cell
            raise DomainError(_cell_too_long(), field=field)
        if "\x00" in value:  # UTF-16 files can carry it; PostgreSQL refuses it in text
            raise DomainError(_("A cell cannot hold a NUL character."), field=field)
        row[field] = value.strip()
    sheet = row.pop("sheet_number", "") or None
    signed_on = row.pop("signed_on", "") or None
    updates = row.pop("email_updates", "")
    sheet_number = ascii_int(sheet) if sheet else None  # the range is checked with the typed-in sheets
    if sheet and sheet_number is None:
        raise DomainError(_("A sheet number is a whole number from 1."), field="sheet_number")
    return PaperSignatureInput(
        **row,
        sheet_number=sheet_number,
        signed_on=_parse_date(signed_on) if signed_on else None,
        email_updates=updates.lower() in YES,
    )


def _parse_date(text: str) -> date:
    if text.isascii():  # strptime's \d takes the digits of every script
        for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    raise DomainError(_("Write the date signed as 2026-11-21 or 11/21/2026."), field="signed_on")


def _field_label(field: str | None) -> str:
    return f"{field}: " if field else ""


def apply_import(import_id: int, on_progress=None) -> PaperImport:
    """Apply the rows not applied yet, a batch per transaction, each row on its own: a bad
    row is reported and skipped, never blocking the good ones. Resumes after a crash."""
    record = db.session.get(PaperImport, import_id)
    if record is None:
        raise NotFound(f"no paper import {import_id}")
    if record.status is ImportStatus.DONE:
        return record
    record.status = ImportStatus.RUNNING
    petition = record.petition
    text = record.content.decode("utf-8")
    total_lines = text.count("\n") + 1
    reader = csv.reader(io.StringIO(text, newline=""), sniff_dialect(text))
    fields = read_header(text)
    next(reader)
    report: list[dict] = []
    counts = {RowOutcome.ACCEPTED: 0, RowOutcome.MERGED: 0, RowOutcome.REJECTED: 0}
    index = 0
    line = reader.line_num + 1
    for index, values in enumerate(_records(reader), start=1):
        start_line, line = line, reader.line_num + 1
        if index <= record.rows_done or (values is not None and not any(value.strip() for value in values)):
            continue
        result = _apply_row(record, fields, values)
        counts[result.outcome] += 1
        report.append(
            {
                "import_id": record.id,
                "line": start_line,
                "outcome": result.outcome,
                "message": result.message,
                "signature_id": result.signature.id if result.signature else None,
            }
        )
        if len(report) >= BATCH:
            _commit_batch(record, report, counts, index)
            if on_progress:
                on_progress(round(100 * start_line / total_lines))
    _commit_batch(record, report, counts, index)
    record.status, record.finished_at, record.content = ImportStatus.DONE, utcnow(), None
    refresh_counts(petition.id, force=True)
    # Logged once, in the transaction that marks the import done (a resumed job logs it then).
    record_event(
        db.session.get(User, record.created_by_id) if record.created_by_id else None,
        "paper_import",
        petition=petition.slug,
        paper_import=record.id,
        accepted=record.accepted,
        merged=record.merged,
        rejected=record.rejected,
    )
    return record


def _records(reader: csv.reader) -> Iterator[list[str] | None]:
    """The reader's records, None for one it cannot read: a cell past csv.field_size_limit().
    The reader then drops the rest of that line and goes on at the next one (when that cell
    was quoted over several lines, its next lines are read as lines of their own)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None


def _apply_row(record: PaperImport, fields: list[str | None], values: list[str] | None) -> PaperResult:
    if values is None:
        return PaperResult(RowOutcome.REJECTED, None, _cell_too_long())
    if len(values) != len(fields):
        message = _(
            "This line has %(found)s fields where the header has %(expected)s.", found=len(values), expected=len(fields)
        )
        return PaperResult(RowOutcome.REJECTED, None, message)
    try:  # a refused row raises before writing anything: no savepoint needed
        return add_paper_signature(
            record.petition,
            _row_input(fields, values),
            forum_id=record.forum_id,
            default_signed_at=record.default_signed_at,
            entered_by_id=record.created_by_id,
        )
    except DomainError as error:
        return PaperResult(RowOutcome.REJECTED, None, _field_label(error.field) + error.message)


def _commit_batch(record: PaperImport, report: list[dict], counts: dict, rows_done: int) -> None:
    if report:
        db.session.execute(insert(PaperImportRow), report)
    record.accepted += counts[RowOutcome.ACCEPTED]
    record.merged += counts[RowOutcome.MERGED]
    record.rejected += counts[RowOutcome.REJECTED]
    record.rows_done = rows_done
    db.session.commit()
    report.clear()
    counts.update(dict.fromkeys(counts, 0))


@handler(IMPORT_JOB)
def import_job(import_id: int) -> dict:
    job_id = db.session.scalar(select(PaperImport.job_id).where(PaperImport.id == import_id))
    record = apply_import(import_id, on_progress=lambda percent: job_id and jobs.report_progress(job_id, percent))
    db.session.commit()
    return {"accepted": record.accepted, "merged": record.merged, "rejected": record.rejected}


def imports_for_forum(forum_id: int) -> list[PaperImport]:
    query = select(PaperImport).where(PaperImport.forum_id == forum_id).order_by(PaperImport.id.desc())
    return list(db.session.scalars(query))


def get_import(import_id: int) -> PaperImport:
    record = db.session.get(PaperImport, import_id)
    if record is None:
        raise NotFound(_("There is no such import."))
    return record


def report_rows(record: PaperImport, page: int) -> tuple[list[PaperImportRow], bool]:
    """The report a page at a time, rejected and merged rows first: they need a look."""
    order = case(
        (PaperImportRow.outcome == RowOutcome.REJECTED, 0), (PaperImportRow.outcome == RowOutcome.MERGED, 1), else_=2
    )
    query = (
        select(PaperImportRow)
        .where(PaperImportRow.import_id == record.id)
        .order_by(order, PaperImportRow.line)
        .offset((page - 1) * REPORT_PAGE)
        .limit(REPORT_PAGE + 1)
    )
    rows = list(db.session.scalars(query))
    return rows[:REPORT_PAGE], len(rows) > REPORT_PAGE


def report_csv(record: PaperImport) -> Iterator[str]:
    """The whole report as CSV, line by line of the file, streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "outcome", "signature", "message"])
    query = (
        select(PaperImportRow)
        .where(PaperImportRow.import_id == record.id)
        .order_by(PaperImportRow.line)
        .execution_options(yield_per=1000)
    )
    for row in db.session.scalars(query):
        writer.writerow([row.line, row.outcome.value, row.signature_id or "", row.message])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
