"""Public meetings a campaign watches: the meeting, its agenda items, and the officials' votes.

A vote is never edited: a correction is a new row, and the newest row of an official on an
item is the vote that counts; the older ones are its history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from campaign.accounts.audit import Changes
from campaign.accounts.services import record_event
from campaign.campaigns.models import Campaign, CampaignStatus
from campaign.campaigns.services import checked_slug
from campaign.core.errors import DomainError, NotFound
from campaign.core.ordering import move
from campaign.core.text import blank_to_none
from campaign.core.types import utcnow
from campaign.core.urls import web_link
from campaign.extensions import db
from campaign.geo.services import county_zone
from campaign.meetings.models import AgendaItem, Meeting, MeetingStatus, Vote, VoteChoice
from campaign.officials.models import Body, Official

MAX_OBSERVERS = 10_000
MAX_SPEAKER_SLOTS = 500
MAX_MINUTES_PER_SPEAKER = 10
# The years a meeting can be in: far from any real one, and no zone arithmetic near year 1 or
# 9999 to overflow (9999-12-31 23:59 in Green Bay is already year 10000 in UTC).
MEETING_YEARS = range(2000, 3000)

# Sent with the Vote when an official's vote is recorded, corrections included (follow-up
# broadcasts listen).
vote_recorded = Namespace().signal("vote-recorded")


# --- meetings -------------------------------------------------------------------------------


@dataclass
class MeetingInput:
    title: str
    body: Body
    starts_local: datetime  # the wall-clock time in the campaign county, without a zone
    slug: str = ""
    title_es: str | None = None
    place: str | None = None
    agenda_url: str | None = None
    minutes_url: str | None = None
    video_url: str | None = None
    observer_limit: int | None = None
    status: MeetingStatus = MeetingStatus.SCHEDULED
    outcome: str | None = None


def save_meeting(campaign: Campaign, data: MeetingInput, meeting: Meeting | None = None, user=None) -> Meeting:
    """Create or change a meeting of the campaign's county. A past date is allowed: organizers
    record meetings already held, with their outcome and votes. The address is set once, at
    creation (calendar subscriptions know the meeting by it). Nothing is written when refused."""
    check_meeting_year(data.starts_local, "starts_at")
    if data.observer_limit is not None and not 1 <= data.observer_limit <= MAX_OBSERVERS:
        raise DomainError(
            _("Allow between 1 and %(max)s observers, or leave it empty for no limit.", max=MAX_OBSERVERS),
            field="observer_limit",
        )
    links = {name: web_link(getattr(data, name), name) for name in ("agenda_url", "minutes_url", "video_url")}
    starts_at = data.starts_local.replace(tzinfo=county_zone(campaign.county))
    if meeting is None:
        slug = checked_slug(data.slug, f"{data.title} {data.starts_local:%Y-%m-%d}", Meeting)
        meeting = Meeting(campaign=campaign, county_fips=campaign.county_fips, slug=slug)
    changes = Changes(meeting)
    meeting.body, meeting.status = data.body, data.status
    meeting.title, meeting.title_es = data.title.strip(), blank_to_none(data.title_es)
    meeting.starts_at = starts_at
    meeting.place, meeting.outcome = blank_to_none(data.place), blank_to_none(data.outcome)
    meeting.agenda_url, meeting.minutes_url, meeting.video_url = (
        links["agenda_url"],
        links["minutes_url"],
        links["video_url"],
    )
    meeting.observer_limit = data.observer_limit
    db.session.add(meeting)
    db.session.flush()
    record_event(user, "meeting_saved", meeting=meeting.slug, **changes.details())
    return meeting


def check_meeting_year(local: datetime, field: str) -> None:
    """Refuse, beside `field`, a wall-clock time in a year no meeting has (MEETING_YEARS)."""
    if local.year not in MEETING_YEARS:
        raise DomainError(_("Enter a date between the years 2000 and 2999."), field=field)


def get_meeting(slug: str, include_drafts: bool = False) -> Meeting:
    """A meeting by its address; one of a draft campaign only for organizers (`include_drafts`)."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    if meeting is None or (not include_drafts and not meeting.campaign.status.is_public):
        raise NotFound(_("There is no meeting at this address."))
    return meeting


def meeting_zone(meeting: Meeting) -> ZoneInfo:
    """The clock a meeting is written and read in: its county's."""
    return county_zone(meeting.county)


def zone_name(meeting: Meeting) -> str:
    """The meeting county's time zone by name, as the `datetime_in` filter takes it."""
    return meeting_zone(meeting).key


def is_past(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.starts_at <= (now or utcnow())


def upcoming_meetings(campaign: Campaign, now: datetime | None = None) -> list[Meeting]:
    """The campaign's scheduled meetings still to come, soonest first."""
    query = select(Meeting).where(
        Meeting.campaign_id == campaign.id,
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at > (now or utcnow()),
    )
    return list(db.session.scalars(query.order_by(Meeting.starts_at)))


def campaign_meetings(campaign: Campaign) -> list[Meeting]:
    """Every meeting of the campaign, newest first (organizers see them all)."""
    query = select(Meeting).where(Meeting.campaign_id == campaign.id)
    return list(db.session.scalars(query.order_by(Meeting.starts_at.desc())))


def meetings_to_link(campaign: Campaign) -> list[Meeting]:
    """The meetings a pledge of the campaign may target: not cancelled, soonest first."""
    query = select(Meeting).where(Meeting.campaign_id == campaign.id, Meeting.status != MeetingStatus.CANCELLED)
    return list(db.session.scalars(query.order_by(Meeting.starts_at)))


# --- agenda items ---------------------------------------------------------------------------


@dataclass
class AgendaItemInput:
    title: str
    number: str | None = None
    title_es: str | None = None
    concerns_agreement: bool = True
    speaker_slots: int | None = None  # None: no public-comment sign-up for this item
    minutes_per_speaker: int = 3
    talking_points: str | None = None
    talking_points_es: str | None = None
    result: str | None = None


def save_item(meeting: Meeting, data: AgendaItemInput, item: AgendaItem | None = None, user=None) -> AgendaItem:
    """Add an item at the end of the agenda, or change one."""
    if data.speaker_slots is not None and not 1 <= data.speaker_slots <= MAX_SPEAKER_SLOTS:
        raise DomainError(
            _(
                "Allow between 1 and %(max)s speakers, or leave it empty when the item takes no public comment.",
                max=MAX_SPEAKER_SLOTS,
            ),
            field="speaker_slots",
        )
    if not 1 <= data.minutes_per_speaker <= MAX_MINUTES_PER_SPEAKER:
        raise DomainError(
            _("Give each speaker between 1 and %(max)s minutes.", max=MAX_MINUTES_PER_SPEAKER),
            field="minutes_per_speaker",
        )
    if item is None:
        last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id))
        item = AgendaItem(meeting=meeting, position=(last or 0) + 1)
    changes = Changes(item)
    item.number, item.title, item.title_es = (
        blank_to_none(data.number),
        data.title.strip(),
        blank_to_none(data.title_es),
    )
    item.concerns_agreement = data.concerns_agreement
    item.speaker_slots, item.minutes_per_speaker = data.speaker_slots, data.minutes_per_speaker
    item.talking_points, item.talking_points_es = (
        blank_to_none(data.talking_points),
        blank_to_none(data.talking_points_es),
    )
    item.result = blank_to_none(data.result)
    db.session.add(item)
    db.session.flush()
    record_event(user, "agenda_item_saved", meeting=meeting.slug, item=item.id, **changes.details())
    return item


def get_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(_("This meeting has no such agenda item."))
    return item


def move_item(item: AgendaItem, step: int) -> None:
    """Move an item one place up (`step` -1) or down (+1) the agenda; at either end, nothing moves.
    The positions are renumbered 1, 2, 3... in the new order."""
    items = db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == item.meeting_id)
        .order_by(AgendaItem.position, AgendaItem.id)
        .with_for_update()  # two organizers moving items of one agenda take turns
    )
    move(list(items), item, step)
    db.session.flush()


# --- votes ----------------------------------------------------------------------------------


def county_officials(meeting: Meeting) -> list[Official]:
    """The officials who may vote at a meeting: those of its county."""
    query = select(Official).where(Official.county_fips == meeting.county_fips)
    return list(db.session.scalars(query.order_by(Official.name)))


def get_official(official_id: int | None) -> Official:
    official = db.session.get(Official, official_id) if official_id else None
    if official is None:
        raise NotFound(_("There is no such official."), field="official_id")
    return official


def record_vote(item: AgendaItem, official: Official, choice: VoteChoice, source_url: str | None, user) -> Vote:
    """Record an official's vote on an item. A second vote of the same official on the same
    item is a correction: a new row that counts from now on, the older one kept as history."""
    if official.county_fips != item.meeting.county_fips:
        raise DomainError(_("Choose an official of the county this meeting is in."), field="official_id")
    vote = Vote(
        agenda_item=item,
        official=official,
        choice=VoteChoice(choice),
        source_url=web_link(source_url, "source_url"),
        recorded_by_id=user.id if user is not None else None,
        created_at=utcnow(),
    )
    db.session.add(vote)
    db.session.flush()
    record_event(user, "vote_recorded", meeting=item.meeting.slug, item=item.id, official=official.id)
    vote_recorded.send(vote)
    return vote


def _counting(*conditions):
    """The votes that count among those matching `conditions`: the newest row of each
    (item, official)."""
    ranked = (
        select(
            Vote.id,
            func.row_number()
            .over(
                partition_by=(Vote.agenda_item_id, Vote.official_id),
                order_by=(Vote.created_at.desc(), Vote.id.desc()),
            )
            .label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    return Vote.id.in_(select(ranked.c.id).where(ranked.c.rank == 1))


def votes_of(official_ids) -> dict[int, list[tuple[Vote, AgendaItem, Meeting]]]:
    """The vote that counts of each official on the items about the agreement, at meetings of
    public campaigns, newest meeting first, in one query: {official_id: [(vote, item,
    meeting), ...]}; an official without votes has no key. Cancelled meetings count too: a
    vote recorded is a vote cast."""
    ids = list(official_ids)
    if not ids:
        return {}
    query = (
        select(Vote, AgendaItem, Meeting)
        .join(AgendaItem, Vote.agenda_item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .join(Campaign, Meeting.campaign_id == Campaign.id)
        .where(
            _counting(Vote.official_id.in_(ids)),
            AgendaItem.concerns_agreement.is_(True),
            Campaign.status != CampaignStatus.DRAFT,
        )
        .order_by(Meeting.starts_at.desc(), AgendaItem.position, Vote.id)
    )
    result: dict[int, list[tuple[Vote, AgendaItem, Meeting]]] = defaultdict(list)
    for vote, item, meeting in db.session.execute(query):
        result[vote.official_id].append((vote, item, meeting))
    return dict(result)


def meeting_votes(meeting: Meeting) -> dict[int, list[Vote]]:
    """The votes that count at a meeting, by agenda item id, officials by name."""
    query = (
        select(Vote)
        .join(AgendaItem, Vote.agenda_item_id == AgendaItem.id)
        .join(Official, Vote.official_id == Official.id)
        .where(_counting(Vote.agenda_item_id.in_(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id))))
        .options(contains_eager(Vote.official))
        .order_by(Official.name, Vote.id)
    )
    result: dict[int, list[Vote]] = defaultdict(list)
    for vote in db.session.scalars(query):
        result[vote.agenda_item_id].append(vote)
    return dict(result)


def vote_history(item: AgendaItem) -> list[Vote]:
    """Every vote recorded on an item, corrections and the rows they replaced, newest first."""
    query = select(Vote).where(Vote.agenda_item_id == item.id).options(joinedload(Vote.official))
    return list(db.session.scalars(query.order_by(Vote.created_at.desc(), Vote.id.desc())))
