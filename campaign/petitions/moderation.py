"""Moderation: organizers invalidate signatures (with a reason) and restore them, one or a
ticked batch at a time; the counts follow at once, and each batch is audited once."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from campaign.accounts.services import record_event
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions import counts
from campaign.petitions.models import Petition, Signature, SignatureStatus

MAX_BATCH = 100  # signatures ticked in one action: a page of the list


def invalidate(signature: Signature, reason: str, user) -> Signature:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason: it is kept with the signature."), field="reason")
    signature.status = SignatureStatus.INVALIDATED
    signature.invalidated_at = utcnow()
    signature.invalidated_reason = reason[:500]
    signature.invalidated_by_id = user.id
    return signature


def restore(signature: Signature) -> Signature:
    if signature.status is not SignatureStatus.INVALIDATED:
        raise Conflict(_("Only an invalidated signature can be restored."))
    signature.status = SignatureStatus.CONFIRMED if signature.confirmed_at else SignatureStatus.PENDING
    signature.invalidated_at = signature.invalidated_reason = signature.invalidated_by_id = None
    return signature


def invalidate_many(petition: Petition, ids: list[int], reason: str, user) -> int:
    """Invalidate the ticked signatures of `petition`, with one reason; those already
    invalidated keep theirs. Returns how many changed; the counts follow at once."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason: it is kept with the signatures."), field="reason")
    changed = [
        invalidate(row, reason, user) for row in _batch(petition, ids) if row.status is not SignatureStatus.INVALIDATED
    ]
    return _recounted(petition, len(changed), user, "signatures_invalidated")


def restore_many(petition: Petition, ids: list[int], user) -> int:
    """Restore the ticked signatures that were invalidated (others are left as they are).
    Returns how many changed; the counts follow at once."""
    changed = [restore(row) for row in _batch(petition, ids) if row.status is SignatureStatus.INVALIDATED]
    return _recounted(petition, len(changed), user, "signatures_restored")


def _batch(petition: Petition, ids: list[int]) -> list[Signature]:
    """The signatures an organizer ticked, all of this petition, or none at all."""
    wanted = set(ids or [])
    if not wanted:
        raise DomainError(_("Tick the signatures to change first."), field="signature_ids")
    if len(wanted) > MAX_BATCH:
        raise DomainError(_("Tick at most %(num)s signatures at a time.", num=MAX_BATCH), field="signature_ids")
    query = select(Signature).where(Signature.petition_id == petition.id, Signature.id.in_(wanted))
    rows = list(db.session.scalars(query.order_by(Signature.id)))
    if len(rows) != len(wanted):
        message = _("Some of the ticked signatures are not on this petition: nothing was changed.")
        raise NotFound(message, field="signature_ids")
    return rows


def _recounted(petition: Petition, changed: int, user, action: str) -> int:
    """An organizer's change shows in the counts at once, not at the next batch: one forced
    recount and one audit event per batch, none when nothing changed."""
    if changed:
        db.session.flush()
        counts.refresh_counts(petition.id, force=True)
        record_event(user, action, petition=petition.slug, count=changed)
    return changed
