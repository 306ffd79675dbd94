"""Counts by county, kept in a small table refreshed in batches.

Pages read the counts table, never the signatures: a read storm costs nothing, and no
signature updates a hot row. A page that finds the counts older than COUNT_MAX_AGE asks
for a refresh; one conditional UPDATE makes sure only one of many viewers enqueues it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update

from campaign.core.timeline import hour_bucket
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.geo.models import County
from campaign.jobs import services as jobs
from campaign.jobs.registry import handler
from campaign.petitions.models import (
    Petition,
    PetitionCounty,
    PetitionCountyCount,
    PetitionHourCount,
    Signature,
    SignatureStatus,
)

COUNT_MAX_AGE = timedelta(seconds=10)
# A confirmation committed while a count ran may carry a slightly earlier time: look back.
COMMIT_SLACK = timedelta(minutes=1)
REFRESH_JOB = "petitions.refresh_counts"
# What a refresh writes: a page that asks for one may change these, by design.
COUNT_TABLES = (PetitionCountyCount.__table__, PetitionHourCount.__table__)


@dataclass(frozen=True)
class CountyRow:
    county: County
    confirmed: int
    goal: int | None
    is_target: bool

    @property
    def percent_of_goal(self) -> int | None:
        return min(100, round(100 * self.confirmed / self.goal)) if self.goal else None


def refresh_counts(petition_id: int, force: bool = False, now: datetime | None = None) -> bool:
    """Recount confirmed signatures per county. Skipped when no confirmation is newer than
    the last count (invalidations pass force=True). Returns whether it recounted."""
    now = now or utcnow()
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        return False
    if not force and petition.counted_at is not None:
        latest = db.session.scalar(
            select(func.max(Signature.confirmed_at)).where(
                Signature.petition_id == petition_id, Signature.status == SignatureStatus.CONFIRMED
            )
        )
        if latest is None or latest < petition.counted_at - COMMIT_SLACK:
            petition.counted_at = now
            return False
    _recount(PetitionCountyCount, petition_id, Signature.county_fips)
    # Hours before the last count do not change unless an organizer invalidated or restored.
    since = None if force or petition.counted_at is None else petition.counted_at - COMMIT_SLACK
    confirmed_hour = hour_bucket(func.coalesce(Signature.confirmed_at, Signature.created_at))
    referral = func.coalesce(Signature.referral, "")
    _recount(PetitionHourCount, petition_id, confirmed_hour, Signature.source, referral, since=since)
    totals = select(
        func.coalesce(func.sum(PetitionCountyCount.confirmed), 0),
        func.coalesce(
            func.sum(PetitionCountyCount.confirmed).filter(
                PetitionCountyCount.county_fips.in_(
                    select(PetitionCounty.county_fips).where(
                        PetitionCounty.petition_id == petition_id, PetitionCounty.is_target.is_(True)
                    )
                )
            ),
            0,
        ),
    ).where(PetitionCountyCount.petition_id == petition_id)
    petition.confirmed_count, petition.resident_count = db.session.execute(totals).one()
    petition.counted_at = now
    return True


def _recount(table, petition_id: int, *keys, since: datetime | None = None) -> None:
    """Replace `table`'s rows of the petition (from the hour of `since` on, when given) with
    confirmed signatures grouped by `keys`."""
    columns = [column.name for column in table.__table__.primary_key.columns][1:]
    grouped = select(Signature.petition_id, *keys, func.count()).where(
        Signature.petition_id == petition_id, Signature.status == SignatureStatus.CONFIRMED
    )
    stale = delete(table).where(table.petition_id == petition_id)
    if since is not None:
        first_hour = since.strftime("%Y-%m-%d %H:00:00")
        grouped = grouped.where(Signature.confirmed_at >= since.replace(minute=0, second=0, microsecond=0))
        stale = stale.where(table.hour >= first_hour)
    # Counted first, then written: the counting reads up to millions of rows, and on SQLite the
    # DELETE would take the database's write lock for all that time, holding up every signer.
    names = ["petition_id", *columns, "confirmed"]
    grouped = grouped.group_by(Signature.petition_id, *keys)
    rows = [dict(zip(names, row, strict=True)) for row in db.session.execute(grouped)]
    db.session.execute(stale)
    if rows:
        db.session.execute(insert(table), rows)


@handler(REFRESH_JOB)
def refresh_counts_job(petition_id: int, force: bool = False) -> dict:
    recounted = refresh_counts(petition_id, force=force)
    db.session.commit()
    return {"recounted": recounted}


def request_refresh(petition: Petition, now: datetime | None = None) -> bool:
    """Called by pages: enqueue one refresh when the counts are stale. Commits its claim."""
    now = now or utcnow()
    stale_before = now - COUNT_MAX_AGE
    if petition.counted_at is not None and petition.counted_at >= stale_before:
        return False  # fresh: no write at all on the common path
    if petition.count_requested_at is not None and petition.count_requested_at >= stale_before:
        return False  # another viewer has asked already
    claim = (
        update(Petition)
        .where(
            Petition.id == petition.id,
            or_(Petition.counted_at.is_(None), Petition.counted_at < stale_before),
            or_(Petition.count_requested_at.is_(None), Petition.count_requested_at < stale_before),
        )
        .values(count_requested_at=now)
        .execution_options(synchronize_session=False)
    )
    if not db.session.execute(claim).rowcount:
        # The UPDATE opened a write transaction even though it matched nothing: on SQLite it
        # would hold the database's write lock for the rest of the page.
        db.session.rollback()
        return False
    jobs.enqueue(REFRESH_JOB, petition_id=petition.id)
    db.session.commit()
    return True


def total_including(petition: Petition, signature: Signature) -> int:
    """The confirmed total as the signer who has just confirmed must see it: the last count,
    plus their own signature when that count was taken before it. Costs nothing at any size
    (the counts are refreshed in batches, so the total alone would lag by seconds)."""
    counted = petition.counted_at
    missing = signature.confirmed_at is not None and (counted is None or signature.confirmed_at >= counted)
    return petition.confirmed_count + (1 if missing and signature.status is SignatureStatus.CONFIRMED else 0)


def county_rows(petition: Petition) -> list[CountyRow]:
    """Counties with confirmed signatures, and every target county, by count (largest first)."""
    counts = dict(
        db.session.execute(
            select(PetitionCountyCount.county_fips, PetitionCountyCount.confirmed).where(
                PetitionCountyCount.petition_id == petition.id
            )
        ).all()
    )
    settings = {entry.county_fips: entry for entry in petition.counties}
    wanted = set(counts) | set(settings)
    counties = {county.fips: county for county in db.session.scalars(select(County).where(County.fips.in_(wanted)))}
    rows = [
        CountyRow(
            county=counties[fips],
            confirmed=counts.get(fips, 0),
            goal=settings[fips].goal if fips in settings else None,
            is_target=fips in settings and settings[fips].is_target,
        )
        for fips in wanted
    ]
    return sorted(rows, key=lambda row: (-row.confirmed, row.county.label))
