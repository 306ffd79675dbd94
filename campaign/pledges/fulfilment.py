"""Who did what they pledged: marked by organizers, followed from forum check-in, and the
report (committed, fulfilled, rate, by county)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, update

from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import checkin
from campaign.forums.models import RSVP
from campaign.geo.models import County
from campaign.pledges.models import Commitment, CommitmentStatus, FulfilledVia, Pledge


def set_fulfilled(commitments: Iterable[Commitment], via: FulfilledVia | None, user, now: datetime) -> int:
    changed = 0
    for commitment in commitments:
        if via is None:
            commitment.fulfilled_at = commitment.fulfilled_via = commitment.fulfilled_by_id = None
        else:
            commitment.fulfilled_at, commitment.fulfilled_via = now, via
            commitment.fulfilled_by_id = user.id if user is not None else None
        changed += 1
    db.session.flush()
    return changed


def mark_fulfilled(pledge: Pledge, commitment_ids: list[int], user, done: bool = True) -> int:
    """An organizer marks commitments fulfilled (or not), one or many. Only confirmed
    commitments of this pledge can be; anything else in the list is refused as a whole."""
    if not commitment_ids:
        raise DomainError(_("Choose at least one person."), field="commitment_ids")
    query = select(Commitment).where(Commitment.id.in_(commitment_ids), Commitment.pledge_id == pledge.id)
    commitments = list(db.session.scalars(query))
    if len(commitments) != len(set(commitment_ids)):
        raise NotFound(_("Some of these people have not committed to this pledge."), field="commitment_ids")
    if any(commitment.status is not CommitmentStatus.CONFIRMED for commitment in commitments):
        raise Conflict(
            _("Only confirmed commitments can be marked: wait for the email confirmation."), field="commitment_ids"
        )
    wanted = [commitment for commitment in commitments if (commitment.fulfilled_at is None) == done]
    return set_fulfilled(wanted, FulfilledVia.ORGANIZER if done else None, user, utcnow())


def sync_attendance(forum_id: int, person_id: int | None = None, now: datetime | None = None) -> None:
    """Commitments to pledges linked to this forum follow its check-ins: someone checked in
    did it; a check-in undone takes back only what the check-in had marked."""
    now = now or utcnow()
    linked = select(Pledge.id).where(Pledge.forum_id == forum_id)
    here = select(RSVP.person_id).where(
        RSVP.forum_id == forum_id, RSVP.checked_in_at.is_not(None), RSVP.person_id.is_not(None)
    )
    scope = [Commitment.pledge_id.in_(linked), Commitment.status == CommitmentStatus.CONFIRMED]
    if person_id is not None:
        scope.append(Commitment.person_id == person_id)
    db.session.execute(
        update(Commitment)
        .where(*scope, Commitment.fulfilled_at.is_(None), Commitment.person_id.in_(here))
        .values(fulfilled_at=now, fulfilled_via=FulfilledVia.CHECK_IN, fulfilled_by_id=None)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        update(Commitment)
        .where(*scope, Commitment.fulfilled_via == FulfilledVia.CHECK_IN, Commitment.person_id.not_in(here))
        .values(fulfilled_at=None, fulfilled_via=None)
        .execution_options(synchronize_session="fetch")
    )


@checkin.attendance_changed.connect
def _on_attendance_changed(rsvp: RSVP) -> None:
    if rsvp.person_id is not None:
        sync_attendance(rsvp.forum_id, rsvp.person_id)


@dataclass(frozen=True)
class CountyProgress:
    county: County
    committed: int
    fulfilled: int


@dataclass(frozen=True)
class PledgeReport:
    committed: int  # confirmed commitments
    fulfilled: int
    pending: int  # waiting for their email confirmation
    by_county: list[CountyProgress]

    @property
    def rate(self) -> int | None:
        """Percent of the people committed who did it."""
        return round(100 * self.fulfilled / self.committed) if self.committed else None


def report(pledge: Pledge) -> PledgeReport:
    """Committed, fulfilled and the rate, in total and by county (grouped in the database,
    on the commitments' (pledge, status, county) index)."""
    confirmed = Commitment.status == CommitmentStatus.CONFIRMED
    rows = db.session.execute(
        select(
            Commitment.county_fips,
            func.count().filter(confirmed),
            func.count().filter(and_(confirmed, Commitment.fulfilled_at.is_not(None))),
            func.count().filter(Commitment.status == CommitmentStatus.PENDING),
        )
        .where(Commitment.pledge_id == pledge.id)
        .group_by(Commitment.county_fips)
    ).all()
    counties = {
        county.fips: county
        for county in db.session.scalars(select(County).where(County.fips.in_([row[0] for row in rows])))
    }
    by_county = sorted(
        (CountyProgress(counties[fips], committed, fulfilled) for fips, committed, fulfilled, _pending in rows),
        key=lambda row: (-row.committed, row.county.label),
    )
    return PledgeReport(
        committed=sum(row[1] for row in rows),
        fulfilled=sum(row[2] for row in rows),
        pending=sum(row[3] for row in rows),
        by_county=[row for row in by_county if row.committed],
    )


COMMITMENT_FILTERS = ("confirmed", "pending", "fulfilled", "not_fulfilled")


def commitments_page(pledge: Pledge, wanted: str, page: int, size: int) -> list[Commitment]:
    query = select(Commitment).where(Commitment.pledge_id == pledge.id)
    if wanted == "pending":
        query = query.where(Commitment.status == CommitmentStatus.PENDING)
    elif wanted in COMMITMENT_FILTERS:
        query = query.where(Commitment.status == CommitmentStatus.CONFIRMED)
        if wanted == "fulfilled":
            query = query.where(Commitment.fulfilled_at.is_not(None))
        elif wanted == "not_fulfilled":
            query = query.where(Commitment.fulfilled_at.is_(None))
    order = (case((Commitment.status == CommitmentStatus.CONFIRMED, 0), else_=1), Commitment.last_name, Commitment.id)
    return list(db.session.scalars(query.order_by(*order).limit(size).offset((page - 1) * size)))
