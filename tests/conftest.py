"""Shared fixtures.

Every test that takes `app` (or anything built on it) runs once per database engine:
SQLite always, PostgreSQL when TEST_DATABASE_URL is set. Under CI=true a missing or
unreachable PostgreSQL or Redis is an error, never a skip. Each engine's schema is built
from nothing by the Alembic migrations at the start of the run, and every test starts
from empty tables (the county reference data stays).
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from datetime import datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from campaign import create_app
from campaign.config import normalize_database_url
from campaign.extensions import db

# Builders kept beside the tests of their area and used across areas (pledges and the county
# pages target meetings; the mail tests sign up for them).
pytest_plugins = ("tests.meetings.fixtures",)

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
KEEP_TABLES = {"counties", "alembic_version"}
TEST_SECRET = "test-secret-key-not-for-production"


def pytest_configure(config):
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests would not run.")


def _engine_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        params.append(pytest.param("postgresql", id="postgresql"))
    else:
        params.append(
            pytest.param("postgresql", id="postgresql", marks=pytest.mark.skip(reason="TEST_DATABASE_URL is not set"))
        )
    return params


def base_test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "JOBS_RUNNER": "eager",
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "BASE_URL": "http://localhost",
    }


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    except sa.exc.OperationalError as error:
        raise pytest.UsageError(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error.orig}") from None
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=_engine_params())
def database_url(request, tmp_path_factory) -> str:
    """A freshly migrated database for this engine, shared by the whole run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    else:
        url = normalize_database_url(POSTGRES_URL)
        _reset_postgres(url)
    migrate_app = create_app(base_test_config(url), instance_path=tmp_path_factory.mktemp("instance"))
    with migrate_app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def engine_name(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


def _empty_tables() -> None:
    db.session.remove()
    tables = [table for table in reversed(db.metadata.sorted_tables) if table.name not in KEEP_TABLES]
    with db.engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with extra settings; tables are emptied afterwards."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        config = {**base_test_config(database_url), "MAIL_FILE_DIR": str(tmp_path / "mail"), **overrides}
        built = create_app(config, instance_path=tmp_path / "instance")
        apps.append(built)
        return built

    yield build
    if apps:
        with apps[0].app_context():
            _empty_tables()
            db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, `g`,
    locale, logged-in user and database session, not the test's."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test reads what the request committed
        return response


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    built = make_app()
    built.test_client_class = IsolatedClient
    with built.app_context():
        yield built


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def redis_url() -> str:
    """The real Redis; absent outside CI it skips, under CI it fails."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is unreachable under CI: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


# --- builders: each test states only what it is about ---------------------------------


@pytest.fixture
def make_organization(app):
    from campaign.campaigns.models import Organization

    counter = iter(range(1, 10_000))

    def build(**fields) -> Organization:
        number = next(counter)
        values = {"name": f"Test Organization {number}", "slug": f"test-org-{number}"} | fields
        organization = Organization(**values)
        db.session.add(organization)
        db.session.commit()
        return organization

    return build


@pytest.fixture
def make_official(app):
    from campaign.officials.models import Body, Official

    def build(**fields) -> Official:
        values = {"name": "Pat Example", "title": "Sheriff", "body": Body.SHERIFF, "county_fips": "55009"} | fields
        official = Official(**values)
        db.session.add(official)
        db.session.commit()
        return official

    return build


@pytest.fixture
def make_campaign(app, make_organization):
    from campaign.campaigns.models import Campaign, CampaignStatus

    counter = iter(range(1, 10_000))

    def build(**fields) -> Campaign:
        number = next(counter)
        values = {
            "title": f"Test campaign {number}",
            "slug": f"test-campaign-{number}",
            "summary": "End the agreement.",
            "state": "WI",
            "county_fips": "55009",
            "status": CampaignStatus.ACTIVE,
        } | fields
        if "organization" not in values and "organization_id" not in values:
            values["organization"] = make_organization()
        campaign = Campaign(**values)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return build


@pytest.fixture
def make_user(app):
    from campaign.accounts.models import Role
    from campaign.accounts.services import create_user

    counter = iter(range(1, 10_000))

    def build(role: str | Role = Role.ORGANIZER, email: str | None = None, password: str = "correct horse battery"):
        user = create_user(email or f"organizer{next(counter)}@example.org", password, Role(role))
        db.session.commit()
        return user

    return build


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user with `role`; returns the user."""

    def log_in(role: str = "organizer"):
        from campaign.accounts.services import start_session

        user = make_user(role)
        start_session(user)  # the server-side session a real login writes
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return log_in


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; `.messages` holds what it received."""
    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(make_app, smtp_server):
    """The app sending through the loopback SMTP server."""
    built = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_DEFAULT_SENDER="campaigns@example.org")
    built.test_client_class = IsolatedClient
    with built.app_context():
        yield built


@pytest.fixture
def make_petition(app, make_campaign):
    from campaign.petitions.models import Petition, PetitionCounty, PetitionStatus

    counter = iter(range(1, 10_000))

    def build(counties=(("55009", None),), **fields) -> Petition:
        number = next(counter)
        values = {
            "title": f"Test petition {number}",
            "slug": f"test-petition-{number}",
            "ask": "We call on the Brown County Board to end the agreement.",
            "status": PetitionStatus.OPEN,
        } | fields
        if "campaign" not in values:
            values["campaign"] = make_campaign()
        petition = Petition(**values)
        petition.counties = [PetitionCounty(county_fips=fips, goal=goal, is_target=True) for fips, goal in counties]
        db.session.add(petition)
        db.session.commit()
        return petition

    return build


@pytest.fixture
def make_forum(app, make_campaign):
    """A forum a week from now in Green Bay (America/Chicago), 6 to 8 pm local time."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from campaign.core.types import utcnow
    from campaign.forums.models import Forum, ForumKind

    counter = iter(range(1, 10_000))

    def build(**fields) -> Forum:
        number = next(counter)
        zone = ZoneInfo("America/Chicago")
        day = (utcnow() + timedelta(days=7)).astimezone(zone).date()
        starts = datetime.combine(day, time(18, 0), tzinfo=zone)
        values = {
            "slug": f"test-forum-{number}",
            "uid": f"test-forum-{number}@campaign-organizer",
            "kind": ForumKind.COMMUNITY_FORUM,
            "title": f"Community forum {number}",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "timezone": "America/Chicago",
            "county_fips": "55009",
            "venue_name": "Brown County Central Library",
            "venue_address": "515 Pine St, Green Bay, WI 54301",
        } | fields
        if "campaign" not in values:
            values["campaign"] = make_campaign()
        forum = Forum(**values)
        db.session.add(forum)
        db.session.commit()
        return forum

    return build


@pytest.fixture
def make_pledge(app, make_campaign):
    """An open pledge to attend a meeting, with no condition unless given one."""
    from campaign.pledges.models import Pledge, PledgeKind, PledgeStatus

    counter = iter(range(1, 10_000))

    def build(**fields) -> Pledge:
        number = next(counter)
        values = {
            "slug": f"test-pledge-{number}",
            "kind": PledgeKind.ATTEND_MEETING,
            "title": f"Test pledge {number}",
            "action": "I will attend the Brown County Board meeting.",
            "status": PledgeStatus.OPEN,
        } | fields
        if "campaign" not in values:
            values["campaign"] = make_campaign()
        pledge = Pledge(**values)
        db.session.add(pledge)
        db.session.commit()
        return pledge

    return build
