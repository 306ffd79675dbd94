"""Account services without HTTP: creating users, checking passwords, the lockout, reset tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from itsdangerous import URLSafeTimedSerializer

from campaign.accounts import services
from campaign.accounts.models import AuditEvent, Role, User
from campaign.core.errors import Conflict, DomainError
from campaign.core.types import utcnow
from campaign.extensions import db
from tests.accounts.helpers import PASSWORD, actions, count

INCORRECT = "Email or password is incorrect."


def test_create_user_stores_a_lower_case_email_and_an_argon2id_hash(app):
    user = services.create_user("  Ana.Ruiz@Example.ORG ", "a long enough password", Role.ADMIN, name=" Ana ")
    db.session.commit()
    assert user.email == "ana.ruiz@example.org"
    assert user.name == "Ana"
    assert user.role is Role.ADMIN
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert (event.user_id, event.action, event.details) == (user.id, "user_created", {"role": "admin"})


def test_an_email_already_used_in_any_case_is_a_conflict(app, make_user):
    make_user(email="ana@example.org")
    with pytest.raises(Conflict) as caught:
        services.create_user("ANA@example.org", "another long password", Role.VIEWER)
    assert caught.value.field == "email"
    assert caught.value.message == "An account with this email already exists."
    db.session.rollback()
    assert count(User) == 1


@pytest.mark.parametrize("password", ["", "short", "nine char"])
def test_a_password_under_ten_characters_is_refused(app, password):
    with pytest.raises(DomainError) as caught:
        services.create_user("ana@example.org", password, Role.ORGANIZER)
    assert caught.value.field == "password"
    assert "at least 10 characters" in caught.value.message
    db.session.rollback()
    assert count(User) == 0


def test_a_malformed_email_is_refused_beside_the_email_field(app):
    with pytest.raises(DomainError) as caught:
        services.create_user("not-an-email", "a long enough password", Role.ORGANIZER)
    assert caught.value.field == "email"
    db.session.rollback()
    assert count(User) == 0


def test_authenticate_accepts_the_right_password_in_any_email_case(app, make_user):
    user = make_user(email="ana@example.org")
    now = utcnow()
    assert services.authenticate(" ANA@example.org", PASSWORD, now=now) == user
    db.session.commit()
    assert user.last_login_at == now
    assert actions("login") == ["login"]


@pytest.mark.parametrize("email, password", [("ana@example.org", "wrong password!"), ("nobody@example.org", PASSWORD)])
def test_unknown_email_and_wrong_password_read_alike(app, make_user, monkeypatch, email, password):
    make_user(email="ana@example.org")
    verified = []
    real_verify = services._verify
    monkeypatch.setattr(services, "_verify", lambda *args: verified.append(1) or real_verify(*args))
    with pytest.raises(services.BadCredentials) as caught:
        services.authenticate(email, password)
    assert caught.value.message == INCORRECT
    assert caught.value.status_code == 401
    # An unknown email spends one Argon2 verification too, so timing tells nothing.
    assert verified == [1]


def test_a_switched_off_account_cannot_log_in(app, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    with pytest.raises(services.BadCredentials) as caught:
        services.authenticate(user.email, PASSWORD)
    assert caught.value.message == INCORRECT


def test_five_failures_lock_the_account_until_the_lock_runs_out(app, make_user):
    user = make_user()
    start = utcnow()
    for attempt in range(4):
        with pytest.raises(services.BadCredentials):
            services.authenticate(user.email, f"wrong guess {attempt}", now=start)
    assert user.failed_logins == 4
    with pytest.raises(services.AccountLocked) as fifth:
        services.authenticate(user.email, "wrong guess 5", now=start)
    assert fifth.value.status_code == 429
    db.session.commit()
    assert user.locked_until == start + timedelta(minutes=15)

    with pytest.raises(services.AccountLocked) as caught:
        services.authenticate(user.email, PASSWORD, now=start + timedelta(minutes=5))
    assert "try again in 10 minutes" in caught.value.message
    assert user.last_login_at is None

    later = start + timedelta(minutes=15, seconds=1)
    assert services.authenticate(user.email, PASSWORD, now=later) == user
    db.session.commit()
    assert (user.failed_logins, user.locked_until, user.last_login_at) == (0, None, later)


def test_a_success_resets_the_count_of_failures(app, make_user):
    user = make_user()
    for attempt in range(4):
        with pytest.raises(services.BadCredentials):
            services.authenticate(user.email, f"wrong guess {attempt}")
    services.authenticate(user.email, PASSWORD)
    for attempt in range(4):
        with pytest.raises(services.BadCredentials):
            services.authenticate(user.email, f"wrong again {attempt}")
    db.session.commit()
    assert user.locked_until is None


def test_the_limits_come_from_the_configuration(app, make_user):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_LOCK_MINUTES=1)
    user = make_user()
    now = utcnow()
    with pytest.raises(services.BadCredentials):
        services.authenticate(user.email, "wrong guess 1", now=now)
    with pytest.raises(services.AccountLocked):
        services.authenticate(user.email, "wrong guess 2", now=now)
    assert user.locked_until == now + timedelta(minutes=1)


def test_an_old_hash_is_upgraded_at_login(app, make_user):
    user = make_user()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    db.session.commit()
    old_hash = user.password_hash
    services.authenticate(user.email, PASSWORD)
    db.session.commit()
    assert user.password_hash != old_hash
    assert not PasswordHasher().check_needs_rehash(user.password_hash)
    assert services.authenticate(user.email, PASSWORD) == user


def test_reset_token_expires_after_the_configured_age(app, make_user):
    user = make_user()
    token = services.reset_token(user)
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    assert services.user_for_reset_token(token, now=utcnow() + timedelta(seconds=max_age - 5)) == user
    with pytest.raises(services.InvalidResetLink) as caught:
        services.reset_password(token, "a brand new password", now=utcnow() + timedelta(seconds=max_age + 5))
    assert caught.value.message == "This reset link has expired. Ask for a new one."
    assert caught.value.status_code == 400


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: URLSafeTimedSerializer("another secret", salt="password-reset").dumps({"user": 1, "hash": "x"}),
        lambda token: URLSafeTimedSerializer("test-secret-key-not-for-production", salt="other").dumps({"user": 1}),
        lambda token: "not-a-token",
    ],
    ids=["tampered", "other-key", "other-salt", "garbage"],
)
def test_a_forged_reset_token_is_refused(app, make_user, forge):
    user = make_user()
    with pytest.raises(services.InvalidResetLink) as caught:
        services.reset_password(forge(services.reset_token(user)), "a brand new password")
    assert caught.value.message == "This reset link is not valid. Ask for a new one."


def test_reset_lifts_the_lock_and_kills_the_token(app, make_user):
    user = make_user()
    for attempt in range(5):
        with pytest.raises(services.LoginRefused):
            services.authenticate(user.email, f"wrong guess {attempt}")
    token = services.reset_token(user)
    services.reset_password(token, "a brand new password")
    db.session.commit()
    assert user.locked_until is None
    assert services.authenticate(user.email, "a brand new password") == user
    with pytest.raises(services.InvalidResetLink) as caught:
        services.user_for_reset_token(token)
    assert caught.value.message == "This reset link has already been used. Ask for a new one."
