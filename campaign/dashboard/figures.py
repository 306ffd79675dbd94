"""The figures of the organizer dashboard, read across areas.

Petition figures come from the count tables petitions.counts keeps (per county, and per hour,
channel and source), refreshed in batches; pledge and forum figures from grouped queries on their
indexed columns. Nothing here walks the signatures one by one, whatever their number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from campaign.campaigns.models import Campaign
from campaign.campaigns.sharing import partner_names
from campaign.core.timeline import daily_counts, hour_bucket, hour_start
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import checkin
from campaign.forums import services as forums
from campaign.forums.models import RSVP, Forum, ForumStatus, RSVPStatus
from campaign.geo.models import County
from campaign.geo.services import county_zone, get_county
from campaign.officials.models import Official
from campaign.petitions import counts
from campaign.petitions.models import (
    PaperImport,
    Petition,
    PetitionCountyCount,
    PetitionHourCount,
    Signature,
    SignatureSource,
    SignatureStatus,
)
from campaign.pledges import fulfilment
from campaign.pledges import services as pledges
from campaign.pledges.models import Commitment, CommitmentStatus, Pledge, PledgeStatus

WEEK = timedelta(days=7)
CHART_DAYS = 60  # the chart shows at most the last two months, day by day


@dataclass(frozen=True)
class PetitionFigures:
    petition: Petition
    confirmed: int
    pending: int
    paper: int
    this_week: int  # the last 7 days
    last_week: int  # the 7 days before
    days: list[tuple[date, int]]
    residents: list[counts.CountyRow]  # target counties
    elsewhere: list[counts.CountyRow]

    @property
    def elsewhere_total(self) -> int:
        return self.confirmed - self.petition.resident_count


@dataclass
class SourceRow:
    """What one source brought: `code` None is no source (direct visits), or paper sheets."""

    channel: SignatureSource
    code: str | None
    partner: str | None = None
    signatures: int = 0
    commitments: int = 0
    rsvps: int = 0

    @property
    def actions(self) -> int:
        return self.signatures + self.commitments + self.rsvps


@dataclass(frozen=True)
class PledgeFigures:
    pledge: Pledge
    report: fulfilment.PledgeReport

    @property
    def condition_met(self) -> bool | None:
        return None if not self.pledge.threshold else self.report.committed >= self.pledge.threshold


@dataclass(frozen=True)
class ForumFigures:
    forum: Forum
    seats_taken: int
    waitlisted: int
    attendance: checkin.Attendance


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    petitions: list[PetitionFigures]
    pledges: list[PledgeFigures]
    forums: list[ForumFigures]
    sources: list[SourceRow]
    partners: list[SourceRow] = field(default_factory=list)  # one row per partner, summed

    def total(self, name: str) -> int:
        return sum(getattr(figures, name) for figures in self.petitions)


def _weeks(hours: Iterable[tuple[str, int]], now: datetime) -> tuple[int, int]:
    this_week = last_week = 0
    for bucket, confirmed in hours:
        age = now - hour_start(bucket)
        if age < WEEK:
            this_week += confirmed
        elif age < 2 * WEEK:
            last_week += confirmed
    return this_week, last_week


def _first_chart_day(petition: Petition, today: date, zone) -> date:
    return max(petition.created_at.astimezone(zone).date(), today - timedelta(days=CHART_DAYS - 1))


def petition_figures(petition: Petition, zone, now: datetime | None = None) -> PetitionFigures:
    now = now or utcnow()
    counts.request_refresh(petition)
    of_petition = PetitionHourCount.petition_id == petition.id
    hours = db.session.execute(
        select(PetitionHourCount.hour, func.sum(PetitionHourCount.confirmed))
        .where(of_petition)
        .group_by(PetitionHourCount.hour)
    ).all()
    today = now.astimezone(zone).date()
    this_week, last_week = _weeks(hours, now)
    paper = db.session.scalar(
        select(func.coalesce(func.sum(PetitionHourCount.confirmed), 0)).where(
            of_petition, PetitionHourCount.channel == SignatureSource.PAPER
        )
    )
    rows = counts.county_rows(petition)
    return PetitionFigures(
        petition=petition,
        confirmed=petition.confirmed_count,
        pending=_signatures_with(petition, SignatureStatus.PENDING),
        paper=paper,
        this_week=this_week,
        last_week=last_week,
        days=daily_counts(hours, zone, _first_chart_day(petition, today, zone), today),
        residents=[row for row in rows if row.is_target],
        elsewhere=[row for row in rows if not row.is_target],
    )


def _signatures_with(petition: Petition, status: SignatureStatus, county_fips: str | None = None) -> int:
    query = select(func.count()).where(Signature.petition_id == petition.id, Signature.status == status)
    if county_fips is not None:
        query = query.where(Signature.county_fips == county_fips)
    return db.session.scalar(query)


def sources(campaign: Campaign) -> tuple[list[SourceRow], list[SourceRow]]:
    """Confirmed actions by source across the campaign, and the same summed per partner
    organization (through the campaign's share links)."""
    rows: dict[tuple[SignatureSource, str | None], SourceRow] = {}

    def row(channel: SignatureSource, code: str | None) -> SourceRow:
        return rows.setdefault((channel, code or None), SourceRow(channel, code or None))

    petition_ids = [petition.id for petition in campaign.petitions]
    if petition_ids:
        per_source = select(
            PetitionHourCount.channel, PetitionHourCount.referral, func.sum(PetitionHourCount.confirmed)
        ).where(PetitionHourCount.petition_id.in_(petition_ids))
        for channel, code, confirmed in db.session.execute(
            per_source.group_by(PetitionHourCount.channel, PetitionHourCount.referral)
        ):
            row(channel, code).signatures += confirmed
    pledge_ids = [pledge.id for pledge in campaign.pledges]
    if pledge_ids:
        per_code = select(Commitment.referral, func.count()).where(
            Commitment.pledge_id.in_(pledge_ids), Commitment.status == CommitmentStatus.CONFIRMED
        )
        for code, number in db.session.execute(per_code.group_by(Commitment.referral)):
            row(SignatureSource.ONLINE, code).commitments += number
    forum_ids = [forum.id for forum in campaign.forums]
    if forum_ids:
        per_code = select(RSVP.referral, func.count()).where(
            RSVP.forum_id.in_(forum_ids), RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLISTED])
        )
        for code, number in db.session.execute(per_code.group_by(RSVP.referral)):
            row(SignatureSource.ONLINE, code).rsvps += number
    names = partner_names(campaign)
    partners: dict[str, SourceRow] = {}
    for source in rows.values():
        source.partner = names.get(source.code) if source.code else None
        if source.partner:
            total = partners.setdefault(source.partner, SourceRow(SignatureSource.ONLINE, None, source.partner))
            total.signatures += source.signatures
            total.commitments += source.commitments
            total.rsvps += source.rsvps
    ordered = sorted(rows.values(), key=lambda source: (source.channel.value, source.code is not None, -source.actions))
    return ordered, sorted(partners.values(), key=lambda source: -source.actions)


def campaign_figures(campaign: Campaign, now: datetime | None = None) -> CampaignFigures:
    zone = county_zone(campaign.county)
    source_rows, partner_rows = sources(campaign)
    return CampaignFigures(
        campaign=campaign,
        petitions=[petition_figures(petition, zone, now) for petition in campaign.petitions],
        pledges=[PledgeFigures(pledge, fulfilment.report(pledge)) for pledge in campaign.pledges],
        forums=[
            ForumFigures(forum, forums.seats_taken(forum), forums.waiting_count(forum), checkin.attendance(forum))
            for forum in campaign.forums
        ],
        sources=source_rows,
        partners=partner_rows,
    )


NEARLY = 0.9  # a goal or a room 90% reached is worth a look


@dataclass(frozen=True)
class Attention:
    """Something on the organizer home that needs a look: `kind` says what, `subject` is
    the record (a petition, pledge, forum or paper import) and `figure` its number."""

    kind: str  # "failed_mail", "rejected_lines", "goal_near", "pledge_near", "forum_filling"
    subject: object | None
    figure: int
    of: int | None = None


def needs_attention(campaigns: list[Campaign], failed_mail: int, now: datetime | None = None) -> list[Attention]:
    now = now or utcnow()
    items = [Attention("failed_mail", None, failed_mail)] if failed_mail else []
    campaign_ids = [campaign.id for campaign in campaigns]
    items += [
        Attention("rejected_lines", paper_import, paper_import.rejected)
        for paper_import in db.session.scalars(
            select(PaperImport)
            .join(Petition)
            .where(
                Petition.campaign_id.in_(campaign_ids),
                PaperImport.rejected > 0,
                PaperImport.created_at >= now - 4 * WEEK,
            )
            .order_by(PaperImport.created_at.desc())
        )
    ]
    for campaign in campaigns:
        for petition in campaign.petitions:
            if (
                petition.is_open
                and petition.goal
                and NEARLY * petition.goal <= petition.confirmed_count < petition.goal
            ):
                items.append(Attention("goal_near", petition, petition.confirmed_count, petition.goal))
        for pledge in campaign.pledges:
            wanted = pledge.threshold if pledge.threshold and pledge.threshold_met_at is None else pledge.goal
            if wanted and pledge.status is PledgeStatus.OPEN:
                committed = pledges.confirmed_count(pledge)
                if NEARLY * wanted <= committed < wanted:
                    items.append(Attention("pledge_near", pledge, committed, wanted))
        for forum in campaign.forums:
            if forum.capacity and forum.status is ForumStatus.SCHEDULED and forum.starts_at > now:
                taken = forums.seats_taken(forum)
                if taken >= NEARLY * forum.capacity:
                    items.append(Attention("forum_filling", forum, taken, forum.capacity))
    return items


@dataclass(frozen=True)
class CountyPetition:
    petition: Petition
    confirmed: int
    pending: int
    goal: int | None
    is_target: bool
    days: list[tuple[date, int]]
    latest: list[Signature]


@dataclass(frozen=True)
class CountyFigures:
    campaign: Campaign
    county: County
    petitions: list[CountyPetition]
    pledges: list[tuple[Pledge, fulfilment.CountyProgress | None]]
    forums_here: list[Forum]  # forums held in the county
    rsvps: list[tuple[Forum, checkin.CountyAttendance | None]]  # people from the county, per forum
    officials: list[Official]


LATEST_SIGNERS = 20


def county_figures(campaign: Campaign, fips: str, now: datetime | None = None) -> CountyFigures:
    """Everything of one campaign in one county. Per-county counts come from the count
    tables; the signatures over time from one grouped query on (petition, status, county)."""
    county = get_county(fips)
    zone = county_zone(campaign.county)
    today = (now or utcnow()).astimezone(zone).date()
    per_petition = []
    for petition in campaign.petitions:
        in_county = (
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.county_fips == fips,
        )
        first_day = _first_chart_day(petition, today, zone)
        since = datetime.combine(first_day, time.min, tzinfo=zone)  # only the days the chart shows
        hours = db.session.execute(
            select(hour_bucket(Signature.confirmed_at).label("hour"), func.count())
            .where(*in_county, Signature.confirmed_at >= since)
            .group_by("hour")
        ).all()
        setting = next((entry for entry in petition.counties if entry.county_fips == fips), None)
        per_petition.append(
            CountyPetition(
                petition=petition,
                confirmed=db.session.scalar(
                    select(func.coalesce(func.sum(PetitionCountyCount.confirmed), 0)).where(
                        PetitionCountyCount.petition_id == petition.id, PetitionCountyCount.county_fips == fips
                    )
                ),
                pending=_signatures_with(petition, SignatureStatus.PENDING, fips),
                goal=setting.goal if setting else None,
                is_target=bool(setting and setting.is_target),
                days=daily_counts(hours, zone, first_day, today),
                latest=list(
                    db.session.scalars(
                        select(Signature).where(*in_county).order_by(Signature.id.desc()).limit(LATEST_SIGNERS)
                    )
                ),
            )
        )
    return CountyFigures(
        campaign=campaign,
        county=county,
        petitions=per_petition,
        pledges=[
            (pledge, next((row for row in fulfilment.report(pledge).by_county if row.county.fips == fips), None))
            for pledge in campaign.pledges
        ],
        forums_here=[forum for forum in campaign.forums if forum.county_fips == fips],
        rsvps=[
            (forum, next((row for row in checkin.attendance(forum).by_county if row.county_fips == fips), None))
            for forum in campaign.forums
        ],
        officials=list(
            db.session.scalars(
                select(Official).where(Official.county_fips == fips).order_by(Official.body, Official.name)
            )
        ),
    )
