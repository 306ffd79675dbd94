"""The CSV export of a search: every row it matches, streamed, without the anonymised rows
and the erased people. Contact details (email, phone, street) only when asked for."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, String, func, null, select, type_coerce

from campaign.accounts.services import record_event
from campaign.campaigns.models import Campaign
from campaign.core.csvexport import csv_chunks
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.geo.models import County
from campaign.people.models import Person
from campaign.petitions.models import Signature
from campaign.supporters.filters import SupporterFilter
from campaign.supporters.kinds import SIGNATURE, Action, Kind
from campaign.supporters.search import wanted_actions

# The columns only an organizer's tick adds, in this order.
CONTACT_FIELDS = {"email": _l("Email"), "phone": _l("Phone"), "street": _l("Street address")}
BATCH = 1_000


def header(fields: Iterable[str]) -> list[str]:
    names = [
        _("Kind"),
        _("Action"),
        _("First name"),
        _("Last name"),
        _("ZIP code"),
        _("City"),
        _("County"),
        _("State"),
        _("Status"),
        _("Channel"),
        _("Source"),
        _("Created (UTC)"),
        _("Confirmed (UTC)"),
        _("Language"),
        _("Email updates"),
    ]
    return names + [str(label) for name, label in CONTACT_FIELDS.items() if name in fields]


def _exportable(kind: Kind) -> list[ColumnElement[bool]]:
    """Rows still carrying a person's details (with the outer join to Person)."""
    return [kind.row.anonymised_at.is_(None), Person.erased_at.is_(None)]


def _signature_only(column, kind: Kind):
    return column if kind is SIGNATURE else null()


def _query(kind: Kind, action_id: int, wanted: SupporterFilter, fields: Iterable[str]):
    row = kind.row
    columns = [
        row.first_name,
        row.last_name,
        row.zip_code,
        _signature_only(Signature.city, kind),
        County.name,
        County.state,
        type_coerce(row.status, String),
        _signature_only(type_coerce(Signature.source, String), kind),
        row.referral,
        row.created_at,
        row.confirmed_at,
        row.locale,
        row.email_updates,
    ]
    extra = {
        "email": Person.email,
        "phone": _signature_only(Signature.phone, kind),
        "street": _signature_only(Signature.street_address, kind),
    }
    columns += [column for name, column in extra.items() if name in fields]
    return (
        select(*columns)
        .select_from(row)
        .outerjoin(Person, Person.id == row.person_id)
        .outerjoin(County, County.fips == row.county_fips)
        .where(kind.action_id == action_id, *wanted.conditions(kind), *_exportable(kind))
        # Oldest first on the (action, created_at) index: a stable order for a long read.
        .order_by(row.created_at, row.id)
    )


def _scoped(campaign: Campaign, wanted: SupporterFilter) -> list[Action]:
    return [action for action in wanted_actions(campaign, wanted) if wanted.matches_kind(action.kind)]


def count_rows(campaign: Campaign, wanted: SupporterFilter) -> int:
    """How many rows the export writes: one count per kind."""
    total = 0
    by_kind: dict[Kind, list[int]] = {}
    for action in _scoped(campaign, wanted):
        by_kind.setdefault(action.kind, []).append(action.id)
    for kind, ids in by_kind.items():
        query = (
            select(func.count())
            .select_from(kind.row)
            .outerjoin(Person, Person.id == kind.row.person_id)
            .where(kind.action_id.in_(ids), *wanted.conditions(kind), *_exportable(kind))
        )
        total += db.session.scalar(query)
    return total


def record_export(user, campaign: Campaign, wanted: SupporterFilter, fields: Iterable[str], **how) -> int:
    """The one audit event of an export: who (None from the command line), the filter, the
    columns added and the number of rows. Never a supporter's details. Flushes only."""
    fields = [name for name in CONTACT_FIELDS if name in fields]
    rows = count_rows(campaign, wanted)
    record_event(user, "export", campaign=campaign.slug, filter=wanted.audit_args(), fields=fields, rows=rows, **how)
    return rows


def export_rows(campaign: Campaign, wanted: SupporterFilter, fields: Iterable[str]) -> Iterator[tuple]:
    """Each matching row as a CSV line's values, action by action, a batch of rows at a time
    from a server-side cursor: memory stays the same for ten rows or a million."""
    fields = tuple(fields)
    for action in _scoped(campaign, wanted):
        query = _query(action.kind, action.id, wanted, fields).execution_options(yield_per=BATCH)
        for values in db.session.execute(query):
            yield (action.kind.name, action.title, *values)


def csv_text(campaign: Campaign, wanted: SupporterFilter, fields: Iterable[str]) -> Iterator[str]:
    fields = tuple(fields)
    return csv_chunks(header(fields), export_rows(campaign, wanted, fields))


def file_name(campaign: Campaign, wanted: SupporterFilter) -> str:
    """ "brown-petition-2025-03-31.csv": slugs are ASCII, safe in a header."""
    subject = wanted.action.slug if wanted.action else f"{campaign.slug}-supporters"
    return f"{subject}-{utcnow():%Y-%m-%d}.csv"
