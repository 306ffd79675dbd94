"""Organizer accounts: Argon2id passwords, lockout after repeated failures, reset by email."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from campaign.accounts.models import AuditEvent, Role, User
from campaign.core.errors import Conflict, DomainError
from campaign.core.types import utcnow
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.outbox.services import enqueue as enqueue_mail
from campaign.people.services import clean_email

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # Argon2id, memory-hard, with the library's current parameters
# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


class BadCredentials(DomainError):
    status_code = 401


class AccountLocked(DomainError):
    status_code = 429


class InvalidResetLink(DomainError):
    status_code = 400


def _checked_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("Use at least %(count)s characters for the password.", count=MIN_PASSWORD_LENGTH), field="password"
        )
    return password


def _account_email(email: str) -> str:
    return clean_email(email).lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def record_event(user: User | None, action: str, **details) -> AuditEvent:
    event = AuditEvent(user=user, action=action, details=details)
    db.session.add(event)
    return event


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher.hash(_checked_password(password))


def create_user(email: str, password: str, role: Role, name: str = "") -> User:
    address = _account_email(email)
    if find_user(address) is not None:
        raise Conflict(_("An account with this email already exists."), field="email")
    user = User(email=address, name=name.strip(), role=Role(role), password_hash="")
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record_event(user, "user_created", role=user.role.value)
    return user


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """The user, or BadCredentials / AccountLocked. Unknown email and wrong password read alike."""
    now = now or utcnow()
    user = find_user(email or "")
    if user is None or not user.active:
        _hasher.verify(_DUMMY_HASH, "not a real password")
        raise BadCredentials(_("Email or password is incorrect."))
    if user.locked_until and user.locked_until > now:
        minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
        raise AccountLocked(
            _(
                "Too many failed attempts. This account is locked; try again in %(minutes)s minutes "
                "or reset your password.",
                minutes=minutes,
            )
        )
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            record_event(user, "account_locked")
        record_event(user, "login_failed")
        raise BadCredentials(_("Email or password is incorrect.")) from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record_event(user, "login")
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    """Changes when the password changes, so a used link stops working."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "hash": _fingerprint(user)})


def request_password_reset(email: str, locale: str = "en") -> None:
    """Mail a reset link when an active account has this email. Says nothing either way."""
    user = find_user(email or "")
    if user is None or not user.active:
        return
    link = external_url("accounts.reset_password", token=reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    enqueue_mail(user.email, "accounts/password_reset", {"user": user, "link": link, "minutes": minutes}, locale)
    record_event(user, "password_reset_requested")


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise InvalidResetLink(_("This reset link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise InvalidResetLink(_("This reset link is not valid. Ask for a new one.")) from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("hash") != _fingerprint(user):
        raise InvalidResetLink(_("This reset link has already been used. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, new_password)
    user.failed_logins = 0
    user.locked_until = None
    record_event(user, "password_reset")
    return user
