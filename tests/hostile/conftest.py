"""Fixtures of the hostile-input suite: the app as production runs it (an unhandled error is a
500 page, not an exception in the test), the demo data, and a crawl of the site that finds a real
URL for each rule and the forms on its pages, with real tokens taken from the mail the app sent."""

from __future__ import annotations

import re
from contextlib import contextmanager
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from campaign.accounts.demo import DEMO_EMAIL
from campaign.accounts.services import find_user
from campaign.broadcasts import rendering
from campaign.broadcasts import services as broadcasts
from campaign.campaigns.demo import DEMO_CAMPAIGN_SLUG
from campaign.campaigns.services import get_campaign
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.people.models import Person
from tests.conftest import IsolatedClient
from tests.hostile.kit import Site, valid_pairs

LINK = re.compile(r"https?://localhost[^\s\"'<>)]*")


@pytest.fixture
def app(make_app):
    # Errors are handled as in production (PROPAGATE_EXCEPTIONS would raise them in the test
    # instead of rendering the 500 page), and rate limits are off so the sweep reaches the forms.
    built = make_app(PROPAGATE_EXCEPTIONS=False, RATELIMIT_ENABLED=False)
    built.test_client_class = IsolatedClient
    with built.app_context():
        yield built


def _mail_links() -> list[str]:
    # Newest first: the links of the mail this fixture's own actions caused come first.
    bodies = db.session.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc()))
    return [link.removeprefix("http://localhost") for body in bodies for link in LINK.findall(body)]


@contextmanager
def jobs_after(app):
    """Run the jobs enqueued inside the block once it is over.

    Today jobs are handed to the runner when a savepoint is released too (SQLAlchemy fires
    after_commit for nested transactions; people.person_for uses one), while the seeding
    transaction still holds SQLite's write lock: each eager job then waits out busy_timeout and
    fails, 5 s a mail, about 100 s for the demo. Harmless once jobs dispatch on the outermost
    commit only."""
    runner = app.extensions["jobs_runner"]
    held: list[tuple] = []
    app.extensions["jobs_runner"] = SimpleNamespace(submit=lambda job_id, delay=None: held.append((job_id, delay)))
    try:
        yield
    finally:
        app.extensions["jobs_runner"] = runner
    for job_id, delay in held:
        runner.submit(job_id, delay)


def _draft_broadcast() -> str:
    """A broadcast draft of the demo campaign: no link reaches a broadcast's page and its
    forms (edit, test, send, discard) until one exists. Returns the unsubscribe address a
    supporter would find in it once sent."""
    campaign = get_campaign(DEMO_CAMPAIGN_SLUG)
    message = broadcasts.Draft(subject_en="The Board votes Tuesday", body_en="Come to the **Board** on Tuesday.")
    broadcast = broadcasts.create(campaign, message, find_user(DEMO_EMAIL))
    db.session.commit()
    supporter = db.session.scalar(select(Person.id).order_by(Person.id).limit(1))
    return urlsplit(
        rendering.unsubscribe_url(rendering.unsubscribe_token(supporter, campaign.id, broadcast.id), "en")
    ).path


@pytest.fixture
def admin_client(app, client, login_as):
    """A second client logged in as an admin, for finding every page; `client` stays anonymous."""
    login_as("admin")
    admin = app.test_client()
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    admin.set_cookie(cookie_name, client.get_cookie(cookie_name).value)
    client.delete_cookie(cookie_name)
    return admin


@pytest.fixture
def site(app, client, admin_client, runner) -> Site:
    """The demo site crawled by an anonymous visitor and by an admin.

    Token routes get real tokens from the mail: every public form is submitted once with valid
    values and the demo organizer's email (sign, commit, RSVP, password reset), then the forms of
    the pages those mails link to (confirm), and their mail links in turn. A packet is requested
    too, the one record with a public id that no public form makes, and a broadcast is drafted,
    with a supporter's unsubscribe link."""
    with jobs_after(app):
        result = runner.invoke(args=["seed-demo", "--organizer"])
    assert result.exit_code == 0, result.output
    unsubscribe = _draft_broadcast()
    found = Site(app)
    seeds = [rule.rule for rule in found.rules() if not rule.arguments and "GET" in rule.methods] + [unsubscribe]
    found.crawl(client, "anonymous", seeds)
    found.crawl(admin_client, "admin", seeds)
    for form in found.forms["admin"]:
        if form.endpoint == "packets.petition_packets":
            admin_client.post(form.action, data=dict(valid_pairs(form)))
            found.visited.discard(f"admin {urlsplit(form.page).path}")
            found.crawl(admin_client, "admin", [form.page])
    acted: set[str] = set()
    redirects: list[str] = []
    for _ in range(3):
        for form in [form for form in found.forms["anonymous"] if form.action not in acted]:
            acted.add(form.action)
            response = client.post(form.action, data=dict(valid_pairs(form, DEMO_EMAIL)))
            redirects.append(response.headers.get("Location", ""))  # thanks pages
        links = redirects + _mail_links()
        found.crawl(client, "anonymous", links)
        found.crawl(admin_client, "admin", links)
    with client.session_transaction() as session:  # a password reset may have logged it in
        session.clear()
    return found
