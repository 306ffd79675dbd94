"""The demo organizer that `make run` creates so a newcomer can log in at once."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import select

from campaign.accounts.models import Role, User
from campaign.accounts.services import create_user, set_password
from campaign.extensions import db

DEMO_EMAIL = "demo-organizer@example.org"


def ensure_demo_organizer(instance_path: str) -> tuple[str, str]:
    """Create the demo organizer if missing. Its password is random, kept in
    instance/demo-organizer-password (owner-only) and printed by `make run`."""
    password_file = Path(instance_path) / "demo-organizer-password"
    user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is not None and password_file.exists():
        return DEMO_EMAIL, password_file.read_text().strip()
    password = secrets.token_urlsafe(12)
    if user is None:
        create_user(DEMO_EMAIL, password, Role.ADMIN, name="Demo organizer")
    else:
        set_password(user, password)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return DEMO_EMAIL, password
