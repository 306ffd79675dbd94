"""Pledges: writing them, committing and confirming, the condition, fulfilment, the report.

A commitment counts once its email link is confirmed (a GET never confirms). A pledge with
a condition ("counts only if N people commit") is met by the confirmation that reaches N,
and only that one: confirmations take the pledge's row lock before counting, and the
announcement is claimed by a conditional UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from campaign.campaigns.models import Campaign
from campaign.campaigns.services import checked_slug
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.text import blank_to_none
from campaign.core.types import utcnow
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.forums import checkin
from campaign.forums.models import RSVP, Forum, ForumStatus
from campaign.forums.services import zone_for
from campaign.geo.models import County
from campaign.geo.services import county_timezone
from campaign.officials.models import Official
from campaign.outbox.services import enqueue as enqueue_mail
from campaign.outbox.services import producer
from campaign.people.services import (
    CONSENT_EMAIL_UPDATES,
    MAX_NAME,
    clean_email,
    clean_line,
    consent_record,
    person_for,
    resolve_home_county,
)
from campaign.pledges.models import (
    Commitment,
    CommitmentStatus,
    FulfilledVia,
    Pledge,
    PledgeKind,
    PledgeStatus,
)

CONFIRM_SALT = "commitment-confirm"
CONFIRM_MAX_AGE = 14 * 24 * 3600
REPORT_SALT = "commitment-fulfilled"
REMIND_BEFORE = timedelta(days=1)
REMINDER_PRODUCER = "pledges.reminders"


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
    meeting_local: datetime | None = None  # wall-clock time in the campaign county, no zone
    meeting_place: str | None = None
    official_id: int | None = None
    goal: int | None = None
    threshold: int | None = None
    deadline: datetime | None = None
    status: PledgeStatus = PledgeStatus.DRAFT


def save_pledge(campaign: Campaign, data: PledgeInput, pledge: Pledge | None = None) -> Pledge:
    """Create or change a pledge; nothing is written when the input is refused."""
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
    official = db.session.get(Official, data.official_id) if data.official_id else None
    if data.official_id and official is None:
        raise NotFound(_("There is no such official."), field="official_id")
    meeting_at = None
    if data.meeting_local is not None:
        meeting_at = data.meeting_local.replace(tzinfo=zone_for(county_timezone(campaign.county)))
    slug = checked_slug(data.slug, data.title, Pledge, current_id=pledge.id if pledge else None)

    pledge = pledge or Pledge(campaign=campaign)
    pledge.slug, pledge.kind, pledge.status = slug, data.kind, data.status
    pledge.title, pledge.title_es = data.title.strip(), blank_to_none(data.title_es)
    pledge.action, pledge.action_es = data.action.strip(), blank_to_none(data.action_es)
    pledge.body, pledge.body_es = data.body or "", blank_to_none(data.body_es)
    pledge.script, pledge.script_es = blank_to_none(data.script), blank_to_none(data.script_es)
    pledge.forum, pledge.official = forum, official
    pledge.meeting_at, pledge.meeting_place = meeting_at, blank_to_none(data.meeting_place)
    pledge.goal, pledge.threshold, pledge.deadline = data.goal, data.threshold, data.deadline
    db.session.add(pledge)
    db.session.flush()
    _announce_if_met(pledge)  # a lowered condition may be met already
    if forum is not None:
        _sync_attendance(forum.id)  # people who already checked in at the forum did it
    return pledge


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


def commit(pledge: Pledge, data: CommitmentInput) -> Commitment:
    """Record a commitment (pending until confirmed) and mail the confirmation link.

    Committing again answers exactly as the first time: a pending commitment gets a fresh
    link, a confirmed one a note that it already counts. The page never tells which.
    """
    if not pledge.is_open:
        raise Conflict(_("This pledge is not open for commitments."))
    first_name = clean_line(data.first_name, "first_name", MAX_NAME, required=True)
    last_name = clean_line(data.last_name, "last_name", MAX_NAME, required=True)
    email = clean_email(data.email)
    place, county = resolve_home_county(data.zip_code, data.county)
    person = person_for(email, first_name, last_name, place.zip_code, county.fips, data.locale)
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "zip_code": place.zip_code,
        "county_fips": county.fips,
        "email_updates": data.email_updates,
        "consent_text": consent_record([(CONSENT_EMAIL_UPDATES, data.email_updates)], data.locale),
        "consented_at": utcnow(),
        "locale": data.locale,
    }
    commitment = _existing(pledge, person.id)
    if commitment is None:
        commitment = Commitment(pledge=pledge, person=person, created_at=utcnow(), **values)
        try:
            with db.session.begin_nested():
                db.session.add(commitment)
        except IntegrityError:  # the same person's other tab or double click won the race
            commitment = _existing(pledge, person.id)
        else:
            _mail_confirmation(commitment)
            return commitment
    if commitment.status is CommitmentStatus.PENDING:
        for name, value in values.items():  # the latest details win until confirmed
            setattr(commitment, name, value)
        _mail_confirmation(commitment)
    else:
        _mail(commitment, "pledges/already_committed")
    return commitment


def _existing(pledge: Pledge, person_id: int) -> Commitment | None:
    return db.session.scalar(
        select(Commitment).where(Commitment.pledge_id == pledge.id, Commitment.person_id == person_id)
    )


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def _report_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=REPORT_SALT)


def report_token(commitment: Commitment) -> str:
    """The key of the person's own "I did it" link: signed, so only their mailbox holds it."""
    return _report_serializer().dumps([commitment.id, commitment.person_id])


def _mail(commitment: Commitment, template: str, **extra) -> None:
    db.session.flush()
    pledge = commitment.pledge
    context = {
        "commitment": commitment,
        "pledge": pledge,
        "pledge_url": external_url("pledges.show", slug=pledge.slug),
        "report_url": external_url("pledges.report_done", slug=pledge.slug, token=report_token(commitment)),
    } | extra
    enqueue_mail(commitment.person.email, template, context, commitment.locale)


def _mail_confirmation(commitment: Commitment) -> None:
    db.session.flush()
    token = _confirm_serializer().dumps({"c": commitment.id, "p": commitment.person_id})
    link = external_url("pledges.confirm", slug=commitment.pledge.slug, token=token)
    _mail(commitment, "pledges/confirm_commitment", link=link, days=CONFIRM_MAX_AGE // 86400)


def _commitment_for(pledge: Pledge, commitment_id, person_id, invalid: str) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id) if isinstance(commitment_id, int) else None
    if commitment is None or commitment.person_id != person_id or commitment.pledge_id != pledge.id:
        raise DomainError(invalid)
    return commitment


def commitment_for_token(pledge: Pledge, token: str) -> Commitment:
    invalid = _("This confirmation link is not valid. Commit again to get a new one.")
    try:
        data = _confirm_serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired:
        raise DomainError(_("This confirmation link has expired. Commit again to get a new one.")) from None
    except BadSignature:
        raise DomainError(invalid) from None
    if not isinstance(data, dict):
        raise DomainError(invalid)
    return _commitment_for(pledge, data.get("c"), data.get("p"), invalid)


def commitment_for_report(pledge: Pledge, token: str) -> Commitment:
    """The commitment an "I did it" link is for; a forged link, or one for another pledge
    or person, is refused."""
    invalid = _("This link is not valid. Use the link in the latest email we sent you about this pledge.")
    try:
        data = _report_serializer().loads(token)
    except BadSignature:
        raise DomainError(invalid) from None
    if not (isinstance(data, list) and len(data) == 2):
        raise DomainError(invalid)
    return _commitment_for(pledge, data[0], data[1], invalid)


def confirm(pledge: Pledge, token: str, now: datetime | None = None) -> Commitment:
    """Count the commitment. Confirming twice is harmless."""
    commitment = commitment_for_token(pledge, token)
    confirm_commitment(commitment, now or utcnow())
    return commitment


def confirm_commitment(commitment: Commitment, now: datetime) -> None:
    if commitment.status is not CommitmentStatus.PENDING:
        return
    _lock(commitment.pledge)
    commitment.status, commitment.confirmed_at = CommitmentStatus.CONFIRMED, now
    db.session.flush()
    _announce_if_met(commitment.pledge, now)
    if commitment.pledge.forum_id is not None:
        _sync_attendance(commitment.pledge.forum_id, commitment.person_id)


def report_done(pledge: Pledge, token: str, now: datetime | None = None) -> Commitment:
    """The person says they did it. Their link proves their mailbox, so it confirms a
    commitment still waiting for that too."""
    now = now or utcnow()
    commitment = commitment_for_report(pledge, token)
    confirm_commitment(commitment, now)
    if commitment.fulfilled_at is None:
        _set_fulfilled([commitment], FulfilledVia.SELF_REPORT, None, now)
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
        _mail(commitment, "pledges/threshold_met")
    return True


# --- fulfilment ----------------------------------------------------------------------------


def _set_fulfilled(commitments: Iterable[Commitment], via: FulfilledVia | None, user, now: datetime) -> int:
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
    return _set_fulfilled(wanted, FulfilledVia.ORGANIZER if done else None, user, utcnow())


def _sync_attendance(forum_id: int, person_id: int | None = None, now: datetime | None = None) -> None:
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
        _sync_attendance(rsvp.forum_id, rsvp.person_id)


# --- reminders -----------------------------------------------------------------------------


@producer(REMINDER_PRODUCER)
def send_due_reminders(now: datetime) -> int:
    """The day before a pledge's meeting (or its linked forum), remind everyone committed
    who has not done it yet. Claimed per date, so a moved forum is reminded of again and
    two senders never both send. Returns the number of messages written."""
    happens = func.coalesce(Forum.starts_at, Pledge.meeting_at)
    due = (
        select(Pledge, happens)
        .outerjoin(Forum, Pledge.forum_id == Forum.id)
        .where(
            Pledge.status != PledgeStatus.DRAFT,
            or_(Forum.id.is_(None), Forum.status == ForumStatus.SCHEDULED),
            happens > now,
            happens <= now + REMIND_BEFORE,
            or_(Pledge.reminded_for.is_(None), Pledge.reminded_for != happens),
        )
        .order_by(Pledge.id)
    )
    written = 0
    for pledge, moment in db.session.execute(due).all():
        claim = (
            update(Pledge)
            .where(Pledge.id == pledge.id, or_(Pledge.reminded_for.is_(None), Pledge.reminded_for != moment))
            .values(reminded_for=moment)
            .execution_options(synchronize_session=False)
        )
        if db.session.execute(claim).rowcount != 1:
            continue
        waiting = select(Commitment).where(
            Commitment.pledge_id == pledge.id,
            Commitment.status == CommitmentStatus.CONFIRMED,
            Commitment.fulfilled_at.is_(None),
        )
        recipients = db.session.scalars(waiting.order_by(Commitment.id)).all()
        for commitment in recipients:
            _mail(commitment, "pledges/reminder")
        db.session.execute(
            update(Pledge)
            .where(Pledge.id == pledge.id)
            .values(reminder_recipients=len(recipients))
            .execution_options(synchronize_session=False)
        )
        written += len(recipients)
    return written


# --- progress and the report ---------------------------------------------------------------


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
