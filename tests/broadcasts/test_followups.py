"""Moments supporters want to hear about leave a ready-made draft, never a sent message."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.broadcasts import services
from campaign.broadcasts.models import Broadcast, BroadcastOrigin, BroadcastStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings import services as meetings
from campaign.meetings.models import VoteChoice
from campaign.officials.models import Body
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


@pytest.fixture
def vote_on(app, make_meeting, make_agenda_item, make_official):
    """`vote_on(item, name)`: an official of the county votes yes on `item`, through the
    service the organizer's vote form calls."""

    def record(item, name: str, user=None):
        official = make_official(name=name, title="Supervisor", body=Body.COUNTY_BOARD)
        vote = meetings.record_vote(item, official, VoteChoice.YES, None, user)
        db.session.commit()
        return vote

    return record


def test_the_votes_on_an_item_about_the_agreement_leave_one_draft_in_both_languages(
    app, make_meeting, make_agenda_item, vote_on, organizer
):
    meeting = make_meeting(
        title="Brown County Board of Supervisors",
        title_es="Junta de Supervisores del Condado de Brown",
        starts_at=datetime(2026, 3, 17, 18, 0, tzinfo=ZoneInfo("America/Chicago")),
    )
    item = make_agenda_item(meeting=meeting, title_es="Resolución para terminar el acuerdo 287(g)")
    vote_on(item, "Robert Vang", organizer)
    vote_on(item, "Alice Nguyen", organizer)

    (draft,) = _drafts()
    assert draft.status is BroadcastStatus.DRAFT and draft.origin is BroadcastOrigin.VOTE_RECORDED
    assert draft.origin_key == f"votes:{item.id}"
    assert draft.audience == {} and draft.campaign_id == meeting.campaign_id
    assert draft.created_by_id == organizer.id
    assert draft.subject_en == (
        "How the Brown County Board of Supervisors voted on “Resolution to end the 287(g) agreement”"
    )
    assert "March 17, 2026" in draft.body_en
    assert "Resolución para terminar el acuerdo 287(g)" in draft.subject_es
    assert "Junta de Supervisores del Condado de Brown" in draft.body_es
    assert "17 de marzo de 2026" in draft.body_es  # the date in the reader's language
    for body in (draft.body_en, draft.body_es):
        assert f"https://campaign.example.org/c/{meeting.campaign.slug}/officials" in body
        assert f"https://campaign.example.org/meetings/{meeting.slug}" in body
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # nothing sent
    drafted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "broadcast_drafted")).all()
    assert [(event.user_id, event.details["key"]) for event in drafted] == [(organizer.id, f"votes:{item.id}")]


def test_a_discarded_vote_draft_does_not_come_back_with_the_next_official(app, make_agenda_item, vote_on, organizer):
    item = make_agenda_item()
    vote_on(item, "Robert Vang", organizer)
    (draft,) = _drafts()
    services.discard(draft, organizer)
    db.session.commit()
    vote_on(item, "Alice Nguyen", organizer)
    assert _drafts() == []


def test_votes_on_an_item_not_about_the_agreement_leave_no_draft(app, make_agenda_item, vote_on):
    item = make_agenda_item(title="Approval of the minutes", concerns_agreement=False)
    vote_on(item, "Robert Vang")
    assert _drafts() == []


def test_a_draft_made_without_anyone_signed_in_is_logged_as_the_sites(app, make_agenda_item, vote_on):
    """The demo data and imports record votes with no user."""
    vote_on(make_agenda_item(), "Robert Vang")
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "broadcast_drafted"))
    assert event.user_id is None and event.details["origin"] == "vote_recorded"


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
