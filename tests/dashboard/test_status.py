"""The organizers' delivery status page: what failed, why, and a button to try again."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from campaign.accounts.services import start_session
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.jobs.models import Job, JobStatus
from campaign.jobs.registry import handler
from campaign.outbox import services as outbox
from campaign.outbox.models import MessageStatus, OutboxMessage

BROKEN: dict[str, bool] = {"roster": True}


@handler("tests.dashboard.sync_roster")
def sync_roster() -> dict:
    if BROKEN["roster"]:
        raise RuntimeError("roster service answered 503")
    return {"synced": True}


@pytest.fixture
def failed_message(app, tmp_path):
    """A message that failed for good: the mail folder could not be written."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app.config.update(OUTBOX_MAX_ATTEMPTS=1, MAIL_FILE_DIR=str(blocker / "mail"))
    message = outbox.enqueue("maria@example.org", "outbox/test", {"link": "http://localhost/"})
    db.session.commit()
    db.session.refresh(message)
    assert message.status is MessageStatus.FAILED
    app.config.update(OUTBOX_MAX_ATTEMPTS=8, MAIL_FILE_DIR=str(tmp_path / "mail"))  # fixed
    return message


@pytest.fixture
def failed_job(app):
    BROKEN["roster"] = True
    app.config["JOBS_MAX_ATTEMPTS"] = 1
    job = jobs.enqueue("tests.dashboard.sync_roster")
    db.session.commit()
    db.session.refresh(job)
    assert job.status is JobStatus.FAILED
    BROKEN["roster"] = False  # the service is back
    app.config["JOBS_MAX_ATTEMPTS"] = 3
    return job


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/organize/status")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_organizer_home_links_to_the_status_page(client, login_as, failed_job):
    login_as("viewer")
    text = page_text(client.get("/organize/"))
    assert "<h1>Organize</h1>" in text
    assert 'href="/organize/status"' in text
    assert "1 mail or job needs attention." in text


def test_organizer_sees_what_failed_and_why(client, login_as, failed_message, failed_job):
    login_as("organizer")
    response = client.get("/organize/status")
    assert response.status_code == 200
    text = page_text(response)
    assert "Pending: 0 · sent: 0 · failed: 1" in text
    assert "maria@example.org" in text
    assert "Test message from the campaign organizer" in text
    assert "NotADirectoryError" in text or "FileExistsError" in text
    assert "tests.dashboard.sync_roster" in text
    assert "RuntimeError: roster service answered 503" in text
    assert text.count(">Retry</button>") == 2
    assert f'action="/organize/status/messages/{failed_message.id}/retry"' in text
    assert f'action="/organize/status/jobs/{failed_job.id}/retry"' in text


def test_nothing_to_report(client, login_as):
    login_as("viewer")
    text = page_text(client.get("/organize/status"))
    assert "No mail has failed." in text
    assert "No job has failed." in text


def test_message_waiting_to_retry_shows_its_next_try(client, login_as, app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app.config["MAIL_FILE_DIR"] = str(blocker / "mail")
    message = outbox.enqueue("ana@example.org", "outbox/test", {"link": "http://localhost/"})
    db.session.commit()
    db.session.refresh(message)
    login_as("viewer")
    text = page_text(client.get("/organize/status"))
    assert "a•••@example.org" in text and "waiting to retry" in text
    assert f'<time datetime="{message.next_attempt_at.isoformat()}">' in text


def test_organizer_retries_a_failed_message_and_it_is_sent(client, login_as, failed_message, tmp_path):
    login_as("organizer")
    response = client.post(f"/organize/status/messages/{failed_message.id}/retry")
    assert (response.status_code, response.headers["Location"]) == (302, "/organize/status")
    db.session.refresh(failed_message)
    assert failed_message.status is MessageStatus.SENT
    [eml] = (tmp_path / "mail").glob("*.eml")
    assert "To: maria@example.org" in eml.read_text()

    text = page_text(client.get("/organize/status"))
    assert "The message will be sent again." in text
    assert "No mail has failed." in text
    assert "Pending: 0 · sent: 1 · failed: 0" in text


def test_organizer_retries_a_failed_job_and_it_runs(client, login_as, failed_job):
    login_as("organizer")
    response = client.post(f"/organize/status/jobs/{failed_job.id}/retry")
    assert (response.status_code, response.headers["Location"]) == (302, "/organize/status")
    db.session.refresh(failed_job)
    assert (failed_job.status, failed_job.result) == (JobStatus.SUCCEEDED, {"synced": True})
    text = page_text(client.get("/organize/status"))
    assert "The job will run again." in text
    assert "No job has failed." in text


def test_viewer_sees_the_page_but_cannot_retry(client, login_as, failed_message, failed_job):
    login_as("viewer")
    text = page_text(client.get("/organize/status"))
    assert "RuntimeError: roster service answered 503" in text
    assert ">Retry</button>" not in text
    assert client.post(f"/organize/status/messages/{failed_message.id}/retry").status_code == 403
    assert client.post(f"/organize/status/jobs/{failed_job.id}/retry").status_code == 403
    db.session.refresh(failed_message)
    db.session.refresh(failed_job)
    assert (failed_message.status, failed_job.status) == (MessageStatus.FAILED, JobStatus.FAILED)


def test_viewer_sees_addresses_masked_even_inside_errors(client, login_as, failed_message, make_user):
    """Viewers only read the page; the person behind an address is not theirs to see.
    Organizers, who retry, see it whole: a typo in the address is what they look for."""
    failed_message.last_error = "SMTPRecipientsRefused: 550 5.1.1 <maria@example.org>: no such user"
    db.session.commit()
    login_as("viewer")
    viewer = page_text(client.get("/organize/status"))
    assert "maria" not in viewer
    assert "<td>m•••@example.org</td>" in viewer
    assert "550 5.1.1 <m•••@example.org>: no such user" in viewer

    login_as("organizer")
    organizer = page_text(client.get("/organize/status"))
    assert "<td>maria@example.org</td>" in organizer
    assert "550 5.1.1 <maria@example.org>: no such user" in organizer


def test_retrying_something_already_sent_says_so(client, login_as, failed_message):
    login_as("organizer")
    client.post(f"/organize/status/messages/{failed_message.id}/retry")
    response = client.post(f"/organize/status/messages/{failed_message.id}/retry", follow_redirects=True)
    assert response.status_code == 200
    assert "Nothing to retry: it changed since the page was shown." in page_text(response)
    assert db.session.scalars(select(OutboxMessage.attempts)).all() == [1], "sent once"


def test_retrying_an_unknown_id_is_404(client, login_as):
    login_as("organizer")
    assert client.post("/organize/status/messages/999999/retry").status_code == 404
    assert client.post("/organize/status/jobs/999999/retry").status_code == 404


def test_retry_form_works_with_csrf_protection(make_app, make_user):
    """The real form, CSRF token included, as a browser would send it."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        BROKEN["roster"] = True
        app.config["JOBS_MAX_ATTEMPTS"] = 1
        job = jobs.enqueue("tests.dashboard.sync_roster")
        db.session.commit()
        BROKEN["roster"] = False
        user = make_user("organizer")
        job_id, session_id = job.id, start_session(user)
        db.session.commit()

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    page = client.get("/organize/status")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:3000]
    form = re.search(rf'<form method="post" action="/organize/status/jobs/{job_id}/retry".*?</form>', html, re.S)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0)).group(1)

    assert client.post(f"/organize/status/jobs/{job_id}/retry").status_code == 400, "no token, no retry"
    response = client.post(f"/organize/status/jobs/{job_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Job, job_id).status is JobStatus.SUCCEEDED
        assert db.session.get(Job, job_id).finished_at <= utcnow()
