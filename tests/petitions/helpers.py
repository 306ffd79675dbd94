from __future__ import annotations

import re

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature

GOOD = {
    "first_name": "María",
    "last_name": "García",
    "email": "maria@example.org",
    "zip_code": "54301",
}


def count_signatures() -> int:
    return db.session.scalar(select(func.count()).select_from(Signature))


def mails_to(address: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def confirmation_link(message: OutboxMessage) -> str:
    return re.search(r"http://localhost(/p/\S+/confirm/\S+)", message.body_text).group(1)
