"""Account services without HTTP: creating users, checking passwords, the login throttle, reset tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from itsdangerous import URLSafeTimedSerializer

from campaign.accounts import services
from campaign.accounts.models import AuditEvent, LoginThrottle, Role, User
from campaign.core.errors import Conflict, DomainError
from campaign.core.hashing import keyed_hash
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


def fail(email: str, times: int, now, first: int = 0) -> list[int]:
    """Wrong passwords for `email`; the status code each refusal would answer with."""
    statuses = []
    for attempt in range(first, first + times):
        with pytest.raises(services.LoginRefused) as caught:
            services.authenticate(email, f"wrong guess {attempt}", now=now)
        statuses.append(caught.value.status_code)
    db.session.commit()
    return statuses


@pytest.mark.parametrize("email", ["ana@example.org", "nobody@example.org"])
def test_five_failures_refuse_the_email_until_the_wait_runs_out(app, make_user, email):
    make_user(email="ana@example.org")
    start = utcnow()
    assert fail(email, 5, start) == [401, 401, 401, 401, 429]

    with pytest.raises(services.LoginThrottled) as caught:
        services.authenticate(email, PASSWORD, now=start + timedelta(minutes=5))
    assert "Try again in 10 minutes" in caught.value.message

    later = start + timedelta(minutes=15, seconds=1)
    if email == "ana@example.org":
        assert services.authenticate(email, PASSWORD, now=later).email == email
        db.session.commit()
        assert count(LoginThrottle) == 0, "a success clears the count"
    else:  # the first failure after the wait starts the next, longer one
        with pytest.raises(services.LoginThrottled) as caught:
            services.authenticate(email, PASSWORD, now=later)
        assert "Try again in 30 minutes" in caught.value.message


def test_each_failure_after_a_wait_doubles_the_next_wait_up_to_a_day(app, make_user):
    user = make_user()
    now = utcnow()
    fail(user.email, 5, now)
    waits = []
    for attempt in range(5, 14):
        throttle = db.session.scalars(db.select(LoginThrottle)).one()
        now = throttle.locked_until + timedelta(seconds=1)
        fail(user.email, 1, now, first=attempt)
        db.session.refresh(throttle)
        waits.append(round((throttle.locked_until - now).total_seconds() / 60))
    assert waits == [30, 60, 120, 240, 480, 960, 1440, 1440, 1440]


def test_a_quiet_day_forgets_the_series(app, make_user):
    user = make_user()
    now = utcnow()
    fail(user.email, 4, now)
    assert fail(user.email, 4, now + timedelta(hours=25)) == [401, 401, 401, 401]
    assert fail(user.email, 1, now + timedelta(hours=25), first=4) == [429]  # refused for 15 minutes
    # A refusal counts from its end: 23 hours after it, the next failure doubles it...
    later = now + timedelta(hours=25, minutes=15) + timedelta(hours=23)
    assert fail(user.email, 1, later) == [429]
    # ...and a full day after that one (30 minutes) ended, the series is forgotten.
    assert fail(user.email, 1, later + timedelta(minutes=30, hours=24, seconds=1)) == [401]


def test_a_success_resets_the_count_of_failures(app, make_user):
    user = make_user()
    fail(user.email, 4, utcnow())
    services.authenticate(user.email, PASSWORD)
    assert fail(user.email, 4, utcnow()) == [401, 401, 401, 401]


def test_the_limits_come_from_the_configuration(app, make_user):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_LOCK_MINUTES=1)
    user = make_user()
    now = utcnow()
    assert fail(user.email, 2, now) == [401, 429]
    assert db.session.scalars(db.select(LoginThrottle.locked_until)).one() == now + timedelta(minutes=1)


def test_the_count_is_kept_under_a_keyed_hash_of_the_email(app, make_user):
    fail(" Nobody@Example.org", 1, utcnow())
    fail("nobody@example.org", 1, utcnow())
    throttle = db.session.scalars(db.select(LoginThrottle)).one()
    assert throttle.failures == 2, "the email as typed is normalized"
    assert "nobody" not in throttle.email_hash
    assert throttle.email_hash == keyed_hash("login-email", "nobody@example.org")


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


def test_reset_lifts_the_refusal_and_kills_the_token(app, make_user):
    user = make_user()
    fail(user.email, 5, utcnow())
    token = services.reset_token(user)
    services.reset_password(token, "a brand new password")
    db.session.commit()
    assert count(LoginThrottle) == 0
    assert services.authenticate(user.email, "a brand new password") == user
    with pytest.raises(services.InvalidResetLink) as caught:
        services.user_for_reset_token(token)
    assert caught.value.message == "This reset link has already been used. Ask for a new one."
