"""Sessions end on the server: logout, log out everywhere and a new password kill every copy of
the cookies (session and remember-me), and a login lasts at most SESSION_MAX_DAYS."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from campaign.accounts.models import UserSession
from campaign.core.types import utcnow
from campaign.extensions import db
from tests.accounts.helpers import actions, csrf_token, log_in, session_key


def copy_cookie(source, target, name: str) -> None:
    """What someone who read the cookie off a shared computer would do."""
    target.set_cookie(name, source.get_cookie(name).value)


def is_logged_in(client) -> bool:
    response = client.get("/organize/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    return False


def test_a_cookie_copied_before_logout_is_dead_after_it(app, make_user):
    make_user(email="ana@example.org")
    browser, thief = app.test_client(), app.test_client()
    log_in(browser, "ana@example.org")
    copy_cookie(browser, thief, "session")
    assert is_logged_in(thief)

    browser.post("/logout")
    assert not is_logged_in(thief)
    assert db.session.scalar(select(UserSession)) is None
    assert actions("logout") == ["logout"]


def test_the_remember_me_cookie_dies_with_the_session(app, make_user):
    make_user(email="ana@example.org")
    browser, thief = app.test_client(), app.test_client()
    log_in(browser, "ana@example.org", remember="y")
    copy_cookie(browser, thief, "remember_token")  # no session cookie: the remember cookie alone
    assert is_logged_in(thief)

    browser.post("/logout")
    thief.delete_cookie("session")  # the session the remember cookie opened: start from the cookie again
    assert not is_logged_in(thief)


def test_log_out_everywhere_ends_the_sessions_of_every_device(app, make_user):
    user = make_user(email="ana@example.org")
    other = make_user(email="ben@example.org")
    laptop, phone, colleague = app.test_client(), app.test_client(), app.test_client()
    log_in(laptop, "ana@example.org", remember="y")
    log_in(phone, "ana@example.org")
    log_in(colleague, "ben@example.org")

    home = phone.get("/organize/").get_data(as_text=True)
    assert 'action="/logout/everywhere"' in home
    response = phone.post("/logout/everywhere", follow_redirects=True)
    assert response.request.path == "/login"
    assert "You are logged out on every device." in response.get_data(as_text=True)

    assert not is_logged_in(phone)
    assert not is_logged_in(laptop)
    laptop.delete_cookie("session")
    assert not is_logged_in(laptop), "its remember cookie is dead too"
    assert is_logged_in(colleague), "another account keeps its session"
    assert db.session.scalars(select(UserSession.user_id)).all() == [other.id]
    assert actions("logout_everywhere") == ["logout_everywhere"]
    assert user.id


def test_log_out_everywhere_needs_the_form_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user(email="ana@example.org")
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    log_in(client, "ana@example.org", csrf_token=token)
    assert client.post("/logout/everywhere").status_code == 400
    assert is_logged_in(client)
    form_token = csrf_token(client.get("/organize/").get_data(as_text=True))
    assert client.post("/logout/everywhere", data={"csrf_token": form_token}).status_code == 302
    assert not is_logged_in(client)


def test_log_out_everywhere_is_for_logged_in_users(client):
    response = client.post("/logout/everywhere")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_login_ends_after_the_configured_days(app, make_user):
    make_user(email="ana@example.org")
    client = app.test_client()
    log_in(client, "ana@example.org", remember="y")
    days = app.config["SESSION_MAX_DAYS"]
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=days)
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(days=days - 1)))
    db.session.commit()
    assert is_logged_in(client)
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(days=days, minutes=1)))
    db.session.commit()
    assert not is_logged_in(client)
    # The next login clears the dead row away.
    log_in(client, "ana@example.org")
    assert len(db.session.scalars(select(UserSession)).all()) == 1


def test_the_table_keeps_a_hash_of_the_key_not_the_key(app, make_user):
    make_user(email="ana@example.org")
    client = app.test_client()
    log_in(client, "ana@example.org")
    key = session_key(client)
    stored = db.session.scalars(select(UserSession.key_hash)).one()
    assert len(key) >= 40 and key not in stored
