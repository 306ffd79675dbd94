"""What the organizer pages read: the list of agreements with its filters, the import runs
and the words their history is told in."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from campaign.accounts.models import User
from campaign.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementModel,
    AgreementStatus,
    ChangeKind,
)
from campaign.core.errors import NotFound
from campaign.extensions import db

CHANGE_LABELS = {
    ChangeKind.ADDED: _l("Added from ICE's list"),
    ChangeKind.CHANGED: _l("Changed on ICE's list"),
    ChangeKind.GONE: _l("No longer on ICE's list"),
    ChangeKind.LOCAL: _l("Local fact recorded"),
}
FIELD_LABELS = {
    "agency": _l("Agency"),
    "agency_type": _l("Type of agency"),
    "state": _l("State"),
    "county_fips": _l("County (FIPS)"),
    "model": _l("Model"),
    "signed_on": _l("Date signed"),
    "document_url": _l("Agreement link"),
    "addendum_url": _l("Addendum link"),
    "listed": _l("On ICE's list"),
    "source": _l("Kept by"),
    "status": _l("Status"),
    "status_on": _l("Since"),
    "note": _l("Local fact"),
}


def list_agreements(
    state: str | None = None,
    status: AgreementStatus | None = None,
    model: AgreementModel | None = None,
    page: int = 1,
    size: int = 100,
) -> tuple[list[Agreement], bool]:
    """A page of agreements by state and agency, and whether another page follows."""
    query = select(Agreement).options(selectinload(Agreement.county))
    if state:
        query = query.where(Agreement.state == state)
    if status:
        query = query.where(Agreement.status == status)
    if model:
        query = query.where(Agreement.model == model)
    query = query.order_by(Agreement.state, Agreement.agency_key, Agreement.model).offset((page - 1) * size)
    rows = list(db.session.scalars(query.limit(size + 1)))
    return rows[:size], len(rows) > size


def agreement_states() -> list[str]:
    return list(db.session.scalars(select(Agreement.state).distinct().order_by(Agreement.state)))


def import_history(limit: int = 50) -> list[AgreementImport]:
    return list(db.session.scalars(select(AgreementImport).order_by(AgreementImport.id.desc()).limit(limit)))


def get_import(import_id: int) -> AgreementImport:
    record = db.session.get(AgreementImport, import_id)
    if record is None:
        raise NotFound(_("There is no such import."))
    return record


def import_changes(record: AgreementImport) -> list[AgreementChange]:
    """What one applied import changed, agreement by agreement."""
    query = (
        select(AgreementChange)
        .where(AgreementChange.import_id == record.id)
        .options(selectinload(AgreementChange.agreement))
        .order_by(AgreementChange.kind, AgreementChange.id)
    )
    return list(db.session.scalars(query))


def user_names(user_ids) -> dict[int, str]:
    """Who recorded each change, by user id, for the history."""
    ids = {user_id for user_id in user_ids if user_id}
    if not ids:
        return {}
    return {user.id: user.name or user.email for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def shown_value(name: str, value) -> str:
    """A value of the history as a person reads it: a status or model by its label."""
    if value is None:
        return "—"
    if name == "status" and value in set(AgreementStatus):
        return AgreementStatus(value).label
    if name == "model" and value in set(AgreementModel):
        return AgreementModel(value).label
    return str(value)
