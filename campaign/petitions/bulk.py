"""Bulk moderation: invalidate or restore every signature a filter matches, as after a bot
attack. The organizer previews the count; a job then replays the filter in batches by
ascending id, each batch one UPDATE in its own transaction, so signing goes on meanwhile and
a crash resumes after the last batch committed. Recorded once, when done."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from campaign.accounts.models import User
from campaign.accounts.services import record_event
from campaign.core.errors import DomainError, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.registry import handler
from campaign.people.services import clean_line
from campaign.petitions.counts import refresh_counts
from campaign.petitions.listing import SignatureFilter
from campaign.petitions.models import BulkActionStatus, BulkModeration, Petition, Signature, SignatureStatus

BULK_JOB = "petitions.bulk_moderation"
BATCH = 2_000
ACTIONS = ("invalidate", "restore")
RECENT = 5  # bulk actions listed under a petition's signatures
STATUS_LABELS = {
    BulkActionStatus.QUEUED: _l("Queued"),
    BulkActionStatus.RUNNING: _l("Running"),
    BulkActionStatus.DONE: _l("Done"),
    BulkActionStatus.FAILED: _l("Failed"),
}


def _from_state(action: str):
    """The rows an action changes: invalidating skips those already invalidated (they keep
    their reason), restoring takes only invalidated ones."""
    if action == "invalidate":
        return Signature.status != SignatureStatus.INVALIDATED
    return Signature.status == SignatureStatus.INVALIDATED


def count_for(petition: Petition, wanted: SignatureFilter, action: str) -> int:
    """How many signatures the action would change now."""
    query = select(func.count()).select_from(Signature).where(*wanted.conditions(petition), _from_state(action))
    return db.session.scalar(query)


def start(petition: Petition, wanted: SignatureFilter, action: str, reason: str | None, user) -> BulkModeration:
    """Record the action and queue its job. Refused, writing nothing: a filter that picks
    only by status or not at all (that is the whole petition: tick rows, or narrow by IP,
    domain, time, county, source...), and a filter that matches nothing the action changes."""
    if action not in ACTIONS:
        raise DomainError(_("Choose invalidate or restore."), field="action")
    reason = clean_line(reason, "reason", 500, required=action == "invalidate")
    whole = _("Narrow the list first (by IP, email domain, time, county, channel or source): not the whole petition.")
    if not wanted.narrows:
        raise DomainError(whole)
    matched = count_for(petition, wanted, action)
    if not matched:
        raise DomainError(
            _("No signature this filter matches can be invalidated.")
            if action == "invalidate"
            else _("No signature this filter matches is invalidated: there is nothing to restore.")
        )
    # A filter that is set but leaves nothing out (a time window around every signature) is
    # the whole petition too. Restoring everything invalidated undoes, and stays allowed.
    if action == "invalidate" and matched == count_for(petition, SignatureFilter(status=wanted.status), action):
        raise DomainError(whole)
    record = BulkModeration(
        petition_id=petition.id,
        user_id=user.id,
        action=action,
        reason=reason if action == "invalidate" else None,
        filter=wanted.to_args(),
        matched=matched,
    )
    db.session.add(record)
    db.session.flush()
    jobs.enqueue(BULK_JOB, bulk_id=record.id)
    return record


def apply_bulk(bulk_id: int, batch_size: int = BATCH) -> BulkModeration:
    """Apply the batches not applied yet, each committed with its progress; then recount and
    record the action once. Running it again (a retry after a crash) resumes after the last
    batch committed, and changes no row twice."""
    record = db.session.get(BulkModeration, bulk_id)
    if record is None:
        raise NotFound(f"no bulk moderation {bulk_id}")
    if record.status is BulkActionStatus.DONE:
        return record
    petition = db.session.get(Petition, record.petition_id)
    wanted = SignatureFilter.from_args(record.filter)
    record.status = BulkActionStatus.RUNNING
    db.session.commit()
    # The matching ids, read once over the filter's index (100,000 ids are under a megabyte):
    # asking again for each batch would walk the rows already done every time.
    ids = list(
        db.session.scalars(
            select(Signature.id)
            .where(*wanted.conditions(petition), _from_state(record.action), Signature.id > record.last_id)
            .order_by(Signature.id)
        )
    )
    db.session.commit()  # ends the read before the first write
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        changed = db.session.execute(
            update(Signature)
            .where(Signature.id.in_(batch), _from_state(record.action))  # a row changed meanwhile is left
            .values(**_changes(record))
            .execution_options(synchronize_session=False)
        ).rowcount
        record.touched += changed
        record.last_id = batch[-1]
        db.session.commit()
    return _finish(record, petition)


def _changes(record: BulkModeration) -> dict:
    if record.action == "invalidate":
        return {
            "status": SignatureStatus.INVALIDATED,
            "invalidated_at": utcnow(),
            "invalidated_reason": record.reason,
            "invalidated_by_id": record.user_id,
        }
    return {
        "status": case(
            (Signature.confirmed_at.is_not(None), SignatureStatus.CONFIRMED.value), else_=SignatureStatus.PENDING.value
        ),
        "invalidated_at": None,
        "invalidated_reason": None,
        "invalidated_by_id": None,
    }


def _finish(record: BulkModeration, petition: Petition) -> BulkModeration:
    refresh_counts(petition.id, force=True)
    record.status, record.finished_at = BulkActionStatus.DONE, utcnow()
    user = db.session.get(User, record.user_id) if record.user_id else None
    record_event(
        user,
        "signatures_bulk_" + record.action,
        petition=petition.slug,
        filter=record.filter,
        touched=record.touched,
        bulk=record.id,
    )
    db.session.commit()
    return record


@handler(BULK_JOB)
def bulk_job(bulk_id: int) -> dict:
    record = apply_bulk(bulk_id)
    return {"touched": record.touched}


def get_bulk(petition: Petition, bulk_id: int) -> BulkModeration:
    record = db.session.get(BulkModeration, bulk_id)
    if record is None or record.petition_id != petition.id:
        raise NotFound(_("There is no such bulk action on this petition."))
    return record


def recent_bulk(petition: Petition, limit: int = RECENT) -> list[BulkModeration]:
    query = select(BulkModeration).where(BulkModeration.petition_id == petition.id)
    return list(db.session.scalars(query.order_by(BulkModeration.id.desc()).limit(limit)))
