"""Addresses that get no more mail: a hard bounce (the receiving server said the mailbox does
not exist) stops every message, a spam complaint stops broadcasts. Recorded by the sender
when a server refuses an address for good, and imported from a mail provider's list."""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.extensions import db
from campaign.outbox.models import Suppression, SuppressionReason

# Sent by `flask mail suppress` before it commits what it read, so the audit log (accounts,
# which the outbox may not import) records the import in the same transaction. Keyword
# arguments: `file` (its name), `suppressed`, `new`, `skipped` (lines), and `stopped_at_line`
# when an unreadable line ended the import early. Never the addresses.
imported = Namespace().signal("suppressions-imported")


def bounced(address: str) -> bool:
    query = select(Suppression.id).where(
        Suppression.address == address.lower(), Suppression.reason == SuppressionReason.BOUNCE
    )
    return db.session.scalar(query) is not None


def suppress(address: str, reason: SuppressionReason, source: str, detail: str | None = None) -> bool:
    """Record the address; True when it is new. A complaint on a bounced address stays a
    bounce (the stronger of the two); a bounce on a complaint becomes one."""
    address = address.strip().lower()
    existing = db.session.scalar(select(Suppression).where(Suppression.address == address))
    if existing is not None:
        if reason is SuppressionReason.BOUNCE:
            existing.reason = reason
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                Suppression(address=address, reason=reason, source=source, detail=(detail or "")[:500] or None)
            )
    except IntegrityError:  # written meanwhile by another sender
        return False
    return True
