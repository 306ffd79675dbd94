"""Pledges: writing them, committing and confirming, the condition.

A commitment counts once its email link is confirmed (a GET never confirms). A pledge with
a condition ("counts only if N people commit") is met by the confirmation that reaches N,
and only that one: confirmations take the pledge's row lock before counting, and the
announcement is claimed by a conditional UPDATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from blinker import Namespace
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from campaign.accounts.audit import Changes
from campaign.accounts.services import record_event
from campaign.campaigns.models import Campaign
from campaign.campaigns.services import checked_slug
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import blank_to_none, clean_referral
from campaign.core.tokens import TokenPurpose
from campaign.core.types import utcnow
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.forums.models import Forum, ForumStatus
from campaign.geo.services import county_zone, zone_for
from campaign.meetings.models import Meeting
from campaign.meetings.services import check_meeting_year
from campaign.meetings.services import meeting_zone as meeting_zone_of
from campaign.officials.models import Official
from campaign.people import pending
from campaign.people.services import (
    CONSENT_EMAIL_UPDATES,
    MAX_NAME,
    clean_email,
    clean_line,
    consent_record,
    person_for,
    resolve_home_county,
)
from campaign.pledges import reminders  # noqa: F401  (registers the reminder producer)
from campaign.pledges.fulfilment import set_fulfilled, sync_attendance
from campaign.pledges.models import Commitment, CommitmentStatus, FulfilledVia, Pledge, PledgeKind, PledgeStatus
from campaign.pledges.notices import REPORT, mail_commitment

CONFIRM_MAX_AGE = 14 * 24 * 3600
CONFIRMATION = TokenPurpose(
    "commitment-confirm",
    invalid=_l("This confirmation link is not valid. Commit again to get a new one."),
    expired=_l("This confirmation link has expired. Commit again to get a new one."),
    max_age=CONFIRM_MAX_AGE,
)

# Sent with the Pledge once its condition is met (follow-up broadcasts listen).
condition_met = Namespace().signal("pledge-condition-met")


# --- organizers write pledges ------------------------------------------------------------


@dataclass
class PledgeInput:
    title: str
    kind: PledgeKind
    action: str
    slug: str = ""
    title_es: str | None = None
    action_es: str | None = None
    body: str = ""
    body_es: str | None = None
    script: str | None = None
    script_es: str | None = None
    forum_id: int | None = None
    meeting_id: int | None = None  # a public meeting of the campaign (attend it, speak at it)
    meeting_local: datetime | None = None  # wall-clock time in the campaign county, no zone
    meeting_place: str | None = None
    official_id: int | None = None
    goal: int | None = None
    threshold: int | None = None
    deadline: datetime | None = None
    status: PledgeStatus = PledgeStatus.DRAFT


def save_pledge(campaign: Campaign, data: PledgeInput, pledge: Pledge | None = None, user=None) -> Pledge:
    """Create or change a pledge; nothing is written when the input is refused. The audit log
    names, by `user`, the fields changed (never their values)."""
    if data.goal is not None and data.goal < 1:
        raise DomainError(_("A goal must be at least 1."), field="goal")
    if data.threshold is not None and data.threshold < 1:
        raise DomainError(
            _("The condition must be at least 1 person. Leave it empty for a pledge that always counts."),
            field="threshold",
        )
    forum = db.session.get(Forum, data.forum_id) if data.forum_id else None
    if data.forum_id and (forum is None or forum.campaign_id != campaign.id):
        raise DomainError(_("Choose a forum of this campaign."), field="forum_id")
    meeting = _target_meeting(campaign, data)
    official = db.session.get(Official, data.official_id) if data.official_id else None
    if data.official_id and official is None:
        raise NotFound(_("There is no such official."), field="official_id")
    meeting_at = None
    if data.meeting_local is not None:
        check_meeting_year(data.meeting_local, "meeting_at")
        meeting_at = data.meeting_local.replace(tzinfo=meeting_zone(campaign))
    slug = checked_slug(data.slug, data.title, Pledge, current_id=pledge.id if pledge else None)

    pledge = pledge or Pledge(campaign=campaign)
    changes = Changes(pledge)
    pledge.slug, pledge.kind, pledge.status = slug, data.kind, data.status
    pledge.title, pledge.title_es = data.title.strip(), blank_to_none(data.title_es)
    pledge.action, pledge.action_es = data.action.strip(), blank_to_none(data.action_es)
    pledge.body, pledge.body_es = data.body or "", blank_to_none(data.body_es)
    pledge.script, pledge.script_es = blank_to_none(data.script), blank_to_none(data.script_es)
    pledge.forum, pledge.meeting, pledge.official = forum, meeting, official
    pledge.meeting_at, pledge.meeting_place = meeting_at, blank_to_none(data.meeting_place)
    pledge.goal, pledge.threshold, pledge.deadline = data.goal, data.threshold, data.deadline
    db.session.add(pledge)
    db.session.flush()
    record_event(user, "pledge_saved", pledge=pledge.slug, **changes.details())
    _announce_if_met(pledge)  # a lowered condition may be met already
    if forum is not None:
        sync_attendance(forum.id)  # people who already checked in at the forum did it
    return pledge


MEETING_KINDS = (PledgeKind.ATTEND_MEETING, PledgeKind.PUBLIC_COMMENT)


def _target_meeting(campaign: Campaign, data: PledgeInput) -> Meeting | None:
    """The public meeting a pledge to attend it or speak at it targets: one of its campaign."""
    if not data.meeting_id:
        return None
    if data.kind not in MEETING_KINDS:
        raise DomainError(
            _("Only a pledge to attend a meeting or to speak at public comment targets a meeting."),
            field="meeting_id",
        )
    meeting = db.session.get(Meeting, data.meeting_id)
    if meeting is None or meeting.campaign_id != campaign.id:
        raise DomainError(_("Choose a meeting of this campaign."), field="meeting_id")
    return meeting


def pledges_for_meeting(meeting: Meeting) -> list[Pledge]:
    """The public pledges that target a meeting."""
    query = select(Pledge).where(Pledge.meeting_id == meeting.id, Pledge.status != PledgeStatus.DRAFT)
    return list(db.session.scalars(query.order_by(Pledge.id)))


def meeting_zone(campaign: Campaign) -> ZoneInfo:
    """The clock a meeting date without a linked forum is written and read in: the campaign county's."""
    return county_zone(campaign.county)


def pledge_zone(pledge: Pledge) -> ZoneInfo:
    """Where the pledge's action happens: its forum's zone, its meeting's county's, else the
    campaign county's."""
    if pledge.forum is not None:
        return zone_for(pledge.forum.timezone)
    return meeting_zone_of(pledge.meeting) if pledge.meeting is not None else meeting_zone(pledge.campaign)


def get_pledge(slug: str, include_drafts: bool = False) -> Pledge:
    pledge = db.session.scalar(select(Pledge).where(Pledge.slug == slug))
    if pledge is None or (pledge.status is PledgeStatus.DRAFT and not include_drafts):
        raise NotFound(_("There is no pledge at this address."))
    return pledge


def forums_to_link(campaign: Campaign) -> list[Forum]:
    query = select(Forum).where(Forum.campaign_id == campaign.id, Forum.status != ForumStatus.CANCELLED)
    return list(db.session.scalars(query.order_by(Forum.starts_at)))


# --- people commit -------------------------------------------------------------------------


@dataclass
class CommitmentInput:
    first_name: str
    last_name: str
    email: str
    zip_code: str
    county: str | None = None  # FIPS code picked when the ZIP does not tell
    email_updates: bool = False
    locale: str = "en"
    referral: str | None = None  # the `?source=` code; kept by the first action only


def commit(pledge: Pledge, data: CommitmentInput) -> Commitment:
    """Record a commitment (pending until confirmed) and mail the confirmation link.

    Committing again answers exactly as the first time and changes nothing until the mailbox
    proves itself: a pending commitment gets a link that confirms it with the details just
    given, a confirmed one a note that it already counts. The page never tells which.
    """
    if not pledge.is_open:
        raise Conflict(_("This pledge is not open for commitments."))
    first_name = clean_line(data.first_name, "first_name", MAX_NAME, required=True)
    last_name = clean_line(data.last_name, "last_name", MAX_NAME, required=True)
    email = clean_email(data.email)
    place, county = resolve_home_county(data.zip_code, data.county)
    person = person_for(email, first_name, last_name, place.zip_code, county.fips, data.locale)
    details = {
        "first_name": first_name,
        "last_name": last_name,
        "zip_code": place.zip_code,
        "county_fips": county.fips,
        "email_updates": data.email_updates,
        "consent_text": consent_record(consent_boxes(data.email_updates), data.locale),
        "locale": data.locale,
    }
    commitment = _existing(pledge, person.id)
    if commitment is None:
        commitment = Commitment(
            pledge=pledge,
            person=person,
            referral=clean_referral(data.referral),
            created_at=utcnow(),
            consented_at=utcnow(),
            **details,
        )
        try:
            with db.session.begin_nested():
                db.session.add(commitment)
        except IntegrityError:  # the same person's other tab or double click won the race
            commitment = _existing(pledge, person.id)
        else:
            _mail_confirmation(commitment, pending.first_link(CONFIRMATION, commitment), details["locale"])
            return commitment
    if commitment.status is CommitmentStatus.PENDING:
        token = pending.propose(CONFIRMATION, person, commitment.id, details)
        _mail_confirmation(commitment, token, details["locale"])
    else:
        mail_commitment(commitment, "pledges/already_committed", throttle=True)
    return commitment


def consent_boxes(email_updates: bool) -> list[tuple[str, bool]]:
    """The commit form's box as the person saw it: recorded, and shown before the click."""
    return [(CONSENT_EMAIL_UPDATES, email_updates)]


def _existing(pledge: Pledge, person_id: int) -> Commitment | None:
    return db.session.scalar(
        select(Commitment).where(Commitment.pledge_id == pledge.id, Commitment.person_id == person_id)
    )


def _mail_confirmation(commitment: Commitment, token: str, locale: str) -> None:
    link = external_url("pledges.confirm", slug=commitment.pledge.slug, token=token)
    days = CONFIRM_MAX_AGE // 86400
    mail_commitment(commitment, "pledges/confirm_commitment", locale=locale, throttle=True, link=link, days=days)


def commitment_details(commitment: Commitment) -> dict:
    """What a first confirmation records: the commitment as it was given."""
    return {
        "first_name": commitment.first_name,
        "last_name": commitment.last_name,
        "zip_code": commitment.zip_code,
        "county_fips": commitment.county_fips,
        "email_updates": commitment.email_updates,
    }


def commitment_for_token(pledge: Pledge, token: str) -> pending.Confirmation[Commitment]:
    confirmation = pending.load(CONFIRMATION, token, Commitment, commitment_details)
    if confirmation.record.pledge_id != pledge.id:
        raise CONFIRMATION.refuse()
    return confirmation


def commitment_for_report(pledge: Pledge, token: str) -> Commitment:
    """The commitment an "I did it" link is for; a forged link, or one for another pledge
    or person, is refused."""
    commitment_id, person_id = REPORT.load(token, 2)
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None or commitment.person_id != person_id or commitment.pledge_id != pledge.id:
        raise REPORT.refuse()
    return commitment


def confirm(pledge: Pledge, token: str, now: datetime | None = None) -> Commitment:
    """Count the commitment, with the details its link names. Confirming twice is harmless."""
    confirmation = commitment_for_token(pledge, token)
    pending.apply(confirmation)
    confirm_commitment(confirmation.record, now or utcnow())
    return confirmation.record


def confirm_commitment(commitment: Commitment, now: datetime) -> None:
    if commitment.status is not CommitmentStatus.PENDING:
        return
    commitment.status, commitment.confirmed_at = CommitmentStatus.CONFIRMED, now
    db.session.flush()
    _announce_if_met(commitment.pledge, now)
    if commitment.pledge.forum_id is not None:
        sync_attendance(commitment.pledge.forum_id, commitment.person_id)


def report_done(pledge: Pledge, token: str, now: datetime | None = None) -> Commitment:
    """The person says they did it. Their link proves their mailbox, so it confirms a
    commitment still waiting for that too."""
    now = now or utcnow()
    commitment = commitment_for_report(pledge, token)
    confirm_commitment(commitment, now)
    if commitment.fulfilled_at is None:
        set_fulfilled([commitment], FulfilledVia.SELF_REPORT, None, now)
    return commitment


# --- the condition -------------------------------------------------------------------------


def _lock(pledge: Pledge) -> None:
    """Serialise confirmations of one pledge: a no-op UPDATE takes the row lock on
    PostgreSQL and the write lock on SQLite before the count is read."""
    db.session.execute(
        update(Pledge)
        .where(Pledge.id == pledge.id)
        .values(threshold=Pledge.threshold)
        .execution_options(synchronize_session=False)
    )


def confirmed_count(pledge: Pledge) -> int:
    query = select(func.count()).where(
        Commitment.pledge_id == pledge.id, Commitment.status == CommitmentStatus.CONFIRMED
    )
    return db.session.scalar(query)


def _announce_if_met(pledge: Pledge, now: datetime | None = None) -> bool:
    """When the condition is reached, mark it met and tell every committed person. The
    conditional UPDATE lets exactly one transaction do it."""
    if pledge.threshold is None or pledge.threshold_met_at is not None:
        return False
    _lock(pledge)
    if confirmed_count(pledge) < pledge.threshold:
        return False
    claim = (
        update(Pledge)
        .where(Pledge.id == pledge.id, Pledge.threshold_met_at.is_(None))
        .values(threshold_met_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(claim).rowcount != 1:
        return False
    db.session.refresh(pledge)
    committed = select(Commitment).where(
        Commitment.pledge_id == pledge.id, Commitment.status == CommitmentStatus.CONFIRMED
    )
    for commitment in db.session.scalars(committed.order_by(Commitment.id)):
        mail_commitment(commitment, "pledges/threshold_met")
    condition_met.send(pledge)
    return True
