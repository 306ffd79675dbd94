"""Choosing a new password through a mailed link."""

from __future__ import annotations

import re
import time

from itsdangerous import TimestampSigner

from campaign.accounts import services
from campaign.accounts.models import AuditEvent, User
from campaign.extensions import db
from campaign.jobs.models import Job
from tests.accounts.helpers import PASSWORD, actions, count, log_in, logged_in_user_id, outbox

SENT = "If an account uses this email, a link to choose a new password is on its way."
NEW_PASSWORD = "purple elephants dance"


def reset_link(message) -> str:
    return re.search(r"http://localhost/reset/\S+", message.body_text).group(0)


def ask_for_link(client, email: str = "ana@example.org", **kwargs):
    return client.post("/reset", data={"email": email}, **kwargs)


def test_full_reset_journey(client, make_user):
    user = make_user(email="ana@example.org")
    old_hash = user.password_hash

    asked = ask_for_link(client, "Ana@Example.org")
    assert asked.status_code == 200
    assert SENT in asked.get_data(as_text=True)

    [message] = outbox()
    assert message.recipient == "ana@example.org"
    assert message.kind == "accounts.password_reset"
    assert message.subject == "Reset your organizer password"
    assert "organizer account ana@example.org" in message.body_text
    assert "within 60 minutes" in message.body_text
    link = reset_link(message)
    assert f'href="{link}"' in message.body_html

    # Opening the link shows the form and changes nothing: mail scanners open links too.
    events_before = count(AuditEvent)
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Choose a new password" in text
    assert 'autocomplete="new-password"' in text
    assert '<meta name="robots" content="noindex">' in text
    db.session.refresh(user)
    assert user.password_hash == old_hash
    assert count(AuditEvent) == events_before

    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert done.request.path == "/login"
    assert "Your password is changed. Log in with the new one." in done.get_data(as_text=True)
    assert actions("password_reset_requested", "password_reset") == ["password_reset_requested", "password_reset"]

    assert log_in(client, "ana@example.org", PASSWORD).status_code == 401
    assert log_in(client, "ana@example.org", NEW_PASSWORD).status_code == 302
    assert logged_in_user_id(client) == user.id

    again = client.post(link, data={"password": "yet another password", "confirm": "yet another password"})
    assert again.status_code == 400
    assert "This reset link has already been used. Ask for a new one." in again.get_data(as_text=True)
    assert client.get(link).status_code == 400
    db.session.refresh(user)
    assert services._verify(user.password_hash, NEW_PASSWORD)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, make_user):
    make_user(email="ana@example.org")
    response = ask_for_link(client, "nobody@example.org")
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)
    assert outbox() == []
    assert count(Job) == 0


def test_a_switched_off_account_gets_no_mail(client, make_user):
    user = make_user(email="ana@example.org")
    user.active = False
    db.session.commit()
    assert SENT in ask_for_link(client).get_data(as_text=True)
    assert outbox() == []


def test_reset_link_uses_base_url_even_with_a_forged_host(client, make_user):
    make_user(email="ana@example.org")
    ask_for_link(client, headers={"Host": "evil.example"})
    [message] = outbox()
    assert "evil.example" not in message.body_text
    assert "evil.example" not in message.body_html
    assert reset_link(message).startswith("http://localhost/reset/")


def test_reset_mail_is_in_the_language_of_the_page(client, make_user):
    make_user(email="ana@example.org")
    client.post("/reset?lang=es", data={"email": "ana@example.org"})
    [message] = outbox()
    assert message.subject == "Restablezca su contraseña de organizador"
    assert "Alguien pidió restablecer la contraseña" in message.body_text


def test_a_malformed_email_gets_a_message_beside_the_field(client):
    response = ask_for_link(client, "not an email")
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert SENT not in response.get_data(as_text=True)


def test_an_expired_link_says_so_and_offers_a_new_one(client, make_user, monkeypatch, app):
    user = make_user(email="ana@example.org")
    two_hours_ago = int(time.time()) - 2 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
        token = services.reset_token(user)
    response = client.get(f"/reset/{token}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "This reset link has expired. Ask for a new one." in text
    assert 'href="/reset"' in text
    assert "<form" not in text.split("</header>")[1]

    posted = client.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert posted.status_code == 400
    assert log_in(client, "ana@example.org", NEW_PASSWORD).status_code == 401


def test_a_longer_max_age_keeps_the_link_working(client, make_user, monkeypatch, app):
    app.config["PASSWORD_RESET_MAX_AGE"] = 3 * 3600
    user = make_user(email="ana@example.org")
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 2 * 3600)
        token = services.reset_token(user)
    assert client.get(f"/reset/{token}").status_code == 200


def test_a_forged_link_is_refused(client, make_user):
    make_user(email="ana@example.org")
    response = client.get("/reset/eyJ1c2VyIjoxfQ.forged.signature")
    assert response.status_code == 400
    assert "This reset link is not valid. Ask for a new one." in response.get_data(as_text=True)


def test_new_password_must_be_long_enough_and_typed_twice_alike(client, make_user):
    user = make_user(email="ana@example.org")
    link = f"/reset/{services.reset_token(user)}"
    db.session.commit()

    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "Use at least 10 characters for the password." in short.get_data(as_text=True)

    differ = client.post(link, data={"password": NEW_PASSWORD, "confirm": "something else entirely"})
    assert differ.status_code == 422
    assert "The two passwords differ." in differ.get_data(as_text=True)

    # Neither attempt used up the link or changed the password.
    assert log_in(client, "ana@example.org", PASSWORD).status_code == 302
    assert client.get(link).status_code == 200
    assert actions("password_reset") == []


def test_reset_requests_are_rate_limited(client, make_user):
    make_user(email="ana@example.org")
    for _attempt in range(5):
        assert ask_for_link(client).status_code == 200
    limited = ask_for_link(client)
    assert limited.status_code == 429
    assert len(outbox()) == 5
    assert count(User) == 1


def test_a_new_password_ends_sessions_opened_elsewhere(app, make_user):
    user = make_user(email="ana@example.org")
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop, "ana@example.org", PASSWORD).status_code == 302
    assert laptop.get("/organize/").status_code == 200

    ask_for_link(phone, "ana@example.org")
    link = reset_link(outbox()[-1])
    phone.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    stale = laptop.get("/organize/")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    assert log_in(laptop, "ana@example.org", NEW_PASSWORD).status_code == 302
    assert laptop.get("/organize/").status_code == 200
    assert user.id
