"""The reads behind the public accountability pages: a county's agreements and activity, the
strongest agreement model of each county, and where a campaign's officials stand. Each is a
fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from campaign.agreements.models import MODEL_STRENGTH, Agreement, AgreementImport, AgreementModel, AgreementStatus
from campaign.campaigns.models import Campaign, CampaignStatus, campaign_targets
from campaign.campaigns.services import public_campaigns
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import Forum
from campaign.forums.services import upcoming
from campaign.geo.models import County
from campaign.meetings.models import AgendaItem, Meeting, MeetingStatus, Vote
from campaign.meetings.services import votes_of
from campaign.officials.models import Body, Official, Position
from campaign.packets.deliveries import deliveries_to
from campaign.packets.models import Delivery
from campaign.pledges.models import Pledge, PledgeStatus

MODEL_BY_STRENGTH = {strength: model for model, strength in MODEL_STRENGTH.items()}
# The bodies that can end an agreement, when a campaign names no target.
DEFAULT_BODIES = (Body.SHERIFF, Body.COUNTY_BOARD, Body.COUNTY_EXECUTIVE)

# --- agreements -------------------------------------------------------------------------


def _by_status_then_agency(query):
    """Agreements in force first, then proposed ones, then those ended or turned down."""
    rank = case({AgreementStatus.ACTIVE: 0, AgreementStatus.PROPOSED: 1}, value=Agreement.status, else_=2)
    return query.order_by(rank, Agreement.agency, Agreement.model)


def county_agreements(fips: str) -> list[Agreement]:
    return list(db.session.scalars(_by_status_then_agency(select(Agreement).where(Agreement.county_fips == fips))))


def statewide_agreements(state: str) -> list[Agreement]:
    """Agencies of the state that ICE's list ties to no county (a state patrol, a department
    of corrections): they act in every county of the state."""
    query = select(Agreement).where(Agreement.state == state, Agreement.county_fips.is_(None))
    return list(db.session.scalars(_by_status_then_agency(query)))


def strongest_models(state: str | None = None) -> list[tuple[County, AgreementModel]]:
    """Each county with an active agreement and its strongest model, by state then name."""
    strength = func.max(case(MODEL_STRENGTH, value=Agreement.model))
    query = (
        select(County, strength)
        .join(Agreement, Agreement.county_fips == County.fips)
        .where(Agreement.status == AgreementStatus.ACTIVE)
        .group_by(County.fips)
        .order_by(County.state, County.name)
    )
    if state is not None:
        query = query.where(County.state == state)
    return [(county, MODEL_BY_STRENGTH[number]) for county, number in db.session.execute(query)]


def agreements_version() -> str:
    """Changes with any agreement added, changed or removed: a digest of the newest change and
    the count."""
    newest, count = db.session.execute(select(func.max(Agreement.updated_at), func.count(Agreement.id))).one()
    return hashlib.sha256(f"{newest.isoformat() if newest else '-'}:{count}".encode()).hexdigest()[:16]


def latest_import() -> AgreementImport | None:
    query = select(AgreementImport).order_by(AgreementImport.created_at.desc(), AgreementImport.id.desc())
    return db.session.scalar(query.limit(1))


# --- what runs in a county --------------------------------------------------------------


@dataclass(frozen=True)
class CountyActivity:
    campaigns: list[Campaign]
    forums: list[Forum]
    meetings: list[Meeting]
    pledges: list[Pledge]

    @property
    def is_empty(self) -> bool:
        return not (self.campaigns or self.forums or self.meetings or self.pledges)


def county_activity(fips: str, now: datetime | None = None) -> CountyActivity:
    """The public campaigns of a county, its forums and meetings to come, its open pledges."""
    now = now or utcnow()
    meetings = (
        select(Meeting)
        .join(Meeting.campaign)
        .where(
            Meeting.county_fips == fips,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
            Campaign.status != CampaignStatus.DRAFT,
        )
        .order_by(Meeting.starts_at)
    )
    pledges = (
        select(Pledge)
        .join(Pledge.campaign)
        .where(
            Campaign.county_fips == fips,
            Campaign.status != CampaignStatus.DRAFT,
            Pledge.status == PledgeStatus.OPEN,
            (Pledge.deadline.is_(None)) | (Pledge.deadline > now),
        )
        .order_by(Pledge.id)
    )
    return CountyActivity(
        campaigns=public_campaigns(fips),
        forums=upcoming(fips, now=now),
        meetings=list(db.session.scalars(meetings)),
        pledges=list(db.session.scalars(pledges)),
    )


# --- where officials stand ----------------------------------------------------------------


@dataclass
class Standing:
    """One official side by side with the others: positions newest first, the counting vote on
    each agenda item about the agreement, and the packets delivered to them."""

    official: Official
    is_target: bool
    positions: list[Position] = field(default_factory=list)
    votes: list[tuple[Vote, AgendaItem, Meeting]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def current(self) -> Position | None:
        return self.positions[0] if self.positions else None

    @property
    def history(self) -> list[Position]:
        return self.positions[1:]


def campaign_officials(campaign: Campaign) -> list[tuple[Official, bool]]:
    """The campaign's targets, then the other officials of its county in the same bodies (the
    sheriff, the county board and the county executive when it names no target)."""
    targets = list(
        db.session.scalars(
            select(Official)
            .join(campaign_targets, campaign_targets.c.official_id == Official.id)
            .where(campaign_targets.c.campaign_id == campaign.id)
            .options(joinedload(Official.county))
            .order_by(Official.name)
        )
    )
    bodies = {official.body for official in targets} or set(DEFAULT_BODIES)
    others = select(Official).where(Official.county_fips == campaign.county_fips, Official.body.in_(bodies))
    if targets:
        others = others.where(Official.id.not_in([official.id for official in targets]))
    rest = db.session.scalars(others.options(joinedload(Official.county)).order_by(Official.body, Official.name))
    return [(official, True) for official in targets] + [(official, False) for official in rest]


def standings(campaign: Campaign) -> list[Standing]:
    found = [Standing(official, is_target) for official, is_target in campaign_officials(campaign)]
    by_id = {standing.official.id: standing for standing in found}
    if not by_id:
        return found
    for position in db.session.scalars(
        select(Position).where(Position.official_id.in_(by_id)).order_by(Position.stated_on.desc(), Position.id.desc())
    ):
        by_id[position.official_id].positions.append(position)
    for official_id, rows in votes_of(list(by_id)).items():
        by_id[official_id].votes = rows
    for official_id, deliveries in deliveries_to(list(by_id)).items():
        by_id[official_id].deliveries = deliveries
    return found
