"""Moments supporters want to hear about leave a ready-made draft, never a sent message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from campaign.broadcasts.models import Broadcast, BroadcastOrigin, BroadcastStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.officials import signals as official_signals
from campaign.outbox.models import OutboxMessage
from campaign.packets import deliveries
from campaign.packets.models import DeliveryMethod, Packet, PacketStatus


def _drafts() -> list[Broadcast]:
    return list(db.session.scalars(select(Broadcast).order_by(Broadcast.id)))


def _packet(petition, count: int = 1204) -> Packet:
    packet = Packet(public_id="ABCD2345", petition=petition, status=PacketStatus.READY, signature_count=count)
    db.session.add(packet)
    db.session.commit()
    return packet


def test_a_delivered_packet_leaves_a_draft_to_the_petitions_signers(app, make_petition, organizer):
    petition = make_petition()
    packet = _packet(petition)
    delivered = deliveries.record_delivery(
        packet,
        deliveries.DeliveryInput(
            recipient="Brown County Board", method=DeliveryMethod.IN_PERSON, delivered_at=utcnow() - timedelta(hours=1)
        ),
        organizer,
    )
    db.session.commit()

    (draft,) = _drafts()
    assert draft.status is BroadcastStatus.DRAFT and draft.origin is BroadcastOrigin.PACKET_DELIVERED
    assert draft.origin_key == f"delivery:{delivered.id}"
    assert draft.audience == {"action": f"petition:{petition.slug}"}
    assert draft.created_by_id == organizer.id
    assert "1,204" in draft.subject_en and "Brown County Board" in draft.body_en
    assert draft.subject_es and "Brown County Board" in draft.body_es
    assert draft.subject_es == "Entregamos 1.204 firmas"  # written in Spanish, not copied
    assert f"https://campaign.example.org/p/{petition.slug}" in draft.body_en
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # nothing sent


def test_a_recorded_response_leaves_a_draft_quoting_it(app, make_petition, organizer):
    petition = make_petition()
    packet = _packet(petition)
    deliveries.record_delivery(
        packet,
        deliveries.DeliveryInput(
            recipient="Sheriff Pat Example",
            method=DeliveryMethod.IN_PERSON,
            delivered_at=utcnow() - timedelta(hours=1),
            response="We will review the agreement.\nA decision comes in March.",
        ),
        organizer,
    )
    db.session.commit()
    origins = {draft.origin: draft for draft in _drafts()}
    response = origins[BroadcastOrigin.OFFICIAL_RESPONSE]
    assert "> We will review the agreement.\n> A decision comes in March." in response.body_en
    assert "Sheriff Pat Example" in response.subject_en


def test_the_officials_response_hook_makes_one_draft_per_response(app, make_petition):
    """The officials area will record responses and votes of its own and send this signal."""
    petition = make_petition()
    for _attempt in range(2):
        official_signals.responded.send(
            None, petition_id=petition.id, official_name="Chair Lee", response="I oppose rescission.", key="vote:7"
        )
    db.session.commit()
    (draft,) = _drafts()
    assert draft.origin_key == "vote:7" and "Chair Lee" in draft.subject_en
    assert draft.audience == {"action": f"petition:{petition.slug}"}


def test_a_met_pledge_condition_leaves_a_draft_to_the_campaign(app, make_pledge, organizer):
    from campaign.pledges import services as pledges
    from tests.supporters import builders

    pledge = make_pledge(threshold=2)
    for email in ("ana@example.org", "luz@example.org"):
        builders.commit(pledge, builders.person(email), email_updates=True)
    assert pledges._announce_if_met(pledge)
    db.session.commit()
    (draft,) = _drafts()
    assert draft.origin is BroadcastOrigin.PLEDGE_MET and draft.audience == {}
    assert draft.campaign_id == pledge.campaign_id
    # The committed people's own announcement still goes at once.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
