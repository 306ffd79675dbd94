"""The agreements tracker: ICE's list imported and compared with the last import, the local
facts organizers record, and the queries the public county pages ask.

Who owns which field. An import writes what ICE's list says: the agency's name, its type,
its county, the date signed, the agreement and addendum links, and whether the agreement is
on the list (`listed`). It never writes `status`, `status_on` or `note`: those are local
facts (rescinded on a date, declined, proposed), recorded by an organizer, and the next
import keeps them. A new agreement from the list starts ACTIVE; one that leaves the list
keeps its status (listed turns False and the history says it left: whether it ended is for
an organizer to record, with a source). A local agreement that later appears on the list
becomes the list's (source ICE_LIST), its local status kept.

An import is all or nothing: the services flush and the caller commits once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from campaign.accounts.models import User
from campaign.accounts.services import record_event
from campaign.agreements import importer
from campaign.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementModel,
    AgreementSource,
    AgreementStatus,
    ChangeKind,
    fold_agency,
)
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.urls import web_link
from campaign.extensions import db
from campaign.geo.models import County
from campaign.geo.services import FIPS_PATTERN

# What an import compares and writes, in the order a change lists them.
LIST_FIELDS = ("agency", "agency_type", "county_fips", "signed_on", "document_url", "addendum_url")
MAX_NOTE = 2_000


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    rows: int = 0
    added: list[Agreement] = field(default_factory=list)
    changed: list[tuple[Agreement, dict]] = field(default_factory=list)
    gone: list[Agreement] = field(default_factory=list)
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    record: AgreementImport | None = None  # None for a dry run


def max_import_bytes() -> int:
    return current_app.config["AGREEMENTS_IMPORT_MAX_BYTES"]


def _plain(value):
    """A value as the history keeps it in JSON: dates and enums as their strings."""
    if isinstance(value, date):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


def _diff(file_name: str, data: bytes) -> tuple[ImportReport, dict, list]:
    """Compare the file with the agreements we have, writing nothing. Returns the report,
    the new values of each matched agreement {agreement: {field: new}} and the new rows."""
    parsed = importer.read_file(file_name, data, max_import_bytes())
    report = ImportReport(
        file_name=(file_name or "upload")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        rows=len(parsed.rows),
        problems=parsed.problems,
    )
    agreements = db.session.scalars(select(Agreement))
    known = {(agreement.state, agreement.agency_key, agreement.model): agreement for agreement in agreements}
    updates, new_rows = {}, []
    for row in parsed.rows:
        agreement = known.pop(row.key, None)
        if agreement is None:
            new_rows.append(row)
            continue
        values = {name: getattr(row, name) for name in LIST_FIELDS}
        values |= {"listed": True, "source": AgreementSource.ICE_LIST}
        fields = {
            name: [_plain(getattr(agreement, name)), _plain(value)]
            for name, value in values.items()
            if getattr(agreement, name) != value
        }
        if fields:
            report.changed.append((agreement, fields))
            updates[agreement] = values
        else:
            report.unchanged += 1
    report.gone = sorted(
        (
            agreement
            for agreement in known.values()
            if agreement.source is AgreementSource.ICE_LIST and agreement.listed
        ),
        key=lambda agreement: (agreement.state, agreement.agency_key),
    )
    return report, updates, new_rows


def preview_import(file_name: str, data: bytes) -> ImportReport:
    """A dry run: what applying this file would add, change and mark gone. Writes nothing;
    `added` holds agreements that are not in the session."""
    report, _updates, new_rows = _diff(file_name, data)
    report.added = [_new_agreement(row) for row in new_rows]
    return report


def _new_agreement(row: importer.Row) -> Agreement:
    return Agreement(
        **{name: getattr(row, name) for name in LIST_FIELDS},
        state=row.state,
        model=row.model,
        status=AgreementStatus.ACTIVE,
        source=AgreementSource.ICE_LIST,
        listed=True,
    )


def apply_import(file_name: str, data: bytes, user: User | None = None) -> ImportReport:
    """Apply the file: add, update and mark gone, each with its history line, and record the
    run (an AgreementImport, even when nothing changed) and an audit event. Flushes only."""
    report, updates, new_rows = _diff(file_name, data)
    record = AgreementImport(
        file_name=report.file_name,
        sha256=report.sha256,
        rows=report.rows,
        problems=[list(problem) for problem in report.problems],
        imported_by_id=user.id if user else None,
    )
    db.session.add(record)
    db.session.flush()

    def history(agreement: Agreement, kind: ChangeKind, fields: dict) -> None:
        db.session.add(
            AgreementChange(
                agreement=agreement, import_id=record.id, kind=kind, fields=fields, user_id=user.id if user else None
            )
        )

    for agreement, fields in report.changed:
        for name, value in updates[agreement].items():
            setattr(agreement, name, value)
        history(agreement, ChangeKind.CHANGED, fields)
    for row in new_rows:
        agreement = _new_agreement(row)
        db.session.add(agreement)
        history(
            agreement,
            ChangeKind.ADDED,
            {name: [None, _plain(getattr(row, name))] for name in LIST_FIELDS if getattr(row, name) is not None},
        )
        report.added.append(agreement)
    for agreement in report.gone:
        agreement.listed = False
        history(agreement, ChangeKind.GONE, {"listed": [True, False]})
    record.added, record.changed = len(report.added), len(report.changed)
    record.gone, record.unchanged = len(report.gone), report.unchanged
    db.session.flush()
    report.record = record
    record_event(
        user,
        "agreements_imported",
        agreement_import=record.id,
        file=record.file_name,
        added=record.added,
        changed=record.changed,
        gone=record.gone,
    )
    return report


# --- local facts ---------------------------------------------------------------------------


@dataclass
class LocalFactInput:
    status: AgreementStatus
    status_on: date | None
    note: str
    source_url: str | None = None


@dataclass
class LocalAgreementInput:
    state: str
    county: str | None  # a FIPS code or a county name within the state
    agency: str
    agency_type: str | None
    model: AgreementModel
    fact: LocalFactInput
    document_url: str | None = None


def _note(fact: LocalFactInput) -> str:
    note = (fact.note or "").strip()
    if not note:
        raise DomainError(_("Say what happened and where it is recorded."), field="note")
    source = web_link(fact.source_url, "source_url")
    text = f"{note}\n{source}" if source else note
    if len(text) > MAX_NOTE:
        raise DomainError(_("Use at most %(count)s characters.", count=MAX_NOTE), field="note")
    return text


def _local_change(agreement: Agreement, fields: dict, user: User | None) -> AgreementChange:
    change = AgreementChange(
        agreement=agreement, kind=ChangeKind.LOCAL, fields=fields, user_id=user.id if user else None
    )
    db.session.add(change)
    db.session.flush()
    record_event(user, "agreement_fact_recorded", agreement=agreement.id, status=agreement.status.value)
    return change


def _fact_values(data: LocalFactInput) -> dict:
    if data.status_on and data.status_on > date.today():
        raise DomainError(_("The date cannot be in the future."), field="status_on")
    return {"status": data.status, "status_on": data.status_on, "note": _note(data)}


def record_local_fact(agreement: Agreement, data: LocalFactInput, user: User | None = None) -> AgreementChange:
    """An organizer's fact the list does not have: declined, rescinded or expired on a date,
    proposed again. It stays through later imports (see the module's docstring)."""
    values = _fact_values(data)
    fields = {
        name: [_plain(getattr(agreement, name)), _plain(value)]
        for name, value in values.items()
        if getattr(agreement, name) != value
    }
    for name, value in values.items():
        setattr(agreement, name, value)
    return _local_change(agreement, fields, user)


def _county_in(state: str, text: str | None) -> str | None:
    value = (text or "").strip()
    if not value:
        return None
    if FIPS_PATTERN.fullmatch(value):
        county = db.session.get(County, value)
        fips = county.fips if county is not None and county.state == state else None
    else:
        fips = importer.CountyNames().find(state, value)
    if fips is None:
        raise DomainError(_('There is no county "%(county)s" in %(state)s.', county=value, state=state), field="county")
    return fips


def add_local_agreement(data: LocalAgreementInput, user: User | None = None) -> Agreement:
    """An agreement ICE's list does not have: proposed, or declined as Palmyra, Wisconsin did."""
    state = importer.state_code((data.state or "").strip())
    if state is None:
        raise DomainError(_('There is no state "%(state)s".', state=data.state), field="state")
    county_fips = _county_in(state, data.county)
    agency = " ".join((data.agency or "").split())
    if not fold_agency(agency):
        raise DomainError(_("Name the agency."), field="agency")
    exists = db.session.scalar(
        select(Agreement.id).where(
            Agreement.state == state, Agreement.agency_key == fold_agency(agency), Agreement.model == data.model
        )
    )
    if exists is not None:
        raise Conflict(_("This agency already has an agreement of this model: record the fact on it."), field="agency")
    values = {
        "agency": agency,
        "agency_type": data.agency_type or None,
        "state": state,
        "county_fips": county_fips,
        "model": data.model,
        "document_url": web_link(data.document_url, "document_url"),
        **_fact_values(data.fact),
    }
    agreement = Agreement(**values, source=AgreementSource.LOCAL, listed=False)
    db.session.add(agreement)
    _local_change(agreement, {name: [None, _plain(value)] for name, value in values.items() if value is not None}, user)
    return agreement


# --- reading -------------------------------------------------------------------------------


def get_agreement(agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(_("There is no such agreement."))
    return agreement
