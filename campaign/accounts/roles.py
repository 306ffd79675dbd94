"""Organizer roles and switching accounts off, never leaving the app without an active
admin; each change in the audit log."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign.accounts.models import Role, User
from campaign.accounts.services import end_all_sessions, record_event
from campaign.core.errors import Conflict
from campaign.extensions import db


def _admins_left_without(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
    )


def _keep_an_admin(user: User) -> None:
    """Refuse the change that would leave no active admin: nobody could manage accounts or
    read the audit log any more."""
    if user.role is Role.ADMIN and user.active and not _admins_left_without(user):
        raise Conflict(_("%(email)s is the last active admin. Make another admin first.", email=user.email))


def change_role(user: User, role: Role | str, via: str) -> User:
    """Give `user` another role. The audit event names the account changed and, in `via`,
    where the change came from (the command line and its operator)."""
    role = Role(role)
    if user.role is role:
        raise Conflict(_("%(email)s already has the role %(role)s.", email=user.email, role=role.value))
    if role is not Role.ADMIN:
        _keep_an_admin(user)
    previous, user.role = user.role, role
    db.session.flush()
    record_event(user, "role_changed", role=role.value, previous_role=previous.value, via=via)
    return user


def set_active(user: User, active: bool, via: str) -> User:
    """Switch an account off (every session ends, login refused) or back on."""
    if user.active is active:
        if active:
            raise Conflict(_("%(email)s is already active.", email=user.email))
        raise Conflict(_("%(email)s is already deactivated.", email=user.email))
    if not active:
        _keep_an_admin(user)
        end_all_sessions(user)
    user.active = active
    db.session.flush()
    record_event(user, "user_reactivated" if active else "user_deactivated", via=via)
    return user
