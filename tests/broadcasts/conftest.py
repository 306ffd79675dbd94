"""Broadcast tests run against a real SMTP server (aiosmtpd) with https links, as production does."""

from __future__ import annotations

import pytest

from campaign.accounts.models import Role
from campaign.broadcasts import services
from campaign.extensions import db
from tests.conftest import IsolatedClient
from tests.supporters import builders


@pytest.fixture
def app(make_app, smtp_server):
    built = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_DEFAULT_SENDER="campaigns@example.org",
        BASE_URL="https://campaign.example.org",
        BROADCAST_REPLY_TO="team@example.org",
    )
    built.test_client_class = IsolatedClient
    with built.app_context():
        yield built


@pytest.fixture
def organizer(make_user):
    return make_user(Role.ORGANIZER, email="lead@example.org")


@pytest.fixture
def signer(make_petition):
    """A signer of one petition: `signer(email, updates=True, **fields)`."""

    def build(petition, email: str, updates: bool = True, first_name: str = "Ana", locale: str = "en", **fields):
        person = builders.person(email, first_name=first_name)
        person.locale = locale
        db.session.commit()
        return builders.sign(petition, person, email_updates=updates, locale=locale, **fields)

    return build


@pytest.fixture
def write_broadcast(organizer):
    def build(campaign, audience=None, spanish: bool = True, **texts):
        draft = services.Draft(
            subject_en=texts.get("subject_en", "The County Board votes Tuesday"),
            body_en=texts.get(
                "body_en", "Come to the **County Board** on Tuesday at 6 pm.\n\nhttps://example.org/agenda"
            ),
            subject_es=texts.get("subject_es", "La Junta del Condado vota el martes") if spanish else None,
            body_es=texts.get("body_es", "Venga a la **Junta del Condado** el martes a las 6 pm.") if spanish else None,
            audience=audience or {},
        )
        broadcast = services.create(campaign, draft, organizer)
        db.session.commit()
        return broadcast

    return build
