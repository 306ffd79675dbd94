"""Organizer accounts: Argon2id passwords, login throttling per typed email, server-side
sessions, reset by email.

Like every service, these functions flush and never commit. A refused login still writes
(the failure count, the refusal, the audit event): the login view commits those before it
shows the refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from campaign.accounts.models import AuditEvent, LoginThrottle, Role, User, UserSession
from campaign.core.errors import Conflict, DomainError
from campaign.core.hashing import ip_hash, keyed_hash
from campaign.core.text import clean_control
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


class LoginThrottled(LoginRefused):
    """Too many failures for this email, known or not: refused for a while, reset by mail works."""

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
    """Store a new password (at least MIN_PASSWORD_LENGTH characters). Every open session of
    the account ends and its email's failure count is cleared: the owner can log in at once."""
    user.password_hash = _hasher.hash(_checked_password(password))
    if user.id is not None:
        end_all_sessions(user)
    _clear_throttle(user.email)


# --- users and the audit log ---------------------------------------------------------------


def find_user(email: str | None) -> User | None:
    address = _normalized(email)
    if not address:
        return None
    return db.session.scalar(select(User).where(User.email == address))


def record_event(user: User | None, action: str, ip: str | None = None, **details) -> AuditEvent:
    """Note who did what. `details` must never hold a password or a supporter's data; the
    client address `ip` is kept only as a keyed hash, until the IP-hash purge."""
    event = AuditEvent(user=user, action=action, details=details, ip_hash=ip_hash(ip))
    db.session.add(event)
    db.session.flush()
    return event


def create_user(email: str, password: str, role: Role | str, name: str = "") -> User:
    """A new organizer account. Conflict when the email is taken, DomainError on bad input."""
    address = clean_email(email).lower()
    name = clean_control(name or "", multiline=False)  # the CLI has no form to clean it
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
#
# The rule: LOGIN_MAX_FAILURES failed attempts in a row for one email as typed refuse that
# email for LOGIN_LOCK_MINUTES, and each further failure after a refusal runs out doubles the
# wait (capped at a day). A success or a password reset clears the count; a series is
# forgotten a day after its last failure or, if it started a refusal, a day after that ends.
# The count is kept per keyed hash of the email, so an unknown
# email is counted, refused and answered exactly like a known one. The refusal offers a reset
# by mail, which always works: an attacker can slow the owner but never lock them out.

LOCK_CAP = timedelta(hours=24)
FORGET_AFTER = timedelta(hours=24)


def _normalized(email: str | None) -> str:
    return (email or "").strip().lower()


def _throttle(email: str) -> LoginThrottle:
    """The failure count of this email, held until the commit so that parallel guesses wait
    their turn instead of all reading the same count (a row lock on PostgreSQL; on SQLite the
    savepoint takes the write lock first, see core.database)."""
    key = keyed_hash("login-email", _normalized(email))
    query = select(LoginThrottle).where(LoginThrottle.email_hash == key).with_for_update()
    try:
        with db.session.begin_nested():
            throttle = db.session.scalar(query)
            if throttle is None:
                throttle = LoginThrottle(email_hash=key, failures=0)
                db.session.add(throttle)
    except IntegrityError:  # a parallel first attempt inserted it: wait for its lock
        throttle = db.session.scalar(query)
    return throttle


def _refusal(locked_until: datetime, now: datetime) -> LoginThrottled:
    minutes = max(1, round((locked_until - now).total_seconds() / 60))
    return LoginThrottled(
        ngettext(
            "Too many failed attempts with this email. Try again in %(num)d minute, "
            "or reset your password by mail now with “Forgot your password?”.",
            "Too many failed attempts with this email. Try again in %(num)d minutes, "
            "or reset your password by mail now with “Forgot your password?”.",
            minutes,
        )
    )


def _count_failure(throttle: LoginThrottle, now: datetime) -> datetime | None:
    """One more failure; the end of the refusal it starts, if it starts one."""
    throttle.failures += 1
    throttle.last_failure_at = now
    over = throttle.failures - current_app.config["LOGIN_MAX_FAILURES"]
    if over < 0:
        return None
    wait = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"]) * 2 ** min(over, 16)
    throttle.locked_until = now + min(wait, LOCK_CAP)
    return throttle.locked_until


def authenticate(email: str, password: str, now: datetime | None = None, ip: str | None = None) -> User:
    """The user whose password this is, or a LoginRefused.

    Unknown email, disabled account and wrong password give the same message, spend the same
    hash verification and count alike towards the throttle above. While an email is refused,
    nothing is verified, the right password included (LoginThrottled, 429).
    """
    now = now or utcnow()
    throttle = _throttle(email)
    quiet_since = throttle.locked_until or throttle.last_failure_at
    if quiet_since is not None and now - quiet_since > FORGET_AFTER:
        throttle.failures, throttle.locked_until = 0, None
    user = find_user(email)
    if throttle.locked_until is not None and throttle.locked_until > now:
        record_event(user, "login_failed", ip=ip, reason="throttled")
        raise _refusal(throttle.locked_until, now)

    password_matches = _verify(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not user.active or not password_matches:
        reason = "unknown_email" if user is None else "inactive" if not user.active else "wrong_password"
        locked_until = _count_failure(throttle, now)
        record_event(user, "login_failed", ip=ip, reason=reason, failures=throttle.failures)
        if locked_until is not None:
            record_event(user, "login_throttled", ip=ip)
            raise _refusal(locked_until, now)
        raise BadCredentials(_("Email or password is incorrect."))

    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    db.session.delete(throttle)
    user.last_login_at = now
    record_event(user, "login", ip=ip)
    return user


def _clear_throttle(email: str) -> None:
    key = keyed_hash("login-email", _normalized(email))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email_hash == key))


# --- sessions ------------------------------------------------------------------------------
#
# Each login writes a UserSession; the cookie holds its random key and the table a hash of it.
# A session ends when its row goes: logout, "log out everywhere", a new password, or
# SESSION_MAX_DAYS after the login (the remember cookie lasts as long).


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _session_cutoff() -> datetime:
    return utcnow() - timedelta(days=current_app.config["SESSION_MAX_DAYS"])


def start_session(user: User) -> str:
    """A new server-side session for `user`; its key is what Flask-Login keeps (user.get_id())."""
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.created_at < _session_cutoff())
    )
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=_key_hash(key)))
    db.session.flush()
    user.session_key = key
    return key


def session_user(key: str) -> User | None:
    """The active user of a live session with this key; None once it has ended."""
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == _key_hash(key), UserSession.created_at >= _session_cutoff())
    )
    if user is None or not user.active:
        return None
    user.session_key = key
    return user


def end_session(user: User) -> None:
    """Log out: this browser's session ends, on the server too."""
    if user.session_key is not None:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == _key_hash(user.session_key)))
    record_event(user, "logout")


def end_all_sessions(user: User) -> int:
    """Every session of `user` ends, on every device; the number ended."""
    ended = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    db.session.flush()
    return ended


def log_out_everywhere(user: User) -> int:
    ended = end_all_sessions(user)
    record_event(user, "logout_everywhere", sessions=ended)
    return ended


def purge_ip_hashes(cutoff: datetime) -> int:
    """Clear the address hashes of audit events older than `cutoff` (the daily IP-hash purge),
    and drop login failure counts already forgotten. The number of hashes cleared."""
    forgotten = utcnow() - LOCK_CAP - FORGET_AFTER  # a refusal ends at most LOCK_CAP after the last failure
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < forgotten))
    return db.session.execute(
        update(AuditEvent).where(AuditEvent.created_at < cutoff, AuditEvent.ip_hash.is_not(None)).values(ip_hash=None)
    ).rowcount


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
