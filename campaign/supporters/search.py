"""Supporter search across a campaign: one filter, read once from the query string, and one
list of action rows (signatures, commitments, RSVPs), newest first, with capped counts.

Every query runs on an index of its action table: the action id leads every index, so each
branch is restricted to this campaign's petitions, pledges or forums before anything else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, String, func, literal, select, type_coerce, union_all

from campaign.campaigns.models import Campaign
from campaign.core.errors import NotFound
from campaign.core.pagination import PageRange
from campaign.extensions import db
from campaign.geo.models import County
from campaign.supporters.filters import SupporterFilter
from campaign.supporters.kinds import KIND_BY_NAME, KINDS, SIGNATURE, Action, Kind, Status, campaign_actions

PAGE_SIZE = 50
# Counts stop here and read "10,000+": counting a million rows exactly on every search would
# cost more than the search. Tests lower it.
COUNT_CAP = 10_000
# A page further down costs a deeper walk of every branch: past this many rows, narrow the search.
LISTED_ROWS = 10_000


@dataclass(frozen=True)
class Row:
    """One action row as the list shows it."""

    kind: Kind
    id: int
    action: Action
    person_id: int | None
    first_name: str
    last_name: str
    zip_code: str | None
    county: str | None  # its label: "Brown County, WI"
    status: Status
    referral: str | None
    created_at: datetime
    language: str
    consent: bool
    anonymised: bool

    @property
    def name(self) -> str:
        return _("Erased") if self.anonymised else f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Results(PageRange):
    rows: list[Row]
    number: int
    size: int
    has_more: bool
    # Per kind name, at most COUNT_CAP + 1 (shown as "10,000+").
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(min(count, COUNT_CAP) for count in self.counts.values())

    @property
    def shown_total(self) -> str:
        """At least this many when a kind reached the cap: "10,012+"."""
        capped = any(count > COUNT_CAP for count in self.counts.values())
        return f"{self.total:,}+" if capped else f"{self.total:,}"


def shown_count(count: int) -> str:
    """A count as the page writes it: "1,234", or "10,000+" past the cap."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def scopes(actions: list[Action], wanted: SupporterFilter) -> list[tuple[Kind, list[int]]]:
    """The action ids each branch of a query covers. Signatures run to millions, so each
    petition gets a branch of its own that walks its (petition_id, created_at) index in
    order (PostgreSQL cannot give an IN list in index order); commitments and RSVPs are few
    per campaign, one branch each."""
    ids = {kind: [action.id for action in actions if action.kind is kind] for kind in KINDS}
    found = []
    for kind in KINDS:
        if not ids[kind] or not wanted.matches_kind(kind):
            continue
        if kind is SIGNATURE:
            found += [(kind, [petition_id]) for petition_id in ids[kind]]
        else:
            found.append((kind, ids[kind]))
    return found


def in_scope(kind: Kind, ids: list[int]) -> ColumnElement[bool]:
    return kind.action_id == ids[0] if len(ids) == 1 else kind.action_id.in_(ids)


def _branch(kind: Kind, ids: list[int], wanted: SupporterFilter, limit: int) -> Select:
    row = kind.row
    newest = row.created_at
    if wanted.search is not None and wanted.search.pinpoints:
        # Read the few rows by their own index and sort them: ordered by the bare column,
        # SQLite (no statistics) walks the petition's whole (created_at) index instead.
        newest = func.coalesce(row.created_at, row.created_at)
    return (
        select(
            literal(kind.name, String).label("kind"),
            row.id.label("id"),
            kind.action_id.label("action_id"),
            row.person_id.label("person_id"),
            row.first_name.label("first_name"),
            row.last_name.label("last_name"),
            row.zip_code.label("zip_code"),
            row.county_fips.label("county_fips"),
            # The raw value: each kind's enum type would refuse the others' statuses.
            type_coerce(row.status, String).label("status"),
            row.referral.label("referral"),
            row.created_at.label("created_at"),
            row.locale.label("locale"),
            row.email_updates.label("email_updates"),
            row.anonymised_at.label("anonymised_at"),
        )
        .where(in_scope(kind, ids), *wanted.conditions(kind))
        .order_by(newest.desc(), row.id.desc())
        .limit(limit)
    )


def _counts(branches: list[tuple[Kind, list[int]]], wanted: SupporterFilter) -> dict[str, int]:
    """Rows per kind, each count stopping at COUNT_CAP + 1: one query."""
    ids = {}
    for kind, scope in branches:
        ids.setdefault(kind, []).extend(scope)
    counted = [
        select(func.count())
        .select_from(
            select(kind.row.id).where(in_scope(kind, scope), *wanted.conditions(kind)).limit(COUNT_CAP + 1).subquery()
        )
        .scalar_subquery()
        .label(kind.name)
        for kind, scope in ids.items()
    ]
    found = db.session.execute(select(*counted)).one()._asdict() if counted else {}
    return {kind.name: found.get(kind.name, 0) for kind in KINDS}


def search(campaign: Campaign, wanted: SupporterFilter, page: int) -> Results:
    """The page'th PAGE_SIZE rows `wanted` matches, newest first, and the counts per kind.

    Each branch takes its newest page * PAGE_SIZE + 1 rows on its own index; the union of
    those holds the page. Pages past LISTED_ROWS are a 404 that says to narrow the search."""
    if (page - 1) * PAGE_SIZE >= LISTED_ROWS:
        raise NotFound(
            _("Only the first %(count)s rows are listed: narrow the search to see the others.", count=LISTED_ROWS)
        )
    actions = wanted_actions(campaign, wanted)
    branches = scopes(actions, wanted)
    counts = _counts(branches, wanted)
    if not branches:
        return Results([], page, PAGE_SIZE, False, counts)
    limit = page * PAGE_SIZE + 1
    # Each branch is wrapped in a subquery: SQLite takes no ORDER BY or LIMIT inside a UNION.
    union = union_all(*(select(_branch(kind, ids, wanted, limit).subquery()) for kind, ids in branches)).subquery()
    query = (
        select(union)
        .order_by(union.c.created_at.desc(), union.c.kind, union.c.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    found = db.session.execute(query).all()
    by_id = {(action.kind.name, action.id): action for action in actions}
    # The page's counties in one query (the template would fetch one per row).
    fips = {row.county_fips for row in found[:PAGE_SIZE] if row.county_fips}
    counties = {county.fips: county.label for county in db.session.scalars(select(County).where(County.fips.in_(fips)))}
    rows = [_row(found_row, by_id, counties) for found_row in found[:PAGE_SIZE]]
    has_more = len(found) > PAGE_SIZE and page * PAGE_SIZE < LISTED_ROWS
    return Results(rows, page, PAGE_SIZE, has_more, counts)


def wanted_actions(campaign: Campaign, wanted: SupporterFilter) -> list[Action]:
    """The one action the filter names, or all of the campaign's."""
    return [wanted.action] if wanted.action else campaign_actions(campaign)


def _row(found, actions: dict[tuple[str, int], Action], counties: dict[str, str]) -> Row:
    kind = KIND_BY_NAME[found.kind]
    return Row(
        kind=kind,
        id=found.id,
        action=actions[(kind.name, found.action_id)],
        person_id=found.person_id,
        first_name=found.first_name,
        last_name=found.last_name,
        zip_code=found.zip_code,
        county=counties.get(found.county_fips),
        status=kind.generic_status(found.status),
        referral=found.referral,
        created_at=found.created_at,
        language=found.locale,
        consent=bool(found.email_updates),
        anonymised=found.anonymised_at is not None,
    )
