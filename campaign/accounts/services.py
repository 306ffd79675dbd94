"""Organizer accounts: Argon2id passwords, lockout after repeated failures, reset by email.

Like every service, these functions flush and never commit. A refused login still writes
(the failure count, the lock, the audit event): the login view commits those before it
shows the refusal.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from campaign.accounts.models import AuditEvent, Role, User
from campaign.core.errors import Conflict, DomainError
from campaign.core.types import utcnow
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.outbox.services import enqueue as enqueue_mail
from campaign.people.services import clean_email

MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 120
RESET_SALT = "password-reset"
_hasher = PasswordHasher()  # Argon2id with the library's current (RFC 9106) parameters


class LoginRefused(DomainError):
    """Base of every refused login; shown at the top of the form."""

    status_code = 401


class BadCredentials(LoginRefused):
    """Unknown email or wrong password: the two read exactly alike."""


class AccountLocked(LoginRefused):
    status_code = 429


class InvalidResetLink(DomainError):
    status_code = 400


# --- passwords ---------------------------------------------------------------------------


@cache
def _dummy_hash() -> str:
    """A hash verified against when the email is unknown, so both cases take the same time."""
    return _hasher.hash("no account has this password")


def _checked_password(password: str | None) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("Use at least %(count)s characters for the password.", count=MIN_PASSWORD_LENGTH), field="password"
        )
    return password


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str) -> None:
    """Store a new password (at least MIN_PASSWORD_LENGTH characters) and lift any lock."""
    user.password_hash = _hasher.hash(_checked_password(password))
    user.failed_logins = 0
    user.locked_until = None


# --- users and the audit log ---------------------------------------------------------------


def find_user(email: str | None) -> User | None:
    address = (email or "").strip().lower()
    if not address:
        return None
    return db.session.scalar(select(User).where(User.email == address))


def record_event(user: User | None, action: str, **details) -> AuditEvent:
    """Note who did what. `details` must never hold a password or a supporter's data."""
    event = AuditEvent(user=user, action=action, details=details)
    db.session.add(event)
    db.session.flush()
    return event


def create_user(email: str, password: str, role: Role | str, name: str = "") -> User:
    """A new organizer account. Conflict when the email is taken, DomainError on bad input."""
    address = clean_email(email).lower()
    name = (name or "").strip()
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(_("Use at most %(count)s characters for the name.", count=MAX_NAME_LENGTH), field="name")
    if find_user(address) is not None:
        raise Conflict(_("An account with this email already exists."), field="email")
    user = User(email=address, name=name, role=Role(role), password_hash="")
    set_password(user, password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # created by a parallel request between the check and the insert
        raise Conflict(_("An account with this email already exists."), field="email") from None
    record_event(user, "user_created", role=user.role.value)
    return user


# --- login ---------------------------------------------------------------------------------


def _lock_message(user: User, now: datetime) -> str:
    minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
    return ngettext(
        "Too many failed attempts. This account is locked; try again in %(num)d minute or reset your password.",
        "Too many failed attempts. This account is locked; try again in %(num)d minutes or reset your password.",
        minutes,
    )


def _count_failure(user: User) -> int:
    """Add one failure in a single UPDATE, so parallel guesses cannot slip past the limit."""
    db.session.flush()  # any pending change to the row goes first, not after (and over) this
    failures = db.session.execute(
        update(User.__table__)
        .where(User.__table__.c.id == user.id)
        .values(failed_logins=User.__table__.c.failed_logins + 1)
        .returning(User.__table__.c.failed_logins)
    ).scalar_one()
    set_committed_value(user, "failed_logins", failures)
    return failures


def authenticate(email: str, password: str, now: datetime | None = None, ip: str | None = None) -> User:
    """The user whose password this is, or a LoginRefused.

    Unknown email, disabled account and wrong password give the same message and spend the
    same hash verification. LOGIN_MAX_FAILURES wrong passwords in a row lock the account for
    LOGIN_LOCK_MINUTES; while locked even the right password is refused (AccountLocked).
    """
    now = now or utcnow()
    where = {"ip": ip} if ip else {}
    user = find_user(email)
    if user is None:
        _verify(_dummy_hash(), password or "")
        record_event(None, "login_failed", reason="unknown_email", **where)
        raise BadCredentials(_("Email or password is incorrect."))

    if user.locked_until is not None:
        if user.locked_until > now:
            record_event(user, "login_failed", reason="locked", **where)
            raise AccountLocked(_lock_message(user, now))
        user.locked_until = None  # the lock has run out: a fresh series of attempts
        user.failed_logins = 0

    password_matches = _verify(user.password_hash, password or "")
    if not user.active:
        record_event(user, "login_failed", reason="inactive", **where)
        raise BadCredentials(_("Email or password is incorrect."))
    if not password_matches:
        failures = _count_failure(user)
        record_event(user, "login_failed", reason="wrong_password", failures=failures, **where)
        if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            record_event(user, "account_locked", **where)
            raise AccountLocked(_lock_message(user, now))
        raise BadCredentials(_("Email or password is incorrect."))

    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record_event(user, "login", **where)
    return user


# --- password reset ------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "hash": user.password_fingerprint})


def request_password_reset(email: str, locale: str = "en") -> None:
    """Mail a reset link when an active account has this email. Says nothing either way."""
    user = find_user(email)
    if user is None or not user.active:
        return
    link = external_url("accounts.reset_password", token=reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    context = {"user": user, "link": link, "minutes": minutes}
    enqueue_mail(user.email, "accounts/password_reset", context, locale, throttle=True)
    record_event(user, "password_reset_requested")


def user_for_reset_token(token: str, now: datetime | None = None) -> User:
    """The user a reset link was made for; InvalidResetLink when it is forged, expired or used."""
    now = now or utcnow()
    try:
        data, issued_at = _reset_serializer().loads(token, return_timestamp=True)
    except BadSignature:
        raise InvalidResetLink(_("This reset link is not valid. Ask for a new one.")) from None
    if (now - issued_at).total_seconds() > current_app.config["PASSWORD_RESET_MAX_AGE"]:
        raise InvalidResetLink(_("This reset link has expired. Ask for a new one."))
    user_id = data.get("user") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or not hmac.compare_digest(str(data.get("hash")), user.password_fingerprint):
        raise InvalidResetLink(_("This reset link has already been used. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str, now: datetime | None = None) -> User:
    """Set the password a valid reset link asks for; the link dies with the old password."""
    user = user_for_reset_token(token, now)
    set_password(user, new_password)
    record_event(user, "password_reset")
    return user
