"""The page of one supporter: every action, the consent each recorded word for word, the
mail sent to them without its text, and contact details for organizers only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVPStatus
from campaign.outbox.models import MessageStatus, OutboxMessage
from campaign.petitions.models import SignatureStatus
from campaign.pledges.models import FulfilledVia
from tests.supporters.builders import commit, person, register, sign

CONSENT = "[x] Email me about this campaign. [ ] Show my name on the petition page."


@pytest.fixture
def ana(make_campaign, make_petition, make_pledge, make_forum):
    """Ana signed two petitions (one signature invalidated), committed to a pledge she
    fulfilled, checked in at a forum, and was sent one message."""
    campaign = make_campaign()
    ana = person("Ana.Lopez@Example.org", "Ana", "Lopez")
    sign(
        make_petition(campaign=campaign, title="End 287(g) in Brown County"),
        ana,
        consent_text=CONSENT,
        referral="lwv-brown",
        email_updates=True,
    )
    sign(
        make_petition(campaign=campaign, title="Second petition"),
        ana,
        status=SignatureStatus.INVALIDATED,
        invalidated_at=utcnow(),
        invalidated_reason="Signed twice by mistake",
    )
    commit(
        make_pledge(campaign=campaign, title="Attend the board meeting"),
        ana,
        consent_text="I will attend the Brown County Board meeting.",
        fulfilled_at=utcnow(),
        fulfilled_via=FulfilledVia.CHECK_IN,
    )
    register(
        make_forum(campaign=campaign, title="Community forum in Green Bay"),
        ana,
        guests=2,
        checked_in_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(
        OutboxMessage(
            recipient="ana.lopez@example.org",
            subject="Confirm your signature",
            body_text="SECRET-BODY https://example.org/confirm/token",
            kind="petitions.confirm",
            status=MessageStatus.SENT,
            sent_at=utcnow(),
        )
    )
    db.session.add(OutboxMessage(recipient="someone@example.org", subject="Not hers", body_text="x", kind="x"))
    db.session.commit()
    return ana


def page(client, who) -> str:
    response = client.get(f"/organize/people/{who.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_every_action_with_its_consent(ana, client, login_as):
    login_as("viewer")
    text = page(client, ana)
    assert "<h1>Ana Lopez</h1>" in text
    assert "54301" in text and "Brown County, WI" in text
    assert "End 287(g) in Brown County" in text and "lwv-brown" in text
    assert "Second petition" in text and "Invalidated: Signed twice by mistake" in text
    assert CONSENT in text  # word for word
    assert "I will attend the Brown County Board meeting." in text
    assert "Attend the board meeting" in text and "checked in at the forum" in text
    assert "Community forum in Green Bay" in text and "Going" in text


def test_mail_shows_its_subject_and_status_never_its_text(ana, client, login_as):
    login_as("organizer")
    text = page(client, ana)
    assert "Confirm your signature" in text and "Sent" in text
    assert "SECRET-BODY" not in text and "/confirm/token" not in text
    assert "Not hers" not in text


def test_viewers_do_not_see_contact_details(ana, client, login_as):
    login_as("viewer")
    text = page(client, ana)
    assert "Ana.Lopez@Example.org" not in text.replace("&#64;", "@")
    assert "Erase this person" not in text


def test_organizers_see_the_email_and_the_erase_link(ana, client, login_as):
    login_as("organizer")
    text = page(client, ana)
    assert "Ana.Lopez@Example.org" in text
    assert f'href="/organize/people/{ana.id}/erase"' in text


def test_the_household_sharing_the_mailbox_is_listed(ana, client, login_as):
    sister = person("ANA.LOPEZ+family@example.org", "Bea", "Lopez")  # same mailbox, another person
    login_as("viewer")
    assert f'<a href="/organize/people/{sister.id}">Bea Lopez</a>' in page(client, ana)


def test_an_erased_person_shows_erased_and_no_contact_details(ana, client, login_as):
    ana.erased_at = utcnow()
    ana.first_name, ana.last_name, ana.email, ana.email_normalized = "Erased", "", None, None
    db.session.commit()
    login_as("organizer")
    text = page(client, ana)
    assert "<h1>Erased</h1>" in text
    assert "ana.lopez" not in text.lower() and "Confirm your signature" not in text
    assert "Erase this person" not in text


def test_a_walk_in_rsvp_and_a_pending_one(make_forum, client, login_as):
    walker = person("walk@example.org", "Walk", "In")
    register(make_forum(), walker, walk_in=True)
    register(make_forum(), walker, status=RSVPStatus.PENDING)
    login_as("viewer")
    text = page(client, walker)
    assert "walk-in" in text and "Pending" in text


def test_an_unknown_person_is_a_404(app, client, login_as):
    login_as("viewer")
    assert client.get("/organize/people/999999").status_code == 404


def test_the_page_needs_a_login(ana, client):
    response = client.get(f"/organize/people/{ana.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unsubscribes_and_a_suppressed_address_are_shown_with_their_time(ana, client, login_as):
    from campaign.outbox.models import Suppression, SuppressionReason
    from campaign.people.models import Unsubscribe
    from campaign.petitions.models import Signature

    campaign_id = (
        db.session.scalars(db.select(Signature).where(Signature.person_id == ana.id)).first().petition.campaign_id
    )
    db.session.add_all(
        [
            Unsubscribe(person_id=ana.id, campaign_id=campaign_id, via="one-click"),
            Unsubscribe(person_id=ana.id, campaign_id=None, via="page"),
            Suppression(address="ana.lopez@example.org", reason=SuppressionReason.COMPLAINT, source="import"),
        ]
    )
    db.session.commit()
    login_as("viewer")
    text = page(client, ana).replace("&#34;", '"')
    assert "Unsubscribed from “Test campaign" in text and "by the mail program's button" in text
    assert "Unsubscribed from every campaign" in text and "on the unsubscribe page" in text
    assert "This address gets no broadcasts: it was reported as spam" in text
