"""What the audit log keeps of a broadcast before it is sent (written, changed, tested), and
the refusals of issue 16's bad input that come before sending: a scheduled broadcast edited
to reach nobody, and a test to an organizer whose own address bounced."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.broadcasts import services
from campaign.broadcasts.models import Broadcast, BroadcastStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage, Suppression, SuppressionReason

MESSAGE = {
    "subject_en": "The County Board votes Tuesday",
    "body_en": "Come to the **County Board** on Tuesday.",
    "subject_es": "La Junta vota el martes",
    "body_es": "Venga a la **Junta** el martes.",
}


def page_of(broadcast: Broadcast) -> str:
    return f"/organize/broadcasts/{broadcast.id}"


def events(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_writing_changing_and_testing_a_broadcast_are_logged_with_who_did_it(
    client, login_as, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    signer(petition, "ana@example.org")
    audience = {"action": f"petition:{petition.slug}"}
    broadcast = write_broadcast(petition.campaign, audience=audience, **MESSAGE)
    editor = login_as("organizer")
    edit = MESSAGE | audience | {"subject_en": "Tuesday at six"}
    assert client.post(f"{page_of(broadcast)}/edit", data=edit).status_code == 303
    assert client.post(f"{page_of(broadcast)}/test").status_code == 303

    (created,) = events("broadcast_created")
    assert created.user_id == organizer.id and created.details["broadcast_id"] == broadcast.id
    assert created.details["audience"] == audience
    (edited,) = events("broadcast_edited")
    assert edited.user_id == editor.id and edited.details["fields"] == ["subject_en"]
    (tested,) = events("broadcast_test_sent")
    assert tested.user_id == editor.id and tested.details["languages"] == ["en", "es"]


def test_a_scheduled_broadcast_edited_to_reach_nobody_is_refused_and_unchanged(
    client, login_as, make_petition, signer, write_broadcast, organizer
):
    login_as("organizer")
    petition = make_petition()
    quiet = make_petition(campaign=petition.campaign)
    signer(petition, "ana@example.org")
    signer(quiet, "luz@example.org", first_name="Luz", updates=False)
    broadcast = write_broadcast(petition.campaign)
    services.send(broadcast, organizer, at=utcnow() + timedelta(days=1))
    db.session.commit()

    refused = client.post(
        f"{page_of(broadcast)}/edit", data=MESSAGE | {"subject_en": "Changed", "action": f"petition:{quiet.slug}"}
    )
    assert refused.status_code == 422
    assert "Nobody in this audience can be mailed" in refused.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Broadcast, broadcast.id)
    assert kept.status is BroadcastStatus.SCHEDULED
    assert (kept.subject_en, kept.audience) == ("The County Board votes Tuesday", {})
    assert events("broadcast_edited") == []


def test_a_draft_may_still_be_edited_to_reach_nobody(app, make_petition, write_broadcast, organizer):
    """Only sending (and a scheduled broadcast, which will send by itself) needs someone."""
    petition = make_petition()
    broadcast = write_broadcast(petition.campaign)
    draft = services.Draft(subject_en="Later", body_en="Later", audience={"action": f"petition:{petition.slug}"})
    assert services.update(broadcast, draft, organizer).subject_en == "Later"


def test_a_test_to_an_address_that_bounced_says_so_and_sends_nothing(client, login_as, make_petition, write_broadcast):
    user = login_as("organizer")
    db.session.add(Suppression(address=user.email, reason=SuppressionReason.BOUNCE, source="smtp"))
    broadcast = write_broadcast(make_petition().campaign)

    refused = client.post(f"{page_of(broadcast)}/test")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "No test was sent" in text and user.email in text and "on its way" not in text
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.get(Broadcast, broadcast.id).test_sent_at is None
    assert events("broadcast_test_sent") == []


def test_the_test_mark_is_in_the_messages_language_not_the_organizers(client, login_as, make_petition, write_broadcast):
    user = login_as("organizer")
    broadcast = write_broadcast(make_petition().campaign)
    client.set_cookie("lang", "es")  # the organizer reads the pages in Spanish
    assert client.post(f"{page_of(broadcast)}/test").status_code == 303
    subjects = sorted(db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == user.email)))
    assert subjects == ["[Prueba] La Junta del Condado vota el martes", "[Test] The County Board votes Tuesday"]
