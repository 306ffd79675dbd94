"""The officials directory and the positions recorded for each official."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from campaign.accounts.audit import Changes
from campaign.accounts.models import User
from campaign.accounts.services import record_event
from campaign.core.errors import DomainError, NotFound
from campaign.core.text import blank_to_none
from campaign.core.types import utcnow
from campaign.core.urls import web_link
from campaign.extensions import db
from campaign.geo.models import County
from campaign.geo.services import FIPS_PATTERN, resolve_county
from campaign.officials.models import Body, Official, Position, Stance

BODY_ORDER = {body: number for number, body in enumerate(Body)}


@dataclass
class OfficialInput:
    name: str
    title: str
    body: Body
    county: str | None = None  # a FIPS code, "Brown County, WI", or a name within `state`
    state: str | None = None
    district: str | None = None
    email: str | None = None
    phone: str | None = None
    office_address: str | None = None
    website: str | None = None
    term_starts_on: date | None = None
    term_ends_on: date | None = None


@dataclass
class PositionInput:
    stance: Stance
    stated_on: date
    source_url: str | None
    summary: str | None = None


@dataclass(frozen=True)
class BodyGroup:
    body: Body
    officials: list[Official]


@dataclass(frozen=True)
class CountyGroup:
    county: County | None  # None: officials of no one county (a state legislator)
    bodies: list[BodyGroup]


def _county(data: OfficialInput) -> County | None:
    text = (data.county or "").strip()
    state = (data.state or "").strip().upper()
    if not text:
        if state:
            raise DomainError(_("Name the county in %(state)s, or leave the state empty.", state=state), field="county")
        return None
    if state and not FIPS_PATTERN.fullmatch(text) and "," not in text:
        text = f"{text}, {state}"  # a county picked by name within the state
    county = resolve_county(text)
    if state and county.state != state:
        raise DomainError(_("%(county)s is not in %(state)s.", county=county.label, state=state), field="county")
    return county


def _apply(official: Official, data: OfficialInput) -> Official:
    name, title = (data.name or "").strip(), (data.title or "").strip()
    if not name:
        raise DomainError(_("Give the official's name."), field="name")
    if not title:
        raise DomainError(_("Give the official's title, such as Sheriff or Supervisor, District 4."), field="title")
    starts, ends = data.term_starts_on, data.term_ends_on
    if starts and ends and ends < starts:
        raise DomainError(_("The term cannot end before it starts."), field="term_ends_on")
    county = _county(data)
    official.name, official.title, official.body = name, title, Body(data.body)
    official.county_fips = county.fips if county else None
    official.district = blank_to_none(data.district)
    official.email = blank_to_none(data.email)
    official.phone = blank_to_none(data.phone)
    official.office_address = blank_to_none(data.office_address)
    official.website = web_link(data.website, "website", max_length=255)
    official.term_starts_on, official.term_ends_on = starts, ends
    return official


def create_official(data: OfficialInput, user=None) -> Official:
    official = _apply(Official(), data)
    db.session.add(official)
    db.session.flush()
    record_event(user, "official_saved", official=official.id, created=True)
    return official


def update_official(official: Official, data: OfficialInput, user=None) -> Official:
    """Change an official's details; the audit log names the fields changed."""
    changes = Changes(official)
    _apply(official, data)
    db.session.flush()
    record_event(user, "official_saved", official=official.id, **changes.details())
    return official


def get_official(official_id: int) -> Official:
    official = db.session.get(Official, official_id)
    if official is None:
        raise NotFound(_("There is no official number %(id)s.", id=official_id))
    return official


def directory(county_fips: str | None = None, state: str | None = None, body: Body | None = None) -> list[CountyGroup]:
    """The officials by county (state, then name; those of no county last), then by body."""
    query = select(Official).outerjoin(County, County.fips == Official.county_fips).options(joinedload(Official.county))
    if county_fips:
        query = query.where(Official.county_fips == county_fips)
    if state:
        query = query.where(County.state == state)
    if body:
        query = query.where(Official.body == body)
    officials = db.session.scalars(
        query.order_by(County.fips.is_(None), County.state, County.name, Official.county_fips, Official.name)
    )
    groups = []
    for county, members in groupby(officials, key=lambda official: official.county):
        by_body = sorted(members, key=lambda official: BODY_ORDER[official.body])
        bodies = [BodyGroup(body, list(rows)) for body, rows in groupby(by_body, key=lambda official: official.body)]
        groups.append(CountyGroup(county, bodies))
    return groups


def state_codes() -> list[str]:
    """Every state's two-letter code, for picking a county within its state."""
    return list(db.session.scalars(select(County.state).distinct().order_by(County.state)))


def directory_places() -> tuple[list[str], list[County]]:
    """The states and counties that have officials, for the directory's filter."""
    counties = list(
        db.session.scalars(
            select(County).where(County.fips.in_(select(Official.county_fips))).order_by(County.state, County.name)
        )
    )
    return sorted({county.state for county in counties}), counties


def record_position(official: Official, data: PositionInput, user=None) -> Position:
    """A new statement of where `official` stands. Positions are never edited: the older
    ones stay as the history."""
    if not (data.source_url or "").strip():
        raise DomainError(
            _(
                "Give the source of this position: a link to the statement, the minutes or the article. "
                "A position without a source cannot be shown."
            ),
            field="source_url",
        )
    source = web_link(data.source_url, "source_url")
    if data.stated_on > utcnow().date():
        raise DomainError(_("A position cannot be stated in the future."), field="stated_on")
    position = Position(
        official=official,
        stance=Stance(data.stance),
        stated_on=data.stated_on,
        source_url=source,
        summary=blank_to_none(data.summary),
        recorded_by_id=getattr(user, "id", None),
    )
    db.session.add(position)
    db.session.flush()
    return position


def position_history(official: Official) -> list[tuple[Position, str | None]]:
    """Every position of `official`, newest first, with the email of the organizer who
    recorded it (None once that account is gone)."""
    query = (
        select(Position, User.email)
        .outerjoin(User, User.id == Position.recorded_by_id)
        .where(Position.official_id == official.id)
        .order_by(Position.stated_on.desc(), Position.id.desc())
    )
    return [(position, email) for position, email in db.session.execute(query)]
