"""Logging in and out through the pages, as an organizer would."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from campaign.accounts import services
from campaign.accounts.models import AuditEvent, User
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job
from campaign.outbox.models import OutboxMessage
from tests.accounts.helpers import PASSWORD, actions, count, csrf_token, log_in, logged_in_user_id

INCORRECT = "Email or password is incorrect."


def test_login_page_has_labelled_fields_and_a_reset_link(client):
    text = client.get("/login").get_data(as_text=True)
    assert '<form method="post" class="stacked"' in text
    assert '<label for="email">Email</label>' in text
    assert 'autocomplete="current-password"' in text
    assert 'href="/reset"' in text


def test_right_password_logs_in_and_goes_to_the_organizer_home(client, make_user):
    user = make_user(email="ana@example.org")
    response = log_in(client, "Ana@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/organize/"
    assert logged_in_user_id(client) == user.id
    assert actions("login") == ["login"]
    db.session.refresh(user)
    assert user.last_login_at is not None
    # The header now offers the organizer pages and a log-out button.
    text = client.get("/").get_data(as_text=True)
    assert 'action="/logout"' in text


def test_login_starts_a_new_session(client, make_user):
    make_user(email="ana@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, "ana@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_wrong_password_is_refused_with_a_message_and_only_the_failure_is_written(client, make_user):
    user = make_user(email="ana@example.org")
    before = {model: count(model) for model in (User, OutboxMessage, Job)}
    response = log_in(client, "ana@example.org", "not the password")
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert INCORRECT in text
    assert 'value="ana@example.org"' in text  # what was typed stays, the password does not
    assert "not the password" not in text
    assert logged_in_user_id(client) is None
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
    assert event.user_id == user.id
    assert event.details["reason"] == "wrong_password"
    assert actions() == ["user_created", "login_failed"]
    assert {model: count(model) for model in before} == before
    db.session.refresh(user)
    assert user.last_login_at is None


def test_unknown_email_gets_the_same_message(client, make_user):
    make_user(email="ana@example.org")
    wrong_password = log_in(client, "ana@example.org", "not the password")
    unknown = log_in(client, "nobody@example.org")
    assert unknown.status_code == wrong_password.status_code == 401
    assert INCORRECT in unknown.get_data(as_text=True)
    # The audit log keeps the attempt but not the address typed.
    event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.user_id) == ("login_failed", None)
    assert "nobody" not in str(event.details)


def test_incomplete_form_gets_messages_beside_the_fields(client):
    response = client.post("/login", data={"email": "not an email", "password": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert '<p class="error" id="email-error">Enter a valid email address, like name@example.org.</p>' in text
    assert 'id="password-error"' in text
    assert actions() == []


def test_five_wrong_passwords_refuse_the_email_for_a_while_then_it_opens_again(client, make_user, monkeypatch):
    user = make_user(email="ana@example.org")
    statuses = [log_in(client, "ana@example.org", f"guess number {n}").status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]

    refused = log_in(client, "ana@example.org")  # the right password, too early
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many failed attempts with this email. Try again in 15 minutes" in text
    assert "reset your password by mail now with “Forgot your password?”" in text
    assert 'href="/reset"' in text
    assert logged_in_user_id(client) is None
    assert actions("login_throttled") == ["login_throttled"]

    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    opened = log_in(client, "ana@example.org")
    assert opened.status_code == 302
    assert logged_in_user_id(client) == user.id


def test_logout_is_a_post_that_ends_the_session(client, make_user):
    user = make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    assert client.get("/logout").status_code == 405
    assert logged_in_user_id(client) == user.id

    response = client.post("/logout", follow_redirects=True)
    assert response.status_code == 200
    assert "You are logged out." in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None
    assert actions("logout") == ["logout"]
    assert client.get("/organize/").status_code == 302


def test_a_switched_off_account_loses_its_session(client, make_user):
    user = make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    user.active = False
    db.session.commit()
    response = client.get("/organize/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("target", ["/organize/status", "/c/brown?lang=es"])
def test_login_returns_to_the_page_asked_for(client, make_user, target):
    make_user(email="ana@example.org")
    response = client.post(f"/login?next={quote(target)}", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/organize",
        "https://evil.example/",
        "http:/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "organize",
    ],
)
def test_login_never_sends_anyone_to_another_site(client, make_user, target):
    make_user(email="ana@example.org")
    response = client.post(f"/login?next={quote(target)}", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/organize/"


def test_an_organizer_page_sends_visitors_to_login_and_back(client, make_user):
    make_user(email="ana@example.org")
    response = client.get("/organize/status")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Forganize%2Fstatus"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Log in to open this page." in page
    back = client.post(response.headers["Location"], data={"email": "ana@example.org", "password": PASSWORD})
    assert back.headers["Location"] == "/organize/status"


def test_a_logged_in_organizer_opening_login_goes_on(client, login_as):
    login_as("viewer")
    response = client.get("/login?next=/organize/status")
    assert response.headers["Location"] == "/organize/status"


def test_login_posts_are_rate_limited_per_address(client, make_user):
    make_user(email="ana@example.org")
    statuses = [log_in(client, f"nobody{n}@example.org").status_code for n in range(10)]
    assert set(statuses) == {401}
    response = log_in(client, "ana@example.org")
    assert response.status_code == 429
    assert "You have made too many requests" in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None
    # Reading the page is not limited.
    assert client.get("/login").status_code == 200


def test_login_without_csrf_token_is_refused(client, make_user, app):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(email="ana@example.org")
    refused = log_in(client, "ana@example.org")
    assert refused.status_code == 400
    assert "This form has expired or did not come from this site." in refused.get_data(as_text=True)
    assert logged_in_user_id(client) is None

    token = csrf_token(client.get("/login").get_data(as_text=True))
    accepted = log_in(client, "ana@example.org", csrf_token=token)
    assert accepted.status_code == 302
    assert logged_in_user_id(client) is not None

    # Log out is protected the same way; the header's form carries the token.
    assert client.post("/logout").status_code == 400
    header_token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": header_token}).status_code == 302
    assert logged_in_user_id(client) is None


def test_login_page_in_spanish(client, make_user):
    make_user(email="ana@example.org")
    response = client.post("/login?lang=es", data={"email": "ana@example.org", "password": "not the password"})
    text = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "El correo electrónico o la contraseña no son correctos." in text
    assert '<label for="password">Contraseña</label>' in text
