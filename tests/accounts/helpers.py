"""Small readers shared by the account tests."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from campaign.accounts import services
from campaign.accounts.models import AuditEvent
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage

PASSWORD = "correct horse battery"  # make_user's default


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions(*names: str) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if names:
        query = query.where(AuditEvent.action.in_(names))
    return list(db.session.scalars(query))


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def session_key(client) -> str | None:
    """What Flask-Login keeps in the client's session cookie."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def logged_in_user_id(client) -> int | None:
    """The user the client's session cookie logs in, if the server still holds that session."""
    key = session_key(client)
    user = services.session_user(key) if key else None
    return user.id if user else None


def csrf_token(html: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def log_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})
