"""The retention purge (`flask privacy purge`, daily): what has aged out is anonymised or
cleared, in batches that each commit, so a long run holds no lock for long and a run that
stops is finished by the next one. Counts by county are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from campaign.accounts import services as accounts
from campaign.accounts.models import User
from campaign.core.errors import DomainError
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP, Forum
from campaign.jobs import services as jobs
from campaign.jobs.models import Job
from campaign.jobs.registry import handler
from campaign.meetings.models import AgendaItem, Meeting, Observer, Speaker
from campaign.outbox import services as outbox
from campaign.people.models import Person
from campaign.petitions import retention as petition_retention
from campaign.petitions.models import Petition, Signature
from campaign.pledges.models import Commitment, Pledge, PledgeStatus
from campaign.supporters.erasure import anonymise, forget_person
from campaign.supporters.models import PurgeRun

BATCH = 1000
PURGE_JOB = "privacy.purge"
SETTINGS = ("RETENTION_MONTHS", "IP_HASH_DAYS", "OUTBOX_KEEP_BODIES_DAYS")
ACTIONS = (Signature, Commitment, RSVP, Observer, Speaker)


def settings_in_force() -> dict[str, int]:
    """The settings a purge runs with, refused when one is negative (a typo in the
    environment must not anonymise everything)."""
    values = {name: current_app.config[name] for name in SETTINGS}
    for name, value in values.items():
        if value < 0:
            raise DomainError(_("%(name)s must be zero or more, not %(value)s.", name=name, value=value))
    return values


def _aged_out(cutoff: datetime) -> dict[str, tuple[type, object]]:
    """For each kind of action, the query of its rows past retention: signatures of
    petitions closed before `cutoff`, commitments of pledges closed and untouched since,
    RSVPs of forums that ended before it, observers and speakers of meetings held before it."""
    return {
        "signatures": (
            Signature,
            select(Signature.id)
            .join(Petition, Petition.id == Signature.petition_id)
            .where(Petition.closed_at < cutoff),
        ),
        "commitments": (
            Commitment,
            select(Commitment.id)
            .join(Pledge, Pledge.id == Commitment.pledge_id)
            .where(Pledge.status == PledgeStatus.CLOSED, Pledge.updated_at < cutoff),
        ),
        "rsvps": (RSVP, select(RSVP.id).join(Forum, Forum.id == RSVP.forum_id).where(Forum.ends_at < cutoff)),
        "observers": (
            Observer,
            select(Observer.id).join(Meeting, Meeting.id == Observer.meeting_id).where(Meeting.starts_at < cutoff),
        ),
        "speakers": (
            Speaker,
            select(Speaker.id)
            .join(AgendaItem, AgendaItem.id == Speaker.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(Meeting.starts_at < cutoff),
        ),
    }


def _anonymise_in_batches(model: type, query, now: datetime) -> int:
    done = 0
    while True:
        ids = db.session.scalars(query.where(model.anonymised_at.is_(None)).order_by(model.id).limit(BATCH)).all()
        if not ids:
            return done
        done += anonymise(model, model.id.in_(ids), now)
        db.session.commit()


def _erase_people_left_without_actions(now: datetime) -> tuple[int, int]:
    """Erase the people whose every signature, commitment, RSVP and meeting sign-up has been
    anonymised (by retention, or one by one). Returns (people, waiting mails dropped)."""

    def has(model, anonymised: bool):
        state = model.anonymised_at.is_not(None) if anonymised else model.anonymised_at.is_(None)
        return select(model.id).where(model.person_id == Person.id, state).exists()

    query = (
        select(Person)
        .where(
            Person.erased_at.is_(None),
            or_(*(has(model, anonymised=True) for model in ACTIONS)),
            *(~has(model, anonymised=False) for model in ACTIONS),
        )
        .order_by(Person.id)
        .limit(BATCH)
    )
    people = dropped = 0
    while batch := db.session.scalars(query).all():
        for person in batch:
            dropped += forget_person(person, now)
        people += len(batch)
        db.session.commit()
    return people, dropped


def purge(now: datetime | None = None, user: User | None = None) -> PurgeRun:
    """Run the whole purge and record it as a PurgeRun and one audit event. Commits as it
    goes. A failure is recorded on the run and raised again."""
    now = now or utcnow()
    settings = settings_in_force()
    run = PurgeRun(user_id=getattr(user, "id", None), settings=settings, removed={})
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    try:
        removed = {}
        for kind, (model, query) in _aged_out(now - relativedelta(months=settings["RETENTION_MONTHS"])).items():
            removed[kind] = _anonymise_in_batches(model, query, now)
        removed["people"], removed["mail_dropped"] = _erase_people_left_without_actions(now)
        ip_cutoff = now - timedelta(days=settings["IP_HASH_DAYS"])
        removed["ip_hashes"] = petition_retention.purge_ip_hashes(ip_cutoff)
        removed["login_ips"] = accounts.purge_ip_hashes(ip_cutoff)
        db.session.commit()
        removed["mail_bodies"] = outbox.purge_sent_bodies(now)
        run.removed = removed
        run.finished_at = utcnow()
        accounts.record_event(user, "privacy_purge", run=run_id, **removed)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        run = db.session.get(PurgeRun, run_id)
        run.error = f"{type(error).__name__}: {error}"[:500]
        run.finished_at = utcnow()
        db.session.commit()
        raise
    return run


def enqueue_purge(user: User) -> Job:
    """The "run now" button: the purge runs as a job after the caller's commit, so the
    request stays short."""
    settings_in_force()
    return jobs.enqueue(PURGE_JOB, user_id=user.id)


@handler(PURGE_JOB)
def purge_job(user_id: int | None = None) -> dict:
    user = db.session.get(User, user_id) if user_id else None
    return purge(user=user).removed


def recent_runs(limit: int = 10) -> list[PurgeRun]:
    return list(
        db.session.scalars(select(PurgeRun).order_by(PurgeRun.started_at.desc(), PurgeRun.id.desc()).limit(limit))
    )
