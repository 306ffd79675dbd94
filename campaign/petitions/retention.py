"""What signatures forget as time passes; called by `flask petitions purge-ip-hashes` and
by the retention purge (supporters.retention)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from campaign.extensions import db
from campaign.petitions.models import Signature


def purge_ip_hashes(cutoff: datetime) -> int:
    """Clear the keyed address hashes of signatures made before `cutoff`: abuse review no
    longer needs them. Returns how many were cleared."""
    statement = (
        update(Signature)
        .where(Signature.created_at < cutoff, Signature.ip_hash.is_not(None))
        .values(ip_hash=None)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount
