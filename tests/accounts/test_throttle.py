"""Login throttling through the pages: a known email and an unknown one answer alike at every
step, and the owner who resets by mail logs in at once."""

from __future__ import annotations

import re

import pytest

from campaign.extensions import db
from tests.accounts.helpers import PASSWORD, actions, log_in, logged_in_user_id, outbox

KNOWN, UNKNOWN = "ana@example.org", "nobody@example.org"


@pytest.fixture
def app(app):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"  # the per-address limit has tests of its own
    return app


def answers(client, email: str, attempts: int) -> list[tuple[int, str]]:
    """Status and page of each failed attempt, with the typed email taken out."""
    return [
        (response.status_code, response.get_data(as_text=True).replace(email, "EMAIL"))
        for response in (log_in(client, email, f"guess number {n}") for n in range(attempts))
    ]


def test_known_and_unknown_emails_answer_alike_after_1_5_6_and_20_failures(app, make_user):
    make_user(email=KNOWN)
    known = answers(app.test_client(), KNOWN, 20)
    known_events = actions()[1:]  # after user_created
    db.session.execute(db.text("DELETE FROM audit_events"))
    db.session.commit()
    unknown = answers(app.test_client(), UNKNOWN, 20)
    for failures in (1, 5, 6, 20):
        assert known[failures - 1] == unknown[failures - 1], f"after {failures} failures"
    assert [status for status, _page in known] == [401] * 4 + [429] * 16
    assert "Email or password is incorrect." in known[0][1]
    assert "Try again in 15 minutes, or reset your password by mail now" in known[19][1]
    assert actions() == known_events
    assert known_events == ["login_failed"] * 5 + ["login_throttled"] + ["login_failed"] * 15


def test_the_right_password_is_refused_while_the_email_is_throttled(client, make_user):
    make_user(email=KNOWN)
    answers(client, KNOWN, 5)
    assert log_in(client, KNOWN).status_code == 429
    assert logged_in_user_id(client) is None


def test_the_owner_who_resets_by_mail_logs_in_at_once(client, make_user):
    user = make_user(email=KNOWN)
    answers(client, KNOWN, 20)
    client.post("/reset", data={"email": KNOWN})
    link = re.search(r"http://localhost(/reset/\S+)", outbox()[-1].body_text).group(1)
    client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    response = log_in(client, KNOWN, "a brand new password")
    assert response.status_code == 302
    assert logged_in_user_id(client) == user.id
    assert PASSWORD != "a brand new password"


def test_throttled_page_in_spanish(client, make_user):
    answers(client, UNKNOWN, 4)
    response = client.post("/login?lang=es", data={"email": UNKNOWN, "password": "x"})
    assert response.status_code == 429
    assert "Demasiados intentos fallidos con este correo electrónico." in response.get_data(as_text=True)
