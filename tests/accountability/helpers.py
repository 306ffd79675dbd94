"""Records the standings page reads: positions, votes, deliveries and responses."""

from __future__ import annotations

from datetime import date, datetime

from campaign.extensions import db
from campaign.meetings.models import AgendaItem, Meeting, Vote, VoteChoice
from campaign.officials.models import Position, Stance
from campaign.packets.models import Delivery, DeliveryMethod, Packet, PacketStatus, Response


def add_position(official, stance: Stance, day: date, source: str, summary: str | None = None) -> Position:
    position = Position(official=official, stance=stance, stated_on=day, source_url=source, summary=summary)
    db.session.add(position)
    db.session.commit()
    return position


def add_vote(
    meeting: Meeting, official, choice: VoteChoice, title: str = "Resolution to end the 287(g) agreement", **vote
) -> Vote:
    item = next((item for item in meeting.items if item.title == title), None)
    if item is None:
        item = AgendaItem(meeting=meeting, title=title, number="7.b", position=len(meeting.items))
        db.session.add(item)
    record = Vote(agenda_item=item, official=official, choice=choice, **vote)
    db.session.add(record)
    db.session.commit()
    return record


def deliver(petition, official, public_id: str, delivered_at: datetime, signatures: int = 250) -> Delivery:
    packet = Packet(
        public_id=public_id, petition=petition, status=PacketStatus.READY, signature_count=signatures, official=official
    )
    delivery = Delivery(
        packet=packet,
        official=official,
        recipient=official.name,
        method=DeliveryMethod.IN_PERSON,
        delivered_at=delivered_at,
        notes="Left with the front desk (organizers' note)",
    )
    db.session.add_all([packet, delivery])
    db.session.commit()
    return delivery


def respond(delivery: Delivery, day: date, text: str | None = None, document_url: str | None = None) -> Response:
    response = Response(
        delivery=delivery, official_id=delivery.official_id, responded_on=day, text=text, document_url=document_url
    )
    db.session.add(response)
    db.session.commit()
    return response
