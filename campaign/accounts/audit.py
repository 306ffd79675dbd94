"""The audit log: what a settings save changed (`Changes`, for the services that record
it), and the log as admins read it: one filter (who, what, since, until) read from the query
string, a page of events newest first, and the same events as CSV. Every condition is on an
indexed column of audit_events (user_id, action, created_at). Areas below accounts, which
may not import it, report their events by signal and are logged here (the outbox's
`flask mail suppress`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, inspect, select
from sqlalchemy.orm import joinedload

from campaign.accounts.models import AuditEvent, User
from campaign.accounts.services import record_event
from campaign.core.csvexport import csv_chunks
from campaign.core.pagination import PageRange
from campaign.extensions import db
from campaign.outbox import suppression


class Changes:
    """The names of the fields a save changes on `row`, never their values (a letter, a
    venue, a goal: settings, but the log keeps only that they changed). Made before the
    save; `details()` after the service's flush. `collections` names the relationships to
    compare too (partners, targets, counties)."""

    def __init__(self, row, *collections: str):
        self.row, self.collections = row, collections
        self.created = inspect(row).key is None  # not in the database yet
        self.before = None if self.created else self._values()

    def _values(self) -> dict:
        mapper = inspect(self.row).mapper
        values = {
            attribute.key: getattr(self.row, attribute.key)
            for attribute in mapper.column_attrs
            # updated_at and the like change on every save: not something anyone changed
            if not any(column.onupdate is not None for column in attribute.columns)
        }
        for name in self.collections:
            values[name] = frozenset(_row_tuple(member) for member in getattr(self.row, name))
        return values

    def details(self) -> dict:
        if self.created:
            return {"created": True}
        after = self._values()
        return {"fields": sorted(name for name, value in after.items() if value != self.before[name])}


def _row_tuple(row) -> tuple:
    return tuple(getattr(row, attribute.key) for attribute in inspect(row).mapper.column_attrs)


PAGE_SIZE = 100

# What each action means, as an admin reads it; an action missing here shows its raw code.
ACTION_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Login refused"),
    "login_throttled": _l("Login locked after too many failures"),
    "logout": _l("Logged out"),
    "logout_everywhere": _l("Logged out on every device"),
    "password_reset_requested": _l("Asked for a password reset"),
    "password_reset": _l("Reset the password"),
    "user_created": _l("Account created"),
    "role_changed": _l("Role changed"),
    "user_deactivated": _l("Account deactivated"),
    "user_reactivated": _l("Account reactivated"),
    "campaign_saved": _l("Campaign saved"),
    "official_saved": _l("Official saved"),
    "petition_saved": _l("Petition settings saved"),
    "pledge_saved": _l("Pledge saved"),
    "forum_saved": _l("Forum saved"),
    "paper_import": _l("Paper signatures imported"),
    "signatures_invalidated": _l("Signatures invalidated"),
    "signatures_restored": _l("Signatures restored"),
    "signatures_bulk_invalidate": _l("Signatures invalidated by filter"),
    "signatures_bulk_restore": _l("Signatures restored by filter"),
    "export": _l("Supporters exported"),
    "packet_requested": _l("Signature packet built"),
    "packet_downloaded": _l("Signature packet downloaded"),
    "person_erased": _l("Supporter erased"),
    "privacy_purge": _l("Retention purge"),
    "audit_exported": _l("Audit log exported"),
    "broadcast_created": _l("Broadcast written"),
    "broadcast_drafted": _l("Follow-up broadcast draft made"),
    "broadcast_edited": _l("Broadcast changed"),
    "broadcast_test_sent": _l("Broadcast test sent"),
    "broadcast_sent": _l("Broadcast sent"),
    "broadcast_scheduled": _l("Broadcast scheduled"),
    "broadcast_started": _l("Scheduled broadcast started"),
    "broadcast_unscheduled": _l("Broadcast taken back to a draft"),
    "broadcast_reached_nobody": _l("Scheduled broadcast back to a draft: nobody to mail at its time"),
    "broadcast_paused": _l("Broadcast paused"),
    "broadcast_resumed": _l("Broadcast resumed"),
    "broadcast_cancelled": _l("Broadcast cancelled"),
    "broadcast_discarded": _l("Broadcast draft discarded"),
    "suppressions_imported": _l("Bounce and complaint list imported"),
    "agreements_imported": _l("ICE's list of 287(g) agreements imported"),
    "meeting_saved": _l("Meeting saved"),
    "agenda_item_saved": _l("Agenda item saved"),
    "vote_recorded": _l("Official's vote recorded"),
    "observer_notes": _l("Meeting observer's notes saved"),
    "document_saved": _l("Campaign document saved"),
    "document_deleted": _l("Campaign document deleted"),
    "rights_saved": _l("Know Your Rights text saved"),
    "helpline_saved": _l("Helpline saved"),
    "helpline_deleted": _l("Helpline deleted"),
    "agreement_fact_recorded": _l("Local fact recorded on a 287(g) agreement"),
}


@suppression.imported.connect
def record_suppressions_imported(_sender, **figures) -> None:
    """`flask mail suppress`: the outbox cannot write the audit log itself (it sits below
    accounts), so it says what it imported and the log is written here."""
    record_event(None, "suppressions_imported", **figures)


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def present_actions() -> list[str]:
    """The actions the log holds, for the "what" filter (read from the action index)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name, User.email)))


def user_label(user: User) -> str:
    return f"{user.name} <{user.email}>" if user.name else user.email


@dataclass(frozen=True)
class AuditFilter:
    """Which events an admin is looking at: `since` and `until` are days on the organizers'
    clock (the one every time on the page is shown in), both included."""

    user_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def to_args(self) -> dict[str, str]:
        """The query parameters that give this filter back (links, the export, its audit event)."""
        args = {
            "user": str(self.user_id) if self.user_id is not None else None,
            "action": self.action,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {key: value for key, value in args.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.to_args())

    def conditions(self) -> list[ColumnElement[bool]]:
        clauses = []
        if self.user_id is not None:
            clauses.append(AuditEvent.user_id == self.user_id)
        if self.action:
            clauses.append(AuditEvent.action == self.action)
        if self.since:
            clauses.append(AuditEvent.created_at >= _start_of(self.since))
        if self.until:
            clauses.append(AuditEvent.created_at < _start_of(self.until + timedelta(days=1)))
        return clauses


def organizer_zone() -> ZoneInfo:
    """The zone every time on organizer pages is shown in (Flask-Babel's, a pytz zone)."""
    return ZoneInfo(str(get_timezone()))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=organizer_zone())


@dataclass(frozen=True)
class Page(PageRange):
    rows: list[AuditEvent]
    number: int
    size: int
    has_more: bool


def event_page(wanted: AuditFilter, page: int, size: int = PAGE_SIZE) -> Page:
    query = (
        select(AuditEvent)
        .where(*wanted.conditions())
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(size + 1)
        .offset((page - 1) * size)
        .options(joinedload(AuditEvent.user))
    )
    rows = list(db.session.scalars(query))
    return Page(rows=rows[:size], number=page, size=size, has_more=len(rows) > size)


# --- export ----------------------------------------------------------------------------------

EXPORT_HEADER = ("time_utc", "user_id", "user_name", "user_email", "action", "action_label", "details")


@dataclass(frozen=True)
class Export:
    """The events an export holds: those the filter matched when it was asked for, up to the
    newest one then, so the export's own event is in the log but not in the file."""

    wanted: AuditFilter
    up_to_id: int

    def conditions(self) -> list[ColumnElement[bool]]:
        return [*self.wanted.conditions(), AuditEvent.id <= self.up_to_id]


def record_export(user: User, wanted: AuditFilter) -> Export:
    """Fix what the export will hold and note in the log who took it, its filter and its size."""
    export = Export(wanted, db.session.scalar(select(func.max(AuditEvent.id))) or 0)
    rows = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*export.conditions()))
    record_event(user, "audit_exported", filter=wanted.to_args(), rows=rows)
    return export


def export_csv(export: Export) -> Iterator[str]:
    """The exported events as CSV, newest first, streamed; the details as one JSON object."""
    return csv_chunks(EXPORT_HEADER, _export_rows(export))


def _export_rows(export: Export) -> Iterator[tuple]:
    """A generator, so the query runs while the response streams, not before it starts."""
    query = (
        select(AuditEvent.created_at, User.id, User.name, User.email, AuditEvent.action, AuditEvent.details)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*export.conditions())
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .execution_options(yield_per=1000)
    )
    for created_at, user_id, name, email, action, details in db.session.execute(query):
        yield created_at, user_id, name, email, action, action_label(action), json.dumps(details, ensure_ascii=False)


def export_filename() -> str:
    return f"audit-log-{datetime.now(organizer_zone()).date().isoformat()}.csv"
